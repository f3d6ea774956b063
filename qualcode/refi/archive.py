"""The files of a REFI-QDA project being imported: the ``.qdpx`` zip (or a bare ``.qde``), its
``.qde`` document and the text files its sources and notes point to.

The document is ``project.qde``, or the one ``.qde`` the archive holds (some programs name it
after the project); several others are an error (:func:`qualcode.refi.xml.project_member`).
A text file is looked for inside the archive first, relative to the document's folder:
``internal://<name>`` and a relative path (``name.txt``, ``sources/name.txt``) name a member
directly or in the ``sources/`` folder, in any case of the folder and file names; an absolute
path (``C:\\Users\\anna\\name.txt``, ``/home/anna/name.txt``, a ``file://`` URL), which names a
file on the author's computer, is found by its file name (two members of that name are an
error naming both). A path that names no member is a file outside the archive, or a path
relative to the project's ``basePath`` or to the folder of the archive. Those are not read: a
.qdpx comes from someone else, and a path in it could name any file on this computer
(``/etc/passwd``, ``../../.ssh/id_rsa``), which would then leave inside the next export. Such a
path is followed only when the import allows external sources, and then only to a file that
lies inside the archive's own folder once resolved (symbolic links followed). Every member and
file is read with a size limit (:mod:`qualcode.files`), so a zip bomb is refused.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit
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


def read_project(archive: zipfile.ZipFile | None, path: Path) -> tuple[ET.Element, list[str], str]:
    """The ``Project`` element of the document, notes on which document was read, and the
    folder inside the archive the document is in (``""`` at the top, else ending in ``/``).

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
    return root, notes, member[: member.rfind("/") + 1]


_REFUSED = (
    "is outside the archive; skipped it (qualcode reads only the files inside a .qdpx; "
    "to read files from the archive's own folder, import with --allow-external-sources)"
)


class ProjectFiles:
    """The text files the sources and notes of one project name (see the module docstring)."""

    def __init__(self, archive: zipfile.ZipFile | None, path: Path, base_path: str | None,
                 allow_external: bool, folder: str = "") -> None:  # fmt: skip
        self.archive, self.where, self.allow_external = archive, str(path), allow_external
        self.base_path = (base_path or "").strip()
        self.folder = path.absolute().parent.resolve()
        self.inside = folder.lower()  # the document's folder inside the archive
        names = archive.namelist() if archive else []
        self.members = {n.lower(): n for n in names if not n.endswith("/") and not n.lower().endswith(".qde")}

    def read(self, target: str) -> tuple[bytes | None, str]:
        """The bytes of the file ``target`` names, or None and why it was not read (to follow
        "its text <target>" in a warning). Raises :class:`InputError` when the archive holds
        two files that an absolute path could mean."""
        member = self.member(target)
        if member is not None:
            return files.read_member(self.archive, member, self.where, files.MAX_MEMBER_BYTES), ""
        if target.lower().startswith("internal://"):
            return None, " is not in the archive; skipped it"
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

    def member(self, target: str) -> str | None:
        """The archive member ``target`` names (see the module docstring), or None."""
        text = target.strip()
        if text.lower().startswith("internal://"):
            return self._relative(text[len("internal://") :])
        parts = urlsplit(text)
        if parts.scheme.lower() == "file":
            text = unquote(parts.path)
        elif "://" in text:
            return None
        if _ABSOLUTE.match(text):
            return self._by_name(re.split(r"[\\/]", text)[-1], target)
        return self._relative(text) or self._by_name(re.split(r"[\\/]", text)[-1], target)

    def _relative(self, relative: str) -> str | None:
        steps = [p for p in re.split(r"[\\/]", relative) if p not in ("", ".")]
        if not steps or ".." in steps:
            return None
        wanted = "/".join(steps).lower()
        for name in (self.inside + wanted, self.inside + "sources/" + wanted):
            if name in self.members:
                return self.members[name]
        return None

    def _by_name(self, name: str, target: str) -> str | None:
        if not name or name in (".", ".."):
            return None
        found = sorted(m for key, m in self.members.items() if key.rsplit("/", 1)[-1] == name.lower())
        in_sources = [m for m in found if m.lower().startswith(self.inside + "sources/")]
        found = in_sources if len(in_sources) == 1 else found
        if len(found) > 1:
            raise InputError(
                f"the text {target!r} names a file on another computer, and the archive holds "
                f"several files called {name!r} ({', '.join(found)}); qualcode cannot tell which "
                "one is meant: export the project again, or rename one of them in the archive",
                self.where,
            )
        return found[0] if found else None


_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:[\\/]|[\\/])")  # C:\..., C:/..., /home/..., \\server\...


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
