"""Codings: spans of a source given a code by a coder. Rows are never changed; what holds now
is the ``current_codings`` view, derived from the decisions log. Codes resolve through merges
(``resolved_codes``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from qualcode.store.db import utc_now

_INSERT = (
    'INSERT INTO codings (source_id, start, "end", code_id, coder, origin, suggestion_id, created_at, counter) '
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def insert_coding(
    conn: sqlite3.Connection, source_id: int, start: int, end: int, code_id: int, coder: str, origin: str,
    suggestion_id: int | None = None, counter: bool = False,
) -> int:  # fmt: skip
    return conn.execute(
        _INSERT, (source_id, start, end, code_id, coder, origin, suggestion_id, utc_now(), int(counter))
    ).lastrowid


def insert_codings(conn: sqlite3.Connection, rows: Iterable[tuple], origin: str) -> int:
    """Rows of (source_id, start, end, code_id, coder[, counter]); returns how many."""
    now = utc_now()
    cur = conn.executemany(
        _INSERT, [(*row[:5], origin, None, now, int(row[5]) if len(row) > 5 else 0) for row in rows]
    )
    return cur.rowcount


def coding(conn: sqlite3.Connection, coding_id: int) -> sqlite3.Row | None:
    """One coding, with whether it holds now."""
    return conn.execute(
        'SELECT c.id, c.source_id, c.start, c."end", c.code_id, c.coder, c.counter, '
        "c.id IN (SELECT id FROM current_codings) AS current FROM codings c WHERE c.id = ?",
        (coding_id,),
    ).fetchone()


def existing_codings(conn: sqlite3.Connection, source_id: int) -> set[tuple[int, int, int, str]]:
    """(start, end, code_id, coder) of every coding ever stored in a source."""
    return {
        (r[0], r[1], r[2], r[3])
        for r in conn.execute(
            'SELECT start, "end", code_id, coder FROM codings WHERE source_id = ?', (source_id,)
        )
    }


def coders(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT coder FROM current_codings ORDER BY coder")]


def codings_per_coder(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT coder, COUNT(*) FROM current_codings GROUP BY coder ORDER BY coder"))


def codings_table(conn: sqlite3.Connection, coder: str | None = None) -> list[sqlite3.Row]:
    """(source, start, end, code, coder) of the current codings, by source and position."""
    return conn.execute(
        """
        SELECT src.name AS source, c.start, c."end", k.name AS code, c.coder, c.counter
          FROM current_codings c JOIN sources src ON src.id = c.source_id
          JOIN resolved_codes k ON k.code_id = c.code_id
         WHERE :coder IS NULL OR c.coder = :coder ORDER BY src.name, c.start, k.name
        """,
        {"coder": coder},
    ).fetchall()


def current_codings(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every current coding with its code's name, by source id and position (for REFI)."""
    return conn.execute(
        """
        SELECT c.id, c.source_id, c.start, c."end", k.name AS code, c.coder, c.created_at
          FROM current_codings c JOIN resolved_codes k ON k.code_id = c.code_id
         ORDER BY c.source_id, c.start, c."end", k.name, c.coder, c.id
        """
    ).fetchall()


def reviewed_codings(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """The current codings (imported, by hand, accepted or edited) with their text, code kind,
    the suggestion each came from (if any) and when each was stored (for a coding a coder
    made, accepted or edited: the time of that decision)."""
    return iter_reviewed_codings(conn).fetchall()


def iter_reviewed_codings(conn: sqlite3.Connection) -> sqlite3.Cursor:
    """:func:`reviewed_codings` as a cursor: one row at a time (a large export)."""
    return conn.execute(
        """
        SELECT src.name AS source, x.source_id, x.start, x."end", k.name AS code, k.kind,
               substr(src.text, x.start + 1, x."end" - x.start) AS text,
               x.coder, x.origin, g.suggester, g.suggester_version, g.score, x.counter, x.created_at
          FROM current_codings x
          JOIN sources src ON src.id = x.source_id
          JOIN resolved_codes k ON k.code_id = x.code_id
          LEFT JOIN suggestions g ON g.id = x.suggestion_id
         ORDER BY src.name, x.start, x."end", k.position, x.coder, x.id
        """
    )


def coded_sources(conn: sqlite3.Connection, coder: str | None) -> list[int]:
    """Sources with a current coding (by ``coder``, or by anyone), in the order first coded."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT source_id FROM current_codings WHERE :coder IS NULL OR coder = :coder",
            {"coder": coder},
        )
    ]


# A coding "covers" a segment when they share at least half of the shorter of the two: the
# suggestion benchmark's matching rule, and what learning treats as a coded segment (a turn
# that a coding only grazes at its edge is not an example of the code).
_COVERS = (
    """(MIN(c."end", s."end") - MAX(c.start, s.start)) * 2 >= MIN(c."end" - c.start, s."end" - s.start)"""
)


def codes_on_segments(
    conn: sqlite3.Connection,
    unit: str,
    coder: str | None,
    source_id: int | None = None,
    covering: bool = False,
):
    """(segment id, code name) for every current coding overlapping a segment of ``unit``
    (of one coder or all; of one source or all); with ``covering``, only codings that cover
    at least half of the segment or of themselves."""
    return conn.execute(
        f"""
        SELECT s.id, k.name FROM segments s
          JOIN current_codings c ON c.source_id = s.source_id AND c.start < s."end" AND s.start < c."end"
          JOIN resolved_codes k ON k.code_id = c.code_id
         WHERE s.unit = :unit AND (:coder IS NULL OR c.coder = :coder)
           AND (:source IS NULL OR s.source_id = :source) AND ({_COVERS if covering else "1 = 1"})
        """,
        {"unit": unit, "coder": coder, "source": source_id},
    )


def coded_segments(conn: sqlite3.Connection, unit: str, coder: str | None) -> dict[int, set[str]]:
    """Every segment of the sources a coder has coded, with the codes whose codings cover it
    (see ``_COVERS``). With ``coder`` None, every human coder counts.
    """
    labelled: dict[int, set[str]] = {}
    for source_id in coded_sources(conn, coder):
        for (segment_id,) in conn.execute(
            "SELECT id FROM segments WHERE unit = ? AND source_id = ?", (unit, source_id)
        ):
            labelled[segment_id] = set()
        for segment_id, code in codes_on_segments(conn, unit, coder, source_id, covering=True):
            labelled[segment_id].add(code)
    return labelled


def source_codings(conn: sqlite3.Connection, source_id: int, coder: str | None = None) -> list[sqlite3.Row]:
    """The current codings of one source (of one coder, or all), with code name, colour and
    origin, by position: one query for the document view."""
    return conn.execute(
        """
        SELECT c.id, c.start, c."end", k.name AS code, k.colour, c.coder, c.origin
          FROM current_codings c JOIN resolved_codes k ON k.code_id = c.code_id
         WHERE c.source_id = :source AND (:coder IS NULL OR c.coder = :coder)
         ORDER BY c.start, c."end" DESC, k.position, c.coder, c.id
        """,
        {"source": source_id, "coder": coder},
    ).fetchall()
