"""SQL for REFI-QDA projects: what an export reads and what an import writes."""

from __future__ import annotations

import json
import sqlite3

from qualcode.store.db import utc_now

# -- export: read everything a .qdpx carries, in a fixed order -----------------------------


def sources(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT id, name, text, imported_at FROM sources ORDER BY name").fetchall()


def current_codings(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """The reviewed and human codings, codes resolved through merges."""
    return conn.execute(
        """
        SELECT c.id, c.source_id, c.start, c."end", k.name AS code, c.coder, c.created_at
          FROM current_codings c
          JOIN codes k0 ON k0.id = c.code_id
          JOIN codes k ON k.id = COALESCE(k0.merged_into, k0.id)
         ORDER BY c.source_id, c.start, c."end", k.name, c.coder, c.id
        """
    ).fetchall()


def coded_codes_outside_codebook(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Retired codes that current codings still use (an export must still define them)."""
    return conn.execute(
        """
        SELECT DISTINCT k.name, k.description, k.kind, k.label, k.colour, k.details
          FROM current_codings c
          JOIN codes k0 ON k0.id = c.code_id
          JOIN codes k ON k.id = COALESCE(k0.merged_into, k0.id)
         WHERE k.retired_in IS NOT NULL ORDER BY k.name
        """
    ).fetchall()


def attributes(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT id, name, type FROM attributes ORDER BY name").fetchall()


def cases(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT id, name FROM cases ORDER BY name").fetchall()


def case_values(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT ca.case_id, a.name, a.type, ca.value FROM case_attributes ca "
        "JOIN attributes a ON a.id = ca.attribute_id ORDER BY ca.case_id, a.name"
    ).fetchall()


def case_speakers(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every speaker linked to a case: (case_id, source name, label, role)."""
    return conn.execute(
        "SELECT s.case_id, src.name AS source, s.label, s.role FROM speakers s "
        "JOIN sources src ON src.id = s.source_id WHERE s.case_id IS NOT NULL "
        "ORDER BY s.case_id, src.name, s.label"
    ).fetchall()


def memos(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Memos with what they are about: a code name, a source name, or a segment's place."""
    return conn.execute(
        """
        SELECT m.id, m.target_kind, m.target_id, m.author, m.text, m.created_at,
               CASE m.target_kind
                    WHEN 'code' THEN (SELECT name FROM codes WHERE id = m.target_id)
                    WHEN 'source' THEN (SELECT name FROM sources WHERE id = m.target_id)
                    WHEN 'segment' THEN (SELECT src.name FROM segments s JOIN sources src
                                          ON src.id = s.source_id WHERE s.id = m.target_id)
                    WHEN 'coding' THEN (SELECT src.name FROM codings c JOIN sources src
                                         ON src.id = c.source_id WHERE c.id = m.target_id)
               END AS target_name,
               CASE m.target_kind
                    WHEN 'segment' THEN (SELECT start || '-' || "end" FROM segments WHERE id = m.target_id)
                    WHEN 'coding' THEN (SELECT start || '-' || "end" FROM codings WHERE id = m.target_id)
               END AS span
          FROM memos m ORDER BY m.id
        """
    ).fetchall()


def project_name(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM project_meta WHERE key = 'name'").fetchone()
    return row[0] if row else None


# -- import ------------------------------------------------------------------------------


def source_id(conn: sqlite3.Connection, name: str) -> int | None:
    row = conn.execute("SELECT id FROM sources WHERE name = ?", (name,)).fetchone()
    return row[0] if row else None


def merge_source_metadata(conn: sqlite3.Connection, source_id: int, extra: dict) -> None:
    row = conn.execute("SELECT metadata FROM sources WHERE id = ?", (source_id,)).fetchone()
    metadata = dict(json.loads(row[0]), **extra)
    conn.execute(
        "UPDATE sources SET metadata = ? WHERE id = ?",
        (json.dumps(metadata, sort_keys=True, ensure_ascii=False), source_id),
    )


def existing_codings(conn: sqlite3.Connection, source_id: int) -> set[tuple[int, int, int, str]]:
    """(start, end, code_id, coder) of the codings already in a source."""
    return {
        (r[0], r[1], r[2], r[3])
        for r in conn.execute(
            'SELECT start, "end", code_id, coder FROM codings WHERE source_id = ?', (source_id,)
        )
    }


def insert_imported_coding(
    conn: sqlite3.Connection, source_id: int, start: int, end: int, code_id: int, coder: str
) -> int:
    return conn.execute(
        'INSERT INTO codings (source_id, start, "end", code_id, coder, origin, created_at) '
        "VALUES (?, ?, ?, ?, ?, 'import', ?)",
        (source_id, start, end, code_id, coder, utc_now()),
    ).lastrowid


def upsert_case(conn: sqlite3.Connection, name: str) -> int:
    conn.execute("INSERT OR IGNORE INTO cases (name) VALUES (?)", (name,))
    return conn.execute("SELECT id FROM cases WHERE name = ?", (name,)).fetchone()[0]


def upsert_attribute(conn: sqlite3.Connection, name: str, kind: str) -> None:
    """Declare an attribute; one already declared with another type becomes text."""
    existing = conn.execute("SELECT type FROM attributes WHERE name = ?", (name,)).fetchone()
    if existing is None:
        conn.execute("INSERT INTO attributes (name, type) VALUES (?, ?)", (name, kind))
    elif existing[0] != kind:
        conn.execute("UPDATE attributes SET type = 'text' WHERE name = ?", (name,))


def set_case_value(conn: sqlite3.Connection, case_id: int, attribute: str, value: str) -> None:
    conn.execute(
        "INSERT INTO case_attributes (case_id, attribute_id, value) "
        "VALUES (?, (SELECT id FROM attributes WHERE name = ?), ?) "
        "ON CONFLICT (case_id, attribute_id) DO UPDATE SET value = excluded.value",
        (case_id, attribute, value),
    )


def declare_participant(conn: sqlite3.Connection, label: str, source: str, role: str, case_id: int) -> None:
    """Link a speaker of one source to a case (kept when the speakers are resolved again)."""
    conn.execute(
        "INSERT INTO participants (label, source_name, role, case_id) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (label, source_name) DO UPDATE SET role = excluded.role, case_id = excluded.case_id",
        (label, source, role, case_id),
    )
