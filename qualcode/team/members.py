"""The projects a team server serves, who belongs to each, and invitations.

Roles: an **owner** keeps the codebook, the members and blind mode (and may code); a
**coder** codes, reviews, writes memos and CMOCs; a **reader** reads the findings. Every
operation reserved to owners checks it here, whatever calls it; the server's administrator
(the CLI, which holds the database) acts as :data:`ADMIN`. A project keeps at least one owner.

An invitation is a one-time link for one role in one project: a random token the database
keeps only as its SHA-256, expiring after ``INVITATION_DAYS``; accepting it creates the
account (or adds a logged-in user) and marks it used in the same transaction, so a second
use is refused even when two people try at once.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from qualcode.errors import ConflictError, InputError
from qualcode.store import accounts as store
from qualcode.store.server_schema import ROLES
from qualcode.team.accounts import (
    Session,
    checked_name,
    digest,
    hash_password,
    name_key,
    new_session,
    parse,
    stamp,
)  # fmt: skip
from qualcode.team.errors import InvitationRefused, NotAllowed

INVITATION_DAYS = 7
NOT_MEMBER = "you are not a member of a project named {name!r}; ask its owner for an invitation"


class Administrator:
    """The server's administrator: the CLI, run by whoever holds the server database."""

    def __repr__(self) -> str:
        return "ADMIN"


ADMIN = Administrator()


def checked_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    return role


def add_project(db, name: str, address: str, owner: str, now: datetime) -> None:
    """Serve the project at ``address`` (a file path, kept absolute, or a PostgreSQL URL) as
    ``name``, with ``owner`` its first owner. The project must open (a clear error now, not
    at the first request)."""
    from pathlib import Path

    from qualcode.store.db import Database
    from qualcode.store.postgres import is_url

    name = checked_name(name)
    address = str(address) if is_url(str(address)) else str(Path(address).resolve())  # from any folder
    Database.open(address, read_only=True).close()
    with db.transaction() as conn:
        user = store.user_by_key(conn, name_key(owner))
        if user is None:
            raise InputError(f"no account named {owner!r}; add it first with: qualcode team add-user")
        if store.project_by_name(conn, name) is not None:
            raise ConflictError(f"the server has a project named {name!r} already; choose another name")
        project_id = store.add_project(conn, name, address, user["id"], stamp(now))
        store.set_membership(conn, project_id, user["id"], "owner", stamp(now))


def projects_of(db, user_id: int) -> list[dict]:
    """The projects the user belongs to: [{name, role}] by name (nobody sees others)."""
    with db.reading() as conn:
        return [{"name": r["name"], "role": r["role"]} for r in store.projects_of(conn, user_id)]


def choose(db, session: Session, project: str) -> str:
    """Make ``project`` the session's project after checking the membership; its role."""
    with db.transaction() as conn:
        row = store.project_by_name(conn, project)
        role = store.role_of(conn, row["id"], session.user_id) if row else None
        if role is None:  # the same answer whether the project exists or not
            raise NotAllowed(NOT_MEMBER.format(name=project))
        store.set_session_project(conn, session.id, row["id"])
    return role


def _project(conn, name: str, by) -> int:
    """The project's id, after checking that ``by`` (a user name or ADMIN) is its owner."""
    row = store.project_by_name(conn, name)
    if by is ADMIN:
        if row is None:
            raise InputError(f"the server has no project named {name!r}")
        return row["id"]
    user = store.user_by_key(conn, name_key(by))
    role = store.role_of(conn, row["id"], user["id"]) if row and user else None
    if role is None:
        raise NotAllowed(NOT_MEMBER.format(name=name))
    if role != "owner":
        raise NotAllowed(f"only an owner of {name} can manage its members and invitations (you are a {role})")
    return row["id"]


def members(db, project: str, by) -> list[dict]:
    """The members [{name, role, added_at}] and the open invitations, for an owner."""
    with db.reading() as conn:
        project_id = _project(conn, project, by)
        return [{"name": r["name"], "role": r["role"], "added_at": r["added_at"]}
                for r in store.members(conn, project_id)]  # fmt: skip


def invitations(db, project: str, by, now: datetime) -> list[dict]:
    with db.reading() as conn:
        project_id = _project(conn, project, by)
        return [dict(r) for r in store.open_invitations(conn, project_id, stamp(now))]


def invite(db, project: str, role: str, by, now: datetime, days: int = INVITATION_DAYS) -> dict:
    """A new one-time invitation: {token, role, expires_at}. The token is shown once (the
    link's path is ``/invite/TOKEN``); the database keeps only its hash."""
    checked_role(role)
    if not 1 <= int(days) <= 90:
        raise InputError("an invitation is valid for 1 to 90 days")
    token = secrets.token_urlsafe(32)
    expires = stamp(now + timedelta(days=int(days)))
    with db.transaction() as conn:
        project_id = _project(conn, project, by)
        creator = None if by is ADMIN else store.user_by_key(conn, name_key(by))["id"]
        store.add_invitation(conn, digest(token), project_id, role, creator, stamp(now), expires)
    return {"token": token, "role": role, "expires_at": expires, "project": project}


def withdraw(db, project: str, invitation_id: int, by) -> None:
    with db.transaction() as conn:
        if not store.withdraw_invitation(conn, _project(conn, project, by), int(invitation_id)):
            raise InputError(f"no open invitation {invitation_id} in {project}")


def _live_invitation(conn, token: str, now: datetime):
    row = store.invitation_row(conn, digest(str(token or ""))) if token and len(token) < 200 else None
    if row is None:
        raise InvitationRefused(
            "this invitation link is not valid (mistyped, or withdrawn); ask for a new one"
        )
    if row["used_at"] is not None:
        raise InvitationRefused("this invitation was used already; ask the project's owner for a new one")
    if parse(row["expires_at"]) <= now:
        raise InvitationRefused(
            f"this invitation expired on {row['expires_at'][:10]}; ask the project's owner for a new one"
        )
    return row


def invitation(db, token: str, now: datetime) -> dict:
    """What an invitation offers: {project, role, expires_at}; refused when it cannot be used."""
    with db.reading() as conn:
        row = _live_invitation(conn, token, now)
        return {"project": row["project_name"], "role": row["role"], "expires_at": row["expires_at"]}


def accept(db, token: str, now: datetime, session: Session | None = None, name=None, password=None) -> dict:
    """Use the invitation: for the logged-in ``session``'s user, or for a new account
    ``name`` with ``password`` (then logged in at once: ``token`` is its new session, whose
    project is the invitation's). {user, project, role, token}."""
    password_hash = None
    if session is None:
        name = checked_name(name)
        password_hash = hash_password(password)
    with db.transaction() as conn:
        row = _live_invitation(conn, token, now)
        if session is None:
            if store.user_by_key(conn, name_key(name)) is not None:
                raise ConflictError(
                    f"an account named {name!r} exists already; log in first to accept with it, "
                    "or choose another name"
                )
            user_id = store.add_user(conn, name, name_key(name), password_hash, stamp(now))
        else:
            user_id, name = session.user_id, session.user
            role = store.role_of(conn, row["project_id"], user_id)
            if role is not None:
                raise ConflictError(
                    f"you are a member of {row['project_name']} already (as {role}); "
                    "the invitation is kept for someone else"
                )
        if not store.use_invitation(conn, row["id"], user_id, stamp(now)):
            raise InvitationRefused("this invitation was used already; ask the project's owner for a new one")
        store.set_membership(conn, row["project_id"], user_id, row["role"], stamp(now))
        token = None
        if session is None:
            token = new_session(conn, user_id, now)
            store.set_session_project(conn, store.session_id(conn, digest(token)), row["project_id"])
    return {"user": name, "project": row["project_name"], "role": row["role"], "token": token}


def _member(conn, project_id: int, name: str, project: str) -> tuple[int, str]:
    user = store.user_by_key(conn, name_key(name))
    role = store.role_of(conn, project_id, user["id"]) if user else None
    if role is None:
        raise InputError(f"{name} is not a member of {project}")
    return user["id"], role


def set_role(db, project: str, name: str, role: str, by, now: datetime) -> None:
    checked_role(role)
    with db.transaction() as conn:
        project_id = _project(conn, project, by)
        user_id, current = _member(conn, project_id, name, project)
        if current == "owner" and role != "owner" and store.owner_count(conn, project_id) == 1:
            raise ConflictError(f"{name} is the only owner of {project}; make another member owner first")
        store.set_membership(conn, project_id, user_id, role, stamp(now))


def remove(db, project: str, name: str, by) -> None:
    """Take ``name`` out of the project: the next request of their sessions has no access."""
    with db.transaction() as conn:
        project_id = _project(conn, project, by)
        user_id, current = _member(conn, project_id, name, project)
        if current == "owner" and store.owner_count(conn, project_id) == 1:
            raise ConflictError(f"{name} is the only owner of {project}; make another member owner first")
        store.remove_membership(conn, project_id, user_id)


def role(db, project: str, user: str) -> str | None:
    """The role ``user`` has in ``project`` now (None: not a member)."""
    with db.reading() as conn:
        row = store.project_by_name(conn, project)
        account = store.user_by_key(conn, name_key(user))
        return store.role_of(conn, row["id"], account["id"]) if row and account else None
