"""Semantic suggestions: how close a segment is to a code's definition and example quotes,
in an embedding space (TF-IDF/LSA fitted on the project's own corpus by default, or a local
sentence-transformers model). The rationale names the nearest text."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qualcode.suggest.base import CodeProfile, Labels, Scored, SegmentData, Suggester


class SemanticSuggester(Suggester):
    name = "semantic"
    version = "2"

    def __init__(
        self,
        embedder: str = "tfidf",
        model: str | None = None,
        language: str = "nl",
        full_score_at: float = 0.5,
        report_above: float = 0.1,
    ):
        self.embedder = embedder
        self.model = model
        self.language = language  # picks the TF-IDF stop words
        self.report_above = report_above  # lower scores are left out of the output
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
        # Anchors are grouped by code (codes come in order), so a code's best anchor is a
        # maximum over one contiguous block of columns.
        self.codes_ = list(dict.fromkeys(owners))
        self.block_starts_ = np.array([owners.index(code) for code in self.codes_], dtype=int)
        self.anchor_vectors_ = self.embedder_.embed(anchors) if anchors else None
        self.anchor_label_ = shown
        return self

    def suggest(self, segments: Sequence[SegmentData], batch: int = 2048) -> list[dict[str, Scored]]:
        out: list[dict[str, Scored]] = [{} for _ in segments]
        if self.anchor_vectors_ is None:
            return out
        for begin in range(0, len(segments), batch):
            part = segments[begin : begin + batch]
            similarity = self.embedder_.embed([self._text(s) for s in part]) @ self.anchor_vectors_.T
            best = np.maximum.reduceat(similarity, self.block_starts_, axis=1)
            scores = np.minimum(best / self.full_score_at, 1.0)
            for i, j in zip(*np.nonzero(scores >= self.report_above), strict=True):
                end = self.block_starts_[j + 1] if j + 1 < len(self.block_starts_) else similarity.shape[1]
                anchor = self.block_starts_[j] + int(np.argmax(similarity[i, self.block_starts_[j] : end]))
                why = f"closest to its {self.anchor_label_[anchor]} (cosine {best[i, j]:.2f})"
                out[begin + i][self.codes_[j]] = Scored(float(scores[i, j]), why)
        return out

    def _text(self, segment: SegmentData) -> str:
        return segment.text if self.raw_texts_ else segment.lemmas
