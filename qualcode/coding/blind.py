"""Blind mode, for agreement studies: while it is on, no coder's work is shaped by or shown
to another's. Each coder's suggestions already learn only from that coder's decisions; blind
mode also refuses whatever would show or use several coders' codings at once (findings,
mechanisms, exports, agreement, shared suggestion runs, learning from everyone), until the
project owner reveals them with ``qualcode blind off``. Every switch is a run record, so
``agree`` can say afterwards which decisions were made blind.
"""

from __future__ import annotations

import json

from qualcode.errors import ConflictError
from qualcode.store import decisions as decision_store
from qualcode.store import runs as run_store

_KIND = "blind"


def set_blind(db, on: bool) -> None:
    """Record the switch with the latest decision before it, so every decision falls exactly
    on one side (times have only second resolution)."""
    with db.transaction() as conn:
        run_store.record_run(
            conn, _KIND, {"on": bool(on)}, {"after_decision": decision_store.last_decision_id(conn)}
        )


def is_blind(db) -> bool:
    return bool(run_store.last_run_config(db.connection, _KIND).get("on"))


def refuse_when_blind(db, what: str) -> None:
    """A one-line error while blind mode is on: ``what`` would show several coders' work."""
    if is_blind(db):
        raise ConflictError(
            f"the project is in blind mode (an agreement study): {what} would show other coders' "
            "work; the project owner reveals it with: qualcode blind off"
        )


def blind_decisions(db, coders: list[str]) -> dict[str, tuple[int, int]]:
    """Per coder: (decisions made while blind mode was on, all decisions)."""
    periods, started = [], None  # (after this decision id, up to this one)
    for run in run_store.runs(db.connection, _KIND):
        on = bool(json.loads(run["config"]).get("on"))
        after = json.loads(run["summary"]).get("after_decision", 0)
        if on and started is None:
            started = after
        elif not on and started is not None:
            periods.append((started, after))
            started = None
    if started is not None:
        periods.append((started, float("inf")))
    out = {}
    for coder in coders:
        ids = decision_store.decision_ids(db.connection, coder)
        out[coder] = (sum(any(a < i <= b for a, b in periods) for i in ids), len(ids))
    return out


def switch(db, on: bool | None = None) -> dict:
    """Turn blind mode on or off (``None``: leave it); returns whether it is on and, per coder
    with decisions, (blind decisions, decisions)."""
    if on is not None and on != is_blind(db):
        set_blind(db, on)
    coders = decision_store.coders(db.connection)
    return {"blind": is_blind(db), "decisions": blind_decisions(db, coders)}
