"""The kinds of database the store opens: a project (the default) and a team server.

A :class:`Schema` is what :class:`~qualcode.store.db.Database` and
:class:`~qualcode.store.postgres.PostgresDatabase` need to know of a kind: its named
migrations, the mark that says a file is of this kind (SQLite's ``PRAGMA application_id``;
on PostgreSQL the first migration's meta table) and the words its messages use, so that a
project is never opened as a server database, nor the other way round.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from qualcode.store.schema import MIGRATIONS, Migration


@dataclass(frozen=True)
class Schema:
    noun: str  # "qualcode project": what the messages call a database of this kind
    migrations: tuple[Migration, ...]
    application_id: int  # SQLite's PRAGMA application_id for a file of this kind
    meta_table: str  # made by the first migration; holds the 'created_by' row
    missing: str  # the message for a missing file, with {path}
    make_one: str  # how to make one, after "create ...": "a project with: qualcode init NEW.qc"
    make_at: str  # the command that makes one at {path}
    tables: str  # what PostgreSQL tables of this kind are called: "project tables"

    @property
    def version(self) -> int:
        return len(self.migrations)

    @cached_property
    def id_tables(self) -> frozenset[str]:
        """Tables whose rows have an ``id`` the store reads back (sqlite3's lastrowid)."""
        return id_tables(self.migrations)


def id_tables(migrations: tuple[Migration, ...]) -> frozenset[str]:
    return frozenset(
        match.group(1).lower()
        for migration in migrations
        for statement in migration.statements
        if (match := re.match(r"\s*CREATE TABLE (\w+) \(\s*id INTEGER PRIMARY KEY", statement))
    )


PROJECT = Schema(
    noun="qualcode project",
    migrations=MIGRATIONS,
    application_id=0x51434F44,  # "QCOD"
    meta_table="project_meta",
    missing="{path}: no such project file; create one with: qualcode init {path}",
    make_one="a project with: qualcode init NEW.qc",
    make_at="qualcode init {path}",
    tables="project tables",
)
