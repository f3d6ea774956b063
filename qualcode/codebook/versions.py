"""The project's codebook: loading a file as a new version, reading the current one, exporting."""

from __future__ import annotations

import json
from pathlib import Path

from qualcode.errors import NO_CODEBOOK, ConflictError
from qualcode.store import codes as code_store


def load_codebook(db, path: str | Path) -> dict[str, list[str]]:
    """Read a codebook file and make it the current version; returns the changes by kind."""
    from qualcode.codebook import read_codebook

    return save_codebook(db, read_codebook(path), origin=str(path))


def save_codebook(db, codebook, origin: str) -> dict[str, list[str]]:
    """Make a (changed) :class:`Codebook` the current version, with the checks a file gets;
    returns the changes by kind."""
    from qualcode.suggest.runner import keep_profiles

    codebook.validate()
    with db.transaction() as conn:
        code_store.check_rename_target(conn, codebook)
        changes = code_store.apply_codebook(conn, codebook, origin=origin)
    keep_profiles(db)  # lemmatised now, so that suggesting need not load the spaCy pipeline
    return changes


def current_codebook(db):
    return code_store.current_codebook(db.connection)


def codebook_versions(db) -> list[dict]:
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "origin": r["origin"],
            "summary": json.loads(r["summary"]),
            "created_at": r["created_at"],
        }
        for r in code_store.codebook_versions(db.connection)
    ]


def export_codebook(db, path: str | Path) -> None:
    from qualcode.codebook import write_codebook

    codebook = current_codebook(db)
    if not codebook.codes:
        raise ConflictError(NO_CODEBOOK)
    write_codebook(codebook, path)
