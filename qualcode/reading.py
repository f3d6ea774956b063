"""Reading what a project holds: its status, sources, segments, runs and settings."""

from __future__ import annotations

import json
from collections.abc import Iterator

from qualcode.errors import InputError
from qualcode.segment import SegmentRow
from qualcode.store import codings as coding_store
from qualcode.store import decisions as decision_store
from qualcode.store import overview
from qualcode.store import runs as run_store
from qualcode.store import segments as segment_store
from qualcode.store import settings as setting_store
from qualcode.store import sources as source_store


def source_text(db, name: str) -> str:
    source_id = source_store.source_id(db.connection, name)
    if source_id is None:
        raise InputError(f"no source named {name!r} in the project")
    return source_store.source_text(db.connection, source_id)


def source_count(db) -> int:
    return len(source_store.source_ids(db.connection))


def active_unit(db) -> str | None:
    return setting_store.active_unit(db.connection)


def segments(db, unit: str | None = None) -> Iterator[SegmentRow]:
    unit = unit or setting_store.active_unit(db.connection)
    if unit is None:
        return iter(())
    return (
        SegmentRow(
            r["id"], r["source"], r["unit"], r["start"], r["end"], r["speaker"], r["role"],
            r["case"], r["text"], r["lemmas"],
        )
        for r in segment_store.iter_segments(db.connection, unit)
    )  # fmt: skip


def segments_frame(db, unit: str | None = None):
    import pandas as pd

    return pd.DataFrame([row.__dict__ for row in segments(db, unit)])


def status(db) -> dict:
    conn = db.connection
    return {
        "path": str(db.path),
        "schema_version": db.schema_version(),
        "counts": overview.counts(conn),
        "segments": segment_store.segment_counts(conn),
        "active_unit": setting_store.active_unit(conn),
        "roles": overview.role_overview(conn),
        "codings_per_coder": coding_store.codings_per_coder(conn),
        "sources": [dict(r) for r in overview.source_overview(conn)],
        "last_segmentation": run_store.run_dict(run_store.last_run(conn, "segment")),
        "unsaved_bytes": db.unsaved_bytes(),
    }


def runs(db, kind: str | None = None) -> list[dict]:
    return [
        {
            "id": r["id"],
            "kind": r["kind"],
            "config": json.loads(r["config"]),
            "versions": json.loads(r["versions"]),
            "summary": json.loads(r["summary"]),
            "started_at": r["started_at"],
            "finished_at": r["finished_at"],
        }
        for r in run_store.runs(db.connection, kind)
    ]


def segment_question(db, segment_id: int) -> str:
    """The interviewer's question just before a segment's turn, or "" (see ``question_before``)."""
    return (segment_store.question_before(db.connection, segment_id) or "").strip()


def decision_count(db) -> int:
    return decision_store.decision_count(db.connection)


def setting(db, key: str) -> str | None:
    return setting_store.get_setting(db.connection, key)


def set_setting(db, key: str, value: str) -> None:
    with db.transaction() as conn:
        setting_store.set_setting(conn, key, value)
