"""Realist CMOCs in REFI-QDA: each CMOC as a ``Set`` of its codes, its fields in the description.

REFI-QDA has no place for a context-mechanism-outcome configuration, but a project's ``Sets``
group codes, with a name and a ``Description`` that NVivo, ATLAS.ti and MAXQDA show. A ``.qdpx``
export writes one ``Set`` per CMOC (:mod:`qualcode.analysis.cmocs`), in the order they were made,
after the sets of the code kinds:

- the GUID ``guid("cmoc", key)`` and the name ``CMOC <key>``;
- a ``MemberCode`` for each of its codes in the exported codebook (context, resource,
  reasoning, outcome, each part in its own order);
- a ``Description`` of one field a line, after the line ``qualcode CMOC``::

      qualcode CMOC
      Key: CMO1
      Statement: If a homeless client gets a network meeting, then ... because ...
      Context: Dakloos
      Resource: Netwerkberaad
      Reasoning: Gehoord
      Outcome: Rust
      Outcome: Woning
      Intervention: netwerkberaad
      Actor: professional
      Confidence: medium
      Confidence reason: three interviews say so
      Status: refined
      Theory version: 2
      Created by: anna

  One line per code, so a code name may hold commas; empty fields are left out; a value of
  several lines goes on in lines indented by two spaces. The history stays in qualcode.

Reading a project, a set is a CMOC when its description starts with the line ``qualcode CMOC``
(any case); other sets are left as they are (the import counts them in its warnings). The
description says which part each code plays; the member codes tell a code renamed in the other
program: when the description names codes that are not members and as many members are not
named, they are paired in order. Each CMOC comes in with its status and one creation row in its
history (by its creator, ``imported`` when the set names none, the memo saying where it came
from); a set without a key gets the next free one (CMO1, CMO2, ...); a CMOC whose key the project has
already, or that cannot be read, is left out with a warning, and so is a code the codebook lacks.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from qualcode.analysis.cmocs import ROLES, Cmoc, import_cmoc
from qualcode.errors import QualcodeError
from qualcode.refi.xml import children, code_guid, guid, guid_key
from qualcode.store import cmocs as cmoc_store
from qualcode.store import codes as code_store

MARK = "qualcode CMOC"
# (field, heading): the description's lines in the order written; the parts come after the statement.
FIELDS = (
    ("key", "Key"),
    ("statement", "Statement"),
    *((role, role.capitalize()) for role in ROLES),
    ("intervention", "Intervention"),
    ("actor", "Actor"),
    ("confidence", "Confidence"),
    ("confidence_reason", "Confidence reason"),
    ("status", "Status"),
    ("theory_version", "Theory version"),
    ("created_by", "Created by"),
)
_HEADINGS = {heading.lower(): field for field, heading in FIELDS}
_INDENT = "  "


# --- writing ------------------------------------------------------------------------------


def format_cmoc(cmoc: Cmoc) -> str:
    """The ``Description`` of a CMOC's set (see the module for the layout)."""
    lines = [MARK]
    for field, heading in FIELDS:
        value = getattr(cmoc, field)
        for item in value if field in ROLES else [value]:
            if item:
                first, *rest = str(item).split("\n")
                lines += [f"{heading}: {first}"] + [_INDENT + line for line in rest]
    return "\n".join(lines)


def add_cmoc_sets(root: ET.Element, cmocs: list[Cmoc], exported: set[str]) -> None:
    """A ``Set`` per CMOC in the project's ``Sets`` (made when there is none yet); member codes
    only for the codes in the exported codebook (``exported``: their names)."""
    if not cmocs:
        return
    sets = next(iter(children(root, "Sets")), None)
    if sets is None:
        sets = ET.SubElement(root, "Sets")
    for cmoc in cmocs:
        element = ET.SubElement(sets, "Set", {"guid": guid("cmoc", cmoc.key), "name": f"CMOC {cmoc.key}"})
        ET.SubElement(element, "Description").text = format_cmoc(cmoc)
        for code in dict.fromkeys(code for role in ROLES for code in getattr(cmoc, role)):
            if code in exported:
                ET.SubElement(element, "MemberCode", {"targetGUID": code_guid(code)})


# --- reading ------------------------------------------------------------------------------


class Unreadable(ValueError):
    """A description marked as a CMOC whose lines do not fit the layout."""


def is_cmoc_set(element: ET.Element) -> bool:
    """Whether a ``Set`` is marked as a qualcode CMOC (its description's first line)."""
    text = _description(element).strip()
    return text.split("\n", 1)[0].strip().lower() == MARK.lower()


def parse_cmoc(text: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The fields of a CMOC description and its codes as (part, name), in the order given
    (:class:`Unreadable` when a line does not fit)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")[1:]
    items: list[list[str]] = []  # [field, value] in the order written
    for number, line in enumerate(lines, start=2):
        if line.startswith(_INDENT) and items:
            items[-1][1] += "\n" + line[len(_INDENT) :]
            continue
        if not line.strip():
            continue
        heading, colon, value = line.partition(":")
        field = _HEADINGS.get(heading.strip().lower()) if colon else None
        if field is None:
            raise Unreadable(f"line {number} is not one of its fields ({line.strip()[:40]!r})")
        if field not in ROLES and any(f == field for f, _ in items):
            raise Unreadable(f"line {number} gives the {heading.strip()} a second time")
        items.append([field, value.strip()])
    fields = {f: v.strip() for f, v in items if f not in ROLES}
    return fields, [(f, v.strip()) for f, v in items if f in ROLES and v.strip()]


def import_cmoc_sets(
    conn, root: ET.Element, where: str, code_names: dict[str, str]
) -> tuple[list[str], list[str]]:
    """Make a CMOC of each marked set of the project ``root`` (``code_names``: code GUID key
    -> its name in qualcode); returns the keys imported and the warnings."""
    keys: list[str] = []
    warnings: list[str] = []
    active = {r["name"] for r in code_store.active_codes(conn)}
    for holder in [root, *children(root, "CodeBook")]:
        for sets in children(holder, "Sets"):
            for element in children(sets, "Set"):
                if is_cmoc_set(element):
                    key = _import_one(conn, element, where, code_names, active, warnings)
                    keys += [key] if key else []
    return keys, warnings


def _import_one(conn, element, where: str, code_names: dict, active: set, warnings: list) -> str | None:
    name = (element.get("name") or "").strip() or guid_key(element.get("guid"))
    try:
        fields, listed = parse_cmoc(_description(element))
    except Unreadable as why:
        warnings.append(f"{where}: set {name!r} is marked as a qualcode CMOC, but {why}; left out")
        return None
    key = fields.get("key", "")
    if key in cmoc_store.cmoc_keys(conn):
        warnings.append(f"{where}: CMOC {key!r} is in the project already; kept the project's")
        return None
    members = [
        code_names.get(guid_key(m.get("targetGUID") or m.get("guid")))
        for m in children(element, "MemberCode")
    ]
    parts = _parts(listed, [m for m in members if m], active, f"{where}: CMOC {key or name!r}", warnings)
    try:
        return import_cmoc(
            conn, fields.get("statement", ""), fields.get("created_by") or "imported", parts, key or None,
            fields.get("status") or "initial", f"imported from {Path(where).name} (REFI-QDA set {name!r})",
            intervention=fields.get("intervention", ""), actor=fields.get("actor", ""),
            confidence=fields.get("confidence") or None, confidence_reason=fields.get("confidence_reason", ""),
            theory_version=fields.get("theory_version") or "1",
        ).key  # fmt: skip
    except QualcodeError as error:
        warnings.append(f"{where}: set {name!r} was not imported as a CMOC: {error}")
        return None


def _parts(listed, members: list[str], active: set[str], label: str, warnings: list[str]) -> dict:
    """Part -> code names: the description's, a name the members lack paired with a member it
    does not name (renamed in the other program) when their numbers agree; each code once."""
    named = {name for _, name in listed}
    spare = [m for m in dict.fromkeys(members) if m not in named]
    missing = [i for i, (_, name) in enumerate(listed) if name not in members]
    if spare and len(spare) == len(missing):
        for i, member in zip(missing, spare, strict=True):
            listed[i] = (listed[i][0], member)
    elif spare:
        warnings.append(f"{label}: the description gives no part to {', '.join(spare)}; left out")
    parts: dict[str, list[str]] = {role: [] for role in ROLES}
    seen: dict[str, str] = {}
    for part, name in listed:
        if name in seen:
            warnings.append(
                f"{label}: code {name!r} is its {seen[name]} and its {part}; kept the {seen[name]}"
            )
        elif name not in active:
            warnings.append(f"{label}: code {name!r} (its {part}) is not in the codebook; left out")
        else:
            seen[name] = part
            parts[part].append(name)
    return parts


def _description(element: ET.Element) -> str:
    return next((d.text or "" for d in children(element, "Description")), "")
