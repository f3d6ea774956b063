"""``qualcode open``: the coding workbench in the browser."""

from __future__ import annotations

import click

from qualcode.cli._util import handle_errors, project_argument


@click.command(name="open")
@project_argument
@click.option("--port", type=click.IntRange(1, 65535), help="Port on 127.0.0.1 (default: a free one).")
@click.option("--no-browser", is_flag=True, help="Only print the address; open it yourself.")
@click.option(
    "--pseudonymised",
    "plan",
    type=click.Path(exists=True, dir_okay=False),
    help="Show the project pseudonymised by this plan (a temporary copy: nothing done there is kept).",
)
@handle_errors
def open_(project, port, no_browser, plan):
    """Open the coding workbench for PROJECT in the browser (first line: the address to open,
    with this session's token; only this computer can reach it). Ctrl+C stops it."""
    import tempfile
    from pathlib import Path

    from qualcode import Project
    from qualcode.web.server import serve

    def echo(line):
        click.echo(line)

    if plan is None:
        Project.open(project, read_only=True).close()  # a clear error now for a missing or foreign file
        serve(Path(project), port=port, open_browser=not no_browser, echo=echo)
        return
    with tempfile.TemporaryDirectory(prefix="qualcode-view-") as folder:
        view = Path(folder) / Path(project).name
        with Project.open(project, read_only=True) as proj:
            proj.pseudonymise(plan, view, key=None, passphrase=None)
        click.echo(f"a pseudonymised view of {project} (a temporary copy: nothing done here is kept)")
        serve(view, port=port, open_browser=not no_browser, echo=echo)


COMMANDS = (open_,)
