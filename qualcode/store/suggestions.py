"""Suggestions: machine-made codings, never codings themselves. A suggest run is a ``runs``
row; :func:`latest_run_id` is the one answer to "which suggestions are current"."""

from __future__ import annotations

import sqlite3

from qualcode.store.db import utc_now

# The latest finished suggest run, even one that stored no suggestions at all.
_LATEST_RUN = "(SELECT MAX(id) FROM runs WHERE kind = 'suggest' AND finished_at IS NOT NULL)"


def latest_run_id(conn: sqlite3.Connection) -> int | None:
    return conn.execute(f"SELECT {_LATEST_RUN}").fetchone()[0]


def insert_suggestions(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Rows of (run_id, source_id, start, end, segment_id, code_id, suggester, version, score, rationale)."""
    now = utc_now()
    conn.executemany(
        'INSERT INTO suggestions (run_id, source_id, start, "end", segment_id, code_id, suggester, '
        "suggester_version, score, rationale, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(*row, now) for row in rows],
    )


def suggestions_of_run(conn: sqlite3.Connection, run_id: int | None = None) -> list[sqlite3.Row]:
    """A run's suggestions (default: the latest run's), by source, position and score."""
    return conn.execute(
        f"""
        SELECT src.name AS source, g.start, g."end", k.name AS code, g.score, g.suggester,
               g.suggester_version, g.rationale, g.segment_id
          FROM suggestions g JOIN sources src ON src.id = g.source_id JOIN codes k ON k.id = g.code_id
         WHERE g.run_id = COALESCE(:run, {_LATEST_RUN}) ORDER BY src.name, g.start, g.score DESC
        """,
        {"run": run_id},
    ).fetchall()


def suggestion(conn: sqlite3.Connection, suggestion_id: int) -> sqlite3.Row | None:
    """One suggestion, its code resolved through merges."""
    return conn.execute(
        'SELECT g.id, g.source_id, g.start, g."end", k.id AS code_id '
        "FROM suggestions g JOIN resolved_codes k ON k.code_id = g.code_id WHERE g.id = ?",
        (suggestion_id,),
    ).fetchone()


def pending_suggestions(conn: sqlite3.Connection, coder: str) -> list[sqlite3.Row]:
    """The latest run's suggestions this coder has not decided on (or whose decision was undone)."""
    return conn.execute(
        f"""
        SELECT g.id, src.name AS source, g.source_id, g.start, g."end", g.segment_id, k.name AS code,
               g.score, g.rationale, g.suggester,
               substr(src.text, g.start + 1, g."end" - g.start) AS text,
               sp.label AS speaker, sp.role
          FROM suggestions g
          JOIN sources src ON src.id = g.source_id
          JOIN resolved_codes k ON k.code_id = g.code_id
          LEFT JOIN segments seg ON seg.id = g.segment_id
          LEFT JOIN turns t ON t.id = seg.turn_id
          LEFT JOIN speakers sp ON sp.id = t.speaker_id
         WHERE g.run_id = {_LATEST_RUN}
           AND NOT EXISTS (SELECT 1 FROM effective_decisions d WHERE d.suggestion_id = g.id AND d.coder = ?)
        """,
        (coder,),
    ).fetchall()


def decided_in_latest_run(conn: sqlite3.Connection, coder: str) -> tuple[int, int]:
    """(decided by the coder, all) suggestions of the latest run."""
    total = conn.execute(f"SELECT COUNT(*) FROM suggestions WHERE run_id = {_LATEST_RUN}").fetchone()[0]
    done = conn.execute(
        "SELECT COUNT(DISTINCT d.suggestion_id) FROM effective_decisions d "
        f"JOIN suggestions g ON g.id = d.suggestion_id WHERE g.run_id = {_LATEST_RUN} AND d.coder = ?",
        (coder,),
    ).fetchone()[0]
    return done, total


_WITH_TEXT = """
    src.name AS source, x.source_id, x.start, x."end", k.name AS code, k.kind,
    substr(src.text, x.start + 1, x."end" - x.start) AS text
"""


def unreviewed_suggestions(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """The latest run's suggestions on which no coder has a standing decision."""
    return conn.execute(
        f"""
        SELECT {_WITH_TEXT}, 'machine' AS coder, 'unreviewed' AS origin,
               x.suggester, x.suggester_version, x.score
          FROM suggestions x
          JOIN sources src ON src.id = x.source_id
          JOIN resolved_codes k ON k.code_id = x.code_id
         WHERE x.run_id = {_LATEST_RUN}
           AND NOT EXISTS (SELECT 1 FROM effective_decisions d WHERE d.suggestion_id = x.id)
         ORDER BY src.name, x.start, x."end", k.position, x.id
        """
    ).fetchall()


def rejected_suggestions(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Suggestions a coder rejected (and did not undo), with who rejected them."""
    return conn.execute(
        f"""
        SELECT {_WITH_TEXT}, d.coder, x.suggester, x.suggester_version, x.score
          FROM effective_decisions d
          JOIN suggestions x ON x.id = d.suggestion_id
          JOIN sources src ON src.id = x.source_id
          JOIN resolved_codes k ON k.code_id = x.code_id
         WHERE d.action = 'reject'
         ORDER BY src.name, x.start, x."end", k.position, d.coder, d.id
        """
    ).fetchall()


def rejected_segments(conn: sqlite3.Connection, unit: str, coder: str | None) -> dict[int, set[str]]:
    """Segments whose suggestion of a code was rejected (and not undone)."""
    rows = conn.execute(
        """
        SELECT s.id, k.name FROM effective_decisions d
          JOIN suggestions g ON g.id = d.suggestion_id
          JOIN segments s ON s.source_id = g.source_id AND s.start < g."end" AND g.start < s."end"
          JOIN resolved_codes k ON k.code_id = g.code_id
         WHERE d.action = 'reject' AND s.unit = :unit AND (:coder IS NULL OR d.coder = :coder)
        """,
        {"unit": unit, "coder": coder},
    )
    out: dict[int, set[str]] = {}
    for segment_id, code in rows:
        out.setdefault(segment_id, set()).add(code)
    return out


def machine_codes_on_segments(conn: sqlite3.Connection, unit: str):
    """(segment id, code name) for every suggestion of the latest run overlapping a segment."""
    return conn.execute(
        f"""
        SELECT s.id, k.name FROM segments s
          JOIN suggestions g ON g.source_id = s.source_id AND g.start < s."end" AND s.start < g."end"
          JOIN resolved_codes k ON k.code_id = g.code_id
         WHERE s.unit = ? AND g.run_id = {_LATEST_RUN}
        """,
        (unit,),
    )
