"""Project: one SQLite file and the high-level operations on it.

The CLI, notebooks and tests all go through this class, so they see the same state.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import platform
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.errors import ConflictError, InputError
from qualcode.ingest import SUPPORTED_SUFFIXES, is_turns_csv, read_transcript
from qualcode.ingest.participants import read_participants
from qualcode.ingest.speakers import INTERVIEWER_LABELS
from qualcode.segment import TurnSpan, Unit, segment_turns
from qualcode.store import queries as q
from qualcode.store.db import Database
from qualcode.version import __version__

Progress = Callable[[int], None]  # called with the number of items just finished
_SKIPPED_NAMES = ("readme", "license", "licence", "copying")
_INSERT_BATCH = 2000


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    warnings: list[str] = field(default_factory=list)


@dataclass
class SegmentReport:
    unit: str
    segments: int
    sources: int
    turns: int
    skipped_interviewer_turns: int
    pipeline: dict


@dataclass(frozen=True)
class SegmentRow:
    id: int
    source: str
    unit: str
    start: int
    end: int
    speaker: str | None
    role: str | None
    case: str | None
    text: str
    lemmas: str


class Project:
    """An open qualcode project. Use :meth:`create` or :meth:`open`, then :meth:`close`
    (or a ``with`` block)."""

    def __init__(self, db: Database):
        self._db = db

    @classmethod
    def create(cls, path: str | Path) -> Project:
        """Create a new, empty project file (refuses to overwrite an existing file)."""
        db = Database.create(path)
        with db.transaction() as conn:
            q.set_setting(conn, "created_by", f"qualcode {__version__}")
        return cls(db)

    @classmethod
    def open(cls, path: str | Path) -> Project:
        """Open an existing project, migrating an older one (after a backup copy)."""
        return cls(Database.open(path))

    @property
    def path(self) -> Path:
        return self._db.path

    def close(self) -> None:
        """Close the project file (a ``with`` block does this for you)."""
        self._db.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- import ------------------------------------------------------------------------------

    def import_transcripts(
        self,
        paths: list[str | Path],
        participants: str | Path | None = None,
        replace: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import transcript files and folders (and optionally a participants CSV).

        Everything happens in one transaction: if any file cannot be read, nothing is
        stored. An unchanged file is left alone; a changed file with the name of an existing
        source is refused unless ``replace``.
        """
        report = ImportReport()
        projects = [Path(p) for p in paths if Path(p).suffix.lower() == ".qdpx"]
        paths = [p for p in paths if Path(p).suffix.lower() != ".qdpx"]
        for path in projects:  # other tools' projects: each imported whole, in its own transaction
            self._import_qdpx(path, report)
        if not paths:
            return report
        files = self._collect_files(paths, participants, report)
        declared = read_participants(participants) if participants else None
        with self._db.transaction() as conn:
            if declared:
                q.replace_participants(conn, declared)
            known = q.participant_labels(conn)
            for path in files:
                self._import_one(conn, path, known, replace, report)
                if progress:
                    progress(1)
            q.resolve_speakers(conn, INTERVIEWER_LABELS)
            report.warnings.extend(
                f"participants: speaker {label!r} appears in no imported transcript"
                for label in q.unmatched_participants(conn)
            )
            if report.imported or report.replaced or declared:
                config = {"paths": [str(p) for p in paths], "participants": str(participants or "")}
                run_id = q.start_run(conn, "import", config, _versions())
                summary = {"imported": report.imported, "replaced": report.replaced}
                q.finish_run(conn, run_id, summary)
        return report

    def _import_qdpx(self, path: Path, report: ImportReport) -> None:
        from qualcode.refi.project_import import import_qdpx

        result = import_qdpx(self, path)
        report.imported.extend(result.sources)
        report.warnings.extend(result.warnings)

    def count_importable(self, paths: list[str | Path], participants=None) -> int:
        """How many files :meth:`import_transcripts` would read (for a progress bar)."""
        return len(self._collect_files(paths, participants, ImportReport()))

    def _collect_files(self, paths, participants, report: ImportReport) -> list[Path]:
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

    def _import_one(self, conn, path: Path, known: set[str], replace: bool, report) -> None:
        transcript = read_transcript(path, known)
        report.warnings.extend(transcript.warnings)
        self._store_transcript(conn, path.stem, str(path), transcript, replace, report)

    def _store_transcript(self, conn, name: str, path: str, transcript, replace: bool, report) -> int | None:
        """Store one transcript as source ``name``; returns its id (None when unchanged)."""
        digest = hashlib.sha256(transcript.text.encode("utf-8")).hexdigest()
        existing = q.source_by_name(conn, name)
        if existing and existing["sha256"] == digest:
            report.unchanged.append(name)
            return None
        if existing:
            if not replace:
                raise ConflictError(
                    f"{path}: source {name!r} is already in the project with different text; "
                    f"use --replace to replace it (its segments are made again)"
                )
            decisions = q.count_decisions(conn, existing["id"])
            if decisions:
                raise ConflictError(
                    f"{path}: source {name!r} has {decisions} codings or suggestions whose "
                    f"offsets would no longer fit the new text; import the new version under "
                    f"another name instead"
                )
            q.delete_source(conn, existing["id"])
            report.replaced.append(name)
        else:
            report.imported.append(name)
        metadata = dict(transcript.metadata, turns=len(transcript.turns))
        source_id = q.insert_source(conn, name, transcript.text, transcript.format, path, digest, metadata)
        q.insert_turns(conn, source_id, transcript.turns)
        return source_id

    def import_units(
        self,
        path: str | Path,
        id_column: str,
        text_column: str,
        coders: list[str],
        separator: str = ";",
        add_missing_codes: bool = False,
    ) -> ImportReport:
        """Import short texts coded as a whole (open survey answers): one source per row,
        and per coder column a list of codes, each stored as a coding over the whole text.

        Segment them with ``unit="turn"`` to compute agreement per answer.
        """
        from qualcode.ingest.units import import_units

        return import_units(self, path, id_column, text_column, coders, separator, add_missing_codes)

    def load_participants(self, path: str | Path) -> list[str]:
        """Declare who the speakers are from a participants CSV; returns warnings."""
        declared = read_participants(path)
        with self._db.transaction() as conn:
            q.replace_participants(conn, declared)
            q.resolve_speakers(conn, INTERVIEWER_LABELS)
            return [
                f"participants: speaker {label!r} appears in no imported transcript"
                for label in q.unmatched_participants(conn)
            ]

    # -- codebook ----------------------------------------------------------------------------

    def load_codebook(self, path: str | Path) -> dict[str, list[str]]:
        """Read a codebook file (YAML, CSV, .qdc, .qdpx) and make it the current version.

        Codes keep their identity, and so their codings, when renamed (``formerly``), moved
        or merged (``merges``); codes left out are retired, not deleted. Returns the names of
        the codes per change (added, renamed, changed, moved, merged, retired).
        """
        from qualcode.codebook import read_codebook
        from qualcode.store import codes as code_store

        codebook = read_codebook(path)
        with self._db.transaction() as conn:
            code_store.check_rename_target(conn, codebook)
            return code_store.apply_codebook(conn, codebook, origin=str(path))

    def codebook(self):
        """The current codebook (a :class:`qualcode.codebook.Codebook`)."""
        from qualcode.store import codes as code_store

        return code_store.current_codebook(self._db.connection)

    def export_codebook(self, path: str | Path) -> None:
        """Write the current codebook as YAML, CSV or REFI-QDA .qdc (by extension)."""
        from qualcode.codebook import write_codebook

        codebook = self.codebook()
        if not codebook.codes:
            raise ConflictError("the project has no codebook yet; load one with: qualcode codebook load")
        write_codebook(codebook, path)

    # -- codings and suggestions -----------------------------------------------------------------

    def import_codings(self, path: str | Path, coder: str | None = None, add_missing_codes: bool = False):
        """Import human codings (``source,start,end,code,coder``); exact spans are kept and
        meet segments by overlap. Unknown codes are an error unless ``add_missing_codes``."""
        from qualcode.coding.codings_csv import import_codings

        return import_codings(self._db, path, coder, add_missing_codes)

    def export_codings(self, path: str | Path, coder: str | None = None) -> int:
        """Write the current codings (of one coder, or all) as ``source,start,end,code,coder``."""
        from qualcode.coding.codings_csv import export_codings

        return export_codings(self._db, path, coder)

    def suggest(
        self,
        suggester: str = "ensemble",
        min_score: float = 0.3,
        coder: str | None = None,
        unit: str | None = None,
        **options,
    ):
        """Suggest codes for every segment and store them (a suggestion is never a coding).

        ``coder`` limits learning to that person's codings (default: every human coder);
        ``options`` go to the suggester (e.g. ``embedder="sentence-transformers", model=PATH``).
        """
        from qualcode.suggest.runner import run_suggestions

        versions = _versions(**{"scikit-learn": _package_version("scikit-learn")})
        return run_suggestions(self._db, suggester, options, min_score, coder, unit, versions)

    def suggest_again(self):
        """Repeat the latest suggest run's settings, learning from the decisions since."""
        from qualcode.suggest.runner import rerun_last

        return rerun_last(self._db, _versions(**{"scikit-learn": _package_version("scikit-learn")}))

    def last_suggester(self) -> str | None:
        """The suggester of the latest suggest run (None before the first)."""
        run = q.last_run(self._db.connection, "suggest")
        return None if run is None else json.loads(run["config"])["suggester"]

    def export_suggestions(self, path: str | Path, run_id: int | None = None) -> int:
        """Write the latest run's suggestions (``source,start,end,code,score,suggester,rationale``)."""
        from qualcode.suggest.runner import export_suggestions

        return export_suggestions(self._db, path, run_id)

    def evaluate(
        self,
        coder: str,
        split: float = 0.5,
        seed: int = 1,
        suggester: str = "ensemble",
        min_score: float = 0.3,
        **options,
    ):
        """Learn from ``coder``'s codings in part of the sources, suggest on the rest, and
        score against that coder (with a keyword-search baseline). See :mod:`qualcode.suggest.evaluate`."""
        from qualcode.suggest.evaluate import evaluate

        return evaluate(self._db, coder, split, seed, suggester, min_score, options=options)

    def agreement(self, coders: list[str], unit: str | None = None):
        """Percent agreement, Cohen's kappa (two coders) and Krippendorff's alpha per code and
        overall, over all segments and over coded ones, with the disagreements. ``machine``
        stands for the latest suggestions. See :mod:`qualcode.analysis.agreement`."""
        from qualcode.analysis.agreement import agreement

        return agreement(self._db, coders, unit)

    # -- topics, mechanisms, exports ----------------------------------------------------------

    def topics(self, mode: str = "quick", n_topics: int = 8, seed: int = 1, **options):
        """Run BERTopic over the segments and store the topics (see :mod:`qualcode.analysis.topics`)."""
        from qualcode.analysis.topics import run_topics

        versions = _versions(bertopic=_package_version("bertopic"))
        return run_topics(self._db, mode=mode, n_topics=n_topics, seed=seed, versions=versions, **options)

    def topic_overview(self, run_id: int | None = None):
        """The topics of a topic run (the latest by default), with words, sizes and examples."""
        from qualcode.analysis.topics import topic_overview

        return topic_overview(self._db, run_id)

    def promote_topic(self, topic: int, name: str, run_id: int | None = None) -> str:
        """Turn a topic into a draft code whose examples are its representative segments."""
        from qualcode.analysis.topics import promote_topic

        return promote_topic(self._db, topic, name, run_id)

    def cooccurrence(self, scope: str = "segment", window: int = 3, include: str = "reviewed"):
        from qualcode.analysis.mechanisms import cooccurrence

        return cooccurrence(self._db, scope=scope, window=window, include=include)

    def cmo_configurations(self, scope: str = "turn", include: str = "reviewed"):
        """Code co-occurrence per segment, turn or window of segments (counts and Jaccard)."""

        from qualcode.analysis.mechanisms import cmo_configurations

        return cmo_configurations(self._db, scope=scope, include=include)

    def framework_matrix(self, include: str = "reviewed"):
        """Context-mechanism-outcome configurations with their support per case."""

        from qualcode.analysis.mechanisms import framework_matrix

        return framework_matrix(self._db, include=include)

    def evidence_tables(self, kinds=("mechanism", "bottleneck"), include: str = "reviewed"):
        """Cases x codes: counts and quotes."""

        from qualcode.analysis.mechanisms import evidence_tables

        return evidence_tables(self._db, kinds=kinds, include=include)

    def export(self, fmt: str, path: str | Path, include: str = "reviewed") -> None:
        """Write findings as csv (a folder), xlsx, html, md, a REFI-QDA .qdpx project or a .qdc
        codebook; the export is recorded as a run (format, path, what counted, versions)."""
        if fmt == "qdc":
            self.export_codebook(path)
        elif fmt == "qdpx":
            from qualcode.refi.project_export import export_qdpx

            export_qdpx(self._db, path)
        else:
            from qualcode.export import report, tables

            writers = {
                "csv": tables.export_csv,
                "xlsx": tables.export_xlsx,
                "html": report.export_html,
                "md": report.export_markdown,
            }
            if fmt not in writers:
                raise InputError(f"unknown export format {fmt!r}; choose csv, xlsx, html, md, qdpx or qdc")
            writers[fmt](self._db, path, include=include)
        with self._db.transaction() as conn:
            config = {"format": fmt, "path": str(path), "include": include}
            q.finish_run(conn, q.start_run(conn, "export", config, _versions()), {})

    def _meta(self, key: str) -> str | None:
        return q.get_setting(self._db.connection, key)

    def _set_meta(self, key: str, value: str) -> None:
        with self._db.transaction() as conn:
            q.set_setting(conn, key, value)

    def _decision_count(self) -> int:
        """How many review decisions exist (a study re-suggests and re-exports after new ones)."""
        return q.decision_count(self._db.connection)

    def reviewer(self, coder: str):
        """Per mechanism and bottleneck: numbers, groups, quotes, counter-evidence, provenance."""

        """The review operations (accept, reject, edit, add, remove, undo) for one coder."""
        from qualcode.coding.review import Reviewer

        return Reviewer(self._db, coder)

    def add_memo(self, on: str, target: str | int | None, author: str, text: str) -> int:
        """A memo on the project (target None), a code or source (by name) or a segment (by id)."""
        from qualcode.coding.memos import add_memo

        return add_memo(self._db, on, target, author, text)

    def memos(self) -> list[dict]:
        """Every memo, oldest first, with what it is about."""
        from qualcode.store import review as review_store

        return [dict(r) for r in review_store.memos(self._db.connection)]

    def most_informative(self, coder: str | None = None, limit: int = 20, unit: str | None = None):
        """Active learning: the uncoded segments whose coding would teach the models most."""
        from qualcode.suggest.runner import most_informative

        return most_informative(self._db, coder, unit, limit)

    # -- segmentation ----------------------------------------------------------------------

    def segment(
        self,
        unit: str = "sentence",
        window: int = 3,
        stride: int | None = None,
        language: str = "nl",
        model: str | None = None,
        include_interviewer: bool = False,
        progress: Progress | None = None,
    ) -> SegmentReport:
        """(Re)make the segments of one unit for every source, in one transaction.

        Interviewer turns are left out unless ``include_interviewer``. Codings are spans in
        the source text, so segmenting again never touches them.
        """
        from qualcode.nlp import load_pipeline

        spec = Unit(unit, window, stride)
        nlp, info = load_pipeline(language, model)
        config = dict(spec.as_dict(), include_interviewer=include_interviewer, **info.as_dict())
        counters = {"turns": 0, "interviewer": 0, "segments": 0}
        conn = self._db.connection
        with self._db.transaction():
            q.delete_segments(conn, spec.name)
            run_id = q.start_run(conn, "segment", config, _versions(spacy_model=info.version))
            turns = self._turn_spans(conn, include_interviewer, counters, progress)
            batch: list[tuple] = []
            positions: dict[int, int] = {}
            for seg in segment_turns(nlp, turns, spec):
                position = positions.get(seg.source_id, 0)
                positions[seg.source_id] = position + 1
                batch.append(
                    (
                        seg.source_id,
                        seg.turn_id,
                        run_id,
                        spec.name,
                        position,
                        seg.start,
                        seg.end,
                        seg.norm,
                        seg.lemmas,
                    )
                )
                if len(batch) >= _INSERT_BATCH:
                    q.insert_segments(conn, batch)
                    batch.clear()
            q.insert_segments(conn, batch)
            counters["segments"] = sum(positions.values())
            q.finish_run(conn, run_id, counters)
            q.set_setting(conn, "active_unit", spec.name)
        return SegmentReport(
            unit=spec.name,
            segments=counters["segments"],
            sources=len(positions),
            turns=counters["turns"],
            skipped_interviewer_turns=counters["interviewer"],
            pipeline=info.as_dict(),
        )

    def _turn_spans(self, conn, include_interviewer, counters, progress) -> Iterator[TurnSpan]:
        """Turns to segment, one source's text in memory at a time."""
        for source_id in q.source_ids(conn):
            text = q.source_text(conn, source_id)
            for turn in q.turns_of_source(conn, source_id):
                if turn["role"] == "interviewer" and not include_interviewer:
                    counters["interviewer"] += 1
                    continue
                counters["turns"] += 1
                yield TurnSpan(source_id, turn["id"], text, turn["start"], turn["end"])
            if progress:
                progress(1)

    def source_text(self, name: str) -> str:
        """The normalised text of a source; every offset in the project points into it."""
        row = q.source_by_name(self._db.connection, name)
        if row is None:
            raise InputError(f"no source named {name!r} in the project")
        return q.source_text(self._db.connection, row["id"])

    def source_count(self) -> int:
        """How many sources the project holds."""
        return len(q.source_ids(self._db.connection))

    # -- reading -----------------------------------------------------------------------------

    def active_unit(self) -> str | None:
        """The unit of the latest segmentation (the default for segments, suggestions, agreement)."""
        return q.get_setting(self._db.connection, "active_unit")

    def segments(self, unit: str | None = None) -> Iterator[SegmentRow]:
        """Segments of ``unit`` (default: the last one made), ordered by source and position."""
        unit = unit or self.active_unit()
        if unit is None:
            return iter(())
        return (
            SegmentRow(
                r["id"], r["source"], r["unit"], r["start"], r["end"], r["speaker"], r["role"],
                r["case"], r["text"], r["lemmas"],
            )
            for r in q.iter_segments(self._db.connection, unit)
        )  # fmt: skip

    def segments_frame(self, unit: str | None = None):
        """The segments as a pandas DataFrame (for notebooks)."""
        import pandas as pd

        return pd.DataFrame([row.__dict__ for row in self.segments(unit)])

    def status(self) -> dict:
        """Counts, roles, segments, codings per coder, sources and the latest segmentation."""
        conn = self._db.connection
        segment_run = q.last_run(conn, "segment")
        return {
            "path": str(self.path),
            "schema_version": self._db.schema_version(),
            "counts": q.counts(conn),
            "segments": q.segment_counts(conn),
            "active_unit": self.active_unit(),
            "roles": q.role_overview(conn),
            "codings_per_coder": q.codings_per_coder(conn),
            "sources": [dict(r) for r in q.source_overview(conn)],
            "last_segmentation": _run_dict(segment_run),
        }


def _why_skip(path: Path, participants: Path | None) -> str | None:
    if path.name.startswith("."):
        return "hidden file"
    if participants is not None and path.resolve() == participants:
        return "the participants file"
    if path.stem.lower() in _SKIPPED_NAMES:
        return "documentation, not a transcript"
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"not a supported format ({', '.join(SUPPORTED_SUFFIXES)})"
    if path.suffix.lower() == ".csv" and not is_turns_csv(path):
        return "a CSV without speaker,text columns (not a turns CSV)"
    return None


def _versions(**extra) -> dict:
    import importlib.metadata

    versions = {
        "qualcode": __version__,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    for package in ("spacy", "spacy-lookups-data"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[package] = importlib.metadata.version(package)
    return {**versions, **extra}


def _package_version(name: str) -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _run_dict(row) -> dict | None:
    if row is None:
        return None
    return {
        "id": row["id"],
        "config": json.loads(row["config"]),
        "summary": json.loads(row["summary"]),
        "finished_at": row["finished_at"],
    }
