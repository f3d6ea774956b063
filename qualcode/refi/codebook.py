"""REFI-QDA codebooks: write a ``.qdc``; read a ``.qdc``, a ``.qdpx`` project or a bare ``.qde``.

REFI-QDA gives a code a name, a colour, a place in the hierarchy and one ``Description``. The
rest of a qualcode code (criteria, examples, matching words, label) goes into that description
as headed sections below the definition, readable in NVivo or ATLAS.ti and parsed back exactly::

    <definition>

    Inclusie:
    - criterion
    Exclusie:
    - criterion
    Voorbeelden:
    - "quote"
    Trefwoorden: zus, familie
    Lemma's: naaste, broer
    Label: Naasten
    Eerdere namen: Familie
    Samengevoegd uit: Broer, Zus

The description is written and read in :mod:`qualcode.refi.description`. The kind of a code
goes into a ``Set`` named after the kind. GUIDs come from the code names and kinds
(:mod:`qualcode.refi.xml`), so the same codebook always gives the same file. The readers return
``(codebook, warnings)``: the warnings say what had to change to fit qualcode (renamed
duplicates, dropped colours). The code by which a project marks counter-evidence
(:mod:`qualcode.refi.counter`) is not read as a code.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from qualcode import files
from qualcode.codebook.model import KINDS, Code, Codebook
from qualcode.errors import InputError
from qualcode.refi.counter import is_marker_code
from qualcode.refi.description import format_description, parse_description
from qualcode.refi.xml import (
    NS_CODEBOOK,
    ORIGIN,
    children,
    code_guid,
    guid_key,
    local,
    parse_xml,
    project_member,
    read_bytes,
    set_guid,
    to_bytes,
)

_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


# --- writing ------------------------------------------------------------------------------


def write_qdc(codebook: Codebook, path: str | Path, origin: str = ORIGIN) -> None:
    """Write ``codebook`` as a REFI-QDA codebook (``.qdc``), valid against ``Codebook.xsd``.

    The same codebook always gives the same bytes: GUIDs come from the code names and kinds,
    codes follow :meth:`Codebook.ordered`, sets follow the order of ``KINDS``.
    """
    codebook.validate()
    codes = codebook.ordered()
    if not codes:
        raise InputError(
            "the codebook has no codes, and a REFI-QDA codebook needs at least one; add a code first",
            codebook.path,
        )
    # Unqualified tags under a default namespace declared on the root: ElementTree's
    # default_namespace option refuses unqualified attributes, and register_namespace is global.
    root = ET.Element("CodeBook", {"xmlns": NS_CODEBOOK, "origin": origin})
    codes_element = ET.SubElement(root, "Codes")
    for code in codebook.children(None):
        add_code_element(codes_element, code, codebook)
    add_kind_sets(root, codes, "guid")
    files.write_bytes_atomically(path, to_bytes(root))  # to_bytes drops what XML cannot hold


def add_code_element(
    parent: ET.Element, code: Code, codebook: Codebook, notes_on: dict | None = None
) -> None:
    """A ``Code`` element with its description and children (and, in a project, NoteRefs to
    the notes in ``notes_on[("code", name)]``), shared by the .qdc and .qdpx writers."""
    attributes = {"guid": code_guid(code.name), "name": code.name, "isCodable": "true"}
    if code.colour:
        attributes["color"] = code.colour
    element = ET.SubElement(parent, "Code", attributes)
    description = format_description(code)
    if description:
        ET.SubElement(element, "Description").text = description
    for note in (notes_on or {}).get(("code", code.name), []):
        ET.SubElement(element, "NoteRef", {"targetGUID": note})
    for child in codebook.children(code.name):
        add_code_element(element, child, codebook, notes_on)


def add_kind_sets(parent: ET.Element, codes: Iterable[Code], member_attribute: str) -> None:
    """A ``Sets`` element with a ``Set`` per kind in use (in the order of ``KINDS``), listing
    its codes in the order given; a ``.qdc`` names a member by ``guid``, a project by ``targetGUID``."""
    codes = list(codes)
    kinds = [kind for kind in KINDS if kind != "other" and any(c.kind == kind for c in codes)]
    if not kinds:
        return
    sets = ET.SubElement(parent, "Sets")
    for kind in kinds:
        element = ET.SubElement(sets, "Set", {"guid": set_guid(kind), "name": kind})
        ET.SubElement(element, "Description").text = (
            f"qualcode code kind: the codes of kind '{kind}'. "
            "qualcode reads the kind of each code back from this set."
        )
        for code in codes:
            if code.kind == kind:
                ET.SubElement(element, "MemberCode", {member_attribute: code_guid(code.name)})


# --- reading ------------------------------------------------------------------------------


def read_qdc(path: str | Path) -> tuple[Codebook, list[str]]:
    """Read a REFI-QDA codebook file (``.qdc``); return the codebook and the warnings."""
    path = Path(path)
    data = read_bytes(path)
    if data.startswith(b"PK\x03\x04"):
        raise InputError(
            "this is a zip archive, not a REFI-QDA codebook (XML); "
            "if it is a REFI-QDA project, name it .qdpx and read it as a project",
            str(path),
        )
    root, lines = parse_xml(data, str(path), "")
    return _to_codebook(root, lines, path, "")


def read_qdpx_codebook(path: str | Path) -> tuple[Codebook, list[str]]:
    """Read the codebook of a REFI-QDA project: a ``.qdpx`` zip or a bare ``.qde`` XML file."""
    path = Path(path)
    if not zipfile.is_zipfile(path):
        data = read_bytes(path)
        root, lines = parse_xml(data, str(path), "")
        return _to_codebook(root, lines, path, "")
    try:
        with zipfile.ZipFile(path) as archive:
            member, notes = project_member(archive, str(path))
            data = files.read_member(archive, member, str(path), files.MAX_MEMBER_BYTES)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, zlib.error) as exc:
        raise InputError(
            f"cannot read the .qdpx archive ({exc}); export the project again", str(path)
        ) from exc
    where = f" (in {member} inside the archive)"
    root, lines = parse_xml(data, str(path), where)
    codebook, warnings = _to_codebook(root, lines, path, where)
    return codebook, notes + warnings


def _to_codebook(root: ET.Element, lines: dict, path: Path, where: str) -> tuple[Codebook, list[str]]:
    """The qualcode codebook in a parsed ``CodeBook`` or ``Project`` document."""
    warnings: list[str] = []
    codebook_element, set_holders = _codebook_element(root, lines, path, where, warnings)
    found: list[tuple[ET.Element, str, ET.Element | None]] = []  # (element, name, parent element)
    for codes in children(codebook_element, "Codes"):
        for element in children(codes, "Code"):
            _collect(element, None, found, lines, path, where)
    names = _unique_names(found, path, warnings)
    kinds = _kinds(set_holders, found, names, path, warnings)
    codes, not_codable = [], []
    for element, _, parent in found:
        fields = parse_description(next((d.text for d in children(element, "Description")), None))
        code = Code(
            name=names[element],
            parent=names[parent] if parent is not None else None,
            kind=kinds.get(element, "other"),
            colour=_colour(element.get("color"), names[element], path, warnings),
            line=None,
            **fields,
        )
        codes.append(code)
        if (element.get("isCodable") or "").strip().lower() in ("false", "0"):
            not_codable.append(code.name)
    if not_codable:
        warnings.append(
            f"{path}: {len(not_codable)} code(s) are folders (isCodable=false) in the file; "
            f"qualcode lets every code be used for coding: {', '.join(not_codable)}"
        )
    return Codebook(codes, name=path.stem, path=str(path)).validate(), warnings


def _codebook_element(root: ET.Element, lines: dict, path: Path, where: str, warnings: list[str]):
    """The ``CodeBook`` element (None when a project has none) and the elements holding ``Sets``."""
    kind = local(root.tag)
    if kind == "CodeBook":
        return root, [root]
    if kind == "Project":
        codebook_element = next(iter(children(root, "CodeBook")), None)
        if codebook_element is None:
            warnings.append(f"{path}: the project has no codebook, so no codes were read")
        return codebook_element, [root, codebook_element]
    raise InputError(
        f"the root element{where} is <{kind}>, not <CodeBook> (a REFI-QDA codebook) or <Project> "
        "(a REFI-QDA project); export the codebook again as REFI-QDA from your QDA program",
        str(path),
        lines.get(root),
    )


def _collect(element, parent, found: list, lines: dict, path: Path, where: str) -> None:
    if is_marker_code(element):  # qualcode's counter-evidence flag, not a code (refi.counter)
        for child in children(element, "Code"):
            _collect(child, parent, found, lines, path, where)
        return
    name = (element.get("name") or "").strip()
    if not name:
        guid = element.get("guid") or "none"
        raise InputError(
            f"a <Code> without a name{where} (guid {guid}); "
            "give the code a name in your QDA program and export the file again",
            str(path),
            lines.get(element),
        )
    found.append((element, name, parent))
    for child in children(element, "Code"):
        _collect(child, element, found, lines, path, where)


def _unique_names(found: list, path: Path, warnings: list[str]) -> dict:
    """Each code element's qualcode name: duplicates get their parent's name in brackets,
    and " (2)", " (3)" while that still clashes."""
    count: dict[str, int] = {}
    for _, name, _ in found:
        count[name] = count.get(name, 0) + 1
    original = {element: name for element, name, _ in found}
    taken = {name for name, n in count.items() if n == 1}
    names = {}
    for element, name, parent in found:
        if count[name] == 1:
            names[element] = name
            continue
        candidate = f"{name} ({original[parent]})" if parent is not None else name
        if candidate in taken:
            number = 2
            while f"{candidate} ({number})" in taken:
                number += 1
            candidate = f"{candidate} ({number})"
        taken.add(candidate)
        names[element] = candidate
        if candidate != name:
            under = f" under {original[parent]!r}" if parent is not None else " at the top level"
            warnings.append(
                f"{path}: code {name!r}{under} is one of {count[name]} codes with that name; "
                f"renamed to {candidate!r}"
            )
    return names


def _kinds(holders: list, found: list, names: dict, path: Path, warnings: list[str]) -> dict:
    """Each code element's kind, from the sets named after a qualcode kind."""
    by_guid = {guid_key(element.get("guid")): element for element, _, _ in found if element.get("guid")}
    kinds: dict = {}
    for holder in holders:
        for sets in children(holder, "Sets"):
            for set_element in children(sets, "Set"):
                kind = (set_element.get("name") or "").strip().lower()
                if kind not in KINDS:
                    continue
                for member in children(set_element, "MemberCode"):
                    guid = member.get("guid") or member.get("targetGUID")
                    element = by_guid.get(guid_key(guid))
                    if element is None:
                        continue
                    if kinds.get(element, kind) != kind:
                        warnings.append(
                            f"{path}: code {names[element]!r} is in the sets of kinds {kinds[element]!r} "
                            f"and {kind!r}; kept {kinds[element]!r}"
                        )
                        continue
                    kinds[element] = kind
    return kinds


def _colour(value: str | None, name: str, path: Path, warnings: list[str]) -> str | None:
    """``#RRGGBB`` (``#abc`` becomes ``#aabbcc``; case kept), None when absent or unusable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not _COLOUR.match(value):
        warnings.append(f"{path}: code {name!r} has colour {value!r}, which is not #RRGGBB; dropped it")
        return None
    if len(value) == 4:
        value = "#" + "".join(c * 2 for c in value[1:])
    return value
