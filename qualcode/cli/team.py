"""Commands for working as a team: push a project file to a PostgreSQL server and pull it back;
run the team server (``serve``) and keep its accounts and members (``qualcode team ...``).

The server stack (starlette, uvicorn, psycopg, argon2) is imported inside the commands only,
so ``qualcode --help`` starts without it."""

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


# -- the team server --------------------------------------------------------------------------

database_option = click.option(
    "--database", "database", required=True, metavar="ADDRESS",
    help="The team server's database (accounts, sessions, members): a file (server.db), or on "
    "PostgreSQL postgresql://USER@HOST/NAME (postgresql:///NAME: the local socket, no password).",
)  # fmt: skip


def _open_team(database, create: bool = False):
    """The server database; ``create``: made when there is none yet (the first account)."""
    from qualcode.errors import ProjectError
    from qualcode.store.postgres import is_url
    from qualcode.team import TeamServer

    try:
        return TeamServer.open(database)
    except ProjectError as opening:
        if not create or (TeamServer.exists(database) and not is_url(database)):
            raise
        try:
            return TeamServer.create(database)
        except ProjectError:
            raise opening from None


def _password(password_file) -> str:
    if password_file is not None:
        lines = password_file.read().splitlines()
        return lines[0] if lines else ""
    return click.prompt("password", hide_input=True, confirmation_prompt=True)


@click.command()
@database_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Keep 127.0.0.1 behind a reverse proxy on the same machine; "
    "0.0.0.0 listens on every network interface (plain HTTP: put a TLS proxy in front).",
)
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8765, show_default=True, help="Port to listen on."
)
@click.option(
    "--behind-proxy",
    is_flag=True,
    help="Trust X-Forwarded-Proto (https: Secure cookies) and the last X-Forwarded-For address (the "
    "login rate limit) from the reverse proxy that ends TLS. Only with such a proxy in front.",
)
@handle_errors
def serve(database, host, port, behind_proxy):
    """Run the workbench for a team: every user logs in, sees the projects they belong to and
    codes under their own name. Ctrl+C stops it.

    \b
    Set up first (ADDRESS as in --database):
      qualcode team add-user --database ADDRESS anna      (the first account)
      qualcode push study.qc postgresql:///study          (a project to the server)
      qualcode team add-project --database ADDRESS study postgresql:///study --owner anna
      qualcode team invite --database ADDRESS study --role coder

    \b
    In production (docs/team-server.md: systemd, TLS, backups, upgrades):
      qualcode serve --database postgresql:///qualcode_server --host 127.0.0.1 --behind-proxy
    Every decision is stored before it is acknowledged; the sessions survive a restart."""
    from qualcode.web.team import serve_team

    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"warning: listening on {host}, reachable from other computers: the server speaks plain "
            "HTTP, so TLS must come from a reverse proxy in front of it (run it with --behind-proxy)",
            err=True,
        )
    serve_team(database, host, port, behind_proxy, echo=click.echo)


@click.group()
def team():
    """The team server's accounts, projects and members (see qualcode serve)."""


@team.command("add-user")
@database_option
@click.argument("name")
@click.option(
    "--password-file", type=click.File("r"), help="Read the password from the first line of this file."
)
@handle_errors
def add_user(database, name, password_file):
    """Add the account NAME (the coder name of its decisions); the password is asked for,
    hidden. The first account creates the server database."""
    password = _password(password_file)
    with _open_team(database, create=True) as server:
        stored = server.add_user(name, password)
    click.echo(f"added user {stored}")


@team.command("add-project")
@database_option
@click.argument("name")
@click.argument("project_address", metavar="PROJECT_ADDRESS")
@click.option("--owner", required=True, help="The account that owns the project (its first member).")
@handle_errors
def add_project(database, name, project_address, owner):
    """Serve the project at PROJECT_ADDRESS (a project file or postgresql://...) as NAME."""
    with _open_team(database) as server:
        server.add_project(name, project_address, owner)
    click.echo(f"added project {name} ({_shown(project_address)}), owner {owner}")


@team.command()
@database_option
@click.argument("project")
@click.option("--role", type=click.Choice(["owner", "coder", "reader"]), default="coder", show_default=True)
@click.option(
    "--days", type=click.IntRange(1, 90), default=7, show_default=True, help="Days the link is valid."
)
@handle_errors
def invite(database, project, role, days):
    """Make a one-time invitation link to PROJECT (prints its path; give it with the server's address)."""
    from qualcode.team import ADMIN

    with _open_team(database) as server:
        made = server.invite(project, role, by=ADMIN, days=days)
    click.echo(f"/invite/{made['token']}")
    click.echo(f"one-time link for a {role} of {project}, valid until {made['expires_at']}", err=True)


@team.command()
@database_option
@click.argument("project")
@handle_errors
def members(database, project):
    """List the members of PROJECT with their roles."""
    from qualcode.team import ADMIN

    with _open_team(database) as server:
        found = server.members(project, by=ADMIN)
    for member in found:
        click.echo(f"{member['name']}\t{member['role']}")


@team.command("set-password")
@database_option
@click.argument("name")
@click.option(
    "--password-file", type=click.File("r"), help="Read the password from the first line of this file."
)
@handle_errors
def set_password(database, name, password_file):
    """Give the account NAME a new password (asked for, hidden); its sessions end."""
    password = _password(password_file)
    with _open_team(database) as server:
        server.set_password(name, password)
    click.echo(f"new password for {name}")


def _shown(address) -> str:
    from qualcode.transfer import shown

    return shown(address)


COMMANDS = (push, pull, serve, team)
