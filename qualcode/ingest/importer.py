"""Importing transcripts into a project: collect the files, read each with its format's
reader, store each as a source with its turns and speakers, in one transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.errors import ConflictError, InputError
from qualcode.ingest import SUPPORTED_SUFFIXES, is_turns_csv, read_transcript
from qualcode.ingest.model import Transcript
from qualcode.ingest.participants import read_participants
from qualcode.ingest.speakers import INTERVIEWER_LABELS
from qualcode.store import cases as case_store
from qualcode.store import runs as run_store
from qualcode.store import sources as source_store

Progress = Callable[[int], None]  # called with the number of items just finished
# Files up to this size in all are kept in memory between reading and storing; a larger import
# reads each file again while storing, so that its memory does not grow with the corpus.
KEEP_BYTES = 16 * 2**20
_SKIPPED_NAMES = ("readme", "license", "licence", "copying")


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    warnings: list[str] = field(default_factory=list)


def import_transcripts(
    db, paths, participants=None, replace=False, progress: Progress | None = None, report=None
) -> ImportReport:
    """Import transcript files and folders (and a participants CSV) in one transaction:
    if any file cannot be read, nothing is stored. See ``Project.import_transcripts``.
    Every file is read before the write starts, so the project is locked only briefly (for a
    corpus over :data:`KEEP_BYTES`, while each file is read a second time and stored)."""
    report = report or ImportReport()
    if not paths:
        return report
    files = collect_files(paths, participants, report)
    declared = read_participants(participants) if participants else None
    # Read and parse every file before taking the write lock, so that other commands (a coder
    # reviewing) wait only for the short write at the end, not for the parsing.
    known = (
        {row.speaker for row in declared.rows} if declared else case_store.participant_labels(db.connection)
    )
    keep = sum(path.stat().st_size for path in files) <= KEEP_BYTES
    transcripts = []
    for path in files:
        transcript = read_transcript(path, known)
        transcripts.append((path, transcript if keep else _digest(transcript)))
        if progress:
            progress(1)
    with db.transaction() as conn:
        if declared:
            case_store.replace_participants(conn, declared)
            report.warnings.extend(declared.warnings)
        for path, transcript in transcripts:
            if isinstance(transcript, str):
                transcript = _read_again(path, known, transcript)
            report.warnings.extend(transcript.warnings)
            store_transcript(conn, path.stem, str(path), transcript, replace, report)
        report.warnings.extend(resolve_speakers(conn))
        if report.imported or report.replaced or declared:
            config = {"paths": [str(p) for p in paths], "participants": str(participants or "")}
            summary = {"imported": report.imported, "replaced": report.replaced}
            run_store.record_run(conn, "import", config, summary)
    return report


def _digest(transcript: Transcript) -> str:
    return hashlib.sha256(transcript.text.encode("utf-8")).hexdigest()


def _read_again(path: Path, known: set[str], digest: str) -> Transcript:
    """A file read before the write, read again to store it: refused if it changed since."""
    transcript = read_transcript(path, known)
    if _digest(transcript) != digest:
        raise InputError("the file changed while it was being imported; import it again", str(path))
    return transcript


def load_participants(db, path, sheet: str | None = None) -> list[str]:
    """Declare who the speakers are from a participants CSV or workbook; returns warnings."""
    declared = read_participants(path, sheet)
    with db.transaction() as conn:
        case_store.replace_participants(conn, declared)
        return declared.warnings + resolve_speakers(conn)


def resolve_speakers(conn) -> list[str]:
    """Give speakers their declared roles and cases; warn about declared labels nobody uses."""
    case_store.resolve_speakers(conn, INTERVIEWER_LABELS)
    return [
        f"participants: speaker {label!r} appears in no imported transcript"
        for label in case_store.unmatched_participants(conn)
    ]


def collect_files(paths, participants, report: ImportReport) -> list[Path]:
    """The files to read: given files, and the transcripts in given folders (others skipped,
    with the reason in ``report``). Two files may not become the same source name."""
    skip = Path(participants).resolve() if participants else None
    files: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            for path in sorted(p for p in given.iterdir() if p.is_file()):
                why = _why_skip(path, skip)
                if why:
                    report.skipped.append((str(path), why))
                else:
                    files.append(path)
        elif given.is_file():
            files.append(given)
        else:
            raise InputError("no such file or folder", str(given))
    seen: dict[str, Path] = {}
    for path in files:
        if path.stem in seen:
            raise InputError(
                f"two files would both become source {path.stem!r} ({seen[path.stem]} and "
                f"{path}); rename one of them",
                str(path),
            )
        seen[path.stem] = path
    return files


def store_transcript(conn, name: str, path: str, transcript: Transcript, replace: bool, report) -> int | None:
    """Store one transcript as source ``name``; returns its id (None when unchanged)."""
    digest = _digest(transcript)
    existing = source_store.source_by_name(conn, name)
    if existing and existing["sha256"] == digest:
        report.unchanged.append(name)
        return None
    if existing:
        if not replace:
            raise ConflictError(
                f"{path}: source {name!r} is already in the project with different text; "
                f"use --replace to replace it (its segments are made again)"
            )
        spans = source_store.spans_in_source(conn, existing["id"])
        if spans:
            raise ConflictError(
                f"{path}: source {name!r} has {spans} codings or suggestions whose "
                f"offsets would no longer fit the new text; import the new version under "
                f"another name instead"
            )
        source_store.delete_source(conn, existing["id"])
        report.replaced.append(name)
    else:
        report.imported.append(name)
    metadata = dict(transcript.metadata, turns=len(transcript.turns))
    source_id = source_store.insert_source(
        conn, name, transcript.text, transcript.format, path, digest, metadata
    )
    source_store.insert_turns(conn, source_id, transcript.turns)
    return source_id


def _why_skip(path: Path, participants: Path | None) -> str | None:
    if path.name.startswith("."):
        return "hidden file"
    if participants is not None and path.resolve() == participants:
        return "the participants file"
    if path.stem.lower() in _SKIPPED_NAMES:
        return "documentation, not a transcript"
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"not a supported format ({', '.join(SUPPORTED_SUFFIXES)})"
    if path.suffix.lower() in (".csv", ".xlsx") and not is_turns_csv(path):
        kind = "a CSV" if path.suffix.lower() == ".csv" else "a workbook"
        return f"{kind} without speaker,text columns (not a turns table)"
    return None
