"""The default suggester: every kind of evidence, combined by what the coder's own decisions
show it is worth.

Where the coder has coded examples, each kind of learned evidence (``evidence.py``: the
segment's words, the question before it, the nearest coded example, the code's family, the
neighbours, the place in the interview, the speaker, how common the code is) and the two
unlearned ones (keywords, similarity to the code's definition) are computed *out of fold*,
source by source, and a logistic regression learns from those rows how far to trust each.
Its output is a calibrated probability, so the threshold for what is shown is chosen on the
same rows: the one that maximises F1, with the precision to expect there. With no coded
examples yet, keywords and definition similarity lead (a noisy-or, each discounted by how far
it is trusted), at a fixed threshold.

Every codable segment gets its best ``candidates`` codes, ranked. Headings (codes with codes
below them) are not suggested unless the coder codes them too, nor are segments too short to
carry meaning ("Ja.", "Okay.") unless the coder codes such segments.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from qualcode.suggest.base import CodeProfile, Labels, Scored, SegmentData, Suggester
from qualcode.suggest.evidence import LEARNED, CorpusFeatures, EvidenceModel, families
from qualcode.suggest.lexical import LexicalSuggester
from qualcode.suggest.semantic import SemanticSuggester

UNLEARNED = ("keywords", "definition")
COLUMNS = (*LEARNED, *UNLEARNED, "length", "has_examples")
SLIGHT_WORDS = 4  # fewer words than this carry too little to code ("Ja, klopt.")
_MAX_PAIRS = 400_000  # training rows for the combination; negatives beyond are sampled
_MANY_ROWS = 3000
_FEWEST_POSITIVES = 3
_RELEARN_GROWTH = 1.2  # relearn the combination once the coded segments grew by this factor  # coded segments before the combination is learned at all
_FLOOR = 0.01  # candidates below this probability are not worth a line


class EnsembleSuggester(Suggester):
    name = "ensemble"
    version = "3"

    def __init__(
        self,
        embedder: str = "tfidf",
        model: str | None = None,
        language: str = "nl",
        candidates: int = 5,
        folds: int = 5,
        lexical_trust: float = 0.8,
        semantic_trust: float = 0.4,
    ):
        self.embedder = embedder
        self.model = model
        self.language = language
        self.candidates = candidates  # ranked codes kept per segment
        self.folds = folds  # at most this many out-of-fold groups (sources) to learn the weights
        # Without coded examples, keywords and similarity combine as independent clues
        # (noisy-or), each discounted by how far it is trusted: a matched keyword is easy to
        # check, a vague similarity much less so.
        self.lexical_trust = lexical_trust
        self.semantic_trust = semantic_trust

    def fit(
        self, codes: Sequence[CodeProfile], corpus: Sequence[SegmentData], labels: Labels
    ) -> EnsembleSuggester:
        self.corpus_ = list(corpus)
        self.features_ = CorpusFeatures.of(self.corpus_)
        self.slight_ = np.array([_slight(s) for s in self.corpus_], dtype=bool)  # fixed by the text
        self.lexical_ = LexicalSuggester().fit(codes, corpus, labels)
        self.semantic_ = SemanticSuggester(self.embedder, self.model, self.language).fit(
            codes, corpus, labels
        )
        self.fixed_: dict[int, tuple[dict, dict]] = {}  # segment id -> (keyword, similarity) results
        self.combiner_ = None
        self.combined_on_ = None
        return self.refit(codes, labels)

    def refit(self, codes: Sequence[CodeProfile], labels: Labels) -> EnsembleSuggester:
        """Learn again from new decisions; the features and unlearned evidence are kept. The
        combination's weights and threshold are learned again when the coded segments have
        grown by a fifth since they were last learned (or the codes changed); in between, the
        evidence is recomputed from every decision and combined with the last weights, which
        keeps a review's retraining quick."""
        names = [c.name for c in codes]
        learned_on = getattr(self, "combined_on_", None)
        self.code_names_ = names
        self.family_ = families(codes)
        self.evidence_ = None  # what the decisions teach, learned when first applied
        self.rows_, self.targets_ = self._labelled(labels)
        # How many labelled segments each row stands for (a sample of the uncoded ones counts more).
        self.weights_ = np.array([labels.weight(self.corpus_[r].id) for r in self.rows_], dtype=float)
        positives = self.targets_.sum(axis=0)
        self.trained_on_ = {name: int(n) for name, n in zip(self.code_names_, positives, strict=True) if n}
        self.codable_ = np.array([not c.group or positives[j] > 0 for j, c in enumerate(codes)], dtype=bool)
        self.slight_coded_ = self._codes_slight_segments()
        if (
            learned_on is not None
            and learned_on[0] == names
            and self.combiner_ is not None
            and positives.sum() < _RELEARN_GROWTH * learned_on[1]
        ):
            return self
        self.combiner_ = None
        self.threshold_ = self.default_min_score
        self.expected_precision_: float | None = None
        if positives.sum() >= _FEWEST_POSITIVES:
            self._fit_combiner()
        self.combined_on_ = (names, max(float(positives.sum()), 1.0))
        return self

    def _labelled(self, labels: Labels) -> tuple[np.ndarray, np.ndarray]:
        """Rows of the labelled segments and their 0/1 targets per code. A segment with only a
        rejection counts as labelled: "not this code", and nothing known of the others, which
        in a reviewed project is the best guess too."""
        index, names = self.features_.index, {n: j for j, n in enumerate(self.code_names_)}
        decided = sorted({index[s] for s in (*labels.coded, *labels.rejected) if s in index})
        position = {row: i for i, row in enumerate(decided)}
        targets = np.zeros((len(decided), len(names)), np.float32)
        for segment, codes in labels.coded.items():
            if segment in index:
                for code in codes:
                    if code in names:
                        targets[position[index[segment]], names[code]] = 1.0
        return np.array(decided, dtype=int), targets

    def _codes_slight_segments(self) -> bool:
        """Whether this coder codes short segments: at least three, and at no less than half
        the rate at which they code the others."""
        coded = self.targets_.any(axis=1)
        slight = self.slight_[self.rows_]
        if slight.sum() == 0 or coded[slight].sum() < 3:
            return False
        return bool(
            coded[slight].mean() >= 0.5 * max(coded[~slight].mean() if (~slight).any() else 0.0, 1e-9)
        )

    def _folds(self) -> np.ndarray:
        """An out-of-fold group per labelled row: by source where there are three or more,
        else consecutive blocks."""
        sources = [self.corpus_[r].source for r in self.rows_]
        names = sorted(set(sources))
        if len(names) >= 3:
            # Leave-one-source-out in a small project (out-of-fold evidence then resembles the
            # final fit's); three folds where the rows are many and each fold costs more.
            n = min(self.folds if len(self.rows_) < _MANY_ROWS else 3, len(names))
            fold_of = {name: k % n for k, name in enumerate(names)}
            return np.array([fold_of[s] for s in sources])
        n = min(self.folds, max(len(self.rows_) // 3, 2))
        return (np.arange(len(self.rows_)) * n) // max(len(self.rows_), 1)

    def _fit_combiner(self) -> None:
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        folds = self._folds()
        parts, answers, held_rows, row_weights = [], [], [], []
        for fold in np.unique(folds):
            train, held = folds != fold, folds == fold
            if not self.targets_[train].any():
                continue
            evidence = EvidenceModel.fit(
                self.features_,
                self.rows_[train],
                self.targets_[train],
                self.family_,
                weights=self.weights_[train],
            ).apply(self.features_, self.rows_[held])
            part = self.rows_[held]
            parts.append(
                self._table(
                    evidence, self.features_.tokens[part], self._fixed(part),
                    self.targets_[train].sum(axis=0),
                )
            )  # fmt: skip
            answers.append(self.targets_[held].ravel())
            held_rows.append(self.rows_[held])
            row_weights.append(np.repeat(self.weights_[held], self.targets_.shape[1]))
        if not parts:
            return
        x, y = np.vstack(parts), np.concatenate(answers)
        if y.min() == y.max():
            return
        stands_for = np.concatenate(row_weights)
        weight = _sample_weights(y, np.random.default_rng(0)) * stands_for
        keep = weight > 0
        self.scaler_ = StandardScaler().fit(x[keep])
        self.combiner_ = LogisticRegression(C=1.0, max_iter=2000).fit(
            self.scaler_.transform(x[keep]), y[keep], sample_weight=weight[keep]
        )
        probability = self.combiner_.predict_proba(self.scaler_.transform(x))[:, 1]
        rows = np.concatenate(held_rows)
        shown = (self.codable_[None, :] & ~self._hidden(self.slight_[rows])[:, None]).ravel()
        self.threshold_, self.expected_precision_ = best_threshold(
            probability[shown], y[shown], stands_for[shown]
        )

    def _hidden(self, slight: np.ndarray) -> np.ndarray:
        """Which segments get no suggestions: slight ones, unless this coder codes such."""
        return slight & (not self.slight_coded_)

    def _table(
        self, evidence: dict[str, np.ndarray], tokens: np.ndarray, found: list, positives: np.ndarray
    ) -> np.ndarray:
        """One row per (segment, code) pair, one column per kind of evidence (``COLUMNS``)."""
        n, m = len(tokens), len(self.code_names_)
        keyword, similarity = self._unlearned(found)
        columns = [evidence[kind] for kind in LEARNED] + [keyword, similarity]
        columns.append(np.broadcast_to(tokens[:, None], (n, m)))
        columns.append(np.broadcast_to((positives > 0).astype(np.float32), (n, m)))
        return np.stack([np.asarray(c, np.float32).reshape(-1) for c in columns], axis=1)

    def _fixed(self, rows: np.ndarray) -> list[tuple[dict, dict]]:
        """Keyword and definition-similarity results of these fitted corpus rows. Neither
        learns from decisions, so they are computed once per segment and kept."""
        segments = [self.corpus_[r] for r in rows]
        todo = [s for s in segments if s.id not in self.fixed_]
        if todo:
            parts = zip(todo, self.lexical_.suggest(todo), self.semantic_.suggest(todo), strict=True)
            self.fixed_.update((s.id, (lex, sem)) for s, lex, sem in parts)
        return [self.fixed_[s.id] for s in segments]

    def _unlearned(self, found: list[tuple[dict, dict]]) -> tuple[np.ndarray, np.ndarray]:
        """Keyword and similarity scores as two (segments x codes) matrices."""
        names = {n: j for j, n in enumerate(self.code_names_)}
        keyword = np.zeros((len(found), len(names)), np.float32)
        similarity = np.zeros_like(keyword)
        for i, (lex, sem) in enumerate(found):
            for matrix, results in ((keyword, lex), (similarity, sem)):
                for code, result in results.items():
                    if code in names:
                        matrix[i, names[code]] = result.score
        return keyword, similarity

    def probabilities(self, segments: Sequence[SegmentData]) -> np.ndarray:
        """(segments x codes) scores: the learned combination's probabilities where it exists,
        else the unlearned noisy-or; 0 for what is not shown (headings, slight segments)."""
        features, rows, slight, found = self._placed(segments)
        self.last_found_ = found
        if self.combiner_ is None:
            keyword, similarity = self._unlearned(found)
            scores = 1 - (1 - self.lexical_trust * keyword) * (1 - self.semantic_trust * similarity)
        else:
            if self.evidence_ is None:
                self.evidence_ = EvidenceModel.fit(
                    self.features_, self.rows_, self.targets_, self.family_, weights=self.weights_
                )
            evidence = self.evidence_.apply(features, rows, explain=True)
            self.last_evidence_ = evidence
            table = self._table(evidence, features.tokens[rows], found, self.targets_.sum(axis=0))
            scores = self.combiner_.predict_proba(self.scaler_.transform(table))[:, 1].reshape(len(rows), -1)
        scores = np.where(self.codable_[None, :], scores, 0.0)
        return np.where(self._hidden(slight)[:, None], 0.0, scores)

    def _placed(self, segments: Sequence[SegmentData]):
        """Features, rows, slightness and unlearned results of ``segments``: from the fitted
        corpus when they are all in it, else of these segments alone (a batch of whole sources
        of a corpus too large to fit on whole), in the fitted vocabulary and nothing kept."""
        index = self.features_.index
        if all(s.id in index for s in segments):
            rows = np.array([index[s.id] for s in segments], dtype=int)
            return self.features_, rows, self.slight_[rows], self._fixed(rows)
        features = self.features_.placed(segments)
        found = list(zip(self.lexical_.suggest(segments), self.semantic_.suggest(segments), strict=True))
        slight = np.array([_slight(s) for s in segments], dtype=bool)
        return features, np.arange(len(segments)), slight, found

    def suggest(self, segments: Sequence[SegmentData]) -> list[dict[str, Scored]]:
        if not segments:
            return []
        scores = self.probabilities(segments)
        out: list[dict[str, Scored]] = []
        for i, segment in enumerate(segments):
            best = np.argsort(-scores[i])[: self.candidates]
            out.append(
                {
                    self.code_names_[j]: Scored(float(scores[i, j]), self._rationale(segment, i, j))
                    for j in best
                    if scores[i, j] >= _FLOOR
                }
            )
        return out

    def _rationale(self, segment: SegmentData, i: int, j: int) -> str:
        """The two or three kinds of evidence that raised this score most, in words."""
        code = self.code_names_[j]
        lex, sem = self.last_found_[i]
        if self.combiner_ is None:
            return "; ".join(
                f"{part}: {d[code].rationale}" for part, d in (("words", lex), ("similar", sem)) if code in d
            )
        values = np.array([self.last_evidence_[k][i, j] for k in LEARNED] + [
            lex[code].score if code in lex else 0.0, sem[code].score if code in sem else 0.0])  # fmt: skip
        contribution = (values - self.scaler_.mean_[: len(values)]) / self.scaler_.scale_[: len(values)]
        contribution *= self.combiner_.coef_[0][: len(values)]
        reasons = []
        for k in np.argsort(-contribution)[:3]:
            if contribution[k] <= 0:
                break
            reasons.append(self._reason(COLUMNS[k], segment, i, j, lex, sem))
        return "; ".join(r for r in reasons if r) or "weak evidence only"

    def _reason(self, kind: str, segment: SegmentData, i: int, j: int, lex: dict, sem: dict) -> str:
        code = self.code_names_[j]
        n = self.trained_on_.get(code, 0)
        question = " ".join(segment.question.split())
        if kind == "nearest":
            return self._example(i, j)
        return {
            "text": f"words like its {n} coded segments" if n else "",
            "question": f"asked: {question[-80:]!r}" if question else "",
            "family": self._family(j),
            "neighbours": "next to segments like it",
            "position": "often coded at this point of an interview",
            "speaker": f"often coded for this speaker ({segment.speaker})" if segment.speaker else "",
            "prior": "a frequent code",
            "keywords": f"words: {lex[code].rationale}" if code in lex else "",
            "definition": f"similar: {sem[code].rationale}" if code in sem else "",
        }.get(kind, "")

    def _family(self, j: int) -> str:
        root = self.family_[j]
        if root == j and not (self.family_ == j).sum() > 1:
            return ""  # a code alone in its family: the nearest example already says it
        return f"like coded examples of its family {self.code_names_[root]!r}"

    def _example(self, i: int, j: int) -> str:
        row = self.last_evidence_["example"][i, j]
        if row < 0:
            return ""
        quote = " ".join(self.corpus_[row].text.split())
        return f"like a coded example: {quote[:100] + ('…' if len(quote) > 100 else '')!r}"

    @property
    def models_(self) -> dict[str, int]:
        """The codes with coded examples to learn from, with how many segments each."""
        return self.trained_on_

    def informativeness(self, segments: Sequence[SegmentData]) -> np.ndarray:
        """Per segment, how unsure the suggester is (1 = a coin flip for some code)."""
        if not segments:
            return np.zeros(0)
        return (1 - np.abs(2 * self.probabilities(segments) - 1)).max(axis=1)


_WORDLIKE = re.compile(r"\S*[^\W_]\S*")  # a token with a letter or digit in it


def _slight(segment: SegmentData) -> bool:
    return len(_WORDLIKE.findall(segment.norm)) < SLIGHT_WORDS


def _sample_weights(y: np.ndarray, rng) -> np.ndarray:
    """Weight 1 for every positive; negatives beyond ``_MAX_PAIRS`` sampled and weighted up so
    the learned probabilities keep the true base rate."""
    negatives = np.flatnonzero(y == 0)
    weight = np.ones(len(y))
    room = max(_MAX_PAIRS - int((y == 1).sum()), 1)
    if len(negatives) > room:
        weight[negatives] = 0.0
        kept = rng.choice(negatives, room, replace=False)
        weight[kept] = len(negatives) / room
    return weight


def best_threshold(
    probability: np.ndarray, truth: np.ndarray, weight: np.ndarray | None = None
) -> tuple[float, float | None]:
    """The probability from which showing a suggestion maximises F1 on these rows (each
    standing for ``weight`` rows, default 1), and the precision expected there."""
    if not len(probability) or truth.sum() == 0:
        return 0.5, None
    weight = np.ones(len(truth)) if weight is None else weight
    order = np.argsort(-probability)
    hits = np.cumsum((truth * weight)[order])
    shown = np.cumsum(weight[order])
    f1 = 2 * hits / (shown + (truth * weight).sum())
    best = int(np.argmax(f1))
    return float(probability[order][best]), float(hits[best] / shown[best])
