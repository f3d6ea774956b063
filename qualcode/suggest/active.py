"""Active learning: which segments the supervised models are least sure about, so that a
coder's next decision teaches them most. Used for ``qualcode next`` and ``--order active``."""

from __future__ import annotations

from qualcode.errors import ConflictError
from qualcode.suggest.base import SegmentData
from qualcode.suggest.runner import prepare


def uncertainty(db, coder: str | None, unit: str | None = None):
    """The segments, what is known of them, and a supervised model fitted on it (None when no
    code has enough coded examples to learn from yet)."""
    from qualcode.suggest.supervised import SupervisedSuggester

    _, codes, segments, known = prepare(db, unit, coder)
    model = SupervisedSuggester().fit(codes, segments, known)
    if not model.models_:
        return segments, known, None
    return segments, known, model


def most_informative(db, coder: str | None, unit: str | None, limit: int) -> list[tuple[SegmentData, float]]:
    """Uncoded segments the supervised models are least sure about: the ones to code next."""
    segments, known, model = uncertainty(db, coder, unit)
    if model is None:
        raise ConflictError(
            "no code has enough coded examples to learn from yet (2 per code); code some segments first"
        )
    todo = [s for s in segments if s.id not in known.coded]
    scores = model.informativeness(todo)
    ranked = sorted(zip(todo, scores, strict=True), key=lambda pair: -pair[1])
    return [(segment, float(score)) for segment, score in ranked[:limit]]


def least_certain_first(db, coder: str, items: list) -> list:
    """Review items (with ``segment_id`` and ``score``) on the least certain segments first;
    by score while nothing can be learned yet."""
    segments, _, model = uncertainty(db, coder)
    if model is None:
        return items
    by_id = {s.id: s for s in segments}
    wanted = [by_id[i.segment_id] for i in items if i.segment_id in by_id]
    score = dict(zip((s.id for s in wanted), model.informativeness(wanted), strict=True))
    return sorted(items, key=lambda i: (-score.get(i.segment_id, 0.0), -i.score))
