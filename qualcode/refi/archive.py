"""The files of a REFI-QDA project being imported: the ``.qdpx`` zip (or a bare ``.qde``), its
``project.qde`` document and the text files its sources and notes point to.

A text file is named by ``internal://<name>`` (a file in the archive's ``sources/`` folder, in
any case) or by a path, relative to the project's ``basePath`` or to the folder of the archive.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path, PurePosixPath

from qualcode.errors import InputError
from qualcode.ingest.decode import decode
from qualcode.refi.xml import local, parse_xml, project_member, read_bytes

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff")


def open_archive(path: Path) -> zipfile.ZipFile | None:
    """The zip at ``path``, or None when ``path`` is a bare ``.qde`` (XML) file."""
    if not path.is_file():
        raise InputError("no such file", str(path))
    if not zipfile.is_zipfile(path):
        return None
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            f"cannot read the .qdpx archive ({exc}); export the project again", str(path)
        ) from exc


def read_project(archive: zipfile.ZipFile | None, path: Path) -> tuple[ET.Element, list[str]]:
    """The ``Project`` element of the document, and notes on which document was read.

    Reading the archive can raise ``zipfile``'s errors, ``OSError`` or ``KeyError``; the caller
    turns those into one message.
    """
    where = str(path)
    member, notes = project_member(archive, where) if archive else ("", [])
    data = archive.read(member) if archive else read_bytes(path)
    root, _lines = parse_xml(data, where, f" (in {member} inside the archive)" if member else "")
    if local(root.tag) != "Project":
        raise InputError(
            f"the root element is <{local(root.tag)}>, not <Project>; "
            "export the project again as 'REFI-QDA project (.qdpx)'",
            where,
        )
    return root, notes


def read_target(archive: zipfile.ZipFile | None, target: str, base: Path) -> bytes | None:
    """The bytes of the file ``target`` names (paths relative to ``base``); None when missing."""
    if target.startswith("internal://"):
        wanted = target[len("internal://") :].lower()
        if archive is None:
            return None
        for member in archive.namelist():
            parts = PurePosixPath(member).parts
            if len(parts) == 2 and parts[0].lower() == "sources" and parts[1].lower() == wanted:
                return archive.read(member)
        return None
    candidate = Path(target.removeprefix("file://"))
    candidate = candidate if candidate.is_absolute() else base / candidate
    return candidate.read_bytes() if candidate.is_file() else None


def source_text(data: bytes, where: str) -> tuple[str, list[str]]:
    """A source's text as the other program counted positions in it: decoded, without its BOM,
    otherwise as stored (not yet normalised); and the warnings of decoding it."""
    _, encoding, warnings = decode(data, where)
    for bom in _BOMS:
        if encoding != "cp1252" and data.startswith(bom):
            data = data[len(bom) :]
            break
    return data.decode(encoding), warnings
