"""The coding workbench: a local web application over the library (``qualcode open``), and
the same pages on the team server (``qualcode serve``, :mod:`qualcode.web.team`).

A view like the CLI and the notebooks: pages call the ``Project`` facade, its review session
and :class:`qualcode.workbench.Workbench` for what a reader needs; no logic of its own.
Each page module in ``pages/`` lists its ``ROUTES`` and its interface text; templates are
Jinja2 with autoescaping, so every transcript, code and memo text is escaped; the static
files are bundled (nothing from the internet). Security: see ``security.py`` (local) and
``team_security.py`` (the team server).

A page asks three things of its request, the same way in both modes: :func:`project_of` (the
project to open), :func:`coder_of` (who decides) and :func:`address_of` (where the project
is, for work in another thread). Locally they come from the app (one project file) and the
coder-name cookie; on the team server from the logged-in session, which ``TeamSessions``
puts in ``request.state``: the coder is the user, and nobody can choose another name.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from qualcode.web.security import TokenAndCsrf, new_secret

HERE = Path(__file__).parent
CODER_COOKIE = "qualcode_coder"
LANGUAGE_COOKIE = "qualcode_lang"


def create_app(project_path: str | Path, token: str | None = None):
    """The workbench for one project file (the token: random unless given, for tests)."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    from qualcode.web.pages import ROUTES

    app = Starlette(
        routes=[*ROUTES, Mount("/static", StaticFiles(directory=HERE / "static"), name="static")],
        middleware=[Middleware(TokenAndCsrf)],
    )
    app.state.path = Path(project_path)
    app.state.token = token or new_secret()
    app.state.csrf = new_secret()
    app.state.jobs = {}  # background work per coder (retraining), see pages/review.py
    return app


def in_team(request) -> bool:
    """Whether this request reached the team server (else the local workbench)."""
    return getattr(request.app.state, "team", False) is True


def address_of(request):
    """Where this request's project is: the local file, or the project the session chose."""
    if in_team(request):
        address = getattr(request.state, "project", None)
        if not address:  # TeamSessions lets no project route through without one
            from qualcode.errors import QualcodeError

            raise QualcodeError("choose a project first: /projects")
        return address
    return request.app.state.path


@contextlib.contextmanager
def project_of(request, read_only: bool = False):
    """The project, opened for one request (SQLite connections stay in their thread)."""
    from qualcode import Project

    with Project.open(address_of(request), read_only=read_only) as project:
        yield project


def coder_of(request) -> str | None:
    """The coder name stored with every decision, or None: the name this browser chose, or
    on the team server the logged-in user when their role lets them code (a reader: None)."""
    if in_team(request):
        if getattr(request.state, "role", None) in ("coder", "owner"):
            return request.state.user
        return None
    name = (request.cookies.get(CODER_COOKIE) or "").strip()
    return name or None


@contextlib.contextmanager
def team_of(request):
    """The team server's database (accounts, members), opened for one step of a request."""
    with request.app.state.open_team() as team:
        yield team


async def with_team(request, work):
    """``work(team)`` with the server database open, off the event loop (in a worker thread,
    where the connection is made and closed)."""
    from starlette.concurrency import run_in_threadpool

    def call():
        with team_of(request) as team:
            return work(team)

    return await run_in_threadpool(call)


def csrf_of(request) -> str:
    """The CSRF value the page sends back with every POST: the session's on the team server."""
    if in_team(request):
        return request.state.csrf
    return request.app.state.csrf


def language_of(request, project=None) -> str:
    """``?lang=``, else the cookie, else Dutch for a project segmented in Dutch."""
    from qualcode.web.i18n import LANGUAGES

    asked = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if asked in LANGUAGES:
        return asked
    if project is not None:
        runs = project.runs("segment")
        if runs and runs[-1]["config"].get("language", "nl") != "nl":
            return "en"
    return "nl"
