"""Turns -> segments with exact offsets, and segmenting a whole project.

Every turn is split into paragraphs (at blank lines), the paragraphs run through spaCy as
one stream, and the sentences that come back are grouped into the chosen unit. Offsets are
absolute positions in the source text, trimmed of white space, so that always
``source.text[start:end] == segment text``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from qualcode import defaults
from qualcode.errors import QualcodeError
from qualcode.store import runs as run_store
from qualcode.store import segments as segment_store
from qualcode.store import settings as setting_store
from qualcode.store import sources as source_store

UNITS = defaults.UNITS
_INSERT_BATCH = 2000
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class TurnSpan:
    """A turn to segment: ``text[start:end]`` of a source."""

    source_id: int
    turn_id: int | None
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Segment:
    source_id: int
    turn_id: int | None
    start: int
    end: int
    norm: str  # lower-cased tokens, space separated
    lemmas: str  # one lemma per token of ``norm``


@dataclass(frozen=True)
class Unit:
    """Which segments to make: ``window`` groups ``size`` sentences, moving ``stride``."""

    name: str = defaults.UNIT
    size: int = defaults.WINDOW
    stride: int | None = None

    def __post_init__(self):
        if self.name not in UNITS:
            raise QualcodeError(f"unknown unit {self.name!r}; choose one of {', '.join(UNITS)}")
        if self.size < 1 or (self.stride is not None and self.stride < 1):
            raise QualcodeError("window size and stride must be at least 1")

    @property
    def step(self) -> int:
        return self.stride or self.size

    def as_dict(self) -> dict:
        if self.name == "window":
            return {"unit": self.name, "window": self.size, "stride": self.step}
        return {"unit": self.name}


@dataclass
class _Sentence:
    start: int
    end: int
    paragraph: int
    tokens: list[tuple[str, str]]


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


def segment_project(db, unit: Unit, nlp, pipeline, include_interviewer: bool = False, progress=None):
    """(Re)make the segments of one unit for every source and make it the active unit.
    ``pipeline`` describes ``nlp`` (a :class:`qualcode.nlp.PipelineInfo`).

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
    positions: dict[int, int] = {}
    batch: dict[int, list[tuple]] = {}  # source id -> its new segments (whole sources only)
    current: list[tuple] = []
    for seg in segment_turns(nlp, turns, unit):
        if current and current[0][0] != seg.source_id:
            batch[current[0][0]] = current
            current = []
            if sum(map(len, batch.values())) >= _INSERT_BATCH:
                _store_sources(db, unit.name, batch)
                batch = {}
        position = positions.get(seg.source_id, 0)
        positions[seg.source_id] = position + 1
        current.append(
            (
                seg.source_id,
                seg.turn_id,
                run_id,
                unit.name,
                position,
                seg.start,
                seg.end,
                seg.norm,
                seg.lemmas,
            )
        )
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
    )


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


def segment_turns(nlp, turns: Iterable[TurnSpan], unit: Unit, batch_size: int = 256) -> Iterator[Segment]:
    """Segments for a stream of turns, in order; the turns are consumed lazily."""
    stream = (
        (turn.text[p_start:p_end], (turn, index, p_start))
        for turn in turns
        for index, (p_start, p_end) in enumerate(paragraph_spans(turn.text, turn.start, turn.end))
    )
    docs = nlp.pipe(stream, as_tuples=True, batch_size=batch_size)
    for turn, group in itertools.groupby(docs, key=lambda item: item[1][0]):
        sentences = [
            sentence
            for doc, (_, index, offset) in group
            for sentence in _sentences(doc, turn.text, offset, index)
        ]
        yield from _units(turn, sentences, unit)


def paragraph_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Non-blank paragraphs of ``text[start:end]`` as trimmed absolute spans."""
    spans = []
    position = start
    for separator in _BLANK_LINE.finditer(text, start, end):
        spans.append(_trim(text, position, separator.start()))
        position = separator.end()
    spans.append(_trim(text, position, end))
    return [s for s in spans if s[0] < s[1]]


def _sentences(doc, text: str, offset: int, paragraph: int) -> Iterator[_Sentence]:
    from spacy.attrs import IS_SPACE, LEMMA, LOWER

    # Reading token attributes as one array avoids a Token object per token.
    attrs = doc.to_array([LOWER, LEMMA, IS_SPACE]).tolist()
    strings = doc.vocab.strings
    for sent in doc.sents:
        start, end = _trim(text, offset + sent.start_char, offset + sent.end_char)
        if start < end:
            tokens = [
                (strings[lower], strings[lemma].lower() if lemma else strings[lower])
                for lower, lemma, space in attrs[sent.start : sent.end]
                if not space
            ]
            yield _Sentence(start, end, paragraph, tokens)


def _units(turn: TurnSpan, sentences: list[_Sentence], unit: Unit) -> Iterator[Segment]:
    if not sentences:
        return
    if unit.name == "sentence":
        groups = [[s] for s in sentences]
    elif unit.name == "paragraph":
        groups = [list(g) for _, g in itertools.groupby(sentences, key=lambda s: s.paragraph)]
    elif unit.name == "turn":
        groups = [sentences]
    else:
        last_start = max(len(sentences) - unit.size, 0)
        starts = list(range(0, last_start + 1, unit.step))
        if starts[-1] != last_start:
            starts.append(last_start)  # the last window reaches the turn's end
        groups = [sentences[i : i + unit.size] for i in starts]
    for group in groups:
        tokens = [t for s in group for t in s.tokens]
        yield Segment(
            turn.source_id,
            turn.turn_id,
            group[0].start,
            group[-1].end,
            " ".join(t[0] for t in tokens),
            " ".join(t[1] for t in tokens),
        )


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
