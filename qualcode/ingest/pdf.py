"""PDF transcripts (exports from MAXQDA, Word and transcription services), read with pdfplumber.

Each page's words are read in reading order (top to bottom, left to right; text outside the
page and rotated text left out) and grouped into lines; :mod:`qualcode.ingest.pdflayout`
removes page numbers, running headers and footers and MAXQDA's paragraph numbers and joins
the lines into paragraphs. The paragraphs, a blank line apart, are then parsed for speaker
turns exactly like a plain-text transcript.

A PDF without a text layer (a scan) is refused with the advice to run OCR first; pages without
text in an otherwise readable PDF are named in a warning. An encrypted PDF is refused.
Reading is bounded: the file's size and page count (:mod:`qualcode.ingest.limits`), and every
compressed part is measured before pdfminer unpacks it, so a "PDF bomb" is refused.
"""

from __future__ import annotations

import io
import logging
import re
import zlib

from qualcode.errors import InputError, MissingDependencyError, QualcodeError
from qualcode.ingest import limits
from qualcode.ingest.decode import normalise
from qualcode.ingest.limits import check_characters, check_pdf_pages, check_pdf_size
from qualcode.ingest.model import Transcript
from qualcode.ingest.pdflayout import Line, Word, paragraphs
from qualcode.ingest.plaintext import parse_turns

NO_TEXT_LAYER = "has no text layer (a scanned PDF?): run OCR first (e.g. ocrmypdf) and import the result"
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_IMAGE = re.compile(rb"/Subtype\s*/Image")
_CHUNK = 1024 * 1024
_BOLD = re.compile(r"bold|black|heavy", re.IGNORECASE)


def read_pdf(data: bytes, path: str, known_speakers: set[str] = frozenset()) -> Transcript:
    """The transcript in a PDF file's bytes (see the module docstring)."""
    check_pdf_size(len(data), path)
    if b"%PDF-" not in data[:1024]:
        raise InputError(
            "not a PDF file (it does not start with %PDF-); check that this is the transcript", path
        )
    refuse_pdf_bombs(data, path)
    pages, blank = _read_pages(data, path)
    if not any(pages):
        raise InputError(f"the PDF {NO_TEXT_LAYER}", path)
    found, layout = paragraphs(pages, known_speakers)
    text = normalise("\n\n".join(p.strip() for p in found if p.strip()))
    if not text.strip():
        raise InputError("the PDF holds only page numbers and headers; check that it is the transcript", path)
    transcript = parse_turns(text + "\n", "pdf", set(known_speakers) | layout.bold_labels, path)
    transcript.metadata.update(
        pages=len(pages),
        paragraph_numbers_removed=layout.paragraph_numbers,
        page_numbers_removed=layout.page_numbers,
        running_lines_removed=layout.running_lines,
        repeated_lines_removed=layout.repeated_lines,
    )
    if blank:
        shown = ", ".join(map(str, blank[:10])) + (" ..." if len(blank) > 10 else "")
        transcript.warnings.append(
            f"{len(blank)} of {len(pages)} pages have no text (page{'s' if len(blank) > 1 else ''} {shown}); "
            "if they are scanned, "
            "run OCR first (e.g. ocrmypdf) and import the result"
        )
    return transcript


def _library():
    try:
        import pdfplumber
    except ImportError:
        raise MissingDependencyError(
            "reading PDF transcripts needs pdfplumber; install it: pip install pdfplumber"
        ) from None
    for name in ("pdfminer", "pdfplumber"):  # their notes on damaged files are not printed
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())
    return pdfplumber


def _read_pages(data: bytes, path: str) -> tuple[list[list[Line]], list[int]]:
    """The lines of every page, and the (1-based) numbers of the pages without text."""
    pdfplumber = _library()
    pages: list[list[Line]] = []
    blank: list[int] = []
    characters = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            check_pdf_pages(len(pdf.pages), path)
            for number, page in enumerate(pdf.pages):
                lines = page_lines(page, number)
                characters += sum(len(line.text) + 1 for line in lines)
                check_characters(characters, path)
                if not lines:
                    blank.append(number + 1)
                pages.append(lines)
                page.close()
    except QualcodeError:
        raise
    except Exception as exc:  # pdfminer raises many kinds of errors on a damaged file
        raise _unreadable(exc, path) from exc
    return pages, blank


def _unreadable(exc: Exception, path: str) -> InputError:
    cause = exc.args[0] if type(exc).__name__ == "PdfminerException" and exc.args else exc
    name = type(cause).__name__
    if "Password" in name or "Encryption" in name:
        return InputError(
            "the PDF is encrypted (protected by a password); open it, save or print it as a PDF "
            "without a password, and import that",
            path,
        )
    detail = str(cause).strip()[:200] or name
    return InputError(
        f"cannot read the PDF ({detail}); it may be damaged: open it and save or print it as a PDF again",
        path,
    )


def page_lines(page, number: int) -> list[Line]:
    """The lines of one pdfplumber page in reading order: upright words inside the page's box,
    grouped by height (a word joins a line it overlaps vertically by half its height)."""
    x0, top, x1, bottom = page.bbox
    inside = page.filter(
        lambda o: (
            o.get("object_type") != "char"
            or (o["x0"] >= x0 - 1 and o["x1"] <= x1 + 1 and o["top"] >= top - 1 and o["bottom"] <= bottom + 1)
        )
    )
    words = [
        w
        for w in inside.extract_words(
            x_tolerance=1.5, x_tolerance_ratio=0.15, y_tolerance=3, extra_attrs=["fontname"]
        )
        if w.get("upright", True) and w["text"].strip()
    ]
    words.sort(key=lambda w: (w["top"], w["x0"]))
    lines: list[Line] = []
    for w in words:
        word = Word(w["text"].translate(_LIGATURES), w["x0"], w["x1"], bool(_BOLD.search(w["fontname"])))
        height = max(w["bottom"] - w["top"], 0.1)
        line = lines[-1] if lines else None
        if line is not None and min(line.bottom, w["bottom"]) - max(line.top, w["top"]) >= height / 2:
            line.words.append(word)
            line.bottom = max(line.bottom, w["bottom"])
        else:
            lines.append(Line(number, w["top"], w["bottom"], [word]))
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
        line.clipped = line.top < top + 0.5 or line.bottom > bottom - 0.5
    return lines


def refuse_pdf_bombs(data: bytes, path: str) -> None:
    """Raise :class:`InputError` when a compressed part of the PDF (other than a picture, which
    is never unpacked to read text) unpacks past :data:`limits.MAX_PDF_STREAM_BYTES`, or all of
    them together past :data:`limits.MAX_PDF_UNPACKED_BYTES`. Parts that are not plain
    zlib data (encrypted, another filter) are left to the PDF library."""
    total = 0
    for match in _STREAM.finditer(data):
        head = data[max(0, match.start() - 2048) : match.start()]
        if _IMAGE.search(head[head.rfind(b" obj") :] if b" obj" in head else head):
            continue
        end = data.find(b"endstream", match.end())
        size = _unpacked_size(data[match.end() : end if end >= 0 else len(data)])
        total += size
        if size > limits.MAX_PDF_STREAM_BYTES or total > limits.MAX_PDF_UNPACKED_BYTES:
            what, limit = (
                ("a compressed part of the PDF unpacks", limits.MAX_PDF_STREAM_BYTES)
                if size > limits.MAX_PDF_STREAM_BYTES
                else ("the compressed parts of the PDF unpack", limits.MAX_PDF_UNPACKED_BYTES)
            )
            raise InputError(
                f"{what} to more than {limit // (1024 * 1024):,} MB; this is not a transcript "
                "qualcode can read (a damaged file or a PDF bomb)",
                path,
            )


def _unpacked_size(raw: bytes) -> int:
    """How many bytes zlib data unpacks to, counted up to just past the per-part limit (0 when
    ``raw`` is not zlib data)."""
    stream = zlib.decompressobj()
    total = 0
    try:
        piece = stream.decompress(raw, _CHUNK)
        while True:
            total += len(piece)
            if total > limits.MAX_PDF_STREAM_BYTES or not stream.unconsumed_tail:
                return total
            piece = stream.decompress(stream.unconsumed_tail, _CHUNK)
    except zlib.error:
        return total
