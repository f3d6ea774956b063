"""What a suggester reads: the project's segments as :class:`SegmentData`, with who speaks
and what was asked before; all of them, a sample to fit on, or batches of whole sources to
score, so that suggesting a corpus of any size holds only a bounded part of it."""

from __future__ import annotations

from collections.abc import Iterator

from qualcode.store import segments as segment_store
from qualcode.store import sources as source_store
from qualcode.suggest.base import Labels, SegmentData
from qualcode.suggest.context import turn_context


def segment_data(conn, unit: str) -> list[SegmentData]:
    """Every segment of ``unit`` with where it is, who speaks and what was asked before."""
    return [s for batch in segment_batches(conn, unit) for s in batch]


BATCH_SEGMENTS = 4000  # about this many segments (whole sources) are scored and stored at a time


def segment_batches(conn, unit: str, size: int | None = None, keep=None) -> Iterator[list[SegmentData]]:
    """The segments of ``unit``, by source name and position, in batches of whole sources of
    about ``size`` segments: one source's turns in memory at a time. ``keep(source_id)``, if
    given, says which segment ids of a source to read (None: all)."""
    size = size or BATCH_SEGMENTS
    batch: list[SegmentData] = []
    for source_id, name in segment_store.sources_in_order(conn, unit):
        wanted = keep(source_id) if keep else None
        if wanted is not None and not wanted:
            continue
        rows = segment_store.segments_of_source(
            conn, unit, source_id, None if wanted is None else sorted(wanted)
        )
        context = turn_context(source_store.turn_texts(conn, source_id))
        last = (
            segment_store.last_position(conn, unit, source_id) if wanted is not None else rows[-1]["position"]
        )
        for r in rows:
            speaker, question = context.get(r["turn_id"], ("", ""))
            batch.append(
                SegmentData(
                    r["id"], name, r["text"], r["norm"], r["lemmas"], r["start"], r["end"],
                    r["position"] / last if last else 0.0, speaker, question, r["position"],
                )
            )  # fmt: skip
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


FIT_SEGMENTS = 30_000  # a larger corpus is fitted on a sample: the labelled segments and more
FIT_LABELLED = 10_000  # labelled segments learned from at most (every coded one; the uncoded sampled)
_GOLDEN = 2654435761  # Knuth's multiplicative hash: a fixed, well-spread sample of segment ids


def fit_corpus(conn, unit: str, known: Labels) -> list[SegmentData]:
    """The segments a suggester is fitted on: all of them, up to :data:`FIT_SEGMENTS`; in a
    larger project every labelled segment with its neighbours, and a fixed pseudo-random share
    of the others, so that fitting takes about the same time and memory however large the
    corpus grows. The vocabulary and the similarity ranks are estimated on the sample; every
    segment is still scored (:func:`score_and_store`)."""
    total = segment_store.segment_count(conn, unit)
    if total <= FIT_SEGMENTS:
        return segment_data(conn, unit)
    labelled = set(known.coded) | set(known.rejected)
    share = max(FIT_SEGMENTS - len(labelled), FIT_SEGMENTS // 4) / max(total - len(labelled), 1)
    cut = int(share * 2**32)

    def keep(source_id: int) -> set[int]:
        spans = segment_store.segment_positions(conn, unit, source_id)
        ids = {i for i, _ in spans if (i * _GOLDEN) % 2**32 < cut}
        mine = [k for k, (i, _) in enumerate(spans) if i in labelled]
        for k in mine:  # the neighbours give evidence of their own
            ids.update(spans[j][0] for j in (k - 1, k, k + 1) if 0 <= j < len(spans))
        return ids

    return [s for batch in segment_batches(conn, unit, keep=keep) for s in batch]
