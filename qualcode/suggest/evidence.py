"""What a coder's coded segments say about other segments, one (segments x codes) matrix per
kind of evidence.

``CorpusFeatures`` turns the project's segments into features once (TF-IDF of the lemmas and
of the question asked before, neighbours, place in the interview, who speaks).
``learned_evidence`` then takes labelled rows and returns, for any target rows, per code:

- ``text``: a ridge regression on the segment's words;
- ``question``: a ridge regression on the words of the question before it (in a
  semi-structured interview the question predicts much of the coding);
- ``nearest``: the cosine to the closest coded example of the code (few-shot);
- ``family``: the same over the examples of the code's whole family (a parent's and
  siblings' examples help a code with few of its own);
- ``neighbours``: the text evidence of the segments before and after (coders code runs);
- ``position``: how much more often the code is used at this point of an interview
  (interview guides ask their questions in order);
- ``speaker``: how much more often the code is used for this kind of speaker;
- ``prior``: how common the code is.

The ensemble fits these out of fold to learn how far to trust each kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qualcode.suggest.base import CodeProfile, SegmentData

LEARNED = ("text", "question", "nearest", "family", "neighbours", "position", "speaker", "prior")
_POSITION_BINS = 10
_SMOOTHING = 5.0  # pseudo-segments at the code's overall rate, so that a sparse bin says little
_BATCH = 512  # rows per product with the examples (a dense rows x examples block)
_MAX_EXAMPLES = 300  # coded examples per code for the nearest-example evidence


@dataclass
class CorpusFeatures:
    """The project's segments as the learned evidence reads them, computed once per fit."""

    index: dict[int, int]  # segment id -> row
    text: object  # sparse TF-IDF of the lemmas, rows L2-normalised
    question: object | None  # sparse TF-IDF of the question before (None if nothing was asked)
    before: np.ndarray  # row of the segment before in the same source, or -1
    after: np.ndarray
    position_bin: np.ndarray
    speaker: np.ndarray  # speaker kind as a small integer
    tokens: np.ndarray  # log(1 + number of tokens)
    vectorizers: tuple = (None, None)  # (text, question), to place segments met later
    speaker_kinds: dict | None = None

    @classmethod
    def of(cls, segments: Sequence[SegmentData]) -> CorpusFeatures:
        """Features of a corpus, fitting the TF-IDF vocabularies on it."""
        text, text_vectorizer = _tfidf([s.lemmas for s in segments], r"\S+")
        question, question_vectorizer = _question_features(segments)
        kinds = {kind: k for k, kind in enumerate(sorted({s.speaker for s in segments}))}
        return cls._made(segments, text, question, (text_vectorizer, question_vectorizer), kinds)

    def placed(self, segments: Sequence[SegmentData]) -> CorpusFeatures:
        """Features of other segments (a batch of whole sources) in this corpus' vocabulary,
        with their neighbours among themselves; this corpus is left as it is."""
        text_vectorizer, question_vectorizer = self.vectorizers
        text = None if text_vectorizer is None else text_vectorizer.transform([s.lemmas for s in segments])
        question = None
        if question_vectorizer is not None:
            question = _distinct_rows(question_vectorizer.transform, [s.question.lower() for s in segments])
        kinds = dict(self.speaker_kinds)
        for s in segments:
            kinds.setdefault(s.speaker, len(kinds))  # a kind the fit never saw: no lift for it
        return self._made(segments, text, question, self.vectorizers, kinds)

    @classmethod
    def _made(cls, segments, text, question, vectorizers, kinds) -> CorpusFeatures:
        before, after = _neighbours(segments)
        return cls(
            index={s.id: i for i, s in enumerate(segments)},
            text=None if text is None else text.tocsr(),
            question=None if question is None else question.tocsr(),
            before=before,
            after=after,
            position_bin=_bins(segments),
            speaker=np.array([kinds[s.speaker] for s in segments], dtype=int),
            tokens=np.log1p([len(s.norm.split()) for s in segments]),
            vectorizers=vectorizers,
            speaker_kinds=kinds,
        )


def _neighbours(segments: Sequence[SegmentData]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the segment before and after each one in its source, or -1: by ``order`` where
    every segment has one (a sample of a corpus has gaps), else the next in the list."""
    n = len(segments)
    if n and all(s.order >= 0 for s in segments):
        row = {(s.source, s.order): i for i, s in enumerate(segments)}
        before = np.array([row.get((s.source, s.order - 1), -1) for s in segments], dtype=int)
        after = np.array([row.get((s.source, s.order + 1), -1) for s in segments], dtype=int)
        return before, after
    rows = np.arange(n)
    same_before = np.array(
        [i > 0 and segments[i - 1].source == s.source for i, s in enumerate(segments)], bool
    )
    before = np.where(same_before, rows - 1, -1)
    after = np.full(n, -1)
    if n:
        after[:-1] = np.where(same_before[1:], rows[1:], -1)
    return before, after


def _distinct_rows(transform, texts: list[str]):
    """``transform`` of each distinct text once, one row per text (the sentences of one
    answer, and answers in a row, share their question)."""
    distinct = {t: k for k, t in enumerate(dict.fromkeys(texts))}
    return transform(list(distinct))[[distinct[t] for t in texts]]


def _bins(segments: Sequence[SegmentData]) -> np.ndarray:
    positions = np.array([s.position for s in segments], dtype=float)
    return np.minimum((positions * _POSITION_BINS).astype(int), _POSITION_BINS - 1)


def _question_features(segments: Sequence[SegmentData]):
    """TF-IDF of the question before each segment; each distinct question once (the sentences
    of one answer, and answers in a row, share theirs)."""
    distinct = {q: k for k, q in enumerate(dict.fromkeys(s.question.lower() for s in segments))}
    # Every word counts: a guide question asked word for word in each interview is one
    # distinct text, and its words must not be dropped as rare.
    rows, vectorizer = _tfidf(list(distinct), r"(?u)\b\w\w+\b", ngrams=(1, 1), min_df=1)
    return (None if rows is None else rows[[distinct[s.question.lower()] for s in segments]]), vectorizer


def _tfidf(texts: list[str], pattern: str, ngrams: tuple[int, int] = (1, 2), min_df: int = 2):
    """TF-IDF rows (terms seen at least twice) and the fitted vectoriser, or (None, None)
    when there is no vocabulary at all (every text empty)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    for least in sorted({min_df, 1}, reverse=True):
        vectorizer = TfidfVectorizer(
            ngram_range=ngrams, min_df=least, sublinear_tf=True, token_pattern=pattern, lowercase=False
        )
        try:
            return vectorizer.fit_transform(texts).tocsr(), vectorizer
        except ValueError:  # empty vocabulary
            continue
    return None, None


def families(codes: Sequence[CodeProfile]) -> np.ndarray:
    """Per code, the index of its top-level ancestor (codes without a parent are their own)."""
    parent = {c.name: c.parent for c in codes}
    names = [c.name for c in codes]
    position = {name: j for j, name in enumerate(names)}

    def root(name: str) -> str:
        seen = set()
        while parent.get(name) in position and name not in seen:
            seen.add(name)
            name = parent[name]
        return name

    return np.array([position[root(name)] for name in names], dtype=int)


def learned_evidence(
    corpus: CorpusFeatures,
    rows: np.ndarray,
    targets: np.ndarray,
    family: np.ndarray,
    wanted: np.ndarray,
    alpha: float = 3.0,
    explain: bool = False,
) -> dict[str, np.ndarray]:
    """Each kind of learned evidence (see the module docstring) for the ``wanted`` rows, as
    float32 (len(wanted) x codes), from the labelled ``rows`` and their 0/1 ``targets``; with
    ``explain``, also ``example``: the corpus row of each nearest coded example."""
    return EvidenceModel.fit(corpus, rows, targets, family, alpha).apply(corpus, wanted, explain)


@dataclass
class EvidenceModel:
    """What the labelled rows taught, to apply to any rows of the fitted corpus or of a batch
    placed in its vocabulary (:meth:`CorpusFeatures.placed`), without learning again."""

    text: tuple | None  # ridge (weights, intercepts) on the segment's words, None if nothing to learn
    question: tuple | None
    examples: object | None  # one column per (code, coded example), grouped by code
    example_rows: np.ndarray  # the corpus row of each example column
    starts: np.ndarray  # first column of each code that has examples
    present: np.ndarray  # which codes those are
    family: np.ndarray
    position: np.ndarray  # (bins x codes) log lift
    speaker: np.ndarray  # (speaker kinds x codes) log lift
    prior: np.ndarray

    @classmethod
    def fit(
        cls, corpus: CorpusFeatures, rows, targets: np.ndarray, family, alpha: float = 3.0, weights=None
    ) -> EvidenceModel:
        """``weights``: how many labelled segments each row stands for (default 1), so that
        rates learned from a sample of the uncoded segments stay true."""
        learnable = targets.any()
        weights = np.ones(len(rows)) if weights is None else np.asarray(weights, dtype=float)

        def ridge(features):
            return ridge_solve(features[rows], targets, alpha) if features is not None and learnable else None

        positives = targets.sum(axis=0)
        prior = (positives + 0.5) / (weights.sum() + 1.0)
        examples, example_rows, starts, present = _examples(corpus.text, rows, targets)
        return cls(
            text=ridge(corpus.text),
            question=ridge(corpus.question),
            examples=examples,
            example_rows=example_rows,
            starts=starts,
            present=present,
            family=family,
            position=_lift(corpus.position_bin, _POSITION_BINS, rows, targets, prior, weights),
            speaker=_lift(
                corpus.speaker, int(corpus.speaker.max(initial=0)) + 1, rows, targets, prior, weights
            ),
            prior=prior,
        )

    def apply(
        self, corpus: CorpusFeatures, wanted: np.ndarray, explain: bool = False
    ) -> dict[str, np.ndarray]:
        n_codes = len(self.prior)
        out: dict[str, np.ndarray] = {}
        zeros = np.zeros((len(wanted), n_codes), np.float32)
        before, after = corpus.before[wanted], corpus.after[wanted]
        # The text evidence of the wanted rows and of their neighbours, in one product.
        needed = np.unique(np.r_[wanted, before[before >= 0], after[after >= 0]]).astype(int)
        text_needed = _predict(
            None if corpus.text is None else corpus.text[needed], self.text, len(needed), n_codes
        )
        text_all = np.zeros((len(corpus.before), n_codes), np.float32)
        text_all[needed] = text_needed
        out["text"] = text_all[wanted]
        if corpus.question is not None and self.question is not None:
            out["question"] = _predict(corpus.question[wanted], self.question, len(wanted), n_codes)
        else:
            out["question"] = zeros
        own, example = self._nearest(corpus.text, wanted, explain)
        kin = np.zeros_like(own)
        for f in np.unique(self.family):
            members = self.family == f
            kin[:, members] = own[:, members].max(axis=1, keepdims=True)
        out["nearest"], out["family"] = own, kin
        if explain:
            out["example"] = example
        out["neighbours"] = np.maximum(
            np.where(before[:, None] >= 0, text_all[np.maximum(before, 0)], 0.0),
            np.where(after[:, None] >= 0, text_all[np.maximum(after, 0)], 0.0),
        ).astype(np.float32)
        out["position"] = self.position[corpus.position_bin[wanted]]
        speaker = corpus.speaker[wanted]
        known = speaker < len(self.speaker)  # a kind the fit never saw has no lift
        out["speaker"] = np.where(known[:, None], self.speaker[np.where(known, speaker, 0)], 0.0).astype(
            np.float32
        )
        out["prior"] = np.broadcast_to(np.log(self.prior).astype(np.float32), (len(wanted), n_codes))
        return out

    def _nearest(self, features, wanted: np.ndarray, which: bool):
        """Per wanted row and code, the highest cosine to a coded example of the code; with
        ``which``, also the fitted corpus row of that example (-1 where it has none)."""
        n_codes = len(self.prior)
        own = np.zeros((len(wanted), n_codes), np.float32)
        example_row = np.full((len(wanted), n_codes), -1, dtype=int)
        if self.examples is None or features is None:
            return own, example_row
        ends = np.r_[self.starts[1:], len(self.example_rows)]
        for begin in range(0, len(wanted), _BATCH):
            part = wanted[begin : begin + _BATCH]
            similarity = (features[part].astype(np.float32) @ self.examples).toarray()
            own[begin : begin + len(part), self.present] = np.maximum.reduceat(
                similarity, self.starts, axis=1
            )
            if which:
                found = [
                    self.example_rows[a + np.argmax(similarity[:, a:b], axis=1)]
                    for a, b in zip(self.starts, ends, strict=True)
                ]
                example_row[begin : begin + len(part), self.present] = np.column_stack(found)
        return own, example_row


def _predict(features, model, n: int, n_codes: int) -> np.ndarray:
    if features is None or model is None:
        return np.zeros((n, n_codes), np.float32)
    weights, intercept = model
    return (np.asarray(features @ weights) + intercept).astype(np.float32)


def _examples(features, rows, targets: np.ndarray):
    """The coded examples the nearest-example evidence compares with: at most
    ``_MAX_EXAMPLES`` per code (spread over its coded segments), one column each."""
    empty = (None, np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0, dtype=int))
    if features is None:
        return empty
    owners, picked = [], []
    for j in range(targets.shape[1]):
        mine = np.flatnonzero(targets[:, j])
        if len(mine) > _MAX_EXAMPLES:
            mine = mine[np.linspace(0, len(mine) - 1, _MAX_EXAMPLES).astype(int)]
        owners += [j] * len(mine)
        picked += mine.tolist()
    if not picked:
        return empty
    owner = np.array(owners)
    example_rows = rows[np.array(picked)]
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    # float32: the cosines need no more, and the dense blocks of products are half the size.
    return features[example_rows].T.tocsc().astype(np.float32), example_rows, starts, owner[starts]


def ridge_solve(x, y: np.ndarray, alpha: float, tol: float = 1e-4, iterations: int = 200):
    """Weights and intercepts minimising ||x w + b - y||^2 + alpha ||w||^2 for every column of
    ``y`` at once: conjugate gradients on the normal equations, all columns in step (one sparse
    product per iteration for all codes, where a solver per code would loop over them)."""
    x = x.tocsr().astype(np.float64)
    xt = x.T.tocsr()
    mean = np.asarray(x.mean(axis=0)).ravel()
    offset = y.mean(axis=0)
    centred = y - offset

    def normal(p: np.ndarray) -> np.ndarray:
        # (x - mean)^T (x - mean) p + alpha p, without densifying x
        xp = x @ p - (mean @ p)[None, :]
        return xt @ xp - np.outer(mean, xp.sum(axis=0)) + alpha * p

    b = xt @ centred - np.outer(mean, centred.sum(axis=0))
    w = np.zeros_like(b)
    r = b.copy()
    p = r.copy()
    rs = (r * r).sum(axis=0)
    scale = np.sqrt(rs) + 1e-30
    for _ in range(iterations):
        ap = normal(p)
        step = rs / np.maximum((p * ap).sum(axis=0), 1e-30)
        w += p * step
        r -= ap * step
        new = (r * r).sum(axis=0)
        if (np.sqrt(new) / scale).max() < tol:
            break
        p = r + p * (new / np.maximum(rs, 1e-30))
        rs = new
    return w, offset - mean @ w


def _lift(bins: np.ndarray, n_bins: int, rows, targets, prior: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """log(rate of the code among labelled rows in the same bin / its overall rate), with the
    bin's rate shrunk towards the overall one (``_SMOOTHING``)."""
    counts = np.zeros((n_bins, targets.shape[1]))
    np.add.at(counts, bins[rows], targets)
    sizes = np.bincount(bins[rows], weights=weights, minlength=n_bins)[:, None]
    rate = (counts + _SMOOTHING * prior) / (sizes + _SMOOTHING)
    return np.log(rate / prior).astype(np.float32)
