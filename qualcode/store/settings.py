"""Project settings (``project_meta``): free keys, and the active segment unit."""

from __future__ import annotations

import sqlite3

ACTIVE_UNIT = "active_unit"


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
