"""Project: one project file and the operations on it, as one-line delegations.

The CLI, notebooks, the web workbench and tests all go through this class. It holds no logic:
each method hands its arguments to the library module that does the work, imported when called.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from qualcode import defaults
from qualcode.ingest.importer import ImportReport, Progress
from qualcode.project_findings import FindingsFacade
from qualcode.project_privacy import PrivacyFacade
from qualcode.segment import SegmentReport, SegmentRow
from qualcode.store.db import Database

__all__ = ["ImportReport", "Project", "SegmentReport", "SegmentRow"]


class Project(FindingsFacade, PrivacyFacade):
    """An open qualcode project: :meth:`create` or :meth:`open`, then :meth:`close` (or ``with``)."""

    def __init__(self, db: Database):
        self._db = db

    @classmethod
    def create(cls, path: str | Path) -> Project:
        """Create a new, empty project file (refuses to overwrite an existing file)."""
        return cls(Database.create(path))

    @classmethod
    def open(cls, path: str | Path, read_only: bool = False) -> Project:
        """Open a project, migrating an older one (after a backup); ``read_only``: changes refused."""
        return cls(Database.open(path, read_only=read_only))

    @property
    def path(self) -> Path:
        return self._db.path

    def backup(self, target: str | Path) -> Path:
        """Copy the project, consistent even while it is in use, to a new file ``target``."""
        return self._db.backup(target)

    def copy_to(self, target: str | Path) -> dict[str, int]:
        """Copy the whole project (ids, decisions log, runs, memos) to a new file or a new
        database on a PostgreSQL server (``qualcode push``/``pull``); rows per table."""
        from qualcode.transfer import copy_project

        return copy_project(self._db, target)

    def close(self) -> None:
        """Close the project file (a ``with`` block does this for you)."""
        self._db.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- import (qualcode.ingest, qualcode.refi) ------------------------------------------------

    def import_transcripts(
        self,
        paths: list[str | Path],
        participants: str | Path | None = None,
        replace: bool = False,
        progress: Progress | None = None,
        allow_external_sources: bool = False,
    ) -> ImportReport:
        """Import transcript files and folders (and a participants CSV), all or nothing. An
        unchanged file is left alone; a changed one is refused unless ``replace``. REFI-QDA
        projects among the paths are imported whole (``allow_external_sources``: see
        :meth:`import_qdpx`)."""
        from qualcode.ingest.importer import import_transcripts
        from qualcode.refi.project_import import import_qdpx_into

        report = ImportReport()
        others = [p for p in paths if Path(p).suffix.lower() != ".qdpx"]
        for path in (Path(p) for p in paths if Path(p).suffix.lower() == ".qdpx"):
            import_qdpx_into(self._db, path, report, allow_external_sources=allow_external_sources)
        return import_transcripts(self._db, others, participants, replace, progress, report)

    def import_qdpx(self, path: str | Path, allow_external_sources: bool = False):
        """Import a REFI-QDA project (.qdpx) whole, in one transaction: what came in, and warnings. Only
        its own files are read, unless ``allow_external_sources`` (then: files in its folder too)."""
        from qualcode.refi.project_import import import_qdpx

        return import_qdpx(self._db, path, allow_external_sources=allow_external_sources)

    def count_importable(self, paths: list[str | Path], participants=None) -> int:
        """How many files :meth:`import_transcripts` would read (for a progress bar)."""
        from qualcode.ingest.importer import collect_files

        return len(collect_files(paths, participants, ImportReport()))

    def import_units(
        self,
        path: str | Path,
        id_column: str,
        text_column: str,
        coders: list[str],
        separator: str = ";",
        add_missing_codes: bool = False,
    ) -> ImportReport:
        """Import short texts coded as a whole (open survey answers): one source per row, each
        coder column's codes as codings over the whole text (segment them with ``unit="turn"``)."""
        from qualcode.ingest.units import import_units

        return import_units(self._db, path, id_column, text_column, coders, separator, add_missing_codes)

    def load_participants(self, path: str | Path) -> list[str]:
        """Declare who the speakers are from a participants CSV; returns warnings."""
        from qualcode.ingest.importer import load_participants

        return load_participants(self._db, path)

    # -- segmentation (qualcode.segment) --------------------------------------------------------

    def segment(
        self,
        unit: str = defaults.UNIT,
        window: int = defaults.WINDOW,
        stride: int | None = None,
        language: str = defaults.LANGUAGE,
        model: str | None = None,
        include_interviewer: bool = False,
        progress: Progress | None = None,
        workers: int | None = None,
    ) -> SegmentReport:
        """(Re)make the segments of one unit for every source (interviewer turns only with
        ``include_interviewer``); codings are spans of the text, so they are never touched.
        ``workers``: processes running spaCy (default: one per core for a large project)."""
        from qualcode.nlp import load_pipeline
        from qualcode.segment import Unit, segment_project

        spec = Unit(unit, window, stride)
        nlp, info = load_pipeline(language, model)
        return segment_project(self._db, spec, nlp, info, include_interviewer, progress, workers)

    # -- codebook (qualcode.codebook, store.codes) ----------------------------------------------

    def load_codebook(self, path: str | Path) -> dict[str, list[str]]:
        """Read a codebook file (YAML, CSV, .qdc, .qdpx) as the current version; renamed, moved
        or merged codes keep their codings, left-out ones are retired. Returns the changes."""
        from qualcode.codebook.versions import load_codebook

        return load_codebook(self._db, path)

    def codebook(self):
        """The current codebook (a :class:`qualcode.codebook.Codebook`)."""
        from qualcode.codebook.versions import current_codebook

        return current_codebook(self._db)

    def codebook_versions(self) -> list[dict]:
        """Every codebook version loaded, oldest first (name, origin, summary, time)."""
        from qualcode.codebook.versions import codebook_versions

        return codebook_versions(self._db)

    def export_codebook(self, path: str | Path) -> None:
        """Write the current codebook as YAML, CSV or REFI-QDA .qdc (by extension)."""
        from qualcode.codebook.versions import export_codebook

        export_codebook(self._db, path)

    # -- codings, suggestions, review (qualcode.coding, qualcode.suggest) -----------------------

    def import_codings(
        self, path, coder: str | None = None, add_missing_codes: bool = False, shared: bool = False
    ):
        """Import human codings (``source,start,end,code,coder``); exact spans are kept and
        meet segments by overlap. Unknown codes are an error unless ``add_missing_codes``;
        ``shared`` makes them training data for every coder's suggestions."""
        from qualcode.coding.codings_csv import import_codings

        return import_codings(self._db, path, coder, add_missing_codes, shared)

    def export_codings(self, path: str | Path, coder: str | None = None) -> int:
        """Write the current codings (of one coder, or all) as ``source,start,end,code,coder``."""
        from qualcode.coding.codings_csv import export_codings

        return export_codings(self._db, path, coder)

    def codings(self, coder: str | None = None) -> list[dict]:
        """The current codings (of one coder, or all): source, start, end, code, coder."""
        from qualcode.coding.codings_csv import current_codings

        return current_codings(self._db, coder)

    def suggest(
        self,
        suggester: str = defaults.SUGGESTER,
        min_score: float | None = defaults.MIN_SCORE,
        coder: str | None = None,
        unit: str | None = None,
        progress=None,
        **options,
    ):
        """Suggest codes for every segment and store them (never as codings), learning from
        ``coder``'s decisions (default: everyone's); ``options`` go to the suggester;
        ``progress(done, total, stage)`` is told as each stage starts."""
        from qualcode.suggest.runner import run_suggestions

        return run_suggestions(self._db, suggester, options, min_score, coder, unit, progress)

    def suggest_again(self):
        """Repeat the latest suggest run's settings, learning from the decisions since."""
        from qualcode.suggest.runner import rerun_last

        return rerun_last(self._db)

    def coder_model(self, coder: str, learn_from: str = "coder"):
        """``coder``'s suggester for a review; see :class:`qualcode.suggest.retrain.CoderModel`."""
        from qualcode.suggest.retrain import CoderModel

        return CoderModel(self._db, coder, learn_from)

    def last_suggester(self) -> str | None:
        """The suggester of the latest suggest run (None before the first)."""
        from qualcode.suggest.runner import last_suggester

        return last_suggester(self._db)

    def suggestions(self, run_id: int | None = None) -> list[dict]:
        """A suggest run's suggestions (default: the latest run's)."""
        from qualcode.suggest.runner import suggestions_of_run

        return suggestions_of_run(self._db, run_id)

    def export_suggestions(self, path: str | Path, run_id: int | None = None) -> int:
        """Write the latest run's suggestions (``source,start,end,code,score,suggester,rationale``)."""
        from qualcode.suggest.runner import export_suggestions

        return export_suggestions(self._db, path, run_id)

    def evaluate(
        self,
        coder: str,
        split: float = 0.5,
        seed: int = 1,
        suggester: str = defaults.SUGGESTER,
        min_score: float | None = None,
        **options,
    ):
        """Score suggestions against ``coder``'s codings on held-out sources (:mod:`qualcode.suggest.evaluate`)."""
        from qualcode.suggest.evaluate import evaluate

        return evaluate(self._db, coder, split, seed, suggester, min_score, options=options)

    def most_informative(
        self, coder: str | None = None, limit: int = 20, unit: str | None = None, progress=None
    ):
        """Active learning: the uncoded segments whose coding would teach the models most;
        ``progress(done, total, stage)`` is told the segments weighed so far."""
        from qualcode.suggest.active import most_informative

        return most_informative(self._db, coder, unit, limit, progress)

    def reviewer(self, coder: str):
        """The review operations (accept, reject, edit, add, remove, undo) for one coder."""
        from qualcode.coding.review import Reviewer

        return Reviewer(self._db, coder)

    def blind(self, on: bool | None = None) -> dict:
        """Blind mode for agreement studies (see :mod:`qualcode.coding.blind`): switch it on
        or off, or (``None``) only ask; returns whether it is on and who decided blind."""
        from qualcode.coding import blind

        return blind.switch(self._db, on)

    def workbench(self):
        """What the web workbench reads (:class:`qualcode.workbench.Workbench`)."""
        from qualcode.workbench import Workbench

        return Workbench(self._db)

    def add_memo(self, on: str, target: str | int | None, author: str, text: str) -> int:
        """A memo on the project (target None), a code or source (by name) or a segment (by id)."""
        from qualcode.coding.memos import add_memo

        return add_memo(self._db, on, target, author, text)

    def memos(self) -> list[dict]:
        """Every memo, oldest first, with what it is about."""
        from qualcode.coding.memos import memos

        return memos(self._db)

    # -- realist CMOCs (qualcode.analysis.cmocs, cmoc_evidence) ---------------------------------

    def add_cmoc(self, statement: str, by: str, context=(), resource=(), reasoning=(), outcome=(), **fields):
        """Record a realist CMOC (an if-then-because statement; context, mechanism resource and reasoning,
        outcome codes by name; ``fields``: key, intervention, actor, confidence, confidence_reason,
        theory_version, memo) with status initial; returns the :class:`~qualcode.analysis.cmocs.Cmoc`."""
        from qualcode.analysis.cmocs import add_cmoc

        return add_cmoc(self._db, statement, by, context, resource, reasoning, outcome, **fields)

    def revise_cmoc(self, key: str, by: str, memo: str = "", **changes):
        """Change a CMOC's fields, codes or status (initial → refined → confirmed/refuted, reopened →
        refined), appending a history row; a status or confidence change needs ``memo``."""
        from qualcode.analysis.cmocs import revise_cmoc

        return revise_cmoc(self._db, key, by, memo, **changes)

    def import_cmocs(self, path: str | Path):
        """Read a programme theory file (CMOCs in YAML) into the project in one transaction;
        CMOCs already recorded alike are skipped (:mod:`qualcode.analysis.cmoc_file`)."""
        from qualcode.analysis.cmoc_file import import_cmoc_file

        return import_cmoc_file(self._db, path)

    def cmocs(self) -> list:
        """Every realist CMOC (:class:`~qualcode.analysis.cmocs.Cmoc`), in the order made."""
        from qualcode.analysis.cmocs import cmocs

        return cmocs(self._db)

    def cmoc(self, key: str):
        """One CMOC by its key, such as CMO1 (an error naming the known keys if there is none)."""
        from qualcode.analysis.cmocs import cmoc

        return cmoc(self._db, key)

    def cmoc_history(self, key: str | None = None) -> list:
        """The changes to one CMOC (or all), oldest first, each with its memo (``CmocChange``)."""
        from qualcode.analysis.cmocs import cmoc_history

        return cmoc_history(self._db, key)

    def cmoc_evidence(self, key=None, scope: str = "turn", window: int = defaults.WINDOW, include="reviewed"):
        """Supporting units, disconfirming quotes and counts per case and group of one CMOC (a
        ``CmocEvidence``), or a list for all when ``key`` is None; see :mod:`qualcode.analysis.cmoc_evidence`."""
        from qualcode.analysis.cmoc_evidence import evidence

        return evidence(self._db, key, scope, window, include)

    # -- reading (qualcode.store) ---------------------------------------------------------------

    def source_text(self, name: str) -> str:
        """The normalised text of a source; every offset in the project points into it."""
        from qualcode.reading import source_text

        return source_text(self._db, name)

    def source_count(self) -> int:
        """How many sources the project holds."""
        from qualcode.reading import source_count

        return source_count(self._db)

    def active_unit(self) -> str | None:
        """The unit of the latest segmentation (the default for segments, suggestions, agreement)."""
        from qualcode.reading import active_unit

        return active_unit(self._db)

    def segments(self, unit: str | None = None) -> Iterator[SegmentRow]:
        """Segments of ``unit`` (default: the last one made), ordered by source and position."""
        from qualcode.reading import segments

        return segments(self._db, unit)

    def segments_frame(self, unit: str | None = None):
        """The segments as a pandas DataFrame (for notebooks)."""
        from qualcode.reading import segments_frame

        return segments_frame(self._db, unit)

    def status(self) -> dict:
        """Counts, roles, segments, codings per coder, sources and the latest segmentation."""
        from qualcode.reading import status

        return status(self._db)

    def runs(self, kind: str | None = None) -> list[dict]:
        """The run records (of one kind, or all), oldest first: kind, config, versions, summary."""
        from qualcode.reading import runs

        return runs(self._db, kind)

    def segment_question(self, segment_id: int) -> str:
        """The interviewer's question directly before a segment's turn ("" when there is none)."""
        from qualcode.reading import segment_question

        return segment_question(self._db, segment_id)

    def decision_count(self) -> int:
        """How many rows the review log holds, undos included (it only grows)."""
        from qualcode.reading import decision_count

        return decision_count(self._db)

    def setting(self, key: str) -> str | None:
        """A project setting (a free key, such as a study step's fingerprint)."""
        from qualcode.reading import setting

        return setting(self._db, key)

    def set_setting(self, key: str, value: str) -> None:
        """Store a project setting (in its own transaction)."""
        from qualcode.reading import set_setting

        set_setting(self._db, key, value)
