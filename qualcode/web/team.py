"""The team server (``qualcode serve``): the workbench's pages for many users, behind logins.

:func:`create_team_app` serves every page of ``pages/`` unchanged, plus the team's own
routes: logging in and out, choosing a project, accepting an invitation and (owners) the
members page and blind mode. ``TeamSessions`` (``team_security.py``) stands before all of
them with the route table of ``team_access.py``; the pages find the user and project
through ``project_of``/``coder_of``/``address_of`` (``web/__init__.py``), so a page needs
nothing of its own to work here. The accounts themselves are :class:`qualcode.team.TeamServer`.

A new route (for instance a stream of live updates, ``/api/events``) is a page module with its
``ROUTES`` and one line in ``team_access.ACCESS``; it reads ``request.state.user`` and
``address_of(request)`` like the others.
"""

from __future__ import annotations

from starlette.responses import RedirectResponse
from starlette.routing import Route

from qualcode.errors import QualcodeError
from qualcode.team import InvitationRefused, LoginRefused, NotAllowed, TeamServer
from qualcode.web import with_team
from qualcode.web.api import posted
from qualcode.web.i18n import add
from qualcode.web.render import page
from qualcode.web.team_security import TeamSessions, clear_session_cookie, safe_next, set_session_cookie

add(
    nl={
        "team_login_title": "Inloggen", "team_name": "Naam", "team_password": "Wachtwoord",
        "team_password_again": "Wachtwoord nog eens", "team_login": "Inloggen", "team_logout": "Uitloggen",
        "team_projects": "Projecten", "team_members": "Leden", "team_no_projects":
        "Je hoort nog bij geen project: vraag de eigenaar van een project om een uitnodiging.",
        "team_role_owner": "eigenaar", "team_role_coder": "codeur", "team_role_reader": "lezer",
        "team_read_only": "Je leest dit project als lezer: coderen en wijzigen kan niet met deze rol.",
        "team_invited": "Uitnodiging voor {project} als {role} (geldig tot {until}).",
        "team_accept_as": "Accepteren als {user}", "team_new_account": "Maak je account",
        "team_create": "Account maken en accepteren", "team_have_account": "Heb je al een account? Log eerst in.",
        "team_passwords_differ": "de twee wachtwoorden verschillen; typ ze opnieuw",
        "team_password_hint": "minstens 10 tekens", "team_invite_new": "Iemand uitnodigen",
        "team_role": "Rol", "team_days": "Dagen geldig", "team_invite_go": "Maak een eenmalige link",
        "team_link": "Eenmalige link (alleen nu getoond; geef hem aan één persoon):",
        "team_open_invitations": "Openstaande uitnodigingen", "team_change": "Wijzig", "team_remove": "Verwijder",
        "team_withdraw": "Intrekken", "team_expires": "verloopt", "team_since": "sinds",
        "team_current": "huidig project",
    },
    en={
        "team_login_title": "Log in", "team_name": "Name", "team_password": "Password",
        "team_password_again": "Password again", "team_login": "Log in", "team_logout": "Log out",
        "team_projects": "Projects", "team_members": "Members", "team_no_projects":
        "You belong to no project yet: ask a project's owner for an invitation.",
        "team_role_owner": "owner", "team_role_coder": "coder", "team_role_reader": "reader",
        "team_read_only": "You read this project as a reader: coding and changes need another role.",
        "team_invited": "Invitation to {project} as {role} (valid until {until}).",
        "team_accept_as": "Accept as {user}", "team_new_account": "Make your account",
        "team_create": "Make the account and accept", "team_have_account": "Have an account already? Log in first.",
        "team_passwords_differ": "the two passwords differ; type them again",
        "team_password_hint": "at least 10 characters", "team_invite_new": "Invite someone",
        "team_role": "Role", "team_days": "Days valid", "team_invite_go": "Make a one-time link",
        "team_link": "One-time link (shown only now; give it to one person):",
        "team_open_invitations": "Open invitations", "team_change": "Change", "team_remove": "Remove",
        "team_withdraw": "Withdraw", "team_expires": "expires", "team_since": "since",
        "team_current": "current project",
    },
)  # fmt: skip


def create_team_app(server_address, behind_proxy: bool = False, clock=None):
    """The team server over the server database at ``server_address`` (a file or a
    PostgreSQL URL); ``behind_proxy``: trust ``X-Forwarded-Proto``/``-For`` from the reverse
    proxy in front; ``clock`` is for tests."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    from qualcode.web import HERE
    from qualcode.web.pages import ROUTES
    from qualcode.web.team_members import MEMBER_ROUTES

    TeamServer.open(server_address, clock=clock).close()  # a clear error now, not at the first login
    app = Starlette(
        routes=[*TEAM_ROUTES, *MEMBER_ROUTES, *ROUTES,
                Mount("/static", StaticFiles(directory=HERE / "static"), name="static")],
        middleware=[Middleware(TeamSessions, behind_proxy=behind_proxy)],
    )  # fmt: skip
    app.state.team = True
    app.state.server_address = server_address
    app.state.open_team = lambda: TeamServer.open(server_address, clock=clock)
    app.state.jobs = {}  # retraining per project and coder, see pages/review.py
    return app


def signed_in(request, token: str, go: str):
    response = RedirectResponse(go, status_code=303)
    set_session_cookie(response, request, token)
    return response


def first_place(team, session, wanted: str) -> str:
    """Where a fresh login goes: the page it came for, in the only project the user belongs
    to when there is one (else the list of projects, to choose)."""
    projects = team.projects_of(session)
    if len(projects) != 1:
        return wanted
    team.choose_project(session, projects[0]["name"])
    return "/" if wanted == "/projects" else wanted


# -- logging in and out -----------------------------------------------------------------------


def login_page(request):
    wanted = safe_next(request.query_params.get("next"))
    if request.state.user:
        return RedirectResponse(wanted, status_code=303)
    return page(request, "team_login.html", next=wanted, error=None, name="")


async def login(request):
    form = await request.form()
    name, password = str(form.get("name", ""))[:200], str(form.get("password", ""))
    wanted = safe_next(form.get("next"))
    old = request.state.session_token

    def work(team):
        token, session = team.login(name, password, request.state.client_ip)
        team.logout(old)  # a new login never keeps an old session going
        return token, first_place(team, session, wanted)

    try:
        token, go = await with_team(request, work)
    except LoginRefused as refused:
        status = 429 if refused.retry_at else 401
        return page(
            request, "team_login.html", status_code=status, next=wanted, error=str(refused), name=name
        )
    return signed_in(request, token, go)


async def logout(request):
    token = request.state.session_token
    await with_team(request, lambda team: team.logout(token))
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, request)
    return response


# -- projects ---------------------------------------------------------------------------------


async def projects_page(request, error: str | None = None, status_code: int = 200):
    found = await with_team(request, lambda team: team.projects_of(request.state.session))
    return page(request, "team_projects.html", status_code=status_code, projects=found, error=error,
                current=request.state.project_name)  # fmt: skip


async def choose_project(request):
    form = await request.form()
    name = str(form.get("name", ""))[:200]
    try:
        await with_team(request, lambda team: team.choose_project(request.state.session, name))
    except NotAllowed as refused:
        return await projects_page(request, str(refused), 403)
    return RedirectResponse("/", status_code=303)


# -- invitations ------------------------------------------------------------------------------


async def invitation_page(request, error: str | None = None, status_code: int = 200):
    token = request.path_params["token"]
    try:
        offer = await with_team(request, lambda team: team.invitation(token))
    except InvitationRefused as refused:
        return page(request, "team_invite.html", status_code=410, offer=None, error=str(refused), token=token)
    return page(request, "team_invite.html", status_code=status_code, offer=offer, error=error, token=token)


async def accept_invitation(request):
    token = request.path_params["token"]
    form = await request.form()
    session = request.state.session
    name, password = str(form.get("name", ""))[:200], str(form.get("password", ""))
    if session is None and password != str(form.get("password_again", "")):
        from qualcode.web import language_of
        from qualcode.web.i18n import translate

        return await invitation_page(request, translate(language_of(request), "team_passwords_differ"), 400)

    def work(team):
        if session is not None:
            accepted = team.accept(token, session=session)
            team.choose_project(session, accepted["project"])
            return None
        return team.accept(token, name=name, password=password)["token"]  # logged in, in the project

    try:
        fresh = await with_team(request, work)
    except InvitationRefused as refused:
        return page(request, "team_invite.html", status_code=410, offer=None, error=str(refused), token=token)
    except QualcodeError as error:
        return await invitation_page(request, str(error), 400)
    if fresh is None:
        return RedirectResponse("/", status_code=303)
    return signed_in(request, fresh, "/")


# -- blind mode (owners) ----------------------------------------------------------------------


async def blind(request):
    """Switch blind mode on or off (``{"on": true}``); off reveals every coder's work."""
    from qualcode.web import project_of

    def work(body):
        on = body.get("on")
        if not isinstance(on, bool):
            raise QualcodeError('send {"on": true} or {"on": false}')
        with project_of(request) as project:
            return project.blind(on)

    return await posted(request, work)


SHUTDOWN_SECONDS = 3  # how long a stop waits for open requests (a live stream lasts up to 10 minutes)

TEAM_ROUTES = [
    Route("/login", login_page),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/projects", projects_page),
    Route("/projects", choose_project, methods=["POST"]),
    Route("/invite/{token}", invitation_page),
    Route("/invite/{token}", accept_invitation, methods=["POST"]),
    Route("/api/blind", blind, methods=["POST"]),
]


def serve_team(server_address, host: str, port: int, behind_proxy: bool, echo) -> None:
    """Run the team server until interrupted; ``echo`` gets the address first. uvicorn reads
    no proxy headers itself: ``TeamSessions`` trusts them only when ``behind_proxy``."""
    import uvicorn

    app = create_team_app(server_address, behind_proxy=behind_proxy)
    shown = f"[{host}]" if ":" in host else host
    echo(f"team server on http://{shown}:{port}/login (Ctrl+C stops it)")
    # Open pages keep a stream of live updates (pages/live.py): a stop waits for them briefly only.
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False, server_header=False,
                timeout_graceful_shutdown=SHUTDOWN_SECONDS)  # fmt: skip
