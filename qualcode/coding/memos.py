"""Memos: a researcher's notes on the project, a code, a source or a segment."""

from __future__ import annotations

from qualcode.errors import InputError
from qualcode.store import codes as code_store
from qualcode.store import codings as coding_store
from qualcode.store import review as review_store

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
        target_id = coding_store.source_spans(conn).get(str(target), (None,))[0]
    else:
        target_id = int(target) if str(target).isdigit() else None
        if (
            target_id is not None
            and not conn.execute("SELECT 1 FROM segments WHERE id = ?", (target_id,)).fetchone()
        ):
            target_id = None
    if on != "project" and target_id is None:
        raise InputError(f"no {on} {target!r} in the project")
    with db.transaction() as conn:
        return review_store.insert_memo(conn, on, target_id, author.strip(), text.strip())
