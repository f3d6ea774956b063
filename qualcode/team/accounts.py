"""Accounts, logins and sessions of the team server.

- Passwords are hashed with argon2id (argon2-cffi's ``PasswordHasher``, its recommended
  parameters); at least ``PASSWORD_MIN`` characters. A login for an unknown name verifies
  against a dummy hash, so it takes as long and answers the same as a wrong password.
- After ``FAILURES_ALLOWED`` failed logins for one name, or from one address, within
  ``FAILURE_WINDOW``, logins for that name or from that address are refused for ``LOCKOUT``
  (the message says when to try again). Failures are rows in the server database, so a
  restart does not reset the count; a refused attempt is not counted (the lock ends on time).
- A session is a random token (``secrets.token_urlsafe(32)``) that only the browser holds:
  the database keeps its SHA-256. It ends ``SESSION_HOURS`` after its last use (sliding;
  the last use is written at most once a ``TOUCH_EVERY``), or at logout. Each session has
  its own CSRF value.

Every function takes the open server database and the time (``now``, an aware datetime), so
tests can move the clock; :class:`qualcode.team.TeamServer` passes both.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from qualcode.errors import ConflictError, InputError, MissingDependencyError
from qualcode.store import accounts as store
from qualcode.team.errors import LoginRefused

PASSWORD_MIN = 10
PASSWORD_MAX = 1024
SESSION_HOURS = 12
TOUCH_EVERY = timedelta(seconds=60)
FAILURES_ALLOWED = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
NAME = re.compile(r"[\w.\-]{1,60}")  # letters (any script), digits, _ . -: a coder name as well
WRONG = "wrong name or password"


@dataclass(frozen=True)
class Session:
    """A logged-in browser: who, its CSRF value, and the project it chose (with the role the
    user has there now; ``None`` when no project is chosen or the user is no longer a member)."""

    id: int
    user_id: int
    user: str
    csrf: str
    project_id: int | None
    project: str | None
    address: str | None
    role: str | None


def stamp(moment: datetime) -> str:
    """A stored time: UTC, to the second, ISO 8601 (as every store module writes it)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def digest(token: str) -> str:
    """How a token (session, invitation) is kept: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def checked_name(name: str) -> str:
    """A user name as stored (NFC, no spaces around), or a message saying what a name is."""
    cleaned = unicodedata.normalize("NFC", str(name or "")).strip()
    if not NAME.fullmatch(cleaned):
        raise InputError(
            "a user name is 1 to 60 letters, digits, '.', '_' or '-' (no spaces); "
            "it is the coder name stored with every decision"
        )
    return cleaned


def name_key(name: str) -> str:
    return unicodedata.normalize("NFC", str(name or "")).strip().casefold()[:60]


def checked_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise InputError(f"a password needs at least {PASSWORD_MIN} characters; choose a longer one")
    if len(password) > PASSWORD_MAX:
        raise InputError(f"a password is at most {PASSWORD_MAX} characters")
    return password


@lru_cache(maxsize=1)
def hasher():
    try:
        from argon2 import PasswordHasher
    except ImportError as exc:
        raise MissingDependencyError(
            "the team server hashes passwords with argon2-cffi; install it with: pip install 'qualcode[team]'"
        ) from exc
    return PasswordHasher()


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash to verify against when the name is unknown (same work, same answer)."""
    return hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return hasher().hash(checked_password(password))


def verified(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def add_user(db, name: str, password: str, now: datetime) -> str:
    """A new account; its name as stored."""
    name = checked_name(name)
    password_hash = hash_password(password)
    with db.transaction() as conn:
        if store.user_by_key(conn, name_key(name)) is not None:
            raise ConflictError(f"an account named {name!r} exists already; choose another name")
        store.add_user(conn, name, name_key(name), password_hash, stamp(now))
    return name


def locked_until(times: list[str]) -> datetime | None:
    """When a lock made by these failure times (sorted) ends: each run of FAILURES_ALLOWED
    failures within FAILURE_WINDOW locks for LOCKOUT from its last failure."""
    moments = [parse(t) for t in times]
    ends = [
        moments[i] + LOCKOUT
        for i in range(FAILURES_ALLOWED - 1, len(moments))
        if moments[i] - moments[i - FAILURES_ALLOWED + 1] <= FAILURE_WINDOW
    ]
    return max(ends) if ends else None


def refuse_when_locked(conn, key: str, ip: str, now: datetime) -> None:
    by_name, by_ip = store.login_failure_times(conn, key, ip, stamp(now - FAILURE_WINDOW - LOCKOUT))
    ends = [end for end in (locked_until(by_name), locked_until(by_ip)) if end is not None and end > now]
    if ends:
        until = max(ends)
        minutes = max(1, -(-int((until - now).total_seconds()) // 60))
        raise LoginRefused(
            f"too many failed logins for this name or from this address; try again after "
            f"{until.strftime('%H:%M')} UTC (in {minutes} minute{'s' if minutes != 1 else ''})",
            retry_at=stamp(until),
        )


def login(db, name: str, password: str, ip: str, now: datetime) -> tuple[str, Session]:
    """A new session for the account, and its token (given to the browser only); refused
    with one message for a wrong password and an unknown name alike."""
    key, ip = name_key(name), str(ip or "unknown")[:64]
    with db.reading() as conn:
        refuse_when_locked(conn, key, ip, now)
        row = store.user_by_key(conn, key) if key else None
    password = str(password or "")[:PASSWORD_MAX]
    good = verified(row["password_hash"] if row else dummy_hash(), password) and row is not None
    if not good:
        with db.transaction() as conn:
            store.add_login_failure(conn, key, ip, stamp(now))
        raise LoginRefused(WRONG)
    if row["disabled"]:
        raise LoginRefused("this account is disabled; ask the server's administrator")
    rehash = hasher().check_needs_rehash(row["password_hash"])
    new_hash = hasher().hash(password) if rehash else None
    with db.transaction() as conn:
        store.clear_login_failures(conn, key)
        store.delete_old_login_failures(conn, stamp(now - FAILURE_WINDOW - LOCKOUT))
        store.delete_expired_sessions(conn, stamp(now))
        if new_hash:
            store.set_password_hash(conn, row["id"], new_hash)
        token = new_session(conn, row["id"], now)
    return token, session_of(db, token, now)


def new_session(conn, user_id: int, now: datetime) -> str:
    """Store a new session for ``user_id`` (inside the caller's transaction: a login, or the
    account an invitation just made); its token, which only the browser keeps."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = stamp(now + timedelta(hours=SESSION_HOURS))
    store.add_session(conn, digest(token), user_id, csrf, stamp(now), expires)
    return token


def session_of(db, token: str | None, now: datetime) -> Session | None:
    """The live session of this token (its expiry moved on), or None: unknown, expired,
    or its account disabled."""
    if not token or len(token) > 200:
        return None
    hashed = digest(token)
    with db.reading() as conn:
        row = store.session_row(conn, hashed)
    if row is None:
        return None
    if parse(row["expires_at"]) <= now or row["disabled"]:
        with db.transaction() as conn:
            store.delete_session(conn, hashed)
        return None
    if now - parse(row["last_seen"]) >= TOUCH_EVERY and not db.read_only:
        with db.transaction() as conn:
            store.touch_session(conn, row["id"], stamp(now), stamp(now + timedelta(hours=SESSION_HOURS)))
    return Session(
        id=row["id"], user_id=row["user_id"], user=row["user_name"], csrf=row["csrf"],
        project_id=row["project_id"] if row["role"] else None,
        project=row["project_name"] if row["role"] else None,
        address=row["address"] if row["role"] else None, role=row["role"],
    )  # fmt: skip


def logout(db, token: str | None) -> None:
    if token:
        with db.transaction() as conn:
            store.delete_session(conn, digest(token))


def set_password(db, name: str, password: str) -> None:
    """A new password for an account (the server's administrator); its sessions end."""
    password_hash = hash_password(password)
    with db.transaction() as conn:
        row = store.user_by_key(conn, name_key(name))
        if row is None:
            raise InputError(f"no account named {name!r}")
        store.set_password_hash(conn, row["id"], password_hash)
        store.delete_user_sessions(conn, row["id"])
