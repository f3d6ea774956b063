"""What a project holds, in numbers (for ``qualcode status``), and the marker of its latest
changes that the workbench's live updates watch (``change_marker``, ``changed_by``)."""

from __future__ import annotations

import sqlite3

_COUNTED = ("sources", "speakers", "turns", "cases", "codes", "codings", "suggestions", "memos")


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in _COUNTED}


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


# The parts of the change marker: the latest decision, coding and memo (and how many memos),
# the latest codebook version and the latest switch of a run kind (blind mode). Every change a
# person makes adds a row to one of these tables, so comparing two markers tells whether
# anything changed; the tables are append-only, so an id never comes back.
MARKER_PARTS = ("decision", "coding", "memo", "memos", "codebook", "switch")


def change_marker(conn: sqlite3.Connection, switch_kind: str) -> dict[str, int]:
    """The ids of the latest rows a change adds (see ``MARKER_PARTS``), in one query; the
    ``switch`` is the latest run of ``switch_kind``."""
    row = conn.execute(
        """
        SELECT (SELECT COALESCE(MAX(id), 0) FROM decisions), (SELECT COALESCE(MAX(id), 0) FROM codings),
               (SELECT COALESCE(MAX(id), 0) FROM memos), (SELECT COUNT(*) FROM memos),
               (SELECT COALESCE(MAX(id), 0) FROM codebook_versions),
               (SELECT COALESCE(MAX(id), 0) FROM runs WHERE kind = ?)
        """,
        (switch_kind,),
    ).fetchone()
    return {part: int(value) for part, value in zip(MARKER_PARTS, row, strict=True)}


def changed_by(conn: sqlite3.Connection, since: dict[str, int]) -> list[str]:
    """Who made the decisions, codings and memos added after the marker ``since``."""
    rows = conn.execute(
        """
        SELECT coder FROM decisions WHERE id > :decision
        UNION SELECT coder FROM codings WHERE id > :coding
        UNION SELECT author FROM memos WHERE id > :memo
        """,
        {part: int(since.get(part, 0)) for part in ("decision", "coding", "memo")},
    )
    return sorted({r[0] for r in rows})
