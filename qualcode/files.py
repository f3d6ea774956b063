"""Files written safely and archives read defensively.

Writing: every output is written to a temporary file beside its target and moved into place
only when complete, so a full disk or a crash never leaves a truncated file or destroys the
previous good one. Reading: a member of a zip archive (.docx, .odt, .qdpx) is read in chunks
and refused past a size limit, whatever its header claims, so a zip bomb cannot fill memory;
its XML is parsed without expanding entities or reading anything else (:func:`parse_xml_safely`).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree
from xml.parsers import expat

from qualcode.errors import InputError

# Characters XML 1.0 does not allow, not even as &#...; (https://www.w3.org/TR/xml/#charsets):
# C0 controls but tab, newline and carriage return; surrogates (in a str, always unpaired);
# U+FFFE and U+FFFF. Neither .xlsx nor .qdpx can hold them.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (so it can go into any XML text or attribute)."""
    return XML_FORBIDDEN.sub("", text)


# Larger than any real transcript or project part by far; small enough to stop a zip bomb.
MAX_MEMBER_BYTES = 256 * 1024 * 1024
_CHUNK = 1024 * 1024


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """A temporary path beside ``target``; written there, it replaces ``target`` when the
    block ends without an error, and is removed when it fails."""
    target = Path(target)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    os.close(handle)
    temporary = Path(name)
    # mkstemp makes the file private (0600); give it the mode a plain open() would give.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_bytes_atomically(target: str | Path, data: bytes) -> Path:
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)
    return Path(target)


def write_text_atomically(target: str | Path, text: str) -> Path:
    return write_bytes_atomically(target, text.encode("utf-8"))


def read_member(archive: zipfile.ZipFile, member: str | zipfile.ZipInfo, where: str,
                limit: int = MAX_MEMBER_BYTES) -> bytes:  # fmt: skip
    """The bytes of one archive member, refused (InputError naming ``where``) past ``limit``."""
    name = member.filename if isinstance(member, zipfile.ZipInfo) else member
    parts = []
    total = 0
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            total += len(chunk)
            if total > limit:
                raise InputError(
                    f"{name} inside the archive unpacks to more than {limit // (1024 * 1024)} MB; "
                    "this is not a document qualcode can read (a damaged file or a zip bomb)",
                    where,
                )
            parts.append(chunk)
    return b"".join(parts)


def parse_xml_safely(data: bytes, path: str, where: str, fix: str) -> tuple[ElementTree.Element, dict]:
    """Parse XML read from an archive (or a file) into an ElementTree, tags written as
    ElementTree writes them (``{namespace}name``), and the line each element starts on.

    Entities are never expanded and nothing outside ``data`` is ever read: a document that
    declares an entity (internal, external, parameter or unparsed) is refused outright with an
    InputError (``where`` says where in ``path`` the document is, ``fix`` what to do), so neither
    an entity bomb nor an external entity gets anywhere; external DTDs are not fetched.
    Malformed XML raises ``xml.parsers.expat.ExpatError`` for the caller to explain.
    """
    builder = ElementTree.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    lines: dict = {}

    def start(tag: str, attributes: dict) -> None:
        element = builder.start(_expat_name(tag), {_expat_name(k): v for k, v in attributes.items()})
        lines[element] = parser.CurrentLineNumber

    def entity(*_declaration) -> None:
        raise InputError(
            f"the XML{where} declares XML entities; qualcode does not expand them; {fix}",
            path,
            parser.CurrentLineNumber,
        )

    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = entity
    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: builder.end(_expat_name(tag))
    parser.CharacterDataHandler = builder.data
    parser.buffer_text = True
    parser.Parse(data, True)
    return builder.close(), lines


def _expat_name(name: str) -> str:
    return "{" + name if "}" in name else name


# Text a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")


def csv_unsafe(value: str) -> str:
    """The text :func:`csv_safe` wrote: one leading ``'`` before a formula character removed,
    so a qualcode CSV reads back as it was exported."""
    if value.startswith("'") and value[1:].startswith(_FORMULA_START) and not _NUMBER.fullmatch(value[1:]):
        return value[1:]
    return value


def csv_safe(value):
    """A CSV cell that a spreadsheet shows as text, never runs as a formula: text that begins
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` (OWASP's
    advice). Numbers are left alone, also a number written as text (``-0.250``), which no
    spreadsheet reads as a formula; every other value is returned unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
