"""A programme theory written as a file: CMOCs in YAML, read into a project at once.

Realist teams often draft their initial programme theory before coding, in a document; this
file form lets them keep it beside the codebook, in version control, and load it with
``qualcode cmoc import`` or a study's ``cmocs:`` step::

    by: anna                  # who recorded them (each CMOC may name its own)
    memo: initial programme theory from the literature review
    cmocs:
      - key: CMO1
        statement: Als ..., dan ..., omdat ...
        context: [Tijd en tempo]
        resource: [Klein en geleidelijk beginnen]
        reasoning: [Cliënt kiest zelf]
        outcome: [Herstel van contact met naasten]
        confidence: medium
        confidence_reason: ...
        status: initial       # or refined, confirmed, refuted
        theory_version: "1"

All CMOCs are checked (codes against the codebook, fields, statuses) and stored in one
transaction, or none. Each CMOC needs its key; a key the project has already is skipped when the file says the same
of it, and refused when it says something else: a change to a recorded CMOC is a revision
with a memo (``qualcode cmoc revise``), never a silent overwrite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qualcode.analysis import cmocs as records
from qualcode.codebook.yamlfile import load_yaml
from qualcode.errors import InputError, QualcodeError

PARTS = ("context", "resource", "reasoning", "outcome")
FIELDS = ("intervention", "actor", "confidence", "confidence_reason", "theory_version")
KNOWN = {"key", "statement", "status", "by", "memo", *PARTS, *FIELDS, "__line__"}


@dataclass
class CmocFileReport:
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def import_cmoc_file(db, path: str | Path) -> CmocFileReport:
    """Read every CMOC of the YAML file ``path`` into the project (see the module docstring)."""
    path = Path(path)
    data = load_yaml(path, "a CMOC file")
    if not isinstance(data, dict) or not isinstance(data.get("cmocs"), list):
        raise InputError(
            "a CMOC file needs a list under 'cmocs:' (see qualcode cmoc import --help)", str(path)
        )
    by, memo = data.get("by"), str(data.get("memo") or "")
    existing = {c.key: c for c in records.cmocs(db)}
    report = CmocFileReport()
    with db.transaction() as conn:
        for number, entry in enumerate(data["cmocs"], start=1):
            line = entry.get("__line__") if isinstance(entry, dict) else None
            try:
                _one(conn, entry, by, memo, existing, report)
            except QualcodeError as error:
                raise InputError(f"CMOC {number}: {error}", str(path), line) from None
    return report


def _one(conn, entry, by, memo: str, existing: dict, report: CmocFileReport) -> None:
    if not isinstance(entry, dict):
        raise InputError("each CMOC is a mapping with at least a statement and its codes")
    unknown = sorted(set(entry) - KNOWN)
    if unknown:
        raise InputError(
            f"unknown field {unknown[0]!r}; the fields are: {', '.join(sorted(KNOWN - {'__line__'}))}"
        )
    parts = {p: _names(entry.get(p), p) for p in PARTS}
    key = str(entry.get("key") or "").strip()
    if not key:  # a file read twice must name the same CMOCs: a key each, not a new one each time
        raise InputError("every CMOC in a file needs a key (key: CMO1), so reading the file again finds it")
    if key in existing:
        if _same(existing[key], entry, parts):
            report.unchanged.append(key)
            return
        raise InputError(
            f"{key} is already recorded and differs from the file; revise it with a memo: "
            f"qualcode cmoc revise PROJECT {key} --by NAME --memo '...'"
        )
    fields = {f: entry[f] for f in FIELDS if entry.get(f) is not None}
    fields["theory_version"] = str(fields.get("theory_version", "1"))
    made = records.import_cmoc(
        conn, entry.get("statement"), entry.get("by") or by, parts, key, str(entry.get("status") or "initial"),
        str(entry.get("memo") or memo), **fields,
    )  # fmt: skip
    report.added.append(made.key)


def _names(value, part: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        raise InputError(f"field {part!r}: give a list of code names, e.g. {part}: [{value}]")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"field {part!r}: give a list of code names")
    return [v.strip() for v in value]


def _same(cmoc, entry: dict, parts: dict) -> bool:
    """Whether the file says of a recorded CMOC what the project holds."""
    if str(entry.get("statement") or "").strip() != cmoc.statement:
        return False
    if any(tuple(parts[p]) != getattr(cmoc, p) for p in PARTS):
        return False
    status = str(entry.get("status") or "initial")
    return status == cmoc.status
