"""Segmenting a whole project: every source's turns into segments, stored source by source.

The work on the documents (paragraphs, sentences, units, exact offsets) is in
``qualcode.sentences``; for a large project it runs in worker processes
(``qualcode.segment_workers``) while this process reads the turns and stores the segments.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from qualcode.errors import QualcodeError
from qualcode.sentences import UNITS, Segment, TurnSpan, Unit, paragraph_spans, segment_turns, turn_pieces
from qualcode.store import runs as run_store
from qualcode.store import segments as segment_store
from qualcode.store import settings as setting_store
from qualcode.store import sources as source_store

__all__ = [
    "UNITS",
    "Segment",
    "SegmentReport",
    "SegmentRow",
    "TurnSpan",
    "Unit",
    "paragraph_spans",
    "segment_project",
    "segment_turns",
]
_INSERT_BATCH = 2000


@dataclass(frozen=True)
class SegmentRow:
    """A segment as the project lists it: where it is, who speaks, its text and lemmas."""

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


@dataclass
class SegmentReport:
    unit: str
    segments: int
    sources: int
    turns: int
    skipped_interviewer_turns: int
    pipeline: dict
    workers: int = 1  # processes that ran spaCy


def segment_project(
    db,
    unit: Unit,
    nlp,
    pipeline,
    include_interviewer: bool = False,
    progress=None,
    workers: int | None = None,
):
    """(Re)make the segments of one unit for every source and make it the active unit.
    ``pipeline`` describes ``nlp`` (a :class:`qualcode.nlp.PipelineInfo`).

    ``workers`` processes run spaCy (default: one per core for a large project, see
    :func:`qualcode.segment_workers.worker_count`; 1: this process only); the segments are
    the same either way.

    The work is stored source by source in short transactions (a few thousand segments each),
    so that a coder's decisions are not kept waiting during a long segmentation; each source
    always has a whole segmentation, the old one or the new one. Interviewer turns are left
    out unless ``include_interviewer``. Codings are spans in the source text, so segmenting
    again never touches them.
    """
    config = dict(unit.as_dict(), include_interviewer=include_interviewer, **pipeline.as_dict())
    counters = {"turns": 0, "interviewer": 0, "segments": 0}
    with db.transaction() as conn:
        versions = run_store.library_versions(spacy_model=pipeline.version)
        run_id = run_store.start_run(conn, "segment", config, versions)
    turns = _turn_spans(db.connection, include_interviewer, counters, progress)
    workers = _workers(db, nlp, workers)
    positions: dict[int, int] = {}
    batch: dict[int, list[tuple]] = {}  # source id -> its new segments (whole sources only)
    current: list[tuple] = []
    for turn, pieces in _pieces(nlp, pipeline, turns, unit, workers):
        source_id = turn.source_id
        if current and current[0][0] != source_id:
            batch[current[0][0]] = current
            current = []
            if sum(map(len, batch.values())) >= _INSERT_BATCH:
                _store_sources(db, unit.name, batch)
                batch = {}
        position = positions.get(source_id, 0)
        positions[source_id] = position + len(pieces)
        current += [
            (source_id, turn.turn_id, run_id, unit.name, position + i, start, end, norm, lemmas)
            for i, (start, end, norm, lemmas) in enumerate(pieces)
        ]
    if current:
        batch[current[0][0]] = current
    _store_sources(db, unit.name, batch)
    counters["segments"] = sum(positions.values())
    with db.transaction() as conn:
        # Sources that gave no segments this time (only interviewer turns) keep none.
        segment_store.delete_older_segments(conn, unit.name, run_id)
        run_store.finish_run(conn, run_id, counters)
        setting_store.set_active_unit(conn, unit.name)
    from qualcode.suggest.runner import keep_profiles

    keep_profiles(db, nlp=nlp)  # the pipeline is loaded now: lemmatise the codebook for suggesting
    return SegmentReport(
        unit=unit.name,
        segments=counters["segments"],
        sources=len(positions),
        turns=counters["turns"],
        skipped_interviewer_turns=counters["interviewer"],
        pipeline=pipeline.as_dict(),
        workers=workers,
    )


def _workers(db, nlp, requested: int | None) -> int:
    from qualcode.nlp import load_arguments
    from qualcode.segment_workers import worker_count

    # The size matters only when nobody said how many: then the turns are measured.
    size = source_store.turn_characters(db.connection) if requested is None else 0
    count = worker_count(requested, size)
    if count > 1 and load_arguments(nlp) is None:
        if requested is not None:
            raise QualcodeError(
                "segmenting in worker processes needs a pipeline loaded by "
                "qualcode.nlp.load_pipeline (the workers load it again); use workers=1"
            )
        return 1
    return count


def _pieces(nlp, pipeline, turns, unit: Unit, workers: int):
    if workers == 1:
        return turn_pieces(nlp, turns, unit)
    from qualcode.nlp import load_arguments
    from qualcode.segment_workers import parallel_pieces

    return parallel_pieces(turns, unit, load_arguments(nlp), pipeline.as_dict(), workers)


def _store_sources(db, unit: str, batch: dict[int, list[tuple]]) -> None:
    """Replace the segments of ``unit`` of each source in ``batch`` by its new ones, together."""
    with db.transaction() as conn:
        for source_id, rows in batch.items():
            segment_store.delete_segments_of_source(conn, unit, source_id)
            segment_store.insert_segments(conn, rows)


def _turn_spans(conn, include_interviewer: bool, counters: dict, progress) -> Iterator[TurnSpan]:
    """Turns to segment, one source's text in memory at a time."""
    for source_id in source_store.source_ids(conn):
        text = source_store.source_text(conn, source_id)
        for turn in source_store.turns_of_source(conn, source_id):
            if turn["role"] == "interviewer" and not include_interviewer:
                counters["interviewer"] += 1
                continue
            counters["turns"] += 1
            yield TurnSpan(source_id, turn["id"], text, turn["start"], turn["end"])
        if progress:
            progress(1)
