"""Memos: a researcher's notes on the project, a code, a source or a segment."""

from __future__ import annotations

from qualcode.errors import InputError
from qualcode.store import codes as code_store
from qualcode.store import memos as memo_store
from qualcode.store import segments as segment_store
from qualcode.store import sources as source_store

TARGETS = ("project", "code", "source", "segment")


def add_memo(db, on: str, target, author: str, text: str) -> int:
    if on not in TARGETS:
        raise InputError(f"a memo is on one of {', '.join(TARGETS)}, not {on!r}")
    if not author.strip() or not text.strip():
        raise InputError("a memo needs an author and some text")
    conn = db.connection
    if on == "project":
        target_id = None
    elif on == "code":
        target_id = code_store.code_ids(conn).get(str(target))
    elif on == "source":
        target_id = source_store.source_id(conn, str(target))
    else:
        target_id = int(target) if str(target).isdigit() else None
        if target_id is not None and not segment_store.segment_exists(conn, target_id):
            target_id = None
    if on != "project" and target_id is None:
        raise InputError(f"no {on} {target!r} in the project")
    with db.transaction() as conn:
        return memo_store.insert_memo(conn, on, target_id, author.strip(), text.strip())


def memos(db) -> list[dict]:
    """Every memo, oldest first: id, target_kind, target (a name, or an id), author, text, time."""
    keys = ("id", "target_kind", "author", "text", "created_at", "target")
    return [{k: r[k] for k in keys} for r in memo_store.memos(db.connection)]
