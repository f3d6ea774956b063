"""The code tree of the workbench's codebook panel, and its edits.

The tree is the current codebook with counts from the current codings (one query). Every
edit builds the changed :class:`Codebook` from the current one and applies it as a new
version through the same path as loading a file (:func:`save_codebook`): a rename is a code
with its old name in ``formerly`` (its codings follow it), a merge names the absorbed code in
the target's ``merges``, retiring leaves the code out (its codings stay in the log).
"""

from __future__ import annotations

import difflib

from qualcode.codebook.model import Code, Codebook
from qualcode.codebook.versions import save_codebook
from qualcode.errors import ConflictError, InputError
from qualcode.store import codes as code_store

ACTIONS = ("create", "rename", "move", "merge", "retire", "recolour")
NO_COUNTS = {"codings": 0, "sources": 0, "cases": 0}


def code_tree(db, coder: str | None = None) -> list[dict]:
    """The codebook's top codes, each with its ``children``, definition, criteria and counts
    (``codings``, ``sources``, ``cases``) of everyone's codings, or of ``coder``'s only."""
    codebook = code_store.current_codebook(db.connection)
    counts = code_store.code_counts(db.connection, coder)

    def node(code: Code, depth: int) -> dict:
        return {
            "name": code.name, "description": code.description, "parent": code.parent,
            "kind": code.kind, "label": code.label, "colour": code.colour,
            "inclusion": code.inclusion, "exclusion": code.exclusion, "examples": code.examples,
            "keywords": code.keywords, "lemmas": code.lemmas, "merges": code.merges,
            "counts": counts.get(code.name, NO_COUNTS), "depth": depth,
            "children": [node(child, depth + 1) for child in codebook.children(code.name)],
        }  # fmt: skip

    return [node(code, 0) for code in codebook.children(None)]


def edit_codebook(db, change: dict) -> dict:
    """Apply one edit as a new codebook version; returns ``{"changes": names per kind}``.

    ``change["action"]`` is one of :data:`ACTIONS`; ``code`` names the code it is about, and
    ``name`` (create, rename), ``parent`` (create, move; empty for the top), ``into``
    (merge), ``colour`` (create, recolour; empty for none), ``kind`` and ``description``
    (create) say how. Errors are the library's, before anything changes.
    """
    action = str(change.get("action") or "")
    if action not in ACTIONS:
        raise InputError(f"unknown codebook change {action!r}; choose one of {', '.join(ACTIONS)}")
    codebook = code_store.current_codebook(db.connection)
    for code in codebook.codes:
        code.merges = []  # merged before: stays merged (only this version's merges are news)
    if action == "create":
        name = _new_name(db, change.get("name"))
        codebook.codes.append(
            Code(
                name=name,
                description=_text(change.get("description")),
                parent=_text(change.get("parent")) or None,
                kind=_text(change.get("kind")) or "other",
                colour=_text(change.get("colour")) or None,
            )
        )
        origin = f"workbench: create {name}"
    else:
        code = _find(codebook, change.get("code"))
        origin = EDITS[action](db, codebook, code, change)
    return {"changes": save_codebook(db, codebook, origin=origin)}


def _rename(db, codebook: Codebook, code: Code, change: dict) -> str:
    old, new = code.name, _text(change.get("name"))
    if not new:
        raise InputError("give the code a new name")
    if new == old:
        raise InputError(f"code {old!r} already has that name")
    if new in codebook.by_name():
        raise ConflictError(f"the codebook already has a code named {new!r}; merge them instead")
    code.name, code.formerly = new, [old]
    for child in codebook.children(old):
        child.parent = new
    return f"workbench: rename {old} to {new}"


def _move(db, codebook: Codebook, code: Code, change: dict) -> str:
    parent = _text(change.get("parent")) or None
    if parent is not None:
        _find(codebook, parent)
    code.parent = parent
    return f"workbench: move {code.name} under {parent or 'the top'}"


def _merge(db, codebook: Codebook, code: Code, change: dict) -> str:
    target = _find(codebook, change.get("into"))
    if target.name == code.name:
        raise InputError(f"code {code.name!r} cannot be merged into itself")
    _leave_out(codebook, code, target.name)
    target.merges = [code.name]
    return f"workbench: merge {code.name} into {target.name}"


def _retire(db, codebook: Codebook, code: Code, change: dict) -> str:
    _leave_out(codebook, code, code.parent)
    return f"workbench: retire {code.name}"


def _recolour(db, codebook: Codebook, code: Code, change: dict) -> str:
    code.colour = _text(change.get("colour")) or None
    return f"workbench: recolour {code.name}"


EDITS = {"rename": _rename, "move": _move, "merge": _merge, "retire": _retire, "recolour": _recolour}


def _leave_out(codebook: Codebook, code: Code, heir: str | None) -> None:
    """Take ``code`` out of the codebook; its children go to ``heir`` (or, when the heir is
    one of them, to the code's own parent)."""
    for child in codebook.children(code.name):
        child.parent = code.parent if child.name == heir else heir
    codebook.codes.remove(code)


def _find(codebook: Codebook, name) -> Code:
    name = _text(name)
    found = codebook.by_name().get(name)
    if found is None:
        close = difflib.get_close_matches(name, list(codebook.by_name()), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise InputError(f"no code named {name!r} in the current codebook{hint}")
    return found


def _new_name(db, name) -> str:
    name = _text(name)
    if not name:
        raise InputError("give the new code a name")
    if code_store.code_name_taken(db.connection, name):
        raise ConflictError(
            f"the project already has a code named {name!r} (perhaps retired); choose another name"
        )
    return name


def _text(value) -> str:
    return "" if value is None else str(value).strip()
