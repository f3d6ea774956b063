"""What a project holds, in numbers (for ``qualcode status``)."""

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
