"""``qualcode open``: the coding workbench in the browser."""

from __future__ import annotations

import click

from qualcode.cli._util import handle_errors, project_argument


@click.command(name="open")
@project_argument
@click.option("--port", type=click.IntRange(1, 65535), help="Port on 127.0.0.1 (default: a free one).")
@click.option("--no-browser", is_flag=True, help="Only print the address; open it yourself.")
@handle_errors
def open_(project, port, no_browser):
    """Open the coding workbench for PROJECT in the browser (first line: the address to open,
    with this session's token; only this computer can reach it). Ctrl+C stops it."""
    from pathlib import Path

    from qualcode import Project
    from qualcode.web.server import serve

    Project.open(project, read_only=True).close()  # a clear error now for a missing or foreign file
    serve(Path(project), port=port, open_browser=not no_browser, echo=lambda line: click.echo(line))


COMMANDS = (open_,)
