"""Every SQL statement the library runs, as small functions over a connection."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator

from qualcode.store.db import utc_now

# -- project settings -------------------------------------------------------------------


def get_setting(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM project_meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_setting(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO project_meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


# -- runs ------------------------------------------------------------------------------


def start_run(conn: sqlite3.Connection, kind: str, config: dict, versions: dict) -> int:
    cur = conn.execute(
        "INSERT INTO runs (kind, config, versions, started_at) VALUES (?, ?, ?, ?)",
        (kind, json.dumps(config, sort_keys=True), json.dumps(versions, sort_keys=True), utc_now()),
    )
    return cur.lastrowid


def finish_run(conn: sqlite3.Connection, run_id: int, summary: dict) -> None:
    conn.execute(
        "UPDATE runs SET summary = ?, finished_at = ? WHERE id = ?",
        (json.dumps(summary, sort_keys=True), utc_now(), run_id),
    )


def last_run(conn: sqlite3.Connection, kind: str) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT * FROM runs WHERE kind = ? AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1",
        (kind,),
    ).fetchone()


# -- sources, speakers, turns ----------------------------------------------------------------


def source_by_name(conn: sqlite3.Connection, name: str) -> sqlite3.Row | None:
    return conn.execute("SELECT id, name, sha256, format FROM sources WHERE name = ?", (name,)).fetchone()


def count_decisions(conn: sqlite3.Connection, source_id: int) -> int:
    """Codings and suggestions that point into a source (and would lose their offsets)."""
    return conn.execute(
        "SELECT (SELECT COUNT(*) FROM codings WHERE source_id = ?)"
        " + (SELECT COUNT(*) FROM suggestions WHERE source_id = ?)",
        (source_id, source_id),
    ).fetchone()[0]


def delete_source(conn: sqlite3.Connection, source_id: int) -> None:
    conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))


def insert_source(
    conn: sqlite3.Connection,
    name: str,
    text: str,
    fmt: str,
    path: str,
    sha256: str,
    metadata: dict,
) -> int:
    cur = conn.execute(
        "INSERT INTO sources (name, text, format, path, sha256, imported_at, metadata) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (name, text, fmt, path, sha256, utc_now(), json.dumps(metadata, sort_keys=True)),
    )
    return cur.lastrowid


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


def source_names(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM sources ORDER BY name")]


def source_text(conn: sqlite3.Connection, source_id: int) -> str:
    return conn.execute("SELECT text FROM sources WHERE id = ?", (source_id,)).fetchone()[0]


def source_ids(conn: sqlite3.Connection) -> list[int]:
    return [r[0] for r in conn.execute("SELECT id FROM sources ORDER BY name")]


def turns_of_source(conn: sqlite3.Connection, source_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        'SELECT t.id, t.start, t."end", t.speaker_id, s.role FROM turns t '
        "LEFT JOIN speakers s ON s.id = t.speaker_id WHERE t.source_id = ? ORDER BY t.position",
        (source_id,),
    ).fetchall()


# -- participants and cases ----------------------------------------------------------------


def replace_participants(conn: sqlite3.Connection, participants) -> None:
    """Store a participants file's mapping and case attributes (replacing the mapping)."""
    conn.execute("DELETE FROM participants")
    case_ids = {}
    for row in participants.rows:
        case_id = None
        if row.case:
            case_id = case_ids.get(row.case) or _upsert_case(conn, row.case)
            case_ids[row.case] = case_id
        conn.execute(
            "INSERT INTO participants (label, source_name, role, case_id) VALUES (?, ?, ?, ?)",
            (row.speaker, row.source, row.role, case_id),
        )
    for name, kind in participants.attribute_types.items():
        existing = conn.execute("SELECT type FROM attributes WHERE name = ?", (name,)).fetchone()
        if existing is None:
            conn.execute("INSERT INTO attributes (name, type) VALUES (?, ?)", (name, kind))
        elif existing[0] != kind:
            # Values from two files of different types: keep them all, as text.
            conn.execute("UPDATE attributes SET type = 'text' WHERE name = ?", (name,))
    for case, values in participants.case_attributes.items():
        for name, value in values.items():
            conn.execute(
                "INSERT INTO case_attributes (case_id, attribute_id, value) "
                "VALUES (?, (SELECT id FROM attributes WHERE name = ?), ?) "
                "ON CONFLICT (case_id, attribute_id) DO UPDATE SET value = excluded.value",
                (case_ids[case], name, value),
            )


def _upsert_case(conn: sqlite3.Connection, name: str) -> int:
    conn.execute("INSERT OR IGNORE INTO cases (name) VALUES (?)", (name,))
    return conn.execute("SELECT id FROM cases WHERE name = ?", (name,)).fetchone()[0]


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


# -- segments --------------------------------------------------------------------------------


def delete_segments(conn: sqlite3.Connection, unit: str) -> None:
    conn.execute("DELETE FROM segments WHERE unit = ?", (unit,))


def insert_segments(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Rows of (source_id, turn_id, run_id, unit, position, start, end, norm, lemmas)."""
    conn.executemany(
        'INSERT INTO segments (source_id, turn_id, run_id, unit, position, start, "end", '
        "norm, lemmas) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def iter_segments(conn: sqlite3.Connection, unit: str) -> Iterator[sqlite3.Row]:
    return conn.execute(
        """
        SELECT seg.id, src.name AS source, seg.unit, seg.position, seg.start, seg."end",
               sp.label AS speaker, sp.role, c.name AS "case",
               substr(src.text, seg.start + 1, seg."end" - seg.start) AS text,
               seg.norm, seg.lemmas
          FROM segments seg
          JOIN sources src ON src.id = seg.source_id
          LEFT JOIN turns t ON t.id = seg.turn_id
          LEFT JOIN speakers sp ON sp.id = t.speaker_id
          LEFT JOIN cases c ON c.id = sp.case_id
         WHERE seg.unit = ?
         ORDER BY src.name, seg.position
        """,
        (unit,),
    )


# -- status ----------------------------------------------------------------------------------


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = ("sources", "speakers", "turns", "cases", "codes", "codings", "suggestions", "memos")
    return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def segment_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT unit, COUNT(*) FROM segments GROUP BY unit ORDER BY unit"))


def source_overview(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        """
        SELECT src.name, src.format, length(src.text) AS characters,
               (SELECT COUNT(*) FROM turns t WHERE t.source_id = src.id) AS turns,
               (SELECT group_concat(label || ' (' || COALESCE(role, '?') || ')', ', ')
                  FROM speakers s WHERE s.source_id = src.id) AS speakers
          FROM sources src ORDER BY src.name
        """
    ).fetchall()


def role_overview(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(
        conn.execute("SELECT COALESCE(role, '(no role)'), COUNT(*) FROM speakers GROUP BY 1 ORDER BY 1")
    )


def segment_spans(conn: sqlite3.Connection, unit: str) -> list[sqlite3.Row]:
    return conn.execute('SELECT id, source_id, start, "end" FROM segments WHERE unit = ?', (unit,)).fetchall()


def codings_per_coder(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT coder, COUNT(*) FROM current_codings GROUP BY coder ORDER BY coder"))


def decision_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]
