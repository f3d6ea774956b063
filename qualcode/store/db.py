"""Opening, creating and migrating the project's SQLite file.

The file is marked as ours with ``PRAGMA application_id``; its schema version is the number
of applied migrations (``PRAGMA user_version``). A project is the default kind of database;
another kind (the team server's accounts) is opened the same way with its own
:class:`~qualcode.store.schemas.Schema`, and a file of one kind is never opened as the other. A file is checked through a read-only
connection before anything is written to it, so another program's database is never touched.
An older file is copied aside before it is migrated; a newer one is refused rather than
guessed at. Writers wait for each other (``BUSY_TIMEOUT``); the write-ahead log is copied
into the file after review decisions and when the project closes, so the project is one file
at rest. SQLite's errors reach the caller as one-line ``ProjectError``s saying what to do.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from qualcode.errors import ProjectError
from qualcode.store.clock import utc_now
from qualcode.store.postgres import PostgresDatabase, is_url
from qualcode.store.schema import MIGRATIONS, SCHEMA_VERSION
from qualcode.store.schemas import PROJECT, Schema
from qualcode.version import __version__

APPLICATION_ID = PROJECT.application_id  # "QCOD"
# Seconds a writer waits for another one (an import, a segmentation, a coder) to finish.
BUSY_TIMEOUT = float(os.environ.get("QUALCODE_BUSY_TIMEOUT", "30"))
_SQLITE_HEADER = b"SQLite format 3\x00"


class Database:
    """A connection to one project file (or a database of another ``schema``), with explicit
    transactions."""

    def __init__(
        self, connection: sqlite3.Connection, path: Path, read_only: bool = False, schema: Schema = PROJECT
    ):
        self.connection = connection
        self.path = path
        self.read_only = read_only
        self.schema = schema

    @classmethod
    def create(cls, path: str | Path, schema: Schema = PROJECT) -> Database:
        """A new project: a file, or a database on a PostgreSQL server when ``path`` is a URL."""
        if is_url(path):
            return PostgresDatabase.create(path, schema=schema)
        path = Path(path)
        if path.exists():
            raise ProjectError(
                f"{path} already exists; choose another name, or open it with the other commands"
            )
        if not path.parent.exists():
            raise ProjectError(f"cannot create {path}: the folder {path.parent} does not exist")
        db = cls(_connect(path), path, schema=schema)
        try:
            db.connection.execute(f"PRAGMA application_id = {int(schema.application_id)}")
            _use_wal(db.connection)
            db.migrate(from_version=0)
            with db.transaction() as conn:
                conn.execute(
                    f"INSERT INTO {schema.meta_table} (key, value) VALUES ('created_by', ?)",
                    (f"qualcode {__version__}",),
                )
        except BaseException:
            db.connection.close()
            for leftover in (path, *_sidecars(path)):
                leftover.unlink(missing_ok=True)
            raise
        return db

    @classmethod
    def open(cls, path: str | Path, read_only: bool = False, schema: Schema = PROJECT) -> Database:
        """Open a project; ``read_only`` for commands that only read (an older file is still
        migrated first, through a short read-write connection). A URL opens a project on a
        PostgreSQL server (:mod:`qualcode.store.postgres`)."""
        if is_url(path):
            return PostgresDatabase.open(path, read_only=read_only, schema=schema)
        path = Path(path)
        version = _checked_version(path, schema)
        if version < _version(schema):
            db = cls(_connect(path), path, schema=schema)
            try:
                db.upgrade(version)
            except BaseException:
                db.connection.close()
                raise
            if not read_only:
                return db
            db.close()
        if read_only:
            return cls(_connect(path, read_only=True), path, read_only=True, schema=schema)
        connection = _connect(path)
        _use_wal(connection)
        return cls(connection, path, schema=schema)

    def upgrade(self, version: int) -> None:
        """Back the file up, then migrate it. Each migration rolls back on its own: when not even
        the first one held, the file is as it was and its copy is removed (each failed attempt
        would otherwise leave one more)."""
        backup = self.backup(self.path.with_name(f"{self.path.name}.backup-v{version}-{_stamp()}"))
        try:
            self.migrate(from_version=version)
        except BaseException:
            if self.schema_version() == version:
                backup.unlink(missing_ok=True)
            raise

    def restart_ids(self) -> None:
        """Nothing to do in SQLite: a new row's id follows the largest one stored."""

    def discard(self) -> None:
        """Close and remove this project's file: a copy that failed halfway leaves nothing."""
        self.connection.close()
        for leftover in (self.path, *_sidecars(self.path)):
            leftover.unlink(missing_ok=True)

    def close(self) -> None:
        """Copy the write-ahead log into the file (when no one else is using it) and close."""
        if not self.read_only:
            with contextlib.suppress(sqlite3.Error):
                self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.connection.close()

    def checkpoint(self) -> None:
        """Copy what the write-ahead log holds into the project file, so that a copy of the
        file alone has every decision so far (other readers are not waited for)."""
        with contextlib.suppress(sqlite3.Error):
            self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def unsaved_bytes(self) -> int:
        """How many bytes the ``-wal`` file beside the project holds (0: the file is whole)."""
        wal = self.path.with_name(self.path.name + "-wal")
        return wal.stat().st_size if wal.exists() else 0

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """All writes inside happen together or not at all. Nested uses join the outer one."""
        if self.read_only:
            raise ProjectError(f"{self.path} was opened for reading only; this command cannot change it")
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
        try:
            self.connection.execute(begin)
            try:
                yield self.connection
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise ProjectError(plain_error(exc, self.path)) from exc

    def backup(self, target: str | Path) -> Path:
        """A consistent copy of the project (SQLite's online backup), at a new ``target``."""
        target = Path(target)
        if target.exists():
            raise ProjectError(f"{target} already exists; choose another name for the copy")
        try:
            with contextlib.closing(sqlite3.connect(target)) as copy:
                self.connection.backup(copy)
            if target.stat().st_size == 0:
                raise sqlite3.OperationalError("the copy is empty")
        except (sqlite3.Error, OSError) as exc:
            for leftover in (target, *_sidecars(target)):
                leftover.unlink(missing_ok=True)
            raise ProjectError(f"cannot copy {self.path} to {target}: {plain_error(exc, target)}") from exc
        return target

    def schema_version(self) -> int:
        return self.connection.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, from_version: int) -> None:
        """Apply the migrations after ``from_version``, each in its own transaction."""
        conn = self.connection
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        for number, migration in enumerate(_migrations(self.schema), start=1):
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


def plain_error(exc: BaseException, path: Path) -> str:
    """SQLite's complaint about ``path`` as one line that says what to do."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return f"another qualcode command is writing {path}; try again when it has finished"
    if "full" in text:
        return f"the disk holding {path} is full; nothing was stored; free some space and try again"
    if "readonly" in text or "read-only" in text:
        return f"{path} cannot be written (a read-only file or folder); copy it somewhere writable"
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return f"{path} is damaged ({text}); restore it from a backup copy"
    return f"{path}: {text}"


def _migrations(schema: Schema):
    """The schema's migrations (a project's read from this module at each call, so that a
    test can replace them)."""
    return MIGRATIONS if schema is PROJECT else schema.migrations


def _version(schema: Schema) -> int:
    return SCHEMA_VERSION if schema is PROJECT else schema.version


def _checked_version(path: Path, schema: Schema = PROJECT) -> int:
    """The schema version of a qualcode file of ``schema``'s kind, read without writing to it."""
    noun = schema.noun
    if not path.is_file():
        raise ProjectError(schema.missing.format(path=path))
    with path.open("rb") as handle:
        header = handle.read(len(_SQLITE_HEADER))
    if header != _SQLITE_HEADER:
        raise ProjectError(f"{path} is not a {noun} (not an SQLite file); create {schema.make_one}")
    try:
        with contextlib.closing(_connect(path, read_only=True)) as connection:
            app_id = connection.execute("PRAGMA application_id").fetchone()[0]
            version = connection.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{path} cannot be read as a {noun}: {plain_error(exc, path)}") from exc
    if app_id != schema.application_id:
        raise ProjectError(f"{path} is an SQLite file but not a {noun}; create {schema.make_one}")
    newest = _version(schema)
    if version > newest:
        raise ProjectError(
            f"{path} was written by a newer qualcode (schema version {version}, this "
            f"version reads up to {newest}); upgrade with: pip install -U qualcode"
        )
    return version


def _connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    """A connection to ``path``. ``read_only`` refuses every write at the SQL level
    (``query_only``); it still opens the file for writing where it may, so that closing the
    last connection removes the ``-wal`` and ``-shm`` files as usual."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA foreign_keys = ON")
    if read_only:
        connection.execute("PRAGMA query_only = ON")
    return connection


def _use_wal(connection: sqlite3.Connection) -> None:
    """Readers and one writer at a time, without blocking each other; NORMAL sync is safe in WAL."""
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
