"""Copying a whole project between engines: a file to a server (push) and back (pull).

Every table the migrations create is copied row for row with its ids, so what refers to what
(codings to suggestions, decisions to codings, codes to their parents) holds unchanged, and
the copy's exports are the original's byte for byte. Both projects are at the same schema
version (opening migrates). The copy is written in one transaction: it is whole or absent.

A ``transform`` may change each row on the way (a pseudonymised copy replaces names and
remaps offsets, :mod:`qualcode.privacy.tables`); ids and references are never changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qualcode.errors import ConflictError
from qualcode.store.schema import MIGRATIONS

_BATCH = 2000


@dataclass(frozen=True)
class Table:
    name: str
    self_references: tuple[str, ...]  # columns pointing at rows of the same table


def _tables() -> list[Table]:
    """The project's tables in the order the migrations create them (a table only refers to
    tables created before it, or to itself)."""
    found: dict[str, list[str]] = {}
    for migration in MIGRATIONS:
        for statement in migration.statements:
            created = re.match(r"\s*CREATE TABLE (\w+)", statement)
            if created:
                found[created.group(1)] = []
            altered = re.match(r"\s*ALTER TABLE (\w+) ADD COLUMN (\w+) \w+ .*REFERENCES (\w+)\(", statement)
            if altered and altered.group(1) == altered.group(3):
                found[altered.group(1)].append(altered.group(2))
            if created:
                name = created.group(1)
                for column in re.findall(rf"(\w+) INTEGER[A-Z ]* REFERENCES {name}\(", statement):
                    found[name].append(column)
    return [Table(name, tuple(columns)) for name, columns in found.items()]


TABLES = _tables()


RowTransform = Callable[[str, list[str], Sequence], Sequence]  # (table, columns, row) -> row


def copy_rows(source_conn, target_conn, transform: RowTransform | None = None) -> dict[str, int]:
    """Copy every row of every table from ``source_conn`` into ``target_conn`` (a freshly
    created project, which must hold nothing but its creation record); the number of rows
    per table. Call inside a transaction on the target. ``transform(table, columns, row)``
    returns the row to store instead (the same columns, in the same order)."""
    taken = target_conn.execute("SELECT COUNT(*) FROM sources").fetchone()[0]
    if taken:
        raise ConflictError("the target project already holds sources; copy into a new, empty project")
    target_conn.execute("DELETE FROM project_meta")
    counts = {}
    for table in TABLES:
        columns = _columns(source_conn, table.name)
        quoted = ", ".join(f'"{c}"' for c in columns)
        later = [c for c in table.self_references if c in columns]
        values = ", ".join("NULL" if c in later else "?" for c in columns)
        insert = f"INSERT INTO {table.name} ({quoted}) VALUES ({values})"  # noqa: S608 (names from the schema)
        rows = source_conn.execute(f"SELECT {quoted} FROM {table.name} ORDER BY 1").fetchall()  # noqa: S608
        if transform is not None:
            rows = [transform(table.name, columns, row) for row in rows]
        kept = [[v for c, v in zip(columns, row, strict=True) if c not in later] for row in rows]
        for first in range(0, len(kept), _BATCH):
            target_conn.executemany(insert, kept[first : first + _BATCH])
        for column in later:  # self references once every row of the table is there
            pairs = [(row[columns.index(column)], row[columns.index("id")]) for row in rows]
            pairs = [p for p in pairs if p[0] is not None]
            if pairs:
                target_conn.executemany(f'UPDATE {table.name} SET "{column}" = ? WHERE id = ?', pairs)  # noqa: S608
        counts[table.name] = len(rows)
    return counts


def _columns(conn, table: str) -> list[str]:
    cursor = conn.execute(f"SELECT * FROM {table} LIMIT 0")  # noqa: S608 (a name from the schema)
    description = getattr(cursor, "description", None)
    if description is None:  # the PostgreSQL adapter: ask the catalogue
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "AND table_schema = current_schema() ORDER BY ordinal_position",
            (table,),
        ).fetchall()
        return [r[0] for r in rows]
    return [d[0] for d in description]
