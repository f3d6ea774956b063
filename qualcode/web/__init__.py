"""The coding workbench: a local web application over the library (``qualcode open``).

A view like the CLI and the notebooks: pages call the ``Project`` facade, its review session
and :class:`qualcode.workbench.Workbench` for what a reader needs; no logic of its own.
Each page module in ``pages/`` lists its ``ROUTES`` and its interface text; templates are
Jinja2 with autoescaping, so every transcript, code and memo text is escaped; the static
files are bundled (nothing from the internet). Security: see ``security.py``.
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


@contextlib.contextmanager
def project_of(request, read_only: bool = False):
    """The project, opened for one request (SQLite connections stay in their thread)."""
    from qualcode import Project

    with Project.open(request.app.state.path, read_only=read_only) as project:
        yield project


def coder_of(request) -> str | None:
    """The coder name this browser chose (stored with every decision), or None."""
    name = (request.cookies.get(CODER_COOKIE) or "").strip()
    return name or None


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
