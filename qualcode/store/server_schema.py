"""The team server's database: accounts, sessions, the projects it serves and who may do what.

It holds no project data: a project stays its own file or PostgreSQL database, and the server
keeps its address. Named migrations, as for a project (never edit a released one, append);
the same :class:`~qualcode.store.db.Database` opens it, as a file or a PostgreSQL URL.
Every time is UTC text in ISO 8601 (to the second), so times compare as text. Secrets are
kept only as SHA-256 hashes (session and invitation tokens) or argon2 hashes (passwords).
"""

from __future__ import annotations

from qualcode.store.schema import Migration
from qualcode.store.schemas import Schema

ROLES = ("owner", "coder", "reader")

SERVER_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0001_accounts",
        (
            """CREATE TABLE server_meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            )""",
            # name_key: the name case-folded, so that "Anna" and "anna" are one account.
            """CREATE TABLE users (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                name_key TEXT NOT NULL UNIQUE,
                password_hash TEXT NOT NULL,
                created_at TEXT NOT NULL,
                disabled INTEGER NOT NULL DEFAULT 0
            )""",
            """CREATE TABLE projects (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                address TEXT NOT NULL,
                created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
                created_at TEXT NOT NULL
            )""",
            """CREATE TABLE sessions (
                id INTEGER PRIMARY KEY,
                token_hash TEXT NOT NULL UNIQUE,
                user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                csrf TEXT NOT NULL,
                project_id INTEGER REFERENCES projects(id) ON DELETE SET NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                last_seen TEXT NOT NULL
            )""",
            "CREATE INDEX sessions_user ON sessions (user_id)",
            """CREATE TABLE memberships (
                project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                role TEXT NOT NULL CHECK (role IN ('owner', 'coder', 'reader')),
                added_at TEXT NOT NULL,
                PRIMARY KEY (project_id, user_id)
            )""",
            "CREATE INDEX memberships_user ON memberships (user_id)",
            """CREATE TABLE invitations (
                id INTEGER PRIMARY KEY,
                token_hash TEXT NOT NULL UNIQUE,
                project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                role TEXT NOT NULL CHECK (role IN ('owner', 'coder', 'reader')),
                created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                used_at TEXT,
                used_by INTEGER REFERENCES users(id) ON DELETE SET NULL
            )""",
            # Failed logins, per attempted name (case-folded) and client address: the rate
            # limit reads them, so a restart of the server does not reset it.
            """CREATE TABLE login_failures (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                ip TEXT NOT NULL,
                at TEXT NOT NULL
            )""",
            "CREATE INDEX login_failures_name ON login_failures (name, at)",
            "CREATE INDEX login_failures_ip ON login_failures (ip, at)",
        ),
    ),
)

SERVER = Schema(
    noun="qualcode team server database",
    migrations=SERVER_MIGRATIONS,
    application_id=0x51435356,  # "QCSV"
    meta_table="server_meta",
    missing="{path}: no such team server database; create it with: qualcode team add-user --database {path} NAME",
    make_one="a team server database with: qualcode team add-user --database NEW.db NAME",
    make_at="qualcode team add-user --database {path} NAME",
    tables="team server tables",
)
