"""The team server's library: accounts, sessions, projects, members and invitations.

:class:`TeamServer` is its facade over one server database (a file or a PostgreSQL URL,
:mod:`qualcode.store.server_schema`), as :class:`qualcode.Project` is for a project: the
web layer (``qualcode serve``) and the CLI (``qualcode team ...``) call it, and it hands
each call to :mod:`qualcode.team.accounts` or :mod:`qualcode.team.members` with the time.
The projects themselves stay where they are; the server database keeps their addresses.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from qualcode.team import accounts, members
from qualcode.team.accounts import Session
from qualcode.team.errors import InvitationRefused, LoginRefused, NotAllowed
from qualcode.team.members import ADMIN, INVITATION_DAYS

__all__ = ["ADMIN", "InvitationRefused", "LoginRefused", "NotAllowed", "Session", "TeamServer"]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class TeamServer:
    """An open team server database: :meth:`create` or :meth:`open`, then :meth:`close`.
    ``clock`` (a function returning an aware datetime) is for tests."""

    def __init__(self, db, clock=None):
        self._db = db
        self._clock = clock or _utc_now

    @classmethod
    def create(cls, address: str | Path, clock=None) -> TeamServer:
        from qualcode.store.db import Database
        from qualcode.store.server_schema import SERVER

        return cls(Database.create(address, schema=SERVER), clock)

    @classmethod
    def open(cls, address: str | Path, clock=None, read_only: bool = False) -> TeamServer:
        from qualcode.store.db import Database
        from qualcode.store.server_schema import SERVER

        return cls(Database.open(address, read_only=read_only, schema=SERVER), clock)

    @classmethod
    def exists(cls, address: str | Path) -> bool:
        """Whether ``address`` names a server database already (a URL: asked by opening)."""
        from qualcode.store.postgres import is_url

        return is_url(address) or Path(address).exists()

    @property
    def path(self):
        return self._db.path

    def now(self) -> datetime:
        return self._clock()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> TeamServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- accounts and sessions ----------------------------------------------------------------

    def add_user(self, name: str, password: str) -> str:
        return accounts.add_user(self._db, name, password, self.now())

    def set_password(self, name: str, password: str) -> None:
        accounts.set_password(self._db, name, password)

    def users(self) -> list[str]:
        from qualcode.store import accounts as store

        with self._db.reading() as conn:
            return store.user_names(conn)

    def login(self, name: str, password: str, ip: str) -> tuple[str, Session]:
        """(token for the browser, session); :class:`LoginRefused` otherwise."""
        return accounts.login(self._db, name, password, ip, self.now())

    def session(self, token: str | None) -> Session | None:
        return accounts.session_of(self._db, token, self.now())

    def logout(self, token: str | None) -> None:
        accounts.logout(self._db, token)

    # -- projects and members -----------------------------------------------------------------

    def add_project(self, name: str, address: str | Path, owner: str) -> None:
        members.add_project(self._db, name, str(address), owner, self.now())

    def projects_of(self, session: Session) -> list[dict]:
        return members.projects_of(self._db, session.user_id)

    def choose_project(self, session: Session, project: str) -> str:
        return members.choose(self._db, session, project)

    def role(self, project: str, user: str) -> str | None:
        return members.role(self._db, project, user)

    def members(self, project: str, by) -> list[dict]:
        return members.members(self._db, project, by)

    def invitations(self, project: str, by) -> list[dict]:
        return members.invitations(self._db, project, by, self.now())

    def invite(self, project: str, role: str, by, days: int = INVITATION_DAYS) -> dict:
        return members.invite(self._db, project, role, by, self.now(), days)

    def withdraw_invitation(self, project: str, invitation_id: int, by) -> None:
        members.withdraw(self._db, project, invitation_id, by)

    def invitation(self, token: str) -> dict:
        return members.invitation(self._db, token, self.now())

    def accept(self, token: str, session: Session | None = None, name=None, password=None) -> dict:
        return members.accept(self._db, token, self.now(), session, name, password)

    def set_role(self, project: str, name: str, role: str, by) -> None:
        members.set_role(self._db, project, name, role, by, self.now())

    def remove_member(self, project: str, name: str, by) -> None:
        members.remove(self._db, project, name, by)
