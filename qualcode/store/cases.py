"""Participants (the declared speaker -> case/role mapping), cases and their attributes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable


def upsert_case(conn: sqlite3.Connection, name: str) -> int:
    conn.execute("INSERT OR IGNORE INTO cases (name) VALUES (?)", (name,))
    return conn.execute("SELECT id FROM cases WHERE name = ?", (name,)).fetchone()[0]


def upsert_attribute(conn: sqlite3.Connection, name: str, kind: str) -> None:
    """Declare an attribute; one already declared with another type becomes text (so values
    from two files of different types are all kept)."""
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


def replace_participants(conn: sqlite3.Connection, participants) -> None:
    """Store a participants file's mapping and case attributes (replacing the mapping)."""
    conn.execute("DELETE FROM participants")
    case_ids: dict[str, int] = {}
    for row in participants.rows:
        case_id = None
        if row.case:
            case_id = case_ids.get(row.case) or upsert_case(conn, row.case)
            case_ids[row.case] = case_id
        conn.execute(
            "INSERT INTO participants (label, source_name, role, case_id) VALUES (?, ?, ?, ?)",
            (row.speaker, row.source, row.role, case_id),
        )
    for name, kind in participants.attribute_types.items():
        upsert_attribute(conn, name, kind)
    for case, values in participants.case_attributes.items():
        for name, value in values.items():
            set_case_value(conn, case_ids[case], name, value)


def declare_participant(conn: sqlite3.Connection, label: str, source: str, role: str, case_id: int) -> None:
    """Link a speaker of one source to a case (kept when the speakers are resolved again)."""
    conn.execute(
        "INSERT INTO participants (label, source_name, role, case_id) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (label, source_name) DO UPDATE SET role = excluded.role, case_id = excluded.case_id",
        (label, source, role, case_id),
    )


def declare_role(conn: sqlite3.Connection, label: str, source: str, role: str) -> None:
    """Declare the role of a speaker of one source, unless that speaker is declared already."""
    conn.execute(
        "INSERT INTO participants (label, source_name, role, case_id) VALUES (?, ?, ?, NULL) "
        "ON CONFLICT (label, source_name) DO NOTHING",
        (label, source, role),
    )


def participant_labels(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT label FROM participants")}


def resolve_speakers(conn: sqlite3.Connection, interviewer_labels: Iterable[str]) -> int:
    """Give every speaker the role and case the participants mapping declares.

    A row for the speaker's own source wins over a row for every source; labels match
    without regard to case. Speakers nobody declared keep no case, and get the role
    ``interviewer`` when their label is a conventional interviewer label. Returns the number
    of speakers without a declared role.
    """
    conn.execute("DROP TABLE IF EXISTS temp.interviewer_labels")
    conn.execute("CREATE TEMP TABLE interviewer_labels (label TEXT PRIMARY KEY)")
    conn.executemany(
        "INSERT OR IGNORE INTO temp.interviewer_labels VALUES (?)",
        [(label.casefold(),) for label in interviewer_labels],
    )
    conn.execute(
        """
        UPDATE speakers SET
            role = COALESCE(
                (SELECT p.role FROM participants p JOIN sources src ON src.id = speakers.source_id
                  WHERE lower(p.label) = lower(speakers.label)
                    AND p.source_name IN (src.name, '')
                  ORDER BY p.source_name = '' LIMIT 1),
                CASE WHEN lower(label) IN (SELECT label FROM temp.interviewer_labels)
                     THEN 'interviewer' END),
            case_id =
                (SELECT p.case_id FROM participants p JOIN sources src ON src.id = speakers.source_id
                  WHERE lower(p.label) = lower(speakers.label)
                    AND p.source_name IN (src.name, '')
                  ORDER BY p.source_name = '' LIMIT 1)
        """
    )
    conn.execute("DROP TABLE temp.interviewer_labels")
    return conn.execute("SELECT COUNT(*) FROM speakers WHERE role IS NULL").fetchone()[0]


def unmatched_participants(conn: sqlite3.Connection) -> list[str]:
    """Participant labels that match no speaker in any source (likely a typo)."""
    return [
        r[0]
        for r in conn.execute(
            """
            SELECT p.label FROM participants p
             WHERE NOT EXISTS (
                SELECT 1 FROM speakers s JOIN sources src ON src.id = s.source_id
                 WHERE lower(s.label) = lower(p.label) AND p.source_name IN (src.name, ''))
             ORDER BY p.label
            """
        )
    ]


def cases(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT id, name FROM cases ORDER BY name").fetchall()


def attributes(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT id, name, type FROM attributes ORDER BY name").fetchall()


def case_values(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """(case_id, attribute name, type, value), by case and attribute name."""
    return conn.execute(
        "SELECT ca.case_id, a.name, a.type, ca.value FROM case_attributes ca "
        "JOIN attributes a ON a.id = ca.attribute_id ORDER BY ca.case_id, a.name"
    ).fetchall()


def case_attributes(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """(case, attribute, value) for every case attribute, by case name and attribute order."""
    return conn.execute(
        """
        SELECT cs.name AS "case", a.name AS attribute, ca.value
          FROM case_attributes ca JOIN cases cs ON cs.id = ca.case_id JOIN attributes a ON a.id = ca.attribute_id
         ORDER BY cs.name, a.id
        """
    ).fetchall()


def case_roles(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """(case, role) for every case, with the roles of the speakers who belong to it."""
    return conn.execute(
        """
        SELECT cs.name AS "case", sp.role FROM cases cs
          LEFT JOIN speakers sp ON sp.case_id = cs.id
         GROUP BY cs.name, sp.role ORDER BY cs.name, sp.role
        """
    ).fetchall()
