"""The default suggester: lexical, semantic and supervised evidence combined.

Where people have coded enough examples of a code, the supervised probability leads and the
other two add a little; elsewhere the keyword and similarity evidence carry it alone. The
rationale keeps each part's reason, so a researcher sees why.
"""

from __future__ import annotations

from collections.abc import Sequence

from qualcode.suggest.base import CodeProfile, Labels, Scored, SegmentData, Suggester
from qualcode.suggest.lexical import LexicalSuggester
from qualcode.suggest.semantic import SemanticSuggester
from qualcode.suggest.supervised import SupervisedSuggester


class EnsembleSuggester(Suggester):
    name = "ensemble"
    version = "2"

    def __init__(
        self,
        embedder: str = "tfidf",
        model: str | None = None,
        language: str = "nl",
        learned_weight: float = 0.8,
        lexical_trust: float = 0.8,
        semantic_trust: float = 0.4,
    ):
        self.embedder = embedder
        self.model = model
        self.language = language
        self.learned_weight = learned_weight  # share of the supervised score where it exists
        # Without learned evidence, keywords and similarity combine as independent clues
        # (noisy-or), each discounted by how far it is trusted: a matched keyword is easy to
        # check, a vague similarity much less so.
        self.lexical_trust = lexical_trust
        self.semantic_trust = semantic_trust

    def fit(
        self, codes: Sequence[CodeProfile], corpus: Sequence[SegmentData], labels: Labels
    ) -> EnsembleSuggester:
        self.lexical_ = LexicalSuggester().fit(codes, corpus, labels)
        self.semantic_ = SemanticSuggester(self.embedder, self.model, self.language).fit(
            codes, corpus, labels
        )
        self.supervised_ = SupervisedSuggester().fit(codes, corpus, labels)
        self.fixed_: dict[int, tuple[dict, dict]] = {}  # segment id -> (keyword, similarity) scores
        return self

    def refit(self, codes: Sequence[CodeProfile], labels: Labels) -> EnsembleSuggester:
        self.supervised_.refit(codes, labels)
        return self

    def suggest(self, segments: Sequence[SegmentData]) -> list[dict[str, Scored]]:
        learned = self.supervised_.suggest(segments)
        return [self._combine(*fixed, sup) for fixed, sup in zip(self._fixed(segments), learned, strict=True)]

    def _fixed(self, segments: Sequence[SegmentData]) -> list[tuple[dict, dict]]:
        """Keyword and similarity evidence per segment. Neither learns from decisions, so after
        a refit only the learned part is computed again (a review's retraining stays fast)."""
        todo = [s for s in segments if s.id not in self.fixed_]
        if todo:
            parts = zip(todo, self.lexical_.suggest(todo), self.semantic_.suggest(todo), strict=True)
            self.fixed_.update((s.id, (lex, sem)) for s, lex, sem in parts)
        return [self.fixed_[s.id] for s in segments]

    def _combine(self, lex: dict, sem: dict, sup: dict) -> dict[str, Scored]:
        combined = {}
        for code in set(lex) | set(sem) | set(sup):
            unlearned = 1 - (1 - self.lexical_trust * _score(lex, code)) * (
                1 - self.semantic_trust * _score(sem, code)
            )
            if code in self.supervised_.models_:
                score = self.learned_weight * _score(sup, code) + (1 - self.learned_weight) * unlearned
            else:
                score = unlearned
            reasons = [
                f"{part}: {d[code].rationale}"
                for part, d in (("learned", sup), ("words", lex), ("similar", sem))
                if code in d
            ]
            combined[code] = Scored(score, "; ".join(reasons))
        return combined

    def informativeness(self, segments: Sequence[SegmentData]):
        return self.supervised_.informativeness(segments)


def _score(scores: dict[str, Scored], code: str) -> float:
    found = scores.get(code)
    return found.score if found else 0.0
