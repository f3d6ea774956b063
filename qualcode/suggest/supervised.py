"""Supervised suggestions learned from people's codings (rejections count as negatives).

One logistic regression per code over TF-IDF features of the lemmas, with probabilities
calibrated on held-out folds (Platt scaling) when a code has enough examples. Features are
fitted once on the whole corpus, so retraining after a batch of review decisions only refits
the small per-code models. ``informativeness`` orders segments for active learning.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qualcode.suggest.base import CodeProfile, Labels, Scored, SegmentData, Suggester


class SupervisedSuggester(Suggester):
    name = "supervised"
    version = "1"

    def __init__(
        self,
        min_positives: int = 2,
        regularisation: float = 4.0,
        calibration_folds: int = 3,
        report_above: float = 0.05,
    ):
        self.min_positives = min_positives
        self.report_above = report_above  # lower probabilities are left out of the output
        self.regularisation = regularisation
        self.calibration_folds = calibration_folds

    def fit(
        self, codes: Sequence[CodeProfile], corpus: Sequence[SegmentData], labels: Labels
    ) -> SupervisedSuggester:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer_ = TfidfVectorizer(
            ngram_range=(1, 2), min_df=2, sublinear_tf=True, token_pattern=r"\S+"
        )
        texts = [s.lemmas for s in corpus]
        features = self.vectorizer_.fit_transform(texts) if len(set(texts)) > 1 else None
        self.index_ = {s.id: i for i, s in enumerate(corpus)}
        self.features_ = features
        return self.refit(codes, labels)

    def refit(self, codes: Sequence[CodeProfile], labels: Labels) -> SupervisedSuggester:
        """Retrain the per-code models on new labels, keeping the fitted features."""
        self.models_: dict[str, tuple] = {}
        self.trained_on_: dict[str, int] = {}
        if self.features_ is None:
            return self
        for code in codes:
            positives = [self.index_[s] for s in labels.positives(code.name) if s in self.index_]
            negatives = [self.index_[s] for s in labels.negatives(code.name) if s in self.index_]
            if len(positives) < self.min_positives or len(negatives) < self.min_positives:
                continue
            rows = np.array(positives + negatives)
            y = np.array([1] * len(positives) + [0] * len(negatives))
            self.models_[code.name] = self._train(self.features_[rows], y, len(positives))
            self.trained_on_[code.name] = len(positives)
        return self

    def _train(self, x, y, n_positive: int):
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import LogisticRegression

        explain = LogisticRegression(C=self.regularisation, solver="liblinear", class_weight="balanced").fit(
            x, y
        )
        folds = min(self.calibration_folds, n_positive, len(y) - n_positive)
        if folds < 2:
            return explain, explain
        base = LogisticRegression(C=self.regularisation, solver="liblinear", class_weight="balanced")
        calibrated = CalibratedClassifierCV(base, method="sigmoid", cv=folds).fit(x, y)
        return calibrated, explain

    def probabilities(self, segments: Sequence[SegmentData]) -> dict[str, np.ndarray]:
        x = self.vectorizer_.transform([s.lemmas for s in segments])
        return {code: model.predict_proba(x)[:, 1] for code, (model, _) in self.models_.items()}

    def suggest(self, segments: Sequence[SegmentData]) -> list[dict[str, Scored]]:
        if not self.models_:
            return [{} for _ in segments]
        x = self.vectorizer_.transform([s.lemmas for s in segments])
        names = self.vectorizer_.get_feature_names_out()
        out: list[dict[str, Scored]] = [{} for _ in segments]
        for code, (model, explain) in self.models_.items():
            probability = model.predict_proba(x)[:, 1]
            weights = x.multiply(explain.coef_[0]).tocsr()
            why = f"learned from {self.trained_on_[code]} coded segments"
            for i in np.flatnonzero(probability >= self.report_above):
                begin, end = weights.indptr[i], weights.indptr[i + 1]
                order = np.argsort(-weights.data[begin:end])[:3]
                top = [names[weights.indices[begin + j]] for j in order if weights.data[begin + j] > 0]
                out[i][code] = Scored(
                    float(probability[i]), why + (f"; telling words: {', '.join(top)}" if top else "")
                )
        return out

    def informativeness(self, segments: Sequence[SegmentData]) -> np.ndarray:
        """Per segment, how unsure the models are (1 = a coin flip for some code)."""
        probabilities = self.probabilities(segments)
        if not probabilities:
            return np.zeros(len(segments))
        stacked = np.vstack(list(probabilities.values()))
        return (1 - np.abs(2 * stacked - 1)).max(axis=0)
