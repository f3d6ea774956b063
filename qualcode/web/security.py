"""What keeps the workbench private to the person who started it.

The server listens on 127.0.0.1 only. Every request needs the session's random token: in
the URL printed at start (``?token=...``), which sets an HttpOnly, SameSite=Strict cookie, so
another local user (who cannot read that terminal) cannot reach it. A request that changes
anything must be a POST carrying the page's CSRF value in the ``X-CSRF-Token`` header (the
pages send every change with ``fetch``; see static/base.js), which another site open in the
same browser can neither read nor set; no GET changes state.

The team server (``qualcode serve``) replaces the token by logins and per-session CSRF
values: see ``team_security.py``.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import PlainTextResponse, RedirectResponse

TOKEN_COOKIE = "qualcode_token"
SAFE_METHODS = {"GET", "HEAD"}


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode(), b.encode())


class TokenAndCsrf(BaseHTTPMiddleware):
    """Refuse requests without the session token, and changes without the CSRF value."""

    async def dispatch(self, request, call_next):
        state = request.app.state
        if request.url.path.startswith("/static/"):
            return await call_next(request)
        given = request.query_params.get("token")
        if same(given, state.token):
            # The token leaves the address bar at once: the page is loaded again without it.
            url = request.url.remove_query_params("token")
            response = RedirectResponse(str(url), status_code=303)
            response.set_cookie(TOKEN_COOKIE, state.token, httponly=True, samesite="strict")
            return response
        if not same(request.cookies.get(TOKEN_COOKIE), state.token):
            return PlainTextResponse("open the address qualcode open printed (it has the token)", 403)
        if request.method not in SAFE_METHODS:
            if request.method != "POST":
                return PlainTextResponse("method not allowed", 405)
            if not same(request.headers.get("x-csrf-token"), state.csrf):
                return PlainTextResponse("missing or wrong CSRF value: reload the page", 403)
        return await call_next(request)
