"""SQL for agreement: segments, and per coder the codes on each segment of the sources coded."""

from __future__ import annotations

import sqlite3


def segments(conn: sqlite3.Connection, unit: str) -> list[sqlite3.Row]:
    return conn.execute(
        """
        SELECT s.id, s.source_id, src.name AS source, s.start, s."end",
               substr(src.text, s.start + 1, s."end" - s.start) AS text
          FROM segments s JOIN sources src ON src.id = s.source_id
         WHERE s.unit = ? ORDER BY src.name, s.position
        """,
        (unit,),
    ).fetchall()


def coder_codes(conn: sqlite3.Connection, unit: str, coder: str) -> tuple[dict[int, set[str]], set[int]]:
    """Segment -> codes from the coder's current codings, and the sources the coder judged:
    those with a coding by them, and those imported as judged by them (units)."""
    sources = {
        r[0]
        for r in conn.execute(
            "SELECT source_id FROM current_codings WHERE coder = :coder UNION "
            "SELECT s.id FROM sources s, json_each(s.metadata, '$.judged_by') j WHERE j.value = :coder",
            {"coder": coder},
        )
    }
    rows = conn.execute(
        """
        SELECT s.id, k.name FROM segments s
          JOIN current_codings c ON c.source_id = s.source_id AND c.start < s."end" AND s.start < c."end"
          JOIN codes k0 ON k0.id = c.code_id JOIN codes k ON k.id = COALESCE(k0.merged_into, k0.id)
         WHERE s.unit = ? AND c.coder = ?
        """,
        (unit, coder),
    )
    return _group(rows), sources


def machine_codes(conn: sqlite3.Connection, unit: str) -> tuple[dict[int, set[str]], set[int]]:
    """The latest suggestion run as a coder: it judged every source it ran on."""
    run = conn.execute("SELECT MAX(run_id) FROM suggestions").fetchone()[0]
    if run is None:
        return {}, set()
    sources = {r[0] for r in conn.execute("SELECT DISTINCT source_id FROM segments WHERE unit = ?", (unit,))}
    rows = conn.execute(
        """
        SELECT s.id, k.name FROM segments s
          JOIN suggestions g ON g.source_id = s.source_id AND g.start < s."end" AND s.start < g."end"
          JOIN codes k0 ON k0.id = g.code_id JOIN codes k ON k.id = COALESCE(k0.merged_into, k0.id)
         WHERE s.unit = ? AND g.run_id = ?
        """,
        (unit, run),
    )
    return _group(rows), sources


def coders(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT coder FROM current_codings ORDER BY coder")]


def _group(rows) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for segment_id, code in rows:
        out.setdefault(segment_id, set()).add(code)
    return out
