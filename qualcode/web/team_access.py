"""Who may use which route on the team server: the one table, read by ``TeamSessions``.

Each route (method and path template, as the routes declare them) needs one of:

- ``PUBLIC``: anyone (the login and invitation pages, the bundled static files);
- ``SESSION``: a logged-in user, with or without a chosen project (projects, logout);
- ``READER``, ``CODER``, ``OWNER``: that role or a higher one in the session's project
  (owner > coder > reader), re-checked on every request;
- ``NOBODY``: refused on the team server (choosing a coder name: the coder is the user).

A route missing from the table is refused (a new page must be placed here; a test checks
that every route of the team app is). Readers see the reading pages (transcripts, documents,
codebook, search, memos, comparison, findings, CMOCs) and never POST; the review queue and
the helpers of coding are for coders; the codebook, blind mode, resolving differences into
agreed codings and members for owners. Every page listens to the live updates.

``csrf`` says how a POST proves it comes from the server's own page: ``header`` (the
pages' ``fetch`` calls send ``X-CSRF-Token``), ``form`` (the team forms send a hidden
``csrf`` field: the session's value, or the pre-login value before a login).
"""

from __future__ import annotations

from dataclasses import dataclass

PUBLIC, SESSION, READER, CODER, OWNER, NOBODY = "public", "session", "reader", "coder", "owner", "nobody"
RANK = {READER: 1, CODER: 2, OWNER: 3}
ROLES_NEEDED = (READER, CODER, OWNER)


@dataclass(frozen=True)
class Rule:
    need: str
    csrf: str = "header"  # for POSTs: "header" or "form"


_READING = ("/", "/document/{source:path}", "/codebook", "/search", "/memos", "/compare", "/findings",
            "/cmocs", "/cmocs/{key}")  # fmt: skip
_CODING_GETS = ("/review", "/api/review/item", "/api/review/snap", "/api/review/codes", "/api/review/status",
                "/api/document/snap", "/api/document/suggestions/{suggestion:int}/candidates")  # fmt: skip
_CODING_POSTS = (
    "/api/review/accept", "/api/review/reject", "/api/review/edit", "/api/review/choose", "/api/review/undo",
    "/api/codings", "/api/codings/{coding:int}/edit", "/api/codings/{coding:int}/remove",
    "/api/document/undo", "/api/document/suggestions/{suggestion:int}/{action:str}",
    "/api/document/memos", "/api/memos", "/api/cmocs", "/api/cmocs/{key}/revise", "/api/search/code",
    "/api/export",  # not a change, but a POST: readers read the findings on the page
)  # fmt: skip

ACCESS: dict[tuple[str, str], Rule] = {
    ("GET", "/login"): Rule(PUBLIC),
    ("POST", "/login"): Rule(PUBLIC, "form"),
    ("GET", "/invite/{token}"): Rule(PUBLIC),
    ("POST", "/invite/{token}"): Rule(PUBLIC, "form"),
    ("POST", "/logout"): Rule(SESSION, "form"),
    ("GET", "/projects"): Rule(SESSION),
    ("POST", "/projects"): Rule(SESSION, "form"),
    ("GET", "/members"): Rule(OWNER),
    ("POST", "/members/invite"): Rule(OWNER, "form"),
    ("POST", "/members/role"): Rule(OWNER, "form"),
    ("POST", "/members/remove"): Rule(OWNER, "form"),
    ("POST", "/members/withdraw"): Rule(OWNER, "form"),
    ("POST", "/api/codebook/edit"): Rule(OWNER),
    ("POST", "/api/blind"): Rule(OWNER),
    ("GET", "/resolve"): Rule(OWNER),  # the disagreement review: agreed codings
    ("POST", "/api/resolve"): Rule(OWNER),
    ("GET", "/api/events"): Rule(READER),  # live updates (server-sent events)
    ("POST", "/coder"): Rule(NOBODY),
    **{("GET", path): Rule(READER) for path in _READING},
    **{("GET", path): Rule(CODER) for path in _CODING_GETS},
    **{("POST", path): Rule(CODER) for path in _CODING_POSTS},
}


def rule_for(method: str, path_template: str) -> Rule | None:
    """The rule of a route (HEAD as GET); None: not in the table, so refused."""
    return ACCESS.get(("GET" if method == "HEAD" else method, path_template))


def allows(role: str | None, need: str) -> bool:
    """Whether a member with ``role`` may use a route that needs ``need`` (a role)."""
    return role in RANK and RANK[role] >= RANK[need]
