"""REFI-QDA XML shared by the codebook, import and export: namespaces, GUIDs, parsing, serialising.

Every GUID qualcode writes is ``guid(kind, key)``: the ``uuid5`` of ``"kind:key"`` under one fixed
namespace, in upper case as other tools write them, so the same project always gives the same file.

Parsing (:func:`qualcode.files.parse_xml_safely`) never expands entities: a document declaring
any is refused, so a file cannot make qualcode read other files, fetch from the network or
expand an entity bomb. Each element's starting line is kept for messages.

Writing drops the characters XML 1.0 forbids (most C0 controls, U+FFFE, U+FFFF, surrogates)
from every text and attribute (:func:`xml_safe`), so whatever a project holds, the file written
is well-formed and reads back.
"""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path, PurePosixPath
from xml.parsers import expat

from qualcode.errors import InputError
from qualcode.files import parse_xml_safely, xml_safe
from qualcode.version import __version__

NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
NS_PROJECT = "urn:QDA-XML:project:1.0"
# Fixed for good: every GUID qualcode writes derives from it, so changing it changes every file.
GUID_NAMESPACE = uuid.UUID("99a1c95a-7250-4c9c-86d2-d953f2f973e0")
ORIGIN = f"qualcode {__version__}"  # the origin attribute of the files qualcode writes


# --- GUIDs --------------------------------------------------------------------------------------


def guid(kind: str, key: str) -> str:
    """The GUID qualcode writes for the ``kind`` of thing identified by ``key`` (upper case)."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}")).upper()


def code_guid(name: str) -> str:
    """The GUID of the code called ``name``."""
    return guid("code", name)


def set_guid(kind: str) -> str:
    """The GUID of the set holding the codes of ``kind``."""
    return guid("set", kind)


def guid_key(value: str | None) -> str:
    """A GUID as read from any tool, for comparing: no braces or spaces, lower case."""
    return (value or "").strip().strip("{}").lower()


# --- reading ------------------------------------------------------------------------------------


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", str(path)) from exc


def project_member(archive: zipfile.ZipFile, path: str) -> tuple[str, list[str]]:
    """The ``.qde`` inside a ``.qdpx``: ``project.qde`` (in any case) by preference, else the only
    one. They are looked for at the top of the archive, or in the shallowest folder holding one
    (an archive made by zipping the project's folder). Several, none called project.qde, are an
    error listing them: any of them could be the project."""
    candidates = sorted(
        name
        for name in archive.namelist()
        if name.lower().endswith(".qde") and not name.endswith("/") and not name.startswith("__MACOSX/")
    )
    if not candidates:
        raise InputError(
            "the archive holds no .qde file, so it is not a REFI-QDA project; "
            "export the project again from your QDA program as 'REFI-QDA project (.qdpx)'",
            path,
        )
    depth = min(name.count("/") for name in candidates)
    shallow = [name for name in candidates if name.count("/") == depth]
    preferred = [name for name in shallow if PurePosixPath(name).name.lower() == "project.qde"]
    if not preferred and len(shallow) > 1:
        raise InputError(
            f"the archive holds {len(shallow)} .qde files ({', '.join(shallow)}) and none is called "
            "project.qde, so qualcode cannot tell which one is the project; export the project "
            "again, or remove the others from the archive",
            path,
        )
    chosen = (preferred or shallow)[0]
    notes = []
    if len(candidates) > 1:
        others = ", ".join(n for n in candidates if n != chosen)
        notes.append(f"{path}: the archive holds several .qde files; read {chosen}, ignored {others}")
    return chosen, notes


def parse_xml(data: bytes, path: str, where: str) -> tuple[ET.Element, dict]:
    """Parse ``data`` into an ElementTree, remembering the line each element starts on.

    ``where`` says where in ``path`` the document is (empty, or " (in X inside the archive)").
    A document that declares XML entities is refused (see the module docstring).
    """
    try:
        return parse_xml_safely(data, path, where, "export the project again from your QDA program")
    except expat.ExpatError as exc:
        raise InputError(
            f"not a valid XML file{where} ({expat.ErrorString(exc.code)}, column {exc.offset + 1}); "
            "a REFI-QDA file is XML exported by NVivo, ATLAS.ti, MAXQDA or qualcode, "
            "so export it again or check that this is the right file",
            path,
            exc.lineno,
        ) from exc


def local(tag: str) -> str:
    """A tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def children(element: ET.Element | None, name: str) -> list[ET.Element]:
    """The children of ``element`` with local name ``name`` (none when there is no element)."""
    return [] if element is None else [c for c in element if local(c.tag) == name]


# --- writing ------------------------------------------------------------------------------------


def to_bytes(root: ET.Element) -> bytes:
    """``root`` as an indented UTF-8 document with an XML declaration and a final newline.

    Every text and attribute goes through :func:`xml_safe` first, so the document is always
    well-formed, whatever the project holds. An attribute (a name) made only of forbidden
    characters and spaces is written with them escaped (``\\x01``), so that it is not left empty.
    """
    for element in root.iter():
        if element.text:
            element.text = xml_safe(element.text)
        if element.tail:
            element.tail = xml_safe(element.tail)
        for key, value in element.attrib.items():
            safe = xml_safe(value)
            escaped = value.encode("unicode_escape", "backslashreplace").decode("ascii")
            element.attrib[key] = safe if safe.strip() or not value.strip() else escaped
    tree = ET.ElementTree(root)
    ET.indent(tree, space="  ")
    buffer = io.BytesIO()
    tree.write(buffer, encoding="UTF-8", xml_declaration=True)
    return buffer.getvalue() + b"\n"
