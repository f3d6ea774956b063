"""A project on a PostgreSQL server: the same store, the same migrations, another engine.

A project on a server is one database, addressed by its URL
(``postgresql://user@host:port/study``). :class:`PostgresDatabase` offers what
:class:`~qualcode.store.db.Database` offers (``connection``, ``transaction()``,
``reading()``, migrations), and its ``connection`` answers the store modules as an
``sqlite3`` connection would: ``execute`` with SQLite's placeholders (rewritten by
:mod:`qualcode.store.dialect`), rows readable by index and by name, ``lastrowid``.

Writers take one advisory lock per transaction, so writes are serialised as in SQLite
(``BEGIN IMMEDIATE``) and the store's read-then-write steps stay correct with many coders;
readers see one snapshot (repeatable read) and never wait. psycopg is imported only here,
and only when a URL is opened, so local use needs no PostgreSQL at all. A database of
another kind (the team server's accounts) is opened the same way with its own
:class:`~qualcode.store.schemas.Schema`; its meta table marks it. Closing gives the
connection back to a small pool for the next open of the same URL
(:mod:`qualcode.store.pg_pool`), reset first; every open still checks the schema version.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from urllib.parse import SplitResult, urlsplit, urlunsplit

from qualcode.errors import ProjectError
from qualcode.store.clock import utc_now
from qualcode.store.dialect import to_postgres
from qualcode.store.pg_pool import POOL
from qualcode.store.schemas import PROJECT, Schema
from qualcode.version import __version__

URL_SCHEMES = ("postgresql", "postgres")
_WRITE_LOCK = 0x51434F44  # "QCOD": the advisory lock every writing transaction holds
_INSERT_INTO = re.compile(r"^\s*INSERT\s+(?:OR\s+IGNORE\s+)?INTO\s+([\w.]+)", re.IGNORECASE)
# Tables whose rows have an ``id`` the store reads back (sqlite3's lastrowid).
_ID_TABLES = PROJECT.id_tables


def is_url(target) -> bool:
    """True when ``target`` names a project on a server rather than a file."""
    return isinstance(target, str) and target.split("://", 1)[0].lower() in URL_SCHEMES and "://" in target


class ServerAddress(str):
    """A project's URL as the outputs show it: without a password; ``name`` is the database."""

    def __new__(cls, url: str):
        parts = urlsplit(url)
        shown = parts.netloc.rsplit("@", 1)
        if len(shown) == 2 and ":" in shown[0]:
            netloc = shown[0].split(":", 1)[0] + "@" + shown[1]
            parts = parts._replace(netloc=netloc)
        self = super().__new__(cls, _joined(parts))
        self.url = url
        self.name = parts.path.lstrip("/") or "postgres"
        self.stem = self.name
        return self


def _joined(parts: SplitResult) -> str:
    """The URL of ``parts``, keeping ``//`` when there is no host (``postgresql:///study``:
    the local socket), which ``urlunsplit`` drops for schemes it does not know."""
    joined = urlunsplit(parts)
    if not parts.netloc and joined.startswith(f"{parts.scheme}:/") and "://" not in joined:
        joined = f"{parts.scheme}://" + joined[len(parts.scheme) + 1 :]
    return joined


class Row(tuple):
    """A result row readable as ``row[0]``, ``row["name"]`` and ``dict(row)``, like sqlite3.Row."""

    __slots__ = ()
    _index: dict[str, int] = {}

    def __getitem__(self, key):
        if isinstance(key, str):
            try:
                key = self._index[key]
            except KeyError:
                raise IndexError(f"no column named {key!r}") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor):
    if cursor.description is None:
        return tuple
    names = [column.name for column in cursor.description]
    row_type = type("Row", (Row,), {"__slots__": (), "_index": {n: i for i, n in enumerate(names)}})
    return lambda values: row_type(values)


class Cursor:
    """The part of sqlite3.Cursor the store uses."""

    def __init__(self, cursor, lastrowid: int | None = None):
        self._cursor = cursor
        self.lastrowid = lastrowid

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def fetchone(self):
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list:
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self):
        return iter(self.fetchall())


class _Closed:
    """Where a closed :class:`Connection` points: its psycopg connection may serve another
    open now, so every later use fails as a closed connection's would."""

    closed = True

    def __getattr__(self, name):
        import psycopg

        raise psycopg.OperationalError("the connection is closed")


_CLOSED = _Closed()


class Connection:
    """A psycopg connection that answers as the sqlite3 connection the store was written for;
    ``url``: closing gives it back to the pool for that URL (None: closing closes it)."""

    def __init__(self, raw, id_tables: frozenset[str] = _ID_TABLES, url: str | None = None):
        self.raw = raw
        self.id_tables = id_tables
        self.url = url

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        if self.raw is _CLOSED:
            return False  # then the first statement says it is closed
        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def execute(self, sql: str, parameters=()) -> Cursor:
        statement = to_postgres(sql)
        target = _INSERT_INTO.match(sql)
        wants_id = (
            target is not None
            and target.group(1).lower() in self.id_tables
            and "RETURNING" not in sql.upper()
        )
        if wants_id:
            statement += " RETURNING id"
        cursor = self.raw.cursor(row_factory=_row_factory)
        cursor.execute(statement, _parameters(parameters))
        lastrowid = None
        if wants_id:
            row = cursor.fetchone()
            lastrowid = row[0] if row else None
        return Cursor(cursor, lastrowid)

    def executemany(self, sql: str, rows) -> Cursor:
        cursor = self.raw.cursor()
        cursor.executemany(to_postgres(sql), [_parameters(r) for r in rows])
        return Cursor(cursor)

    def close(self, reuse: bool = True) -> None:
        raw, self.raw = self.raw, _CLOSED
        if raw is _CLOSED:
            return
        if reuse and self.url is not None:
            POOL.give(self.url, raw)
        else:
            raw.close()


def _parameters(parameters):
    if isinstance(parameters, dict):
        return parameters
    return tuple(parameters)


class PostgresDatabase:
    """A project in one PostgreSQL database, with explicit transactions."""

    def __init__(self, raw, address: ServerAddress, read_only: bool = False, schema: Schema = PROJECT):
        self.connection = Connection(raw, schema.id_tables, address.url)
        self.path = address
        self.read_only = read_only
        self.schema = schema

    @classmethod
    def create(cls, url: str, schema: Schema = PROJECT) -> PostgresDatabase:
        """A new project in the database ``url`` names: created when the server has none of
        that name; an existing one must be empty (another program's data is never touched)."""
        address = ServerAddress(url)
        _ensure_database(url, address)
        db = cls(_connect(url, address), address, schema=schema)
        try:
            if _tables(db.connection):
                raise ProjectError(
                    f"{address} already holds tables; choose an empty database, or open it with the other commands"
                )
            db.migrate(from_version=0)
            with db.transaction() as conn:
                conn.execute(
                    f"INSERT INTO {schema.meta_table} (key, value) VALUES ('created_by', ?)",
                    (f"qualcode {__version__}",),
                )
        except BaseException:
            db.connection.close()
            raise
        return db

    @classmethod
    def open(cls, url: str, read_only: bool = False, schema: Schema = PROJECT) -> PostgresDatabase:
        address = ServerAddress(url)
        db = cls(_connect(url, address), address, read_only=read_only, schema=schema)
        try:
            version = db.checked_version()
            if version < schema.version:
                if read_only:
                    db.read_only = False
                db.migrate(from_version=version)  # each migration in its own transaction
                db.read_only = read_only
        except BaseException:
            db.connection.close()
            raise
        return db

    def checked_version(self) -> int:
        schema = self.schema
        tables = _tables(self.connection)
        if schema.meta_table not in tables or "schema_migrations" not in tables:
            raise ProjectError(
                f"{self.path} is not a {schema.noun} (no {schema.tables}); "
                f"create one with: {schema.make_at.format(path=self.path)}"
            )
        version = self.schema_version()
        if version > schema.version:
            raise ProjectError(
                f"{self.path} was written by a newer qualcode (schema version {version}, this "
                f"version reads up to {schema.version}); upgrade with: pip install -U qualcode"
            )
        return version

    def close(self) -> None:
        self.connection.close()

    def restart_ids(self) -> None:
        """After rows were copied in with their ids: new rows get ids after the largest."""
        for table in sorted(self.schema.id_tables):
            self.connection.raw.execute(sql_identity_restart(table))

    def discard(self) -> None:
        """Close and drop this project's database: a copy that failed halfway leaves nothing."""
        import psycopg
        from psycopg import sql

        self.connection.close(reuse=False)
        POOL.clear(self.path.name)  # idle connections to it would stop the drop
        parts = urlsplit(self.path.url)
        with psycopg.connect(_joined(parts._replace(path="/postgres")), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(self.path.name)))

    def checkpoint(self) -> None:
        """Nothing to do: the server keeps every committed decision."""

    def unsaved_bytes(self) -> int:
        return 0

    def backup(self, target):
        raise ProjectError(
            f"a project on a server is backed up with pg_dump, or copied to a file with: "
            f"qualcode pull {self.path} {target}"
        )

    def transaction(self) -> contextlib.AbstractContextManager[Connection]:
        """All writes inside happen together or not at all; one writer at a time."""
        if self.read_only:
            raise ProjectError(f"{self.path} was opened for reading only; this command cannot change it")
        return self._within("BEGIN", lock=True)

    def reading(self) -> contextlib.AbstractContextManager[Connection]:
        """All reads inside see one state of the project, whatever others store meanwhile."""
        return self._within("BEGIN ISOLATION LEVEL REPEATABLE READ")

    @contextlib.contextmanager
    def _within(self, begin: str, lock: bool = False) -> Iterator[Connection]:
        import psycopg

        conn = self.connection
        if conn.in_transaction:
            yield conn
            return
        try:
            conn.raw.execute(begin)
            try:
                if lock:
                    conn.raw.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
                yield conn
            except BaseException:
                conn.raw.execute("ROLLBACK")
                raise
            conn.raw.execute("COMMIT")
        except psycopg.OperationalError as exc:
            raise ProjectError(f"{self.path}: the server refused: {_first_line(exc)}") from exc

    def schema_version(self) -> int:
        return self.connection.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0]

    def migrate(self, from_version: int) -> None:
        """Apply the migrations after ``from_version``, each in its own transaction."""
        conn = self.connection
        with self.transaction():
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
        migrations = self.schema.migrations
        for number, migration in enumerate(migrations, start=1):
            if number <= from_version:
                continue
            with self.transaction():
                for statement in migration.statements:
                    conn.execute(statement)
                if any(re.match(r"\s*ALTER TABLE", s) for s in migration.statements):
                    _recreate_views(conn, migrations[:number])
                conn.execute(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                    (migration.name, utc_now()),
                )


def _recreate_views(conn: Connection, migrations) -> None:
    """PostgreSQL fixes a view's ``*`` when the view is made (SQLite reads it at each query),
    so after a migration adds columns the views are made again from their definitions."""
    views = [
        (match.group(1), statement)
        for migration in migrations
        for statement in migration.statements
        if (match := re.match(r"\s*CREATE VIEW (\w+)", statement))
    ]
    for name, _ in reversed(views):
        conn.raw.execute(f"DROP VIEW IF EXISTS {name} CASCADE")
    for _, statement in views:
        conn.execute(statement)


def sql_identity_restart(table: str) -> str:
    """The statement that moves ``table``'s id sequence past its largest id."""
    return (
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
    )


def _connect(url: str, address: ServerAddress):
    try:
        import psycopg
    except ImportError as exc:
        raise ProjectError(
            f"{address}: projects on a PostgreSQL server need psycopg; install it with: pip install 'qualcode[team]'"
        ) from exc
    reused = POOL.take(url)
    if reused is not None:
        return reused
    try:
        # Parameters bound on the client, as sqlite3 binds them: the store's queries may
        # compare a parameter with NULL (``? IS NULL``), which the server cannot type.
        return psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor)
    except psycopg.OperationalError as exc:
        raise ProjectError(f"cannot reach {address}: {_first_line(exc)}") from exc


def _ensure_database(url: str, address: ServerAddress) -> None:
    """Create the database ``url`` names when the server has none of that name."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    maintenance = _joined(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (address.name,)).fetchone()
            if not found:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(address.name)))
    except psycopg.Error as exc:
        raise ProjectError(
            f"cannot create the database {address.name} on {address}: {_first_line(exc)}"
        ) from exc


def _tables(conn: Connection) -> set[str]:
    rows = conn.raw.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    ).fetchall()
    return {r[0] for r in rows}


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
