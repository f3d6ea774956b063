"""Active learning: which segments the supervised models are least sure about, so that a
coder's next decision teaches them most. Used for ``qualcode next`` and ``--order active``."""

from __future__ import annotations

import heapq
from collections import defaultdict

from qualcode.errors import ConflictError
from qualcode.store import segments as segment_store
from qualcode.suggest.base import SegmentData
from qualcode.suggest.corpus import segment_batches
from qualcode.suggest.runner import prepare


def uncertainty(db, coder: str | None, unit: str | None = None):
    """The unit, what is known of its segments, and a supervised model fitted on it (None
    when no code has enough coded examples to learn from yet)."""
    from qualcode.suggest.supervised import SupervisedSuggester

    unit, codes, fitted_on, known = prepare(db, unit, coder, sample=True)
    model = SupervisedSuggester().fit(codes, fitted_on, known)
    return unit, known, model if model.models_ else None


def most_informative(
    db, coder: str | None, unit: str | None, limit: int, progress=None
) -> list[tuple[SegmentData, float]]:
    """Uncoded segments the supervised models are least sure about: the ones to code next.
    The project is read batch by batch; ``progress(done, total, stage)``, if given, is told
    the segments done of all."""
    unit, known, model = uncertainty(db, coder, unit)
    if model is None:
        raise ConflictError(
            "no code has enough coded examples to learn from yet (2 per code); code some segments first"
        )
    total, done, seen = segment_store.segment_count(db.connection, unit), 0, 0
    best: list[tuple[float, int, SegmentData]] = []  # the ``limit`` most uncertain so far
    for batch in segment_batches(db.connection, unit):
        if progress:
            progress(done, total, "weighing the uncoded segments")
        todo = [s for s in batch if s.id not in known.coded]
        for segment, score in zip(todo, model.informativeness(todo), strict=True):
            # Ties go to the earlier segment (by source and position), as a sort would.
            seen += 1
            entry = (float(score), -seen, segment)
            if len(best) < limit:
                heapq.heappush(best, entry)
            elif entry[:2] > best[0][:2]:
                heapq.heapreplace(best, entry)
        done += len(batch)
    if progress:
        progress(total, total, "done")
    ranked = sorted(best, key=lambda entry: (-entry[0], -entry[1]))
    return [(segment, score) for score, _, segment in ranked]


def least_certain_first(db, coder: str, items: list) -> list:
    """Review items (with ``segment_id`` and ``score``) on the least certain segments first;
    by score while nothing can be learned yet."""
    unit, _, model = uncertainty(db, coder)
    if model is None:
        return items
    source_ids = {name: i for i, name in segment_store.sources_in_order(db.connection, unit)}
    wanted: dict[int, set[int]] = defaultdict(set)  # per source, the segments of the items
    for item in items:
        if item.segment_id is not None and item.source in source_ids:
            wanted[source_ids[item.source]].add(item.segment_id)
    batches = segment_batches(db.connection, unit, keep=lambda source_id: wanted.get(source_id, set()))
    score: dict[int, float] = {}
    for batch in batches:
        score.update(zip((s.id for s in batch), model.informativeness(batch), strict=True))
    return sorted(items, key=lambda i: (-score.get(i.segment_id, 0.0), -i.score))
