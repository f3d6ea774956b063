"""What keeps the team server's projects to their members (``qualcode serve``).

``TeamSessions`` runs before every route:

- the session is a random token in an HttpOnly, SameSite=Strict cookie (Secure when the
  request came over https: the connection's own scheme, or ``X-Forwarded-Proto`` only when
  the server was started ``--behind-proxy``, from the reverse proxy that ends TLS); the
  server database keeps only the token's hash (:mod:`qualcode.team.accounts`);
- every route is in the table of :mod:`qualcode.web.team_access`: a route that needs a
  login sends a browser to /login (an API call gets 401), one that needs a role in the chosen
  project is refused (403) unless the user has that role there *now* (the membership is
  read again on every request, so a removed member loses access at once);
- every POST carries the session's CSRF value: in the ``X-CSRF-Token`` header (the pages'
  ``fetch`` calls) or, on the team forms, in a hidden ``csrf`` field; before a login the
  forms carry a pre-login value from its own HttpOnly cookie, so a login cannot be forged
  from another site either; no GET changes anything;
- it sets ``request.state``: ``user`` (the coder name of every decision), ``user_id``,
  ``project`` (the address of the chosen project), ``project_name``, ``role``, ``csrf``,
  ``session`` and ``client_ip``; and adds headers that keep pages out of frames, caches and
  other sites' referrers.
"""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse
from starlette.routing import Match, Mount

from qualcode.web.security import same
from qualcode.web.team_access import NOBODY, PUBLIC, SESSION, allows, rule_for

SESSION_COOKIE = "qualcode_session"
PRELOGIN_COOKIE = "qualcode_prelogin"
MAX_FORM = 64 * 1024
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "content-security-policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    ),
}
CSRF_WRONG = "missing or wrong CSRF value: reload the page"


def is_https(request, behind_proxy: bool) -> bool:
    if request.url.scheme == "https":
        return True
    return behind_proxy and request.headers.get("x-forwarded-proto", "").strip().lower() == "https"


def client_ip(request, behind_proxy: bool) -> str:
    """The client's address: the connection's, or behind a trusted proxy the last address the
    proxy added to ``X-Forwarded-For`` (earlier ones come from the client and prove nothing)."""
    if behind_proxy:
        forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",")]
        if forwarded and forwarded[-1]:
            return forwarded[-1][:64]
    return request.client.host if request.client else "unknown"


def cookie_text(name: str, value: str, secure: bool, max_age: int | None = None) -> str:
    cookie = SimpleCookie()
    cookie[name] = value
    morsel = cookie[name]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Strict"
    if secure:
        morsel["secure"] = True
    if max_age is not None:
        morsel["max-age"] = max_age
    return morsel.OutputString()


def set_session_cookie(response, request, token: str) -> None:
    """Give the browser its session (a login, an accepted invitation)."""
    response.headers.append("set-cookie", cookie_text(SESSION_COOKIE, token, request.state.secure))


def clear_session_cookie(response, request) -> None:
    response.headers.append("set-cookie", cookie_text(SESSION_COOKIE, "", request.state.secure, max_age=0))


def safe_next(target: str | None, default: str = "/projects") -> str:
    """A place on this server to go to after a login (never another site)."""
    target = str(target or "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target or len(target) > 2000:
        return default
    return target


def wants_json(request) -> bool:
    return request.url.path.startswith("/api/") or request.method not in ("GET", "HEAD")


def refusal(request, status: int, message: str):
    """A refusal as the caller reads it: JSON for the pages' API calls, else plain text."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    return PlainTextResponse(message, status_code=status)


def route_of(app, scope):
    """The route that will answer (as the router chooses: the first full match), or None."""
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return route
    return None


class TeamSessions:
    """The team server's gate: sessions, CSRF and the route table (see the module)."""

    def __init__(self, app, behind_proxy: bool = False):
        self.app = app
        self.behind_proxy = behind_proxy

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        state = request.state
        state.secure = is_https(request, self.behind_proxy)
        state.client_ip = client_ip(request, self.behind_proxy)
        route = route_of(scope["app"], scope)
        new_prelogin = None

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                if not isinstance(route, Mount) and "cache-control" not in headers:
                    headers["cache-control"] = "no-store"
                if new_prelogin:
                    headers.append("set-cookie", cookie_text(PRELOGIN_COOKIE, new_prelogin, state.secure))
            await send(message)

        if route is None or isinstance(route, Mount):  # 404 or 405, or a bundled static file
            await self.app(scope, receive, send_with_headers)
            return
        rule = rule_for(request.method, route.path)
        if rule is None or rule.need == NOBODY:
            message = "this is not available on the team server"
            if rule is not None:
                message = "on the team server the coder is the logged-in user; log in as that user instead"
            await refusal(request, 403, message)(scope, receive, send_with_headers)
            return
        token = request.cookies.get(SESSION_COOKIE)
        session = await run_in_threadpool(self.lookup, scope["app"], token) if token else None
        prelogin = request.cookies.get(PRELOGIN_COOKIE)
        if session is None and (not prelogin or len(prelogin) > 100):
            prelogin = new_prelogin = secrets.token_urlsafe(32)
        state.csrf = session.csrf if session else prelogin
        state.session, state.session_token = session, token if session else None
        state.user = session.user if session else None
        state.user_id = session.user_id if session else None
        state.project = session.address if session else None
        state.project_name = session.project if session else None
        state.role = session.role if session else None

        if rule.need != PUBLIC and session is None:
            if wants_json(request):
                response = refusal(request, 401, "log in first: /login")
            else:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                response = RedirectResponse(f"/login?next={quote(target)}", status_code=303)
            await response(scope, receive, send_with_headers)
            return
        if request.method not in ("GET", "HEAD"):
            if request.method != "POST":
                await refusal(request, 405, "method not allowed")(scope, receive, send_with_headers)
                return
            if rule.csrf == "form":
                body = await _read_body(receive)
                given = _form_field(request, body, "csrf")
                receive = _replay(body or b"", receive)
            else:
                given = request.headers.get("x-csrf-token")
            if not same(given, state.csrf):
                await refusal(request, 403, CSRF_WRONG)(scope, receive, send_with_headers)
                return
        if rule.need not in (PUBLIC, SESSION):
            problem = None
            if session.role is None:
                problem = "choose a project you belong to first: /projects"
            elif not allows(session.role, rule.need):
                problem = (
                    f"your role in {session.project} is {session.role}; this needs the role "
                    f"{rule.need} or higher (ask the project's owner)"
                )
            if problem:
                if session.role is None and not wants_json(request):
                    response = RedirectResponse("/projects", status_code=303)
                else:
                    response = refusal(request, 403, problem)
                await response(scope, receive, send_with_headers)
                return
        await self.app(scope, receive, send_with_headers)

    @staticmethod
    def lookup(app, token: str):
        with app.state.open_team() as team:
            return team.session(token)


async def _read_body(receive) -> bytes | None:
    """The request body, or None when it is longer than a form may be."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _form_field(request, body: bytes | None, name: str) -> str | None:
    if body is None or request.headers.get("content-type", "").split(";")[0].strip() != (
        "application/x-www-form-urlencoded"
    ):
        return None
    values = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).get(name)
    return values[0] if values else None


def _replay(body: bytes, receive):
    """A ``receive`` that gives the route the body read here, then listens on as before."""
    sent = False

    async def again():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again
