"""Segments: the units of coding, as spans of a source made by one segmentation run."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator

from qualcode.errors import NO_SEGMENTS, ConflictError, no_segments_of
from qualcode.store.settings import active_unit

# A segment's text is cut from its source, so it always equals source.text[start:end].
SEGMENT_TEXT = 'substr(src.text, seg.start + 1, seg."end" - seg.start)'


def delete_segments_of_source(conn: sqlite3.Connection, unit: str, source_id: int) -> None:
    conn.execute("DELETE FROM segments WHERE unit = ? AND source_id = ?", (unit, source_id))


def delete_older_segments(conn: sqlite3.Connection, unit: str, run_id: int) -> None:
    """Segments of ``unit`` not made by the segmentation run ``run_id``."""
    conn.execute("DELETE FROM segments WHERE unit = ? AND run_id != ?", (unit, run_id))


_INSERT = (
    'INSERT INTO segments (source_id, turn_id, run_id, unit, position, start, "end", norm, lemmas) VALUES '
)
_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
# Rows per INSERT statement in SQLite: a statement per row costs a fifth more than a statement
# per hundred (900 parameters, under the 999 even an old SQLite allows).
_ROWS_PER_INSERT = 100
_INSERT_MANY = _INSERT + ", ".join([_ROW] * _ROWS_PER_INSERT)


def insert_segments(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Rows of (source_id, turn_id, run_id, unit, position, start, end, norm, lemmas), stored
    in their order (their ids follow it)."""
    whole = len(rows) - len(rows) % _ROWS_PER_INSERT if isinstance(conn, sqlite3.Connection) else 0
    if whole:
        conn.executemany(
            _INSERT_MANY,
            [
                tuple(itertools.chain.from_iterable(rows[i : i + _ROWS_PER_INSERT]))
                for i in range(0, whole, _ROWS_PER_INSERT)
            ],
        )
    if whole < len(rows):
        conn.executemany(_INSERT + _ROW, rows[whole:])


def iter_segments(conn: sqlite3.Connection, unit: str) -> Iterator[sqlite3.Row]:
    """Segments of ``unit`` with their text, speaker, role and case, by source and position."""
    return conn.execute(
        f"""
        SELECT seg.id, seg.source_id, src.name AS source, seg.unit, seg.position, seg.turn_id,
               seg.start, seg."end", sp.label AS speaker, sp.role, c.name AS "case",
               {SEGMENT_TEXT} AS text, seg.norm, seg.lemmas
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


def segment_spans(conn: sqlite3.Connection, unit: str) -> list[sqlite3.Row]:
    """(id, source_id, turn_id, position, start, end) of every segment of ``unit``, by source id
    and position (no text: for locating codings)."""
    return iter_segment_spans(conn, unit).fetchall()


def iter_segment_spans(conn: sqlite3.Connection, unit: str) -> sqlite3.Cursor:
    """:func:`segment_spans` as a cursor, one row at a time (a compact snapshot of a large project)."""
    return conn.execute(
        'SELECT id, source_id, turn_id, position, start, "end" FROM segments WHERE unit = ? '
        "ORDER BY source_id, position",
        (unit,),
    )


def segment_exists(conn: sqlite3.Connection, segment_id: int) -> bool:
    return conn.execute("SELECT 1 FROM segments WHERE id = ?", (segment_id,)).fetchone() is not None


def segment_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT unit, COUNT(*) FROM segments GROUP BY unit ORDER BY unit"))


def neighbours(conn: sqlite3.Connection, segment_id: int) -> tuple[str, str]:
    """The text of the segment before and after (same unit and source), for context."""
    row = conn.execute(
        "SELECT source_id, unit, position FROM segments WHERE id = ?", (segment_id,)
    ).fetchone()
    if row is None:
        return "", ""

    def at(position: int) -> str:
        found = conn.execute(
            f"SELECT {SEGMENT_TEXT} FROM segments seg JOIN sources src ON src.id = seg.source_id "
            "WHERE seg.source_id = ? AND seg.unit = ? AND seg.position = ?",
            (row["source_id"], row["unit"], position),
        ).fetchone()
        return found[0] if found else ""

    return at(row["position"] - 1), at(row["position"] + 1)


def question_before(conn: sqlite3.Connection, segment_id: int) -> str | None:
    """The text of the interviewer turn directly before a segment's turn (same source), when
    the segment's own turn is not an interviewer's; None otherwise."""
    row = conn.execute(
        """
        SELECT substr(src.text, prev.start + 1, prev."end" - prev.start)
          FROM segments seg
          JOIN turns cur ON cur.id = seg.turn_id
          LEFT JOIN speakers own ON own.id = cur.speaker_id
          JOIN turns prev ON prev.source_id = cur.source_id AND prev.position = (
               SELECT MAX(position) FROM turns WHERE source_id = cur.source_id AND position < cur.position)
          JOIN speakers asker ON asker.id = prev.speaker_id
          JOIN sources src ON src.id = cur.source_id
         WHERE seg.id = ? AND asker.role = 'interviewer' AND COALESCE(own.role, '') != 'interviewer'
        """,
        (segment_id,),
    ).fetchone()
    return row[0] if row else None


def sources_with_segments(conn: sqlite3.Connection, unit: str) -> set[int]:
    return {r[0] for r in conn.execute("SELECT DISTINCT source_id FROM segments WHERE unit = ?", (unit,))}


def segments_of_unit(conn: sqlite3.Connection, unit: str | None = None) -> tuple[str, list[sqlite3.Row]]:
    """``unit`` (default: the active unit) and its segments with text, or an error saying
    how to make them."""
    unit = unit or active_unit(conn)
    if unit is None:
        raise ConflictError(NO_SEGMENTS)
    rows = list(iter_segments(conn, unit))
    if not rows:
        raise ConflictError(no_segments_of(unit))
    return unit, rows


# -- reading a large unit source by source (the suggesters stream over it) --------------------


def segment_count(conn: sqlite3.Connection, unit: str) -> int:
    return conn.execute("SELECT COUNT(*) FROM segments WHERE unit = ?", (unit,)).fetchone()[0]


def sources_in_order(conn: sqlite3.Connection, unit: str) -> list[tuple[int, str]]:
    """(id, name) of the sources with segments of ``unit``, by name (the order of
    :func:`iter_segments`)."""
    return [
        (r[0], r[1])
        for r in conn.execute(
            "SELECT src.id, src.name FROM sources src WHERE EXISTS "
            "(SELECT 1 FROM segments seg WHERE seg.source_id = src.id AND seg.unit = ?) ORDER BY src.name",
            (unit,),
        )
    ]


def segment_positions(conn: sqlite3.Connection, unit: str, source_id: int) -> list[tuple[int, int]]:
    """(id, position) of one source's segments of ``unit``, by position."""
    return [
        (r[0], r[1])
        for r in conn.execute(
            "SELECT id, position FROM segments WHERE unit = ? AND source_id = ? ORDER BY position",
            (unit, source_id),
        )
    ]


def segments_of_source(
    conn: sqlite3.Connection, unit: str, source_id: int, ids: list[int] | None = None
) -> list[dict]:
    """One source's segments of ``unit`` (only ``ids``, if given) with the fields of
    :func:`iter_segments`, by position. The texts are cut from the source text in Python: an
    SQL substr into a long UTF-8 text counts characters from its start, every row again."""
    from qualcode.store.sources import source_text

    only = f"AND seg.id IN ({', '.join('?' * len(ids))})" if ids is not None else ""
    rows = conn.execute(
        f"""
        SELECT seg.id, seg.source_id, seg.unit, seg.position, seg.turn_id, seg.start, seg."end",
               sp.label AS speaker, sp.role, c.name AS "case", seg.norm, seg.lemmas
          FROM segments seg
          LEFT JOIN turns t ON t.id = seg.turn_id
          LEFT JOIN speakers sp ON sp.id = t.speaker_id
          LEFT JOIN cases c ON c.id = sp.case_id
         WHERE seg.unit = ? AND seg.source_id = ? {only}
         ORDER BY seg.position
        """,
        (unit, source_id, *(ids or ())),
    ).fetchall()
    text = source_text(conn, source_id) if rows else ""
    return [dict(r, text=text[r["start"] : r["end"]]) for r in rows]


def last_position(conn: sqlite3.Connection, unit: str, source_id: int) -> int:
    row = conn.execute(
        "SELECT MAX(position) FROM segments WHERE unit = ? AND source_id = ?", (unit, source_id)
    ).fetchone()
    return row[0] or 0
