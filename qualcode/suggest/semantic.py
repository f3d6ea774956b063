"""Semantic suggestions: how close a segment is to a code's definition and example quotes,
in an embedding space (TF-IDF/LSA fitted on the project's own corpus by default, or a local
sentence-transformers model). The rationale names the nearest text."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qualcode.suggest.base import CodeProfile, Labels, Scored, SegmentData, Suggester


class SemanticSuggester(Suggester):
    name = "semantic"
    version = "1"

    def __init__(
        self,
        embedder: str = "tfidf",
        model: str | None = None,
        language: str = "nl",
        full_score_at: float = 0.5,
    ):
        self.embedder = embedder
        self.model = model
        self.language = language  # picks the TF-IDF stop words
        # Cosine similarities of short texts rarely pass 0.5; that much counts as certain.
        self.full_score_at = full_score_at

    def fit(
        self, codes: Sequence[CodeProfile], corpus: Sequence[SegmentData], labels: Labels
    ) -> SemanticSuggester:
        from qualcode.embed import make_embedder

        if self.embedder == "tfidf":
            options = {"stop_words": self.language if self.language in ("nl", "en") else None}
        else:
            options = {"model": self.model}
        self.embedder_ = make_embedder(self.embedder, **options)
        self.raw_texts_ = self.embedder != "tfidf"  # neural models read text, TF-IDF reads lemmas
        anchors, owners, shown = [], [], []
        for code in codes:
            pairs = [(code.definition, code.definition_lemmas, "definition")]
            pairs += [
                (ex, lem, f"example {ex!r}")
                for ex, lem in zip(code.examples, code.example_lemmas, strict=True)
            ]
            for text, lemmas, label in pairs:
                if lemmas.strip():
                    anchors.append(text if self.raw_texts_ else lemmas)
                    owners.append(code.name)
                    shown.append(label)
        self.embedder_.fit([self._text(s) for s in corpus] + anchors)
        self.anchor_vectors_ = self.embedder_.embed(anchors) if anchors else np.zeros((0, 1), dtype="float32")
        self.anchor_owner_ = np.array(owners)
        self.anchor_label_ = shown
        self.codes_ = sorted(set(owners))
        return self

    def suggest(self, segments: Sequence[SegmentData], batch: int = 2048) -> list[dict[str, Scored]]:
        out: list[dict[str, Scored]] = []
        for begin in range(0, len(segments), batch):
            part = segments[begin : begin + batch]
            similarity = self.embedder_.embed([self._text(s) for s in part]) @ self.anchor_vectors_.T
            for row in similarity:
                out.append(self._best_per_code(row))
        return out

    def _best_per_code(self, row: np.ndarray) -> dict[str, Scored]:
        result = {}
        for code in self.codes_:
            idx = np.flatnonzero(self.anchor_owner_ == code)
            best = idx[int(np.argmax(row[idx]))]
            similarity = float(row[best])
            if similarity > 0:
                score = min(1.0, similarity / self.full_score_at)
                result[code] = Scored(
                    score, f"closest to its {self.anchor_label_[best]} (cosine {similarity:.2f})"
                )
        return result

    def _text(self, segment: SegmentData) -> str:
        return segment.text if self.raw_texts_ else segment.lemmas
