"""Reading transcripts: one module per format, all returning a :class:`Transcript`."""

from __future__ import annotations

from pathlib import Path

from qualcode.errors import InputError
from qualcode.ingest.csvturns import looks_like_turns_csv, read_turns_csv
from qualcode.ingest.decode import decode
from qualcode.ingest.model import Transcript, Turn
from qualcode.ingest.office import read_docx, read_odt
from qualcode.ingest.plaintext import parse_turns
from qualcode.ingest.subtitles import read_srt, read_vtt

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".odt", ".vtt", ".srt", ".csv")

__all__ = ["SUPPORTED_SUFFIXES", "Transcript", "Turn", "read_transcript", "is_turns_csv"]


def read_transcript(path: str | Path, known_speakers: set[str] = frozenset()) -> Transcript:
    """Read one transcript file; ``known_speakers`` are labels to trust as speakers."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"unknown transcript format {suffix or '(no extension)'!r}; "
            f"supported: {', '.join(SUPPORTED_SUFFIXES)}",
            str(path),
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", str(path)) from exc
    if not data.strip():
        raise InputError("the file is empty; nothing to import", str(path))
    if suffix == ".docx":
        transcript = read_docx(data, str(path), known_speakers)
    elif suffix == ".odt":
        transcript = read_odt(data, str(path), known_speakers)
    else:
        text, encoding, warnings = decode(data, str(path))
        if not text.strip():
            raise InputError("the file contains only white space; nothing to import", str(path))
        if suffix == ".vtt":
            transcript = read_vtt(text, str(path), known_speakers)
        elif suffix == ".srt":
            transcript = read_srt(text, str(path), known_speakers)
        elif suffix == ".csv":
            transcript = read_turns_csv(text, str(path))
        else:
            transcript = parse_turns(text, suffix.lstrip("."), known_speakers)
        transcript.metadata["encoding"] = encoding
        transcript.warnings[:0] = warnings
    transcript.warnings = [w if w.startswith(str(path)) else f"{path}: {w}" for w in transcript.warnings]
    return transcript


def is_turns_csv(path: Path) -> bool:
    """Whether a CSV file in an imported folder is a transcript (and not, say, participants)."""
    try:
        text, _, _ = decode(path.read_bytes(), str(path))
    except (InputError, OSError):
        return True  # let the import report the real problem
    return looks_like_turns_csv(text)
