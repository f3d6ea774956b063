"""What the command modules share: error handling, the progress bar, opening a project and the
arguments and options that several commands take.

Nothing here imports another cli module, so every command module can import this one.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import sqlite3
import sys
import time
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


def stderr_is_terminal() -> bool:
    """Whether stderr is a terminal: progress bars are drawn there only, never into a pipe."""
    return sys.stderr.isatty()


class Bar:
    """One line on stderr, redrawn in place: ``label [#####-----] done/total  stage``.

    Call it with ``(done, total)`` or ``(done, total, stage)``, as the library's step
    callbacks do; when ``done`` reaches ``total`` the line is cleared, and a later call starts
    it again (a review retrains more than once). :meth:`echo` prints a line to stdout
    without tearing the bar. Redraws come at most every ``EVERY`` seconds unless the stage
    changes.
    """

    WIDTH = 24
    EVERY = 0.1

    def __init__(self, label: str):
        self.label, self.done, self.total, self.stage = label, 0, 0, ""
        self.drawn_at: float | None = None  # when the line was last drawn (None: not shown)

    def __call__(self, done: int, total: int, stage: str | None = None) -> None:
        changed = stage is not None and stage != self.stage
        self.done, self.total = done, total
        self.stage = self.stage if stage is None else stage
        if total and done >= total:
            self.clear()
        elif changed or self.drawn_at is None or time.monotonic() - self.drawn_at >= self.EVERY:
            self.draw()

    def advance(self, n: int = 1) -> None:
        """``n`` more steps done (for the callbacks that count items just finished)."""
        self(self.done + n, self.total)

    def draw(self) -> None:
        filled = self.WIDTH * min(self.done, self.total) // self.total if self.total else 0
        line = f"{self.label} [{'#' * filled}{'-' * (self.WIDTH - filled)}] {self.done}/{self.total}"
        if self.stage:
            line += f"  {self.stage}"
        width = shutil.get_terminal_size((80, 24)).columns
        sys.stderr.write("\r" + line[: max(width - 1, 10)] + _CLEAR_LINE)
        sys.stderr.flush()
        self.drawn_at = time.monotonic()

    def clear(self) -> None:
        """Take the bar off its line (it comes back with the next call)."""
        if self.drawn_at is not None:
            sys.stderr.write("\r" + _CLEAR_LINE)
            sys.stderr.flush()
            self.drawn_at = None

    def echo(self, text: str) -> None:
        """``click.echo(text)`` with the bar taken off its line first (the next call draws it
        again, below the text)."""
        self.clear()
        click.echo(text)


_CLEAR_LINE = "\x1b[K"  # erase from the cursor to the end of the line


@contextlib.contextmanager
def progress_bar(length: int, label: str):
    """A progress bar on a terminal's stderr; nothing at all when stderr is not a terminal.

    Yields a function that advances the bar by ``n`` steps (for the library's callbacks that
    are called with the number of items just finished: import, segment).
    """
    if not stderr_is_terminal() or length <= 1:
        yield lambda n: None
        return
    with steps_bar(label) as bar:
        bar(0, length)
        yield bar.advance


@contextlib.contextmanager
def steps_bar(label: str):
    """A :class:`Bar` for the library's ``progress(done, total, stage)`` callbacks, or None
    (so that the library is not even called) when stderr is not a terminal. The bar is taken
    off the screen when the block ends, also on an error."""
    if not stderr_is_terminal():
        yield None
        return
    bar = Bar(label)
    try:
        yield bar
    finally:
        bar.clear()


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
