"""The review log: one row per human decision, never updated. A decision stands unless a
later ``undo`` points at it (the ``effective_decisions`` view)."""

from __future__ import annotations

import sqlite3

from qualcode.store.db import utc_now


def insert_decision(
    conn: sqlite3.Connection, coder: str, action: str, suggestion_id: int | None = None,
    coding_id: int | None = None, undoes: int | None = None, replaces: int | None = None, note: str = "",
) -> int:  # fmt: skip
    return conn.execute(
        "INSERT INTO decisions (coder, action, suggestion_id, coding_id, undoes, replaces, note, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (coder, action, suggestion_id, coding_id, undoes, replaces, note, utc_now()),
    ).lastrowid


def standing_decision(conn: sqlite3.Connection, suggestion_id: int, coder: str) -> sqlite3.Row | None:
    """The coder's standing decision on a suggestion, if any."""
    return conn.execute(
        "SELECT id, action FROM effective_decisions WHERE suggestion_id = ? AND coder = ?",
        (suggestion_id, coder),
    ).fetchone()


def last_standing_decision(conn: sqlite3.Connection, coder: str) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT * FROM effective_decisions WHERE coder = ? ORDER BY id DESC LIMIT 1", (coder,)
    ).fetchone()


def decision_count(conn: sqlite3.Connection) -> int:
    """Every row of the log, undos included (it only grows)."""
    return conn.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]


def decision_ids(conn: sqlite3.Connection, coder: str) -> list[int]:
    """The coder's decisions, undos left out, in order."""
    rows = conn.execute("SELECT id FROM decisions WHERE coder = ? AND action != 'undo' ORDER BY id", (coder,))
    return [r[0] for r in rows]


def last_decision_id(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COALESCE(MAX(id), 0) FROM decisions").fetchone()[0]


def coders(conn: sqlite3.Connection) -> list[str]:
    """Everyone who has made a decision."""
    return [r[0] for r in conn.execute("SELECT DISTINCT coder FROM decisions ORDER BY coder")]
