"""What changed in a project, for the workbench's live updates (``/api/events``): a cheap
marker of the latest changes (one query, ``store.overview.change_marker``), who made the
changes after an earlier marker, and what one viewer may be told about them.

Blind mode decides what is told: while it is on, a viewer hears only of their own changes
and of the changes that are everyone's (a new codebook version, blind mode switched), never
that another coder did something; the marker a viewer is given to come back with
(``marker_text``) then carries only those shared parts, so not even a count moves.
"""

from __future__ import annotations

import re

from qualcode.coding.blind import is_blind
from qualcode.coding.resolve import AGREED
from qualcode.store import overview as overview_store

SWITCH_KIND = "blind"  # the run kind of blind mode's switches (``qualcode.coding.blind``)
SHARED_PARTS = ("codebook", "switch")  # changes that are everyone's, blind or not
PERSONAL_PARTS = ("decision", "coding", "memo")  # rows with a person's name
_LETTERS = {"decision": "d", "coding": "c", "memo": "m", "memos": "n", "codebook": "v", "switch": "s"}
_PARTS = {letter: part for part, letter in _LETTERS.items()}
_TEXT = re.compile(r"^[a-z]\d{1,18}(?:\.[a-z]\d{1,18}){0,9}$")


def changes(db, since: dict[str, int] | None = None) -> dict:
    """The marker now, whether the project is blind, and who changed something after the
    marker ``since`` (names only when ``since`` has every personal part)."""
    conn = db.connection
    marker = overview_store.change_marker(conn, SWITCH_KIND)
    by: list[str] = []
    if since and since != marker and all(part in since for part in PERSONAL_PARTS):
        # The agreed codings come with their owner's decisions: the owner is who changed them.
        by = [name for name in overview_store.changed_by(conn, since) if name != AGREED]
    return {"marker": marker, "by": by, "blind": is_blind(db)}


def event_for(before: dict, after: dict, by: list[str], blind: bool, viewer: str | None) -> dict | None:
    """What ``viewer`` is told of the changes from marker ``before`` to ``after`` (made by
    ``by``), or None: nothing they may hear of. ``others``: someone else changed something the
    viewer sees (or the codebook or blind mode changed), so their page is out of date."""
    moved = [part for part, value in after.items() if before.get(part, value) != value]
    if not moved:
        return None
    switched = any(part in SHARED_PARTS for part in moved)
    if blind:
        mine = viewer is not None and viewer in by
        if not (switched or mine):
            return None
        return {"by": [viewer] if mine else [], "others": switched, "switched": switched, "blind": True}
    others = switched or any(name != viewer for name in by)
    return {"by": list(by), "others": others, "switched": switched, "blind": False}


def marker_text(marker: dict, blind: bool) -> str:
    """The marker as an event id (``d12.c40.m3.n3.v2.s1``); in blind mode the shared parts only."""
    parts = SHARED_PARTS if blind else tuple(_LETTERS)
    return ".".join(f"{_LETTERS[part]}{int(marker[part])}" for part in parts if part in marker)


def parse_marker(text: str | None) -> dict[str, int] | None:
    """A marker from an event id a browser sent back (``Last-Event-ID``); None when it is not one."""
    text = (text or "").strip()
    if len(text) > 200 or not _TEXT.match(text):
        return None
    found = {}
    for piece in text.split("."):
        part = _PARTS.get(piece[0])
        if part is None:
            return None
        found[part] = int(piece[1:])
    return found
