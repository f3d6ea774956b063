"""TF-IDF + LSA: the offline default embedder.

Fitted on the project's own segments (lemmatised, lower-cased text: tokens separated by
spaces), so it needs no model and no download. A TF-IDF matrix of words and word pairs is
reduced by a truncated SVD (latent semantic analysis), so that segments that share no word
but share neighbours come out close.

Tiny corpora are handled rather than refused: when ``min_df``/``max_df`` prune every word
(one or two texts), they are relaxed to keep all words; when the vocabulary is no larger
than ``n_components`` there is nothing to reduce and the plain normalised TF-IDF vectors are
used.

The SVD is a randomized one worked on the side of the segments (see
:func:`right_singular_vectors`): scikit-learn's TruncatedSVD works on the side of the
vocabulary, which with word pairs is many times larger, and took 5-14 s to fit 10,000
segments where this takes under one. scikit-learn and scipy are imported inside ``fit``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Integral

import numpy

from qualcode.embed.base import Embedder, check_texts, normalise_rows
from qualcode.embed.stopwords import DUTCH_STOP_WORDS
from qualcode.errors import QualcodeError
from qualcode.threads import one_blas_thread

STOP_WORD_CHOICES = ("dutch", "nl", "english", "en")
# A token is a run of word characters, with inner hyphens or apostrophes ("ex-partner",
# "z'n"); punctuation tokens from the segmenter ("." ",") are skipped. Unlike scikit-learn's
# default, one-letter words are kept.
TOKEN_PATTERN = r"(?u)\w+(?:['’-]\w+)*"
# Power iterations: on 10,000 segments, 3 find 86% of the ten nearest neighbours that 12
# find (5, scikit-learn's default, 90%) in 0.65 s instead of 0.85 s.
POWER_ITERATIONS = 3
OVERSAMPLING = 10


class TfidfLsaEmbedder(Embedder):
    """TF-IDF of words and word pairs, reduced to ``n_components`` dimensions by LSA.

    ``stop_words`` is ``"dutch"`` or ``"nl"`` (qualcode's list), ``"english"`` or ``"en"``
    (scikit-learn's), ``None`` or a list of words. ``n_components`` is an upper bound: a
    corpus of ``n`` texts gets at most ``n`` dimensions, and fewer when texts repeat each
    other (see ``dim_``).
    """

    name = "tfidf"
    version = "1"

    def __init__(
        self,
        n_components: int = 256,
        min_df: int | float = 1,
        max_df: int | float = 0.9,
        ngram_range: Sequence[int] = (1, 2),
        stop_words: str | Sequence[str] | None = "dutch",
        sublinear_tf: bool = True,
        random_state: int | None = 0,
    ):
        self.n_components = n_components
        self.min_df = min_df
        self.max_df = max_df
        self.ngram_range = ngram_range
        self.stop_words = stop_words
        self.sublinear_tf = sublinear_tf
        self.random_state = random_state

    def fit(self, texts: Iterable[str]) -> TfidfLsaEmbedder:
        self._fit(check_texts(texts))
        return self

    def fit_embed(self, texts: Iterable[str]) -> numpy.ndarray:
        """``fit(texts).embed(texts)`` without reading the texts twice."""
        return self._project(self._fit(check_texts(texts)))

    def embed(self, texts: Iterable[str]) -> numpy.ndarray:
        texts = check_texts(texts)
        if not hasattr(self, "vectorizer_"):
            raise QualcodeError("the tfidf embedder has not been fitted: call fit first (with the segments)")
        if not texts:
            return numpy.zeros((0, self.dim_), dtype=numpy.float32)
        return self._project(self.vectorizer_.transform(texts))

    def _fit(self, texts: list[str]):
        """Learn the vocabulary and the projection; return the corpus' TF-IDF matrix."""
        if not texts:
            raise QualcodeError("cannot fit the tfidf embedder on no texts; give at least one segment")
        if (
            isinstance(self.n_components, bool)
            or not isinstance(self.n_components, Integral)
            or self.n_components < 1
        ):
            raise QualcodeError(
                f"n_components must be a whole number of at least 1, not {self.n_components!r}"
            )
        self.vectorizer_, tfidf = self._fit_vectorizer(texts)
        n_features = tfidf.shape[1]
        if n_features <= self.n_components:
            self.projection_ = None
            self.dim_ = n_features
        else:
            with one_blas_thread():
                self.projection_ = right_singular_vectors(tfidf, int(self.n_components), self.random_state)
            self.dim_ = self.projection_.shape[1]
        return tfidf

    def _project(self, tfidf) -> numpy.ndarray:
        if self.projection_ is None:
            return normalise_rows(tfidf.toarray())
        return normalise_rows(tfidf @ self.projection_)

    def _fit_vectorizer(self, texts: list[str]):
        """The fitted TfidfVectorizer and the corpus' TF-IDF matrix, relaxing the document
        frequency bounds once if they leave no words (a corpus of one or two texts)."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        ngram_range = self.ngram_range
        if isinstance(ngram_range, list):  # a config read back from JSON
            ngram_range = tuple(ngram_range)
        error = None
        for min_df, max_df in ((self.min_df, self.max_df), (1, 1.0)):
            vectorizer = TfidfVectorizer(
                min_df=min_df,
                max_df=max_df,
                ngram_range=ngram_range,
                stop_words=self._stop_word_list(),
                sublinear_tf=self.sublinear_tf,
                token_pattern=TOKEN_PATTERN,
                dtype=numpy.float32,
            )
            try:
                return vectorizer, vectorizer.fit_transform(texts)
            except ValueError as exc:
                # scikit-learn's InvalidParameterError is both a ValueError and a TypeError:
                # a wrong option is reported, not papered over by relaxing the bounds.
                if isinstance(exc, TypeError):
                    raise QualcodeError(f"invalid option for the tfidf embedder: {exc}") from exc
                error = exc
        raise QualcodeError(
            f"cannot build TF-IDF vectors from {len(texts)} texts ({error}); give longer texts, "
            f"or pass stop_words=None if the texts are mostly stop words"
        ) from error

    def _stop_word_list(self):
        words = self.stop_words
        if words is None:
            return None
        if isinstance(words, str):
            if words.lower() in ("dutch", "nl"):
                return sorted(DUTCH_STOP_WORDS)
            if words.lower() in ("english", "en"):
                return "english"
            raise QualcodeError(
                f"unknown stop word list {words!r}; choose one of {', '.join(STOP_WORD_CHOICES)}, "
                f"None, or give a list of words"
            )
        return sorted({str(word).lower() for word in words})


def right_singular_vectors(matrix, k: int, random_state: int | None) -> numpy.ndarray:
    """The top ``k`` right singular vectors of a sparse ``matrix`` (n × m), as an m × k'
    float32 array, ``k' <= min(k, n)``: directions with no weight (repeated rows) are left out.

    A randomized SVD (Halko, Martinsson and Tropp 2011, algorithms 4.4 and 5.1) that finds
    an orthonormal basis ``Q`` of the top left singular vectors by power iteration on
    ``matrix @ matrix.T``, so that the dense arrays in the loop are n × k, not m × k; then the
    eigenvectors of the small ``Q.T @ matrix @ matrix.T @ Q`` give ``U`` and ``sigma``, and
    ``V = matrix.T @ U / sigma``.
    """
    from scipy.linalg import eigh, qr

    n_samples = matrix.shape[0]
    width = min(k + OVERSAMPLING, n_samples)
    gram_times = _gram_operator(matrix)
    rng = numpy.random.default_rng(random_state)
    basis = rng.standard_normal((n_samples, width), dtype=numpy.float32)
    for _ in range(POWER_ITERATIONS + 1):
        basis, _ = qr(gram_times(basis), mode="economic", check_finite=False)
    gram = basis.T.astype(numpy.float64) @ gram_times(basis).astype(numpy.float64)
    values, vectors = eigh((gram + gram.T) / 2)
    order = numpy.argsort(values)[::-1][:k]
    values, vectors = values[order], vectors[:, order]
    # Below this the eigenvalues are rounding noise of float32 products.
    keep = values > max(values[0], 0.0) * 1e-8
    left = basis @ (vectors[:, keep] / numpy.sqrt(values[keep])).astype(numpy.float32)
    return numpy.asarray(matrix.T @ left, dtype=numpy.float32)


def _gram_operator(matrix):
    """A function computing ``matrix @ matrix.T @ block``.

    Most terms (word pairs above all) occur in one text only; their columns add only to
    the diagonal of ``matrix @ matrix.T``, so they are applied as a diagonal and the sparse
    products run over the shared terms alone (on 10,000 segments, a quarter of the columns).
    """
    by_term = matrix.T.tocsr()
    counts = numpy.diff(by_term.indptr)
    single = by_term[counts == 1]
    diagonal = numpy.bincount(
        single.indices, weights=single.data.astype(numpy.float64) ** 2, minlength=matrix.shape[0]
    )
    diagonal = diagonal.astype(numpy.float32)[:, None]
    shared_by_term = by_term[counts > 1]
    shared = shared_by_term.T.tocsr()
    return lambda block: shared @ (shared_by_term @ block) + diagonal * block
