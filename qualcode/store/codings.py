"""SQL for codings, suggestions and review decisions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from qualcode.store.db import utc_now


def insert_codings(conn: sqlite3.Connection, rows: Iterable[tuple], origin: str) -> int:
    """Rows of (source_id, start, end, code_id, coder)."""
    now = utc_now()
    cur = conn.executemany(
        'INSERT INTO codings (source_id, start, "end", code_id, coder, origin, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [(*row, origin, now) for row in rows],
    )
    return cur.rowcount


def source_spans(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    """Source name -> (id, text length)."""
    return {r[0]: (r[1], r[2]) for r in conn.execute("SELECT name, id, length(text) FROM sources")}


def source_slice(conn: sqlite3.Connection, source_id: int, start: int, end: int) -> str:
    return conn.execute(
        "SELECT substr(text, ? + 1, ?) FROM sources WHERE id = ?", (start, end - start, source_id)
    ).fetchone()[0]


def coded_segments(conn: sqlite3.Connection, unit: str, coder: str | None) -> dict[int, set[str]]:
    """Every segment of the sources a coder has coded, with the codes whose codings overlap it.

    With ``coder`` None, every human coder counts. Codes resolve through merges.
    """
    coder_clause = "AND c.coder = :coder" if coder else ""
    sources = [
        r[0]
        for r in conn.execute(
            f"SELECT DISTINCT c.source_id FROM current_codings c WHERE 1 = 1 {coder_clause}",
            {"coder": coder},
        )
    ]
    labelled: dict[int, set[str]] = {}
    for source_id in sources:
        for (segment_id,) in conn.execute(
            "SELECT id FROM segments WHERE unit = ? AND source_id = ?", (unit, source_id)
        ):
            labelled[segment_id] = set()
        rows = conn.execute(
            f"""
            SELECT s.id, k.name FROM segments s
              JOIN current_codings c ON c.source_id = s.source_id AND c.start < s."end" AND s.start < c."end"
              JOIN codes k0 ON k0.id = c.code_id
              JOIN codes k ON k.id = COALESCE(k0.merged_into, k0.id)
             WHERE s.unit = :unit AND s.source_id = :source {coder_clause}
            """,
            {"unit": unit, "source": source_id, "coder": coder},
        )
        for segment_id, code in rows:
            labelled[segment_id].add(code)
    return labelled


def rejected_segments(conn: sqlite3.Connection, unit: str, coder: str | None) -> dict[int, set[str]]:
    """Segments whose suggestion of a code was rejected (and not undone)."""
    coder_clause = "AND d.coder = :coder" if coder else ""
    rows = conn.execute(
        f"""
        SELECT s.id, k.name FROM effective_decisions d
          JOIN suggestions g ON g.id = d.suggestion_id
          JOIN segments s ON s.source_id = g.source_id AND s.start < g."end" AND g.start < s."end"
          JOIN codes k0 ON k0.id = g.code_id
          JOIN codes k ON k.id = COALESCE(k0.merged_into, k0.id)
         WHERE d.action = 'reject' AND s.unit = :unit {coder_clause}
        """,
        {"unit": unit, "coder": coder},
    )
    out: dict[int, set[str]] = {}
    for segment_id, code in rows:
        out.setdefault(segment_id, set()).add(code)
    return out


def insert_suggestions(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Rows of (run_id, source_id, start, end, segment_id, code_id, suggester, version, score, rationale)."""
    now = utc_now()
    conn.executemany(
        'INSERT INTO suggestions (run_id, source_id, start, "end", segment_id, code_id, suggester, '
        "suggester_version, score, rationale, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(*row, now) for row in rows],
    )


def latest_suggestions(conn: sqlite3.Connection, run_id: int | None = None) -> list[sqlite3.Row]:
    if run_id is None:
        found = conn.execute("SELECT MAX(run_id) FROM suggestions").fetchone()[0]
        run_id = found if found is not None else -1
    return conn.execute(
        """
        SELECT src.name AS source, g.start, g."end", k.name AS code, g.score, g.suggester,
               g.suggester_version, g.rationale, g.segment_id
          FROM suggestions g JOIN sources src ON src.id = g.source_id JOIN codes k ON k.id = g.code_id
         WHERE g.run_id = ? ORDER BY src.name, g.start, g.score DESC
        """,
        (run_id,),
    ).fetchall()


def codings_table(conn: sqlite3.Connection, coder: str | None = None) -> list[sqlite3.Row]:
    coder_clause = "AND c.coder = ?" if coder else ""
    return conn.execute(
        f"""
        SELECT src.name AS source, c.start, c."end", k.name AS code, c.coder
          FROM current_codings c JOIN sources src ON src.id = c.source_id
          JOIN codes k0 ON k0.id = c.code_id JOIN codes k ON k.id = COALESCE(k0.merged_into, k0.id)
         WHERE 1 = 1 {coder_clause} ORDER BY src.name, c.start, k.name
        """,
        (coder,) if coder else (),
    ).fetchall()
