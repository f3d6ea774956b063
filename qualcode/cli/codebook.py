"""``qualcode codebook``: load, show and export the project's codebook."""

from __future__ import annotations

import click

from qualcode.cli._util import handle_errors, open_project, project_argument, reading_sheet, sheet_option
from qualcode.errors import NO_CODEBOOK


@click.group()
def codebook():
    """Load, show and export the project's codebook."""


@codebook.command(name="load")
@project_argument
@click.argument("path", type=click.Path(dir_okay=False))
@sheet_option
@handle_errors
def codebook_load(project, path, sheet):
    """Load a codebook (.yaml, .csv, .xlsx, .qdc, .qdpx) as the project's new codebook version.

    A table has the columns code,description,parent and optionally label, kind, colour,
    inclusion, exclusion, examples, keywords, lemmas: several keywords (or lemmas) in one cell
    are separated by ';' ("steungroep; netwerkberaad"), criteria and examples one per line.
    """
    with open_project(project) as proj, reading_sheet(sheet):
        changes = proj.load_codebook(path)
        total = len(proj.codebook().codes)
    summary = ", ".join(f"{len(names)} {kind}" for kind, names in changes.items() if names) or "no changes"
    click.echo(f"codebook loaded: {total} codes ({summary})")
    for kind in ("renamed", "merged", "retired"):
        for name in changes[kind]:
            click.echo(f"  {kind}: {name}")


@codebook.command(name="show")
@project_argument
@click.option("--details", is_flag=True, help="Also show definitions, criteria and keywords.")
@handle_errors
def codebook_show(project, details):
    """Print the codebook as a tree."""
    with open_project(project, read_only=True) as proj:
        book = proj.codebook()
    if not book.codes:
        raise click.ClickException(NO_CODEBOOK)
    _echo_tree(book, None, 0, details)


def _echo_tree(book, parent: str | None, depth: int, details: bool) -> None:
    for code in book.children(parent):
        click.echo(f"{'  ' * depth}{code.name} [{code.kind}]")
        if details:
            pad = "  " * (depth + 1)
            if code.description:
                click.echo(f"{pad}{code.description}")
            words = code.keywords + code.lemmas
            if words:
                click.echo(f"{pad}words: {', '.join(words)}")
        _echo_tree(book, code.name, depth + 1, details)


@codebook.command(name="export")
@project_argument
@click.argument("path", type=click.Path(dir_okay=False))
@handle_errors
def codebook_export(project, path):
    """Write the codebook to PATH (.yaml, .csv or .qdc)."""
    with open_project(project, read_only=True) as proj:
        proj.export_codebook(path)
    click.echo(f"wrote {path}")


# What qualcode.cli registers on the ``qualcode`` group.
COMMANDS = (codebook,)
