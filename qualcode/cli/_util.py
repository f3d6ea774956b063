"""What the command modules share: error handling, the progress bar, opening a project and the
arguments and options that several commands take.

Nothing here imports another cli module, so every command module can import this one.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import sys
import warnings
from pathlib import Path

import click

from qualcode import defaults
from qualcode.errors import QualcodeError

# The PROJECT argument of (almost) every command: the project file.
project_argument = click.argument("project", type=click.Path(dir_okay=False))


def handle_errors(command):
    """Turn library errors into a one-line message and exit status 1; print warnings once."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return command(*args, **kwargs)
            except QualcodeError as exc:
                raise click.ClickException(str(exc)) from exc
            except sqlite3.Error as exc:  # outside a transaction: a damaged or unwritable file
                from qualcode.store.db import plain_error

                raise click.ClickException(
                    plain_error(exc, Path(kwargs.get("project", "the project")))
                ) from exc
            finally:
                for warning in _unique(caught):
                    click.echo(f"warning: {warning}", err=True)

    return wrapper


def _unique(caught) -> list[str]:
    seen = []
    for w in caught:
        if str(w.message) not in seen:
            seen.append(str(w.message))
    return seen


@contextlib.contextmanager
def progress_bar(length: int, label: str):
    """A progress bar on a terminal's stderr; nothing at all when stderr is not a terminal.

    Yields a function that advances the bar by ``n`` steps.
    """
    if not sys.stderr.isatty() or length <= 1:
        yield lambda n: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update


def open_project(path, read_only: bool = False):
    """The project at ``path`` (read-only for commands that only read: they never change the
    file, and work on a copy someone cannot write); imported here so that ``qualcode --help``
    loads no library."""
    from qualcode.project import Project

    return Project.open(path, read_only=read_only)


# -o FILE for commands that print a table: stdout unless a file is given.
output_option = click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="File to write (default: stdout).",
)


def suggester_options(min_score_help: str):
    """--suggester and --min-score, as ``suggest`` and ``evaluate`` take them."""

    def decorate(command):
        command = click.option(
            "--min-score", default=defaults.MIN_SCORE, type=click.FloatRange(0, 1), help=min_score_help
        )(command)
        return click.option(
            "--suggester",
            default=defaults.SUGGESTER,
            show_default=True,
            help="ensemble, lexical, semantic or supervised.",
        )(command)

    return decorate


def unit_option(**settings):
    """``--unit``, one of the segment units; ``settings`` are the command's own (help, default)."""
    return click.option("--unit", type=click.Choice(defaults.UNITS), **settings)


def include_unreviewed_option(help_text: str = "Also count the latest suggestions."):
    """``--include-unreviewed``: a flag for the commands that count codings (see include_of)."""
    return click.option("--include-unreviewed", is_flag=True, help=help_text)


def include_of(flag: bool) -> str:
    """The library's ``include`` value for the --include-unreviewed flag."""
    return "all" if flag else "reviewed"


def names_of(text: str) -> list[str]:
    """A comma separated list of names (``anna, bob``) as a list, blanks left out."""
    return [name.strip() for name in text.split(",") if name.strip()]


# --sheet for the commands that read a table (participants, codebook, codings, units): which
# worksheet of an .xlsx file; CSV files are unaffected.
sheet_option = click.option(
    "--sheet", help="The worksheet to read from an .xlsx file: its name or number (default: the first)."
)


def reading_sheet(sheet: str | None):
    """A block in which the library reads every workbook from the worksheet ``sheet``."""
    from qualcode.ingest.csvtable import sheet_choice

    return sheet_choice(sheet)
