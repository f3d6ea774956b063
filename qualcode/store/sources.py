"""Sources (the normalised texts), their speakers and turns."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from qualcode.store.db import utc_now


def source_by_name(conn: sqlite3.Connection, name: str) -> sqlite3.Row | None:
    return conn.execute("SELECT id, name, sha256, format FROM sources WHERE name = ?", (name,)).fetchone()


def source_id(conn: sqlite3.Connection, name: str) -> int | None:
    row = source_by_name(conn, name)
    return row["id"] if row else None


def spans_in_source(conn: sqlite3.Connection, source_id: int) -> int:
    """Codings and suggestions that point into a source (and would lose their offsets)."""
    return conn.execute(
        "SELECT (SELECT COUNT(*) FROM codings WHERE source_id = ?)"
        " + (SELECT COUNT(*) FROM suggestions WHERE source_id = ?)",
        (source_id, source_id),
    ).fetchone()[0]


def delete_source(conn: sqlite3.Connection, source_id: int) -> None:
    conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))


def insert_source(
    conn: sqlite3.Connection, name: str, text: str, fmt: str, path: str, sha256: str, metadata: dict
) -> int:
    cur = conn.execute(
        "INSERT INTO sources (name, text, format, path, sha256, imported_at, metadata) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (name, text, fmt, path, sha256, utc_now(), json.dumps(metadata, sort_keys=True)),
    )
    return cur.lastrowid


def merge_source_metadata(conn: sqlite3.Connection, source_id: int, extra: dict) -> None:
    row = conn.execute("SELECT metadata FROM sources WHERE id = ?", (source_id,)).fetchone()
    metadata = dict(json.loads(row[0]), **extra)
    conn.execute(
        "UPDATE sources SET metadata = ? WHERE id = ?",
        (json.dumps(metadata, sort_keys=True, ensure_ascii=False), source_id),
    )


def insert_turns(conn: sqlite3.Connection, source_id: int, turns: Iterable) -> None:
    """Insert turns and the speakers they name (one speaker row per label per source)."""
    speaker_ids: dict[str, int] = {}
    for position, turn in enumerate(turns):
        speaker_id = None
        if turn.speaker is not None:
            speaker_id = speaker_ids.get(turn.speaker)
            if speaker_id is None:
                speaker_id = conn.execute(
                    "INSERT INTO speakers (source_id, label) VALUES (?, ?)", (source_id, turn.speaker)
                ).lastrowid
                speaker_ids[turn.speaker] = speaker_id
        conn.execute(
            'INSERT INTO turns (source_id, position, speaker_id, start, "end", time) '
            "VALUES (?, ?, ?, ?, ?, ?)",
            (source_id, position, speaker_id, turn.start, turn.end, turn.time),
        )


def source_ids(conn: sqlite3.Connection) -> list[int]:
    return [r[0] for r in conn.execute("SELECT id FROM sources ORDER BY name")]


def source_text(conn: sqlite3.Connection, source_id: int) -> str:
    return conn.execute("SELECT text FROM sources WHERE id = ?", (source_id,)).fetchone()[0]


def source_lengths(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    """Source name -> (id, text length)."""
    return {r[0]: (r[1], r[2]) for r in conn.execute("SELECT name, id, length(text) FROM sources")}


def source_length(conn: sqlite3.Connection, source_id: int) -> int:
    return conn.execute("SELECT length(text) FROM sources WHERE id = ?", (source_id,)).fetchone()[0]


def source_slice(conn: sqlite3.Connection, source_id: int, start: int, end: int) -> str:
    return conn.execute(
        "SELECT substr(text, ? + 1, ?) FROM sources WHERE id = ?", (start, end - start, source_id)
    ).fetchone()[0]


def sources_with_text(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every source with its text, by name."""
    return conn.execute("SELECT id, name, text, imported_at FROM sources ORDER BY name").fetchall()


def turn_characters(conn: sqlite3.Connection) -> int:
    """The characters in all turns: how much text there is to segment."""
    return conn.execute('SELECT COALESCE(SUM("end" - start), 0) FROM turns').fetchone()[0]


def turns_of_source(conn: sqlite3.Connection, source_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        'SELECT t.id, t.start, t."end", t.speaker_id, s.role FROM turns t '
        "LEFT JOIN speakers s ON s.id = t.speaker_id WHERE t.source_id = ? ORDER BY t.position",
        (source_id,),
    ).fetchall()


def turn_texts(conn: sqlite3.Connection, source_id: int | None = None) -> list[dict]:
    """Every turn (of one source, if given) with its text, speaker label and role, by source
    and position. Texts are cut in Python (see ``segments_of_source``)."""
    rows = conn.execute(
        """
        SELECT t.id, t.source_id, t.position, t.start, t."end", sp.label AS speaker, sp.role
          FROM turns t
          LEFT JOIN speakers sp ON sp.id = t.speaker_id
         WHERE :source IS NULL OR t.source_id = :source
         ORDER BY t.source_id, t.position
        """,
        {"source": source_id},
    ).fetchall()
    texts: dict[int, str] = {}
    out = []
    for r in rows:
        if r["source_id"] not in texts:
            texts = {r["source_id"]: source_text(conn, r["source_id"])}  # one source at a time
        out.append(dict(r, text=texts[r["source_id"]][r["start"] : r["end"]]))
    return out


def all_turns(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every turn with its speaker, role and case, by source and position."""
    return conn.execute(
        """
        SELECT t.id, t.source_id, t.position, t.start, t."end", sp.label AS speaker, sp.role,
               cs.name AS "case"
          FROM turns t
          LEFT JOIN speakers sp ON sp.id = t.speaker_id
          LEFT JOIN cases cs ON cs.id = sp.case_id
         ORDER BY t.source_id, t.position
        """
    ).fetchall()


def case_speakers(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every speaker linked to a case: (case_id, source name, label, role)."""
    return conn.execute(
        "SELECT s.case_id, src.name AS source, s.label, s.role FROM speakers s "
        "JOIN sources src ON src.id = s.source_id WHERE s.case_id IS NOT NULL "
        "ORDER BY s.case_id, src.name, s.label"
    ).fetchall()


def speaker_roles(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every speaker with a role: (source_id, label, role), by source and first turn."""
    return conn.execute(
        "SELECT source_id, label, role FROM speakers WHERE role IS NOT NULL AND role != '' "
        "ORDER BY source_id, id"
    ).fetchall()


def judged_by(conn: sqlite3.Connection, coder: str) -> set[int]:
    """Sources imported as judged by ``coder`` as a whole (units), coded or not."""
    return {
        r[0]
        for r in conn.execute(
            "SELECT s.id FROM sources s, json_each(s.metadata, '$.judged_by') j WHERE j.value = ?", (coder,)
        )
    }


def document_turns(conn: sqlite3.Connection, source_id: int) -> list[sqlite3.Row]:
    """A source's turns in order, with speaker label, role, case and timestamp (the document view)."""
    return conn.execute(
        """
        SELECT t.id, t.position, t.start, t."end", t.time, sp.label AS speaker, sp.role,
               cs.name AS "case"
          FROM turns t
          LEFT JOIN speakers sp ON sp.id = t.speaker_id
          LEFT JOIN cases cs ON cs.id = sp.case_id
         WHERE t.source_id = ? ORDER BY t.position
        """,
        (source_id,),
    ).fetchall()
