"""SQL for the review log: pending suggestions, decisions, memos."""

from __future__ import annotations

import sqlite3

from qualcode.store.db import utc_now


def latest_suggest_run(conn: sqlite3.Connection) -> int | None:
    return conn.execute("SELECT MAX(run_id) FROM suggestions").fetchone()[0]


def pending_suggestions(conn: sqlite3.Connection, run_id: int, coder: str) -> list[sqlite3.Row]:
    """The run's suggestions this coder has not decided on (or whose decision was undone)."""
    return conn.execute(
        """
        SELECT g.id, src.name AS source, g.source_id, g.start, g."end", g.segment_id, k.name AS code,
               g.score, g.rationale, g.suggester,
               substr(src.text, g.start + 1, g."end" - g.start) AS text,
               sp.label AS speaker, sp.role
          FROM suggestions g
          JOIN sources src ON src.id = g.source_id
          JOIN codes k0 ON k0.id = g.code_id
          JOIN codes k ON k.id = COALESCE(k0.merged_into, k0.id)
          LEFT JOIN segments seg ON seg.id = g.segment_id
          LEFT JOIN turns t ON t.id = seg.turn_id
          LEFT JOIN speakers sp ON sp.id = t.speaker_id
         WHERE g.run_id = ?
           AND NOT EXISTS (SELECT 1 FROM effective_decisions d WHERE d.suggestion_id = g.id AND d.coder = ?)
        """,
        (run_id, coder),
    ).fetchall()


def count_run(conn: sqlite3.Connection, run_id: int, coder: str) -> tuple[int, int]:
    """(decided by the coder, all) suggestions of a run."""
    total = conn.execute("SELECT COUNT(*) FROM suggestions WHERE run_id = ?", (run_id,)).fetchone()[0]
    done = conn.execute(
        "SELECT COUNT(DISTINCT d.suggestion_id) FROM effective_decisions d JOIN suggestions g ON g.id = d.suggestion_id "
        "WHERE g.run_id = ? AND d.coder = ?",
        (run_id, coder),
    ).fetchone()[0]
    return done, total


def suggestion(conn: sqlite3.Connection, suggestion_id: int) -> sqlite3.Row | None:
    return conn.execute(
        'SELECT g.id, g.source_id, g.start, g."end", COALESCE(k.merged_into, k.id) AS code_id '
        "FROM suggestions g JOIN codes k ON k.id = g.code_id WHERE g.id = ?",
        (suggestion_id,),
    ).fetchone()


def decided(conn: sqlite3.Connection, suggestion_id: int, coder: str) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT id, action FROM effective_decisions WHERE suggestion_id = ? AND coder = ?",
        (suggestion_id, coder),
    ).fetchone()


def coding(conn: sqlite3.Connection, coding_id: int) -> sqlite3.Row | None:
    return conn.execute(
        'SELECT c.id, c.source_id, c.start, c."end", c.code_id, c.coder, '
        "c.id IN (SELECT id FROM current_codings) AS current FROM codings c WHERE c.id = ?",
        (coding_id,),
    ).fetchone()


def insert_coding(
    conn: sqlite3.Connection, source_id: int, start: int, end: int, code_id: int, coder: str, origin: str,
    suggestion_id: int | None = None,
) -> int:  # fmt: skip
    return conn.execute(
        'INSERT INTO codings (source_id, start, "end", code_id, coder, origin, suggestion_id, created_at) '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (source_id, start, end, code_id, coder, origin, suggestion_id, utc_now()),
    ).lastrowid


def insert_decision(
    conn: sqlite3.Connection, coder: str, action: str, suggestion_id: int | None = None,
    coding_id: int | None = None, undoes: int | None = None, replaces: int | None = None, note: str = "",
) -> int:  # fmt: skip
    return conn.execute(
        "INSERT INTO decisions (coder, action, suggestion_id, coding_id, undoes, replaces, note, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (coder, action, suggestion_id, coding_id, undoes, replaces, note, utc_now()),
    ).lastrowid


def last_standing_decision(conn: sqlite3.Connection, coder: str) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT * FROM effective_decisions WHERE coder = ? ORDER BY id DESC LIMIT 1", (coder,)
    ).fetchone()


def insert_memo(conn: sqlite3.Connection, kind: str, target: int | None, author: str, text: str) -> int:
    return conn.execute(
        "INSERT INTO memos (target_kind, target_id, author, text, created_at) VALUES (?, ?, ?, ?, ?)",
        (kind, target, author, text, utc_now()),
    ).lastrowid


def memos(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        """
        SELECT m.id, m.target_kind, m.author, m.text, m.created_at,
               CASE m.target_kind
                    WHEN 'code' THEN (SELECT name FROM codes WHERE id = m.target_id)
                    WHEN 'source' THEN (SELECT name FROM sources WHERE id = m.target_id)
                    ELSE CAST(m.target_id AS TEXT) END AS target
          FROM memos m ORDER BY m.id
        """
    ).fetchall()


def code_definition(conn: sqlite3.Connection, name: str) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT name, kind, description, details FROM codes WHERE name = ?", (name,)
    ).fetchone()


def neighbours(conn: sqlite3.Connection, segment_id: int) -> tuple[str, str]:
    """The text of the segment before and after (same unit and source), for context."""
    row = conn.execute(
        "SELECT source_id, unit, position FROM segments WHERE id = ?", (segment_id,)
    ).fetchone()
    if row is None:
        return "", ""

    def at(position: int) -> str:
        found = conn.execute(
            'SELECT substr(src.text, s.start + 1, s."end" - s.start) FROM segments s '
            "JOIN sources src ON src.id = s.source_id WHERE s.source_id = ? AND s.unit = ? AND s.position = ?",
            (row["source_id"], row["unit"], position),
        ).fetchone()
        return found[0] if found else ""

    return at(row["position"] - 1), at(row["position"] + 1)
