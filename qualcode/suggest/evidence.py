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
_BATCH = 2048


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

    def extended(self, segments: Sequence[SegmentData]) -> CorpusFeatures:
        """These features with ``segments`` added at the end (no neighbours: they were not
        in the corpus that was fitted)."""
        import scipy.sparse as sp

        text_vectorizer, question_vectorizer = self.vectorizers
        start = len(self.index)
        extra = len(segments)

        def grown(matrix, vectorizer, texts):
            if matrix is None:
                return None
            return sp.vstack([matrix, vectorizer.transform(texts)]).tocsr()

        kinds = dict(self.speaker_kinds)
        for s in segments:
            kinds.setdefault(s.speaker, len(kinds))
        return CorpusFeatures(
            index={**self.index, **{s.id: start + i for i, s in enumerate(segments)}},
            text=grown(self.text, text_vectorizer, [s.lemmas for s in segments]),
            question=grown(self.question, question_vectorizer, [s.question.lower() for s in segments]),
            before=np.r_[self.before, np.full(extra, -1)],
            after=np.r_[self.after, np.full(extra, -1)],
            position_bin=np.r_[self.position_bin, _bins(segments)],
            speaker=np.r_[self.speaker, [kinds[s.speaker] for s in segments]].astype(int),
            tokens=np.r_[self.tokens, np.log1p([len(s.norm.split()) for s in segments])],
            vectorizers=self.vectorizers,
            speaker_kinds=kinds,
        )

    @classmethod
    def of(cls, segments: Sequence[SegmentData]) -> CorpusFeatures:
        n = len(segments)
        same_before = np.array([i > 0 and segments[i - 1].source == s.source for i, s in enumerate(segments)])
        rows = np.arange(n)
        before = np.where(same_before, rows - 1, -1)
        after = np.full(n, -1)
        after[:-1] = np.where(same_before[1:], rows[1:], -1)
        kinds = {kind: k for k, kind in enumerate(sorted({s.speaker for s in segments}))}
        text, text_vectorizer = _tfidf([s.lemmas for s in segments], r"\S+")
        question, question_vectorizer = _question_features(segments)
        return cls(
            index={s.id: i for i, s in enumerate(segments)},
            text=text,
            question=question,
            before=before,
            after=after,
            position_bin=_bins(segments),
            speaker=np.array([kinds[s.speaker] for s in segments], dtype=int),
            tokens=np.log1p([len(s.norm.split()) for s in segments]),
            vectorizers=(text_vectorizer, question_vectorizer),
            speaker_kinds=kinds,
        )


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
    n_codes = targets.shape[1]
    out: dict[str, np.ndarray] = {}
    positives = targets.sum(axis=0)
    text_all = _ridge_predict(corpus.text, rows, targets, alpha)
    out["text"] = text_all[wanted]
    if corpus.question is not None:
        out["question"] = _ridge_predict(corpus.question, rows, targets, alpha, only=wanted)
    else:
        out["question"] = np.zeros((len(wanted), n_codes), np.float32)
    out["nearest"], out["family"], example = _nearest(corpus.text, rows, targets, family, wanted, explain)
    if explain:
        out["example"] = example
    before, after = corpus.before[wanted], corpus.after[wanted]
    out["neighbours"] = np.maximum(
        np.where(before[:, None] >= 0, text_all[np.maximum(before, 0)], 0.0),
        np.where(after[:, None] >= 0, text_all[np.maximum(after, 0)], 0.0),
    ).astype(np.float32)
    prior = (positives + 0.5) / (len(rows) + 1.0)
    out["position"] = _lift(corpus.position_bin, _POSITION_BINS, rows, targets, prior, wanted)
    out["speaker"] = _lift(corpus.speaker, int(corpus.speaker.max()) + 1, rows, targets, prior, wanted)
    out["prior"] = np.broadcast_to(np.log(prior).astype(np.float32), (len(wanted), n_codes))
    return out


def _ridge_predict(features, rows, targets, alpha: float, only: np.ndarray | None = None) -> np.ndarray:
    """A ridge regression per code on the labelled rows, predicting every row of the corpus
    (or ``only`` those rows)."""
    n = (0 if features is None else features.shape[0]) if only is None else len(only)
    if features is None or not targets.any():
        return np.zeros((n, targets.shape[1]), np.float32)
    weights, intercept = ridge_solve(features[rows], targets, alpha)
    wanted = features if only is None else features[only]
    return (np.asarray(wanted @ weights) + intercept).astype(np.float32)


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


def _nearest(features, rows, targets, family: np.ndarray, wanted: np.ndarray, which: bool = False):
    """Per wanted row and code, the highest cosine to a labelled example of the code, and to
    one of any code in its family (the best of the family's codes); with ``which``, also the
    corpus row of the code's nearest example (-1 where it has none)."""
    n_codes = targets.shape[1]
    own = np.zeros((len(wanted), n_codes), np.float32)
    example_row = np.full((len(wanted), n_codes), -1, dtype=int)
    pairs = (
        [] if features is None else [(j, r) for j in range(n_codes) for r in np.flatnonzero(targets[:, j])]
    )
    if pairs:
        owner = np.array([j for j, _ in pairs])
        example_rows = rows[np.array([r for _, r in pairs])]
        # One column per (code, example): the product comes out grouped by code.
        examples = features[example_rows].T.tocsc()
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        ends = np.r_[starts[1:], len(owner)]
        present = owner[starts]
        for begin in range(0, len(wanted), _BATCH):
            part = wanted[begin : begin + _BATCH]
            similarity = (features[part] @ examples).toarray()
            own[begin : begin + len(part), present] = np.maximum.reduceat(similarity, starts, axis=1)
            if which:
                found = [
                    example_rows[a + np.argmax(similarity[:, a:b], axis=1)]
                    for a, b in zip(starts, ends, strict=True)
                ]
                example_row[begin : begin + len(part), present] = np.column_stack(found)
    kin = np.zeros_like(own)
    for f in np.unique(family):
        members = family == f
        kin[:, members] = own[:, members].max(axis=1, keepdims=True)
    return own, kin, example_row


def _lift(bins: np.ndarray, n_bins: int, rows, targets, prior: np.ndarray, wanted) -> np.ndarray:
    """log(rate of the code among labelled rows in the same bin / its overall rate), with the
    bin's rate shrunk towards the overall one (``_SMOOTHING``)."""
    counts = np.zeros((n_bins, targets.shape[1]))
    np.add.at(counts, bins[rows], targets)
    sizes = np.bincount(bins[rows], minlength=n_bins)[:, None]
    rate = (counts + _SMOOTHING * prior) / (sizes + _SMOOTHING)
    return np.log(rate / prior).astype(np.float32)[bins[wanted]]
