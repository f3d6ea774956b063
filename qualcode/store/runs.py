"""Run records: every step that makes data (and every export) is a ``runs`` row with its
settings and the versions of the libraries that did the work, so it can be repeated."""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import platform
import sqlite3
from collections.abc import Iterable

from qualcode.store.db import utc_now
from qualcode.version import __version__

BASE_PACKAGES = ("spacy", "spacy-lookups-data")


def library_versions(packages: Iterable[str] = (), **extra: str) -> dict:
    """qualcode, Python, SQLite, spaCy and ``packages`` (``"not installed"`` when missing)."""
    versions = {
        "qualcode": __version__,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    for package in BASE_PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[package] = importlib.metadata.version(package)
    for package in packages:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {**versions, **extra}


def start_run(conn: sqlite3.Connection, kind: str, config: dict, versions: dict | None = None) -> int:
    """Begin a run record; ``versions`` defaults to :func:`library_versions`."""
    versions = library_versions() if versions is None else versions
    cur = conn.execute(
        "INSERT INTO runs (kind, config, versions, started_at) VALUES (?, ?, ?, ?)",
        (kind, json.dumps(config, sort_keys=True), json.dumps(versions, sort_keys=True), utc_now()),
    )
    return cur.lastrowid


def finish_run(conn: sqlite3.Connection, run_id: int, summary: dict) -> None:
    conn.execute(
        "UPDATE runs SET summary = ?, finished_at = ? WHERE id = ?",
        (json.dumps(summary, sort_keys=True), utc_now(), run_id),
    )


def record_run(conn: sqlite3.Connection, kind: str, config: dict, summary: dict, versions=None) -> int:
    """A run that is started and finished in one go (imports, exports)."""
    run_id = start_run(conn, kind, config, versions)
    finish_run(conn, run_id, summary)
    return run_id


def last_run(conn: sqlite3.Connection, kind: str) -> sqlite3.Row | None:
    """The latest finished run of ``kind``."""
    return conn.execute(
        "SELECT * FROM runs WHERE kind = ? AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1",
        (kind,),
    ).fetchone()


def last_run_config(conn: sqlite3.Connection, kind: str) -> dict:
    """The settings of the latest finished run of ``kind`` ({} before the first)."""
    run = last_run(conn, kind)
    return json.loads(run["config"]) if run else {}


def run_config(conn: sqlite3.Connection, run_id: int) -> dict:
    row = conn.execute("SELECT config FROM runs WHERE id = ?", (run_id,)).fetchone()
    return json.loads(row[0]) if row else {}


def run_dict(row: sqlite3.Row | None) -> dict | None:
    if row is None:
        return None
    return {
        "id": row["id"],
        "config": json.loads(row["config"]),
        "summary": json.loads(row["summary"]),
        "finished_at": row["finished_at"],
    }


def latest_data_versions(conn: sqlite3.Connection) -> str | None:
    """The library versions recorded with the latest run that made data (exports do not)."""
    row = conn.execute("SELECT versions FROM runs WHERE kind != 'export' ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else None


def data_date(conn: sqlite3.Connection) -> str:
    """The latest time any data was stored (so a report is dated by its data, not the clock;
    recording an export is not data, or exporting twice would give different bytes)."""
    row = conn.execute(
        """
        SELECT MAX(t) FROM (
            SELECT MAX(imported_at) AS t FROM sources
            UNION ALL SELECT MAX(created_at) FROM codings
            UNION ALL SELECT MAX(created_at) FROM decisions
            UNION ALL SELECT MAX(created_at) FROM codebook_versions
            UNION ALL SELECT MAX(finished_at) FROM runs WHERE kind != 'export') AS stored
        """
    ).fetchone()
    return row[0] or ""


def runs(conn: sqlite3.Connection, kind: str | None = None) -> list[sqlite3.Row]:
    """Every run record (of one kind, or all), oldest first."""
    return conn.execute(
        "SELECT * FROM runs WHERE :kind IS NULL OR kind = :kind ORDER BY id", {"kind": kind}
    ).fetchall()
