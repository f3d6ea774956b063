"""Supervised suggestions learned from people's codings (rejections count as negatives).

One-vs-rest: a ridge regression per code over TF-IDF features of the lemmas (solved for all
codes at once, which keeps retraining well under a second), with probabilities calibrated
by Platt scaling on out-of-fold outputs. On serdif-usability this beat class-balanced
logistic regression in F1 and was ten times faster (see benchmarks/suggest_quality.py). Features are
fitted once on the whole corpus, so retraining after a batch of review decisions only refits
the small per-code models. ``informativeness`` orders segments for active learning.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qualcode.suggest.base import CodeProfile, Labels, Scored, SegmentData, Suggester
from qualcode.threads import one_blas_thread


class SupervisedSuggester(Suggester):
    name = "supervised"
    version = "2"

    def __init__(
        self,
        min_positives: int = 2,
        alpha: float = 3.0,
        calibration_folds: int = 3,
        report_above: float = 0.05,
    ):
        self.min_positives = min_positives
        self.alpha = alpha  # ridge penalty: larger is smoother
        self.calibration_folds = calibration_folds
        self.report_above = report_above  # lower probabilities are left out of the output

    def fit(
        self, codes: Sequence[CodeProfile], corpus: Sequence[SegmentData], labels: Labels
    ) -> SupervisedSuggester:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer_ = TfidfVectorizer(
            ngram_range=(1, 2), min_df=2, sublinear_tf=True, token_pattern=r"\S+"
        )
        texts = [s.lemmas for s in corpus]
        self.features_ = self.vectorizer_.fit_transform(texts) if len(set(texts)) > 1 else None
        self.index_ = {s.id: i for i, s in enumerate(corpus)}
        return self.refit(codes, labels)

    def refit(self, codes: Sequence[CodeProfile], labels: Labels) -> SupervisedSuggester:
        """Retrain on new labels, keeping the fitted features (fast: one solve for all codes)."""
        self.codes_: list[str] = []
        self.trained_on_: dict[str, int] = {}
        if self.features_ is None:
            return self
        rows = sorted({self.index_[s] for s in set(labels.coded) | set(labels.rejected) if s in self.index_})
        position = {row: i for i, row in enumerate(rows)}
        targets = np.full((len(rows), len(codes)), np.nan)
        for j, code in enumerate(codes):
            for s in labels.negatives(code.name):
                if s in self.index_:
                    targets[position[self.index_[s]], j] = 0.0
            for s in labels.positives(code.name):
                if s in self.index_:
                    targets[position[self.index_[s]], j] = 1.0
        usable = [
            j
            for j in range(len(codes))
            if np.nansum(targets[:, j]) >= self.min_positives
            and np.sum(targets[:, j] == 0) >= self.min_positives
        ]
        if not usable:
            return self
        self.codes_ = [codes[j].name for j in usable]
        self.trained_on_ = {codes[j].name: int(np.nansum(targets[:, j])) for j in usable}
        # A segment not decided for a code (a rejection elsewhere) counts as a negative for it:
        # in the coded sources that is what "not coded" means anyway.
        y = np.nan_to_num(targets[:, usable])
        x = self.features_[rows]
        with one_blas_thread():
            self.model_ = self._ridge().fit(x, y)
            self.platt_ = self._calibrate(x, y)
        return self

    def _ridge(self):
        from sklearn.linear_model import Ridge

        return Ridge(alpha=self.alpha, solver="sparse_cg")

    def _calibrate(self, x, y) -> list[tuple[float, float] | None]:
        """Platt scaling per code on out-of-fold ridge outputs, so scores are probabilities."""
        from sklearn.model_selection import KFold

        if len(y) < 2 * self.calibration_folds:
            return [None] * y.shape[1]
        held_out = np.zeros_like(y)
        for train, test in KFold(self.calibration_folds, shuffle=True, random_state=0).split(x):
            held_out[test] = self._ridge().fit(x[train], y[train]).predict(x[test]).reshape(len(test), -1)
        return [platt_scaling(held_out[:, j], y[:, j]) for j in range(y.shape[1])]

    def probabilities(self, segments: Sequence[SegmentData]) -> dict[str, np.ndarray]:
        if not self.codes_:
            return {}
        raw = self.model_.predict(self._features(segments)).reshape(len(segments), -1)
        out = {}
        for j, code in enumerate(self.codes_):
            if self.platt_[j] is None:
                out[code] = np.clip(raw[:, j], 0, 1)
            else:
                slope, intercept = self.platt_[j]
                # Clipped: a far-out ridge output would overflow exp() for no change in p.
                out[code] = 1 / (1 + np.exp(-np.clip(slope * raw[:, j] + intercept, -30, 30)))
        return out

    def _features(self, segments: Sequence[SegmentData]):
        """TF-IDF rows of ``segments``: taken from the fitted corpus when they are in it (the
        same numbers, without tokenising 10,000 segments again at every retrain)."""
        if self.features_ is not None and all(s.id in self.index_ for s in segments):
            return self.features_[[self.index_[s.id] for s in segments]]
        return self.vectorizer_.transform([s.lemmas for s in segments])

    @property
    def models_(self) -> dict[str, int]:
        """The codes learned, with how many coded segments each learned from."""
        return self.trained_on_

    def suggest(self, segments: Sequence[SegmentData]) -> list[dict[str, Scored]]:
        out: list[dict[str, Scored]] = [{} for _ in segments]
        if not self.codes_:
            return out
        x = self._features(segments)
        names = self.vectorizer_.get_feature_names_out()
        coefficients = self.model_.coef_.reshape(len(self.codes_), -1)
        for j, (code, probability) in enumerate(self.probabilities(segments).items()):
            weights = x.multiply(coefficients[j]).tocsr()
            why = f"learned from {self.trained_on_[code]} coded segments"
            for i in np.flatnonzero(probability >= self.report_above):
                begin, end = weights.indptr[i], weights.indptr[i + 1]
                order = np.argsort(-weights.data[begin:end])[:3]
                top = [names[weights.indices[begin + k]] for k in order if weights.data[begin + k] > 0]
                out[i][code] = Scored(
                    float(probability[i]), why + (f"; telling words: {', '.join(top)}" if top else "")
                )
        return out

    def informativeness(self, segments: Sequence[SegmentData]) -> np.ndarray:
        """Per segment, how unsure the models are (1 = a coin flip for some code)."""
        if not segments:
            return np.zeros(0)
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
        p = 1 / (1 + np.exp(-np.clip(a * decision + b, -30, 30)))
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
