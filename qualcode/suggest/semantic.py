"""Semantic suggestions: how close a segment is to a code's definition and example quotes,
in an embedding space (TF-IDF/LSA fitted on the project's own corpus by default, or a local
sentence-transformers model), scored by rank among the project's segments. The rationale
names the nearest text."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qualcode.suggest.base import CodeProfile, Labels, Scored, SegmentData, Suggester


class SemanticSuggester(Suggester):
    name = "semantic"
    version = "3"

    def __init__(
        self,
        embedder: str = "tfidf",
        model: str | None = None,
        language: str = "nl",
        top_share: float = 0.05,
        report_above: float = 0.1,
    ):
        self.embedder = embedder
        self.model = model
        self.language = language  # picks the TF-IDF stop words
        self.report_above = report_above  # lower scores are left out of the output
        # Raw cosines mean different things for different codes and embedders, so a segment is
        # scored by how it ranks among the project's segments: only the top ``top_share`` most
        # similar to a code score above 0, the single most similar scores 1.
        self.top_share = top_share

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
        corpus_vectors = self.embedder_.fit_embed([self._text(s) for s in corpus] + anchors)[: len(corpus)]
        # Anchors are grouped by code (codes come in order), so a code's best anchor is a
        # maximum over one contiguous block of columns.
        self.codes_ = list(dict.fromkeys(owners))
        self.block_starts_ = np.array([owners.index(code) for code in self.codes_], dtype=int)
        self.anchor_vectors_ = self.embedder_.embed(anchors) if anchors else None
        self.anchor_label_ = shown
        if self.anchor_vectors_ is not None:
            best = np.maximum.reduceat(corpus_vectors @ self.anchor_vectors_.T, self.block_starts_, axis=1)
            self.reference_ = np.sort(best, axis=0)  # per code, the corpus' similarities in order
        return self

    def _ranked_scores(self, best: np.ndarray) -> np.ndarray:
        """Similarities -> 0..1 by rank among the corpus' segments (see ``top_share``), capped
        by the similarity itself (cosine/0.5), which alone decides in corpora too small to rank."""
        absolute = np.clip(best / 0.5, 0.0, 1.0)
        n = self.reference_.shape[0]
        if n * self.top_share < 1:
            return absolute
        # Only ranks in the top share score above 0: look those up among the corpus' top
        # similarities alone (the rest of the corpus lies below them).
        top = self.reference_[-(int(np.ceil(n * self.top_share)) + 1) :]
        share_below = np.zeros_like(best, dtype=float)
        for j in range(best.shape[1]):
            high = np.flatnonzero(best[:, j] >= top[0, j])
            if len(high):
                below = n - len(top) + np.searchsorted(top[:, j], best[high, j], side="right")
                share_below[high, j] = below / n
        return np.minimum(np.clip((share_below - (1 - self.top_share)) / self.top_share, 0.0, 1.0), absolute)

    def suggest(self, segments: Sequence[SegmentData], batch: int = 2048) -> list[dict[str, Scored]]:
        out: list[dict[str, Scored]] = [{} for _ in segments]
        if self.anchor_vectors_ is None:
            return out
        for begin in range(0, len(segments), batch):
            part = segments[begin : begin + batch]
            similarity = self.embedder_.embed([self._text(s) for s in part]) @ self.anchor_vectors_.T
            best = np.maximum.reduceat(similarity, self.block_starts_, axis=1)
            scores = self._ranked_scores(best)
            reported = scores >= self.report_above
            ends = np.r_[self.block_starts_[1:], similarity.shape[1]]
            for j in np.flatnonzero(reported.any(axis=0)):
                rows = np.flatnonzero(reported[:, j])
                a, b = self.block_starts_[j], ends[j]
                anchors = a + np.argmax(similarity[rows, a:b], axis=1)
                for i, anchor in zip(rows.tolist(), anchors.tolist(), strict=True):
                    why = f"closest to its {self.anchor_label_[anchor]} (cosine {best[i, j]:.2f})"
                    out[begin + i][self.codes_[j]] = Scored(float(scores[i, j]), why)
        return out

    def _text(self, segment: SegmentData) -> str:
        return segment.text if self.raw_texts_ else segment.lemmas
