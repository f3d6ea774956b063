"""Opening, creating and migrating the project's SQLite file.

The file is marked as ours with ``PRAGMA application_id``; its schema version is the number
of applied migrations (``PRAGMA user_version``). An older file is copied aside before it is
migrated; a newer one is refused rather than guessed at.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from qualcode.errors import ProjectError
from qualcode.store.schema import MIGRATIONS, SCHEMA_VERSION
from qualcode.version import __version__

APPLICATION_ID = 0x51434F44  # "QCOD"
_SQLITE_HEADER = b"SQLite format 3\x00"


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Database:
    """A connection to one project file, with explicit transactions."""

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self.connection = connection
        self.path = path

    @classmethod
    def create(cls, path: str | Path) -> Database:
        path = Path(path)
        if path.exists():
            raise ProjectError(
                f"{path} already exists; choose another name, or open it with the other commands"
            )
        if not path.parent.exists():
            raise ProjectError(f"cannot create {path}: the folder {path.parent} does not exist")
        db = cls(_connect(path), path)
        try:
            db.connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.migrate(from_version=0)
            with db.transaction() as conn:
                conn.execute(
                    "INSERT INTO project_meta (key, value) VALUES ('created_by', ?)",
                    (f"qualcode {__version__}",),
                )
        except BaseException:
            db.close()
            path.unlink(missing_ok=True)
            raise
        return db

    @classmethod
    def open(cls, path: str | Path) -> Database:
        path = Path(path)
        if not path.is_file():
            raise ProjectError(f"{path}: no such project file; create one with: qualcode init {path}")
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
        if header != _SQLITE_HEADER:
            raise ProjectError(
                f"{path} is not a qualcode project (not an SQLite file); "
                f"create a project with: qualcode init NEW.qc"
            )
        connection = _connect(path)
        try:
            app_id = connection.execute("PRAGMA application_id").fetchone()[0]
            version = connection.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise ProjectError(f"{path} cannot be read as a qualcode project: {exc}") from exc
        if app_id != APPLICATION_ID:
            connection.close()
            raise ProjectError(
                f"{path} is an SQLite file but not a qualcode project; "
                f"create a project with: qualcode init NEW.qc"
            )
        if version > SCHEMA_VERSION:
            connection.close()
            raise ProjectError(
                f"{path} was written by a newer qualcode (schema version {version}, this "
                f"version reads up to {SCHEMA_VERSION}); upgrade with: pip install -U qualcode"
            )
        db = cls(connection, path)
        if version < SCHEMA_VERSION:
            db.backup(path.with_name(f"{path.name}.backup-v{version}-{_stamp()}"))
            db.migrate(from_version=version)
        return db

    def close(self) -> None:
        self.connection.close()

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """All writes inside happen together or not at all. Nested uses join the outer one."""
        return self._within("BEGIN IMMEDIATE")

    def reading(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """All reads inside see one state of the file, whatever other connections store
        meanwhile (a deferred transaction: the state is the one of the first read). Nested
        uses, and uses inside :meth:`transaction`, join the outer one."""
        return self._within("BEGIN")

    @contextlib.contextmanager
    def _within(self, begin: str) -> Iterator[sqlite3.Connection]:
        if self.connection.in_transaction:
            yield self.connection
            return
        self.connection.execute(begin)
        try:
            yield self.connection
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    def backup(self, target: Path) -> Path:
        with contextlib.closing(sqlite3.connect(target)) as copy:
            self.connection.backup(copy)
        return target

    def schema_version(self) -> int:
        return self.connection.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, from_version: int) -> None:
        """Apply the migrations after ``from_version``, each in its own transaction."""
        conn = self.connection
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        for number, migration in enumerate(MIGRATIONS, start=1):
            if number <= from_version:
                continue
            with self.transaction():
                for statement in migration.statements:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                    (migration.name, utc_now()),
                )
                # user_version is transactional in SQLite, so it moves with the migration.
                conn.execute(f"PRAGMA user_version = {number}")


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA foreign_keys = ON")
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError:
        # Not a database at all: let the caller's checks report it.
        pass
    return connection


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
