"""Commands for projects on a PostgreSQL server: push a file there, pull one back."""

from __future__ import annotations

import click

from qualcode.cli._util import handle_errors, open_project


@click.command()
@click.argument("project", type=click.Path(dir_okay=False, exists=True))
@click.argument("url")
@handle_errors
def push(project, url):
    """Copy the project file PROJECT to a new database on a PostgreSQL server at URL
    (postgresql://USER@HOST:PORT/NAME; the database is created when the server has none)."""
    from qualcode.transfer import check_direction

    check_direction(project, url, push=True)
    with open_project(project, read_only=True) as proj:
        counts = proj.copy_to(url)
    click.echo(_summary(counts, url))


@click.command()
@click.argument("url")
@click.argument("copy", type=click.Path(dir_okay=False))
@handle_errors
def pull(url, copy):
    """Copy the project at URL on a PostgreSQL server to a new project file COPY."""
    from qualcode.transfer import check_direction

    check_direction(url, copy, push=False)
    with open_project(url, read_only=True) as proj:
        counts = proj.copy_to(copy)
    click.echo(_summary(counts, copy))


def _summary(counts: dict[str, int], target) -> str:
    from qualcode.transfer import shown

    tables = ("sources", "codes", "codings", "suggestions", "decisions", "memos", "cmocs")
    listed = ", ".join(f"{counts.get(t, 0)} {t}" for t in tables)
    return f"copied to {shown(target)}: {listed} ({sum(counts.values())} rows in {len(counts)} tables)"


COMMANDS = (push, pull)
