"""Project settings (``project_meta``): free keys, and the active segment unit."""

from __future__ import annotations

import json
import sqlite3

ACTIVE_UNIT = "active_unit"
SHARED_CODERS = "shared_training_coders"


def get_setting(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM project_meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_setting(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO project_meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def active_unit(conn: sqlite3.Connection) -> str | None:
    """The unit of the latest segmentation: the default for every step that reads segments."""
    return get_setting(conn, ACTIVE_UNIT)


def set_active_unit(conn: sqlite3.Connection, unit: str) -> None:
    set_setting(conn, ACTIVE_UNIT, unit)


def shared_coders(conn: sqlite3.Connection) -> list[str]:
    """Coders whose codings every coder's suggestions learn from (shared training data, such
    as an earlier team's codings imported by the project owner)."""
    return json.loads(get_setting(conn, SHARED_CODERS, "[]"))


def add_shared_coders(conn: sqlite3.Connection, coders) -> None:
    set_setting(conn, SHARED_CODERS, json.dumps(sorted(set(shared_coders(conn)) | set(coders))))
