"""The files of a REFI-QDA project being imported: the ``.qdpx`` zip (or a bare ``.qde``), its
``project.qde`` document and the text files its sources and notes point to.

A text file is named by ``internal://<name>`` (a file in the archive's ``sources/`` folder, in
any case) or by a path or ``file://`` URL, absolute or relative to the project's ``basePath`` or
to the folder of the archive. Only the archive's own members are read: a .qdpx comes from
someone else, and a path in it could name any file on this computer (``/etc/passwd``,
``../../.ssh/id_rsa``), which would then leave inside the next export. A path is followed only
when the import allows external sources, and then only to a file that lies inside the
archive's own folder once resolved (symbolic links followed). Every member and file is read
with a size limit (:mod:`qualcode.files`), so a zip bomb is refused.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit
from urllib.request import url2pathname

from qualcode import files
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
    data = files.read_member(archive, member, where, files.MAX_MEMBER_BYTES) if archive else read_bytes(path)
    root, _lines = parse_xml(data, where, f" (in {member} inside the archive)" if member else "")
    if local(root.tag) != "Project":
        raise InputError(
            f"the root element is <{local(root.tag)}>, not <Project>; "
            "export the project again as 'REFI-QDA project (.qdpx)'",
            where,
        )
    return root, notes


_REFUSED = (
    "is outside the archive; skipped it (qualcode reads only the files inside a .qdpx; "
    "to read files from the archive's own folder, import with --allow-external-sources)"
)


class ProjectFiles:
    """The text files the sources and notes of one project name (see the module docstring)."""

    def __init__(
        self, archive: zipfile.ZipFile | None, path: Path, base_path: str | None, allow_external: bool
    ):
        self.archive, self.where, self.allow_external = archive, str(path), allow_external
        self.base_path = (base_path or "").strip()
        self.folder = path.absolute().parent.resolve()

    def read(self, target: str) -> tuple[bytes | None, str]:
        """The bytes of the file ``target`` names, or None and why it was not read (to follow
        "its text <target>" in a warning)."""
        if target.startswith("internal://"):
            data = self._member(target[len("internal://") :].lower())
            return data, "" if data is not None else " is not in the archive; skipped it"
        under = f" (under basePath {self.base_path!r})" if self.base_path else ""
        if not self.allow_external:
            return None, f"{under} {_REFUSED}"
        candidate = _local_path(target)
        base = _local_path(self.base_path) if self.base_path else self.folder
        if candidate is None or base is None:
            return None, f"{under} is not a file on this computer; skipped it"
        resolved = (self.folder / base / candidate).resolve()  # an absolute part replaces the rest
        if not resolved.is_relative_to(self.folder):
            return None, (
                f"{under} resolves to {resolved}, outside the archive's folder {self.folder}; "
                "qualcode reads external sources only from the archive's own folder; skipped it"
            )
        if not resolved.is_file():
            return None, f"{under} is not in the archive's folder {self.folder}; skipped it"
        return _read_file(resolved, self.where), ""

    def _member(self, wanted: str) -> bytes | None:
        if self.archive is None:
            return None
        for member in self.archive.namelist():
            parts = PurePosixPath(member).parts
            if len(parts) == 2 and parts[0].lower() == "sources" and parts[1].lower() == wanted:
                return files.read_member(self.archive, member, self.where, files.MAX_MEMBER_BYTES)
        return None


def _local_path(target: str) -> Path | None:
    """The path a target names: a path as written, or a ``file://`` URL on this computer;
    None for a URL of another kind or host."""
    parts = urlsplit(target)
    if parts.scheme.lower() == "file":
        return Path(url2pathname(parts.path)) if parts.netloc in ("", "localhost") else None
    if "://" in target:
        return None
    return Path(target)


def _read_file(path: Path, where: str) -> bytes:
    """A file beside the archive, refused past the archive members' size limit."""
    limit = files.MAX_MEMBER_BYTES
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InputError(
            f"{path} is larger than {limit // (1024 * 1024)} MB; this is not a text qualcode can read",
            where,
        )
    return data


def source_text(data: bytes, where: str) -> tuple[str, list[str]]:
    """A source's text as the other program counted positions in it: decoded, without its BOM,
    otherwise as stored (not yet normalised); and the warnings of decoding it."""
    _, encoding, warnings = decode(data, where)
    for bom in _BOMS:
        if encoding != "cp1252" and data.startswith(bom):
            data = data[len(bom) :]
            break
    return data.decode(encoding), warnings
