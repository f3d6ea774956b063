"""Word (.docx) and OpenDocument (.odt) transcripts.

Both are zip files of XML. Paragraphs become lines separated by a blank line, and the
result is parsed for speaker turns exactly like a plain-text transcript.

The document part is read with a size limit, so a zip bomb is refused, and parsed without
expanding entities (Word and LibreOffice never declare any), so an entity bomb or an external
entity is refused too (:mod:`qualcode.files`).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from xml.etree import ElementTree
from xml.parsers import expat

from qualcode import files
from qualcode.errors import InputError
from qualcode.ingest.decode import normalise
from qualcode.ingest.model import Transcript
from qualcode.ingest.plaintext import parse_turns

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def read_docx(data: bytes, path: str, known_speakers: set[str]) -> Transcript:
    root = _xml_member(data, path, "word/document.xml", "docx", "Word")
    body = root.find(f"{_W}body")
    paragraphs = [] if body is None else [_docx_paragraph(p) for p in body.iter(f"{_W}p")]
    return _transcript(paragraphs, "docx", path, known_speakers)


def read_odt(data: bytes, path: str, known_speakers: set[str]) -> Transcript:
    root = _xml_member(data, path, "content.xml", "odt", "LibreOffice Writer")
    paragraphs: list[str] = []
    _odt_blocks(root, paragraphs)
    return _transcript(paragraphs, "odt", path, known_speakers)


def _xml_member(data: bytes, path: str, member: str, ext: str, app: str) -> ElementTree.Element:
    advice = f"open it in {app} and save it again as .{ext}"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            content = files.read_member(archive, member, path, files.MAX_MEMBER_BYTES)
    except (zipfile.BadZipFile, KeyError, EOFError, OSError, RuntimeError, zlib.error) as exc:
        raise InputError(f"not a valid .{ext} file ({exc}); {advice}", path) from exc
    try:
        return files.parse_xml_safely(content, path, f" ({member} inside the .{ext})", advice)[0]
    except expat.ExpatError as exc:
        problem = f"{expat.ErrorString(exc.code)}: line {exc.lineno}, column {exc.offset + 1}"
        raise InputError(f"the .{ext} file is damaged ({member}: {problem}); {advice}", path) from exc


def _docx_paragraph(paragraph: ElementTree.Element) -> str:
    parts = []
    for node in paragraph.iter():
        if node.tag == f"{_W}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        elif node.tag == f"{_W}noBreakHyphen":
            parts.append("-")
    return "".join(parts)


def _odt_blocks(node: ElementTree.Element, out: list[str]) -> None:
    for child in node:
        if child.tag in (f"{_TEXT}p", f"{_TEXT}h"):
            out.append(_odt_inline(child))
        elif child.tag not in (f"{_TEXT}note", f"{_TEXT}tracked-changes"):
            _odt_blocks(child, out)


def _odt_inline(node: ElementTree.Element) -> str:
    parts = [node.text or ""]
    for child in node:
        if child.tag == f"{_TEXT}s":
            parts.append(" " * int(child.get(f"{_TEXT}c", "1")))
        elif child.tag == f"{_TEXT}tab":
            parts.append("\t")
        elif child.tag == f"{_TEXT}line-break":
            parts.append("\n")
        elif child.tag != f"{_TEXT}note":
            parts.append(_odt_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _transcript(paragraphs: list[str], fmt: str, path: str, known: set[str]) -> Transcript:
    text = normalise("\n\n".join(p.strip() for p in paragraphs if p.strip()))
    if not text:
        raise InputError(f"the .{fmt} file contains no text; check that it is the transcript", path)
    return parse_turns(text + "\n", fmt, known)
