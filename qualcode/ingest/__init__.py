"""Reading transcripts: one module per format, all returning a :class:`Transcript`."""

from __future__ import annotations

from pathlib import Path

from qualcode.errors import InputError
from qualcode.ingest.csvturns import (
    looks_like_turns_csv,
    looks_like_turns_table,
    read_turns_csv,
    read_turns_table,
)
from qualcode.ingest.decode import decode
from qualcode.ingest.limits import check_characters, check_file_size
from qualcode.ingest.model import Transcript, Turn
from qualcode.ingest.office import read_docx, read_odt
from qualcode.ingest.plaintext import parse_turns
from qualcode.ingest.subtitles import read_srt, read_vtt

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".odt", ".pdf", ".vtt", ".srt", ".csv", ".xlsx")

__all__ = ["SUPPORTED_SUFFIXES", "Transcript", "Turn", "read_transcript", "is_turns_csv"]
NO_SPEAKERS = (
    "no speaker labels found (such as 'Interviewer:' or 'R:' at the start of a line), so the whole "
    "text is one turn by an unnamed speaker; label the turns, or name the speakers in a participants CSV"
)
# Their size on disk says little about the text inside; their readers check it themselves.
_PACKED = (".docx", ".odt", ".pdf", ".xlsx")


def read_transcript(path: str | Path, known_speakers: set[str] = frozenset()) -> Transcript:
    """Read one transcript file; ``known_speakers`` are labels to trust as speakers.

    A file past the limits of :mod:`qualcode.ingest.limits` (characters, turns) is refused
    with an :class:`InputError`, before the reader builds more than the limit allows.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"unknown transcript format {suffix or '(no extension)'!r}; "
            f"supported: {', '.join(SUPPORTED_SUFFIXES)}",
            str(path),
        )
    try:
        if suffix not in _PACKED:
            check_file_size(path.stat().st_size, str(path))
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", str(path)) from exc
    if not data.strip():
        raise InputError("the file is empty; nothing to import", str(path))
    try:
        transcript = _read(data, suffix, str(path), known_speakers)
    except InputError as exc:
        if exc.path is not None:
            raise
        raise InputError(str(exc), str(path), exc.line) from exc  # a reader that knew no path
    check_characters(len(transcript.text), str(path))
    if not any(turn.speaker for turn in transcript.turns):
        transcript.warnings.append(NO_SPEAKERS)
    transcript.warnings = [w if w.startswith(str(path)) else f"{path}: {w}" for w in transcript.warnings]
    return transcript


def _read(data: bytes, suffix: str, path: str, known_speakers: set[str]) -> Transcript:
    if suffix == ".docx":
        return read_docx(data, path, known_speakers)
    if suffix == ".odt":
        return read_odt(data, path, known_speakers)
    if suffix == ".pdf":
        from qualcode.ingest.pdf import read_pdf  # pdfplumber is imported only for a PDF

        return read_pdf(data, path, known_speakers)
    if suffix == ".xlsx":
        return read_turns_table(path)
    text, encoding, warnings = decode(data, path)
    if not text.strip():
        raise InputError("the file contains only white space; nothing to import", path)
    check_characters(len(text), path)
    if suffix == ".vtt":
        transcript = read_vtt(text, path, known_speakers)
    elif suffix == ".srt":
        transcript = read_srt(text, path, known_speakers)
    elif suffix == ".csv":
        transcript = read_turns_csv(text, path)
    else:
        transcript = parse_turns(text, suffix.lstrip("."), known_speakers, path)
    transcript.metadata["encoding"] = encoding
    transcript.warnings[:0] = warnings
    return transcript


def is_turns_csv(path: Path) -> bool:
    """Whether a CSV file or workbook in an imported folder is a transcript (and not, say,
    participants)."""
    if path.suffix.lower() == ".xlsx":
        return looks_like_turns_table(path)
    try:
        text, _, _ = decode(path.read_bytes(), str(path))
    except (InputError, OSError):
        return True  # let the import report the real problem
    return looks_like_turns_csv(text)
