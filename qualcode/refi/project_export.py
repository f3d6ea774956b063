"""REFI-QDA project export: the whole project as a ``.qdpx`` for NVivo, ATLAS.ti or MAXQDA.

The archive holds ``project.qde`` (valid against ``Project-mrt2019.xsd``) and one UTF-8
``sources/<GUID>.txt`` per source, with the source's exact text. Characters XML 1.0 forbids
(control characters a transcript may hold) are left out of ``project.qde`` (names, descriptions,
memos, values: :func:`qualcode.refi.xml.to_bytes`), so every export reads back. The file is
written to a temporary file and moved into place when complete. Positions are qualcode's
code-point offsets into the normalised text, which is exactly the text written. Only current
(reviewed or human) codings go in. Cases name their speakers in their description, one line
per speaker::

    qualcode speakers:
    - interview01: R (client)

so qualcode reads the links back, and other tools show them. Each source's description lists the
role of each of its speakers that has one (``- Lotte (interviewer)``), so an interviewer who
belongs to no case keeps her role, and her turns stay out of the segments
(:mod:`qualcode.refi.speakers`). A coding marked as counter-evidence is also coded with the code
``Tegenbewijs (qualcode counter-evidence)`` (:mod:`qualcode.refi.counter`). Each realist CMOC is
a ``Set`` of its codes, its fields in the set's description (:mod:`qualcode.refi.cmoc_sets`). The same project
always gives the same bytes: GUIDs are ``uuid5`` of stable keys, elements are sorted, dates come from the
stored values and the zip entries carry a fixed date.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from qualcode import files
from qualcode.analysis.cmocs import cmocs
from qualcode.codebook.model import Codebook
from qualcode.coding.blind import refuse_when_blind
from qualcode.refi.cmoc_sets import add_cmoc_sets
from qualcode.refi.codebook import add_code_element, add_kind_sets
from qualcode.refi.counter import add_counter_code, add_counter_coding
from qualcode.refi.speakers import Speaker, format_roles, format_speakers
from qualcode.refi.xml import NS_PROJECT, ORIGIN, code_guid, guid, to_bytes
from qualcode.store import cases as case_store
from qualcode.store import codes as code_store
from qualcode.store import codings as coding_store
from qualcode.store import memos as memo_store
from qualcode.store import sources as source_store

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_VARIABLE_TYPES = {
    "text": "Text",
    "integer": "Integer",
    "float": "Float",
    "boolean": "Boolean",
    "date": "Date",
}


def export_qdpx(db, path: str | Path) -> None:
    """Write the project in ``db`` as a REFI-QDA project archive at ``path``."""
    refuse_when_blind(db, "a .qdpx export")
    conn = db.connection
    sources = source_store.sources_with_text(conn)
    xml, texts = _project_xml(conn, Path(db.path).stem, sources, cmocs(db))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _write_entry(archive, "project.qde", xml)
        for name, text in sorted(texts.items()):
            _write_entry(archive, f"sources/{name}", text.encode("utf-8"))
    files.write_bytes_atomically(path, buffer.getvalue())


def _write_entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 0
    archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)


def _project_xml(conn, name: str, sources, realist: list) -> tuple[bytes, dict[str, str]]:
    codings = coding_store.current_codings(conn)
    counter = _counter_keys(conn)
    memos = memo_store.memos(conn)
    users = sorted({c["coder"] for c in codings} | {m["author"] for m in memos})
    codebook = _codebook(conn)
    notes_on = _note_refs(memos)

    root = ET.Element("Project", {"xmlns": NS_PROJECT, "name": name, "origin": ORIGIN})
    if users:
        element = ET.SubElement(root, "Users")
        for user in users:
            ET.SubElement(element, "User", {"guid": guid("user", user), "name": user})
    if codebook.codes:
        codes = ET.SubElement(ET.SubElement(root, "CodeBook"), "Codes")
        for code in codebook.children(None):
            add_code_element(codes, code, codebook, notes_on)
        if counter:
            add_counter_code(codes)
    _add_variables(root, case_store.attributes(conn))
    _add_cases(root, conn)
    texts = _add_sources(root, sources, codings, notes_on, _roles(conn), counter)
    if memos:
        element = ET.SubElement(root, "Notes")
        for memo in memos:
            _add_note(element, memo)
    add_kind_sets(root, sorted(codebook.codes, key=lambda c: c.name), "targetGUID")
    add_cmoc_sets(root, realist, {c.name for c in codebook.codes})
    for memo in memos:
        if memo["target_kind"] == "project" or memo["target_name"] is None:
            ET.SubElement(root, "NoteRef", {"targetGUID": guid("memo", str(memo["id"]))})
    return to_bytes(root), texts


def _codebook(conn) -> Codebook:
    """The current codebook, plus any retired code that current codings still use."""
    codebook = code_store.current_codebook(conn)
    codebook.codes += code_store.retired_codes_in_use(conn)
    return codebook


def _counter_keys(conn) -> set[tuple]:
    """(source name, start, end, code, coder) of the current codings marked as counter-evidence."""
    return {
        (r["source"], r["start"], r["end"], r["code"], r["coder"])
        for r in coding_store.codings_table(conn)
        if r["counter"]
    }


def _roles(conn) -> dict[int, list[tuple[str, str]]]:
    """Source id -> (label, role) of its speakers that have a role, in the order they first speak."""
    roles: dict[int, list[tuple[str, str]]] = {}
    for row in source_store.speaker_roles(conn):
        roles.setdefault(row["source_id"], []).append((row["label"], row["role"]))
    return roles


def _note_refs(memos) -> dict[tuple[str, str], list[str]]:
    """(kind, name) of a code or source -> the GUIDs of the notes about it."""
    refs: dict[tuple[str, str], list[str]] = {}
    for memo in memos:
        if memo["target_kind"] != "project" and memo["target_name"] is not None:
            kind = "code" if memo["target_kind"] == "code" else "source"
            refs.setdefault((kind, memo["target_name"]), []).append(guid("memo", str(memo["id"])))
    return refs


def _add_variables(root: ET.Element, attributes) -> None:
    if not attributes:
        return
    element = ET.SubElement(root, "Variables")
    for row in attributes:
        ET.SubElement(
            element,
            "Variable",
            {
                "guid": guid("variable", row["name"]),
                "name": row["name"],
                "typeOfVariable": _VARIABLE_TYPES[row["type"]],
            },
        )


def _add_cases(root: ET.Element, conn) -> None:
    """The cases, with their values, the speakers they link (in the description) and their sources."""
    cases = case_store.cases(conn)
    if not cases:
        return
    values: dict[int, list] = {}
    for row in case_store.case_values(conn):
        values.setdefault(row["case_id"], []).append(row)
    speakers: dict[int, list] = {}
    for row in source_store.case_speakers(conn):
        speakers.setdefault(row["case_id"], []).append(row)
    element = ET.SubElement(root, "Cases")
    for case in cases:
        case_element = ET.SubElement(
            element, "Case", {"guid": guid("case", case["name"]), "name": case["name"]}
        )
        linked = speakers.get(case["id"], [])
        if linked:
            ET.SubElement(case_element, "Description").text = format_speakers(
                Speaker(s["source"], s["label"], s["role"]) for s in linked
            )
        for row in values.get(case["id"], []):
            value = ET.SubElement(case_element, "VariableValue")
            ET.SubElement(value, "VariableRef", {"targetGUID": guid("variable", row["name"])})
            tag, text = _typed_value(row["type"], row["value"])
            ET.SubElement(value, tag).text = text
        for source in sorted({s["source"] for s in linked}):
            ET.SubElement(case_element, "SourceRef", {"targetGUID": guid("source", source)})


def _typed_value(kind: str, value: str) -> tuple[str, str]:
    """The REFI value element for a stored value; text when it does not fit its type."""
    try:
        if kind == "integer":
            return "IntegerValue", str(int(value))
        if kind == "float":
            number = Decimal(value)
            if number.is_finite():
                return "FloatValue", format(number, "f")
        if kind == "boolean" and value in ("true", "false"):
            return "BooleanValue", value
        if kind == "date":
            return "DateValue", date.fromisoformat(value).isoformat()
    except (ValueError, InvalidOperation):
        pass
    return "TextValue", value


def _add_sources(
    root: ET.Element, sources, codings, notes_on: dict, roles: dict, counter: set
) -> dict[str, str]:
    """The text sources with their speakers' roles and their codings; returns the text of each
    file the archive holds."""
    texts: dict[str, str] = {}
    if not sources:
        return texts
    element = ET.SubElement(root, "Sources")
    by_source: dict[int, list] = {}
    for coding in codings:
        by_source.setdefault(coding["source_id"], []).append(coding)
    for source in sources:
        file_name = _add_source(element, source, by_source.get(source["id"], []), notes_on, roles, counter)
        texts[file_name] = source["text"]
    return texts


def _add_source(parent: ET.Element, source, codings: list, notes_on: dict, roles: dict, counter: set) -> str:
    source_guid = guid("source", source["name"])
    file_name = f"{source_guid}.txt"
    element = ET.SubElement(
        parent,
        "TextSource",
        {
            "guid": source_guid,
            "name": source["name"],
            "plainTextPath": f"internal://{file_name}",
            "creationDateTime": _datetime(source["imported_at"]),
        },
    )
    if roles.get(source["id"]):
        ET.SubElement(element, "Description").text = format_roles(roles[source["id"]])
    for coding in codings:
        key = (source["name"], coding["start"], coding["end"], coding["code"], coding["coder"])
        _add_selection(element, source["text"], coding, key in counter)
    for note in notes_on.get(("source", source["name"]), []):
        ET.SubElement(element, "NoteRef", {"targetGUID": note})
    return file_name


def _add_selection(parent: ET.Element, text: str, coding, counter: bool) -> None:
    """A coding as a ``PlainTextSelection`` of its span holding one ``Coding`` (and, for
    counter-evidence, a second one of the counter-evidence code)."""
    user = guid("user", coding["coder"])
    when = _datetime(coding["created_at"])
    selection = ET.SubElement(
        parent,
        "PlainTextSelection",
        {
            "guid": guid("selection", str(coding["id"])),
            "name": text[coding["start"] : coding["end"]],
            "startPosition": str(coding["start"]),
            "endPosition": str(coding["end"]),
            "creatingUser": user,
            "creationDateTime": when,
        },
    )
    tag = ET.SubElement(
        selection,
        "Coding",
        {"guid": guid("coding", str(coding["id"])), "creatingUser": user, "creationDateTime": when},
    )
    ET.SubElement(tag, "CodeRef", {"targetGUID": code_guid(coding["code"])})
    if counter:
        add_counter_coding(selection, coding["id"], user, when)


def _add_note(parent: ET.Element, memo) -> None:
    kind, target = memo["target_kind"], memo["target_name"]
    about = "project" if kind == "project" or target is None else f"{kind} {target}"
    if memo["span"]:
        about += f" [{memo['span']}]"
    element = ET.SubElement(
        parent,
        "Note",
        {
            "guid": guid("memo", str(memo["id"])),
            "name": f"Memo {memo['id']} ({about})",
            "creatingUser": guid("user", memo["author"]),
            "creationDateTime": _datetime(memo["created_at"]),
        },
    )
    ET.SubElement(element, "PlainTextContent").text = memo["text"]


def _datetime(stored: str) -> str:
    """A stored ISO timestamp as an xsd:dateTime in UTC with a ``Z``."""
    value = stored.strip().replace(" ", "T")
    return value[:-6] + "Z" if value.endswith("+00:00") else value
