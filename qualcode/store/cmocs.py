"""SQL for realist CMOCs: the configurations, the codes of each part, and their history.

A CMOC's row holds its current state; every creation and revision appends a row to
``cmoc_history`` in the same transaction, so the history is never rewritten. Codes are
stored by id and read through ``resolved_codes``: a renamed code keeps its place in a CMOC,
a merged one stands for the code it was merged into.
"""

from __future__ import annotations

import json
import sqlite3

from qualcode.store.db import utc_now

ROLES = ("context", "resource", "reasoning", "outcome")
STATUSES = ("initial", "refined", "confirmed", "refuted")
CONFIDENCES = ("low", "medium", "high")
# The columns of ``cmocs`` a revision may change (the key, author and creation time stay).
FIELDS = ("statement", "intervention", "actor", "confidence", "confidence_reason", "status", "theory_version")


def insert_cmoc(conn: sqlite3.Connection, key: str, values: dict, created_by: str) -> int:
    """A new CMOC; ``values`` holds some of :data:`FIELDS` (without a status: 'initial')."""
    columns = [c for c in FIELDS if c in values]
    names = ", ".join(["key", *columns, "created_by", "created_at"])
    marks = ", ".join("?" * (len(columns) + 3))
    return conn.execute(
        f"INSERT INTO cmocs ({names}) VALUES ({marks})",
        (key, *(values[c] for c in columns), created_by, utc_now()),
    ).lastrowid


def update_cmoc(conn: sqlite3.Connection, cmoc_id: int, values: dict) -> None:
    """Set the columns of :data:`FIELDS` in ``values`` (other keys are not columns of cmocs)."""
    columns = [c for c in FIELDS if c in values]
    if columns:
        assignments = ", ".join(f"{c} = ?" for c in columns)
        conn.execute(f"UPDATE cmocs SET {assignments} WHERE id = ?", (*(values[c] for c in columns), cmoc_id))


def set_codes(conn: sqlite3.Connection, cmoc_id: int, role: str, code_ids: list[int]) -> None:
    """Make ``code_ids`` (in this order) the codes of one part of a CMOC."""
    conn.execute("DELETE FROM cmoc_codes WHERE cmoc_id = ? AND role = ?", (cmoc_id, role))
    conn.executemany(
        "INSERT INTO cmoc_codes (cmoc_id, role, code_id, position) VALUES (?, ?, ?, ?)",
        [(cmoc_id, role, code_id, position) for position, code_id in enumerate(code_ids)],
    )


def insert_change(
    conn: sqlite3.Connection,
    cmoc_id: int,
    action: str,
    author: str,
    from_status: str | None,
    to_status: str,
    changes: dict,
    memo: str,
) -> int:
    """Append one row to a CMOC's history (``changes``: field -> [before, after])."""
    return conn.execute(
        "INSERT INTO cmoc_history (cmoc_id, action, author, from_status, to_status, changes, memo, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            cmoc_id, action, author, from_status, to_status,
            json.dumps(changes, ensure_ascii=False, sort_keys=True), memo, utc_now(),
        ),
    ).lastrowid  # fmt: skip


def cmoc_rows(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every CMOC, in the order they were made."""
    return conn.execute("SELECT * FROM cmocs ORDER BY id").fetchall()


def cmoc_row(conn: sqlite3.Connection, key: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM cmocs WHERE key = ?", (key,)).fetchone()


def cmoc_keys(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT key FROM cmocs ORDER BY id")]


def cmoc_codes(conn: sqlite3.Connection, cmoc_id: int | None = None) -> list[sqlite3.Row]:
    """(cmoc_id, role, code, kind, retired) of every CMOC (or one), the code being the one
    that stands for the stored code now (through renames and merges), in the order given."""
    return conn.execute(
        """
        SELECT cc.cmoc_id, cc.role, k.name AS code, k.kind, k.retired_in IS NOT NULL AS retired
          FROM cmoc_codes cc JOIN resolved_codes k ON k.code_id = cc.code_id
         WHERE :cmoc IS NULL OR cc.cmoc_id = :cmoc
         ORDER BY cc.cmoc_id, cc.role, cc.position
        """,
        {"cmoc": cmoc_id},
    ).fetchall()


def cmoc_history(conn: sqlite3.Connection, cmoc_id: int | None = None) -> list[sqlite3.Row]:
    """The history rows of every CMOC (or one) with the CMOC's key, oldest first."""
    return conn.execute(
        """
        SELECT h.*, c.key FROM cmoc_history h JOIN cmocs c ON c.id = h.cmoc_id
         WHERE :cmoc IS NULL OR h.cmoc_id = :cmoc ORDER BY h.id
        """,
        {"cmoc": cmoc_id},
    ).fetchall()


def latest_change(conn: sqlite3.Connection) -> str:
    """When a CMOC was last made or revised ("" when there are none): part of the data's date."""
    row = conn.execute("SELECT MAX(created_at) FROM cmoc_history").fetchone()
    return row[0] or ""
