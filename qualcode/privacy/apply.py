"""Pseudonymising a project: the plan made from it, and the pseudonymised copy a plan makes.

The original project is only read. :func:`plan_project` detects and proposes;
:func:`pseudonymise_project` writes a new project in which every table is copied through the
rules of :mod:`qualcode.privacy.tables` (texts replaced, offsets remapped, so every segment,
coding, suggestion and quote covers the same words), in one transaction on the copy (a copy
that fails leaves nothing behind), and then the encrypted key file (:mod:`.key`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.errors import ConflictError, InputError
from qualcode.privacy import detect, key
from qualcode.privacy.people import Person, build_people
from qualcode.privacy.plan import Plan, make_plan
from qualcode.privacy.replace import Pseudonymiser
from qualcode.privacy.tables import RowTransform
from qualcode.store import cases as case_store
from qualcode.store import copying, settings
from qualcode.store import privacy as privacy_store
from qualcode.store import sources as source_store
from qualcode.store.db import Database
from qualcode.transfer import copying_into

MARK = "pseudonymised"  # the copy's setting: key id, when, how many replacements


@dataclass
class ApplyReport:
    copy: str
    key: str
    rows: dict[str, int] = field(default_factory=dict)  # per table
    replaced: dict[str, int] = field(default_factory=dict)  # per type, in the source texts
    sources: dict[str, str] = field(default_factory=dict)  # original name -> name in the copy


def project_texts(db) -> dict[str, str]:
    with db.reading() as conn:
        return {row["name"]: row["text"] for row in source_store.sources_with_text(conn)}


def project_people(db, texts: dict[str, str] | None = None) -> list[Person]:
    """The participants of the project (:mod:`qualcode.privacy.people`)."""
    texts = project_texts(db) if texts is None else texts
    with db.reading() as conn:
        return build_people(privacy_store.people(conn), case_store.case_attributes(conn), texts)


def plan_project(
    db, detectors=detect.DEFAULT_DETECTORS, word_list=None, style: str = "role", nlp=None
) -> Plan:
    """The plan for a project: every finding of the ``detectors`` in its texts, merged, with
    proposed pseudonyms (``style`` role or names); ``word_list``: a word list file, or entries."""
    texts = project_texts(db)
    people = project_people(db, texts)
    if isinstance(word_list, str | Path):
        word_list = detect.read_word_list(word_list)
    words = list(word_list or ())
    findings = detect.detect(texts, people, words, detectors, nlp=nlp)
    return make_plan(texts, findings, people, words, style)


def pseudonymise_project(db, plan: Plan, target, key_path, passphrase: str | None) -> ApplyReport:
    """Write the pseudonymised copy of ``db`` at ``target`` (a new file) and its key at
    ``key_path`` (a new file, encrypted with ``passphrase``; None: no key, for a copy that is
    thrown away after an export)."""
    target = Path(target)
    key_path = Path(key_path) if key_path is not None else None
    if key_path is not None:
        key.check_passphrase(passphrase)
    _check_places(db, target, key_path)
    if not plan.replacing():
        raise InputError("the plan replaces nothing (every line is not personal); nothing to pseudonymise")
    pseudonymiser = Pseudonymiser(plan)
    key_id = key.new_key_id()
    with copying_into(db, target) as (source, conn):
        rows = source_store.sources_with_text(source)
        changed = {
            row["attribute_id"]
            for row in _attribute_values(source)
            if pseudonymiser.text(row["value"]) != row["value"]
        }
        transform = RowTransform(pseudonymiser, rows, changed)
        counts = copying.copy_rows(source, conn, transform=transform)
        mark = {"key_id": key_id, "replaced": dict(pseudonymiser.counts), "plan_lines": len(plan.replacing())}
        settings.set_setting(conn, MARK, json.dumps(mark, sort_keys=True))
        if key_path is not None:  # written before the copy commits: a failed key leaves no copy
            contents = key.contents_for(key_id, target.name, plan.replacing(), pseudonymiser.surfaces)
            key.write_key(key_path, contents, passphrase)
    return ApplyReport(
        str(target), str(key_path or ""), counts, dict(pseudonymiser.counts), dict(transform.names)
    )


def export_pseudonymised(
    db, plan: Plan, fmt: str, path, include: str = "reviewed", coder=None, consensus=False
):
    """Export the findings of ``db`` as they read pseudonymised by ``plan``, without changing
    the project: through a pseudonymised copy in a temporary folder, removed afterwards."""
    import tempfile

    from qualcode.export import export_findings

    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="qualcode-pseudo-") as folder:
        copy_path = Path(folder) / f"{path.stem or 'pseudonymised'}.qc"
        pseudonymise_project(db, plan, copy_path, None, None)
        copy = Database.open(copy_path)
        try:
            return export_findings(copy, fmt, path, include, coder, consensus)
        finally:
            copy.close()


def _attribute_values(conn):
    """(attribute_id, value) of every case attribute value."""
    ids = {row["name"]: row["id"] for row in case_store.attributes(conn)}
    return [{"attribute_id": ids[row["name"]], "value": row["value"]} for row in case_store.case_values(conn)]


def _check_places(db, target: Path, key_path: Path) -> None:
    original = Path(str(getattr(db.path, "url", db.path)))
    if target.resolve() == original.resolve():
        raise InputError(f"{target} is the project itself; the original is never changed: name a new file")
    if key_path is None:
        return
    if key_path.exists():
        raise ConflictError(f"{key_path} already exists; a key is never overwritten, choose a new name")
    if key_path.resolve() in (target.resolve(), original.resolve()):
        raise InputError("the key must be a file of its own, apart from the project and the copy")


def mark_of(db) -> dict | None:
    """The pseudonymisation mark of a copy (key id, replacements), None for an original."""
    with db.reading() as conn:
        value = settings.get_setting(conn, MARK)
    return json.loads(value) if value else None


def reverse_text(text: str, key_path, passphrase: str, db=None) -> tuple[str, list[str]]:
    """A quote of the copy in its original words; with ``db`` (the copy), the key must be its key."""
    contents = key.read_key(key_path, passphrase)
    if db is not None:
        mark = mark_of(db)
        if mark is None:
            raise InputError(f"{db.path} is not a pseudonymised copy; give the copy the key was written for")
        if mark["key_id"] != contents.key_id:
            raise InputError(f"{key_path} is the key of another copy ({contents.copy}), not of {db.path}")
    return key.reverse(text, contents)
