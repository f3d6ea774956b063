"""Supervised suggestions learned from people's codings (rejections count as negatives).

One class-balanced logistic regression per code over TF-IDF features of the lemmas, with
probabilities calibrated by Platt scaling on out-of-fold decision values when a code has
enough examples (two per fold). Features are
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
        """A class-balanced logistic regression, then Platt scaling fitted on out-of-fold
        decision values, so its probabilities mean what they say. Returns (model, platt)."""
        from sklearn.model_selection import StratifiedKFold

        model = self._classifier().fit(x, y)
        folds = min(self.calibration_folds, n_positive, len(y) - n_positive)
        if folds < 2:
            return model, None
        held_out = np.empty(len(y))
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(x, y):
            held_out[test] = self._classifier().fit(x[train], y[train]).decision_function(x[test])
        return model, platt_scaling(held_out, y)

    def _classifier(self):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.regularisation, solver="liblinear", class_weight="balanced")

    def _probability(self, code: str, x) -> np.ndarray:
        model, platt = self.models_[code]
        if platt is None:
            return model.predict_proba(x)[:, 1]
        slope, intercept = platt
        return 1 / (1 + np.exp(-(slope * model.decision_function(x) + intercept)))

    def probabilities(self, segments: Sequence[SegmentData]) -> dict[str, np.ndarray]:
        x = self.vectorizer_.transform([s.lemmas for s in segments])
        return {code: self._probability(code, x) for code in self.models_}

    def suggest(self, segments: Sequence[SegmentData]) -> list[dict[str, Scored]]:
        if not self.models_:
            return [{} for _ in segments]
        x = self.vectorizer_.transform([s.lemmas for s in segments])
        names = self.vectorizer_.get_feature_names_out()
        out: list[dict[str, Scored]] = [{} for _ in segments]
        for code, (model, _) in self.models_.items():
            probability = self._probability(code, x)
            weights = x.multiply(model.coef_[0]).tocsr()
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


def platt_scaling(decision: np.ndarray, y: np.ndarray, iterations: int = 50) -> tuple[float, float]:
    """Fit p = 1 / (1 + exp(-(a * decision + b))) by Newton's method, with Platt's smoothed
    targets so that a perfectly separated fold does not give infinite confidence."""
    positives = y.sum()
    negatives = len(y) - positives
    target = np.where(y == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    a, b = 1.0, float(np.log((negatives + 1) / (positives + 1)) * -1)
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(a * decision + b)))
        weight = np.maximum(p * (1 - p), 1e-12)
        gradient = np.array([np.dot(p - target, decision), np.sum(p - target)])
        hessian = np.array(
            [
                [np.dot(weight, decision * decision), np.dot(weight, decision)],
                [np.dot(weight, decision), weight.sum()],
            ]
        )
        step = np.linalg.solve(hessian + 1e-9 * np.eye(2), gradient)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-8:
            break
    return float(a), float(b)
