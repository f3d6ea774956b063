"""The topic model: BERTopic over segment embeddings, set up for interviews.

Two modes:

* ``quick``: the segments' TF-IDF/LSA vectors (or a local sentence-transformers model's)
  reduced by PCA and clustered by k-means into ``n_topics`` topics, without a UMAP step.
  Deterministic for a given seed, and seconds on thousands of segments.
* ``exploratory``: UMAP (cosine, seeded) and HDBSCAN, which choose the number of topics
  themselves and leave the segments that fit no topic as outliers (topic -1).

The embeddings are computed here and given to BERTopic as precomputed ``embeddings``, so
BERTopic never loads (or downloads) a model. Each segment is placed by its own vector and,
less and less, its neighbours' in the same source (:func:`in_context`): a sentence is read
in its stretch of talk. BERTopic clusters and describes each topic by its c-TF-IDF words
(frequent words damped), computed over the segments' lemmas. Left out of both the TF-IDF
embeddings and the topic words: the language's stop words, fillers and discourse markers
(:func:`qualcode.embed.stopwords.fillers`; multi-word ones removed as phrases) and number
words, and the words the caller excludes (names, places: see
:mod:`qualcode.analysis.topics`). A segment without a single word left ("Ja.", "Nou, eh.",
"Dank je, Marloes.") has no TF-IDF vector to place, and goes to the outliers.

A segment's ``probability`` is its cosine similarity to its topic's centroid (in context).
A topic's three representative quotes are the segments closest to that centroid, of eight
words or more and from different sources where the topic has them (BERTopic's own are a
random pick for k-means). BERTopic, UMAP and HDBSCAN are imported only when a fit starts.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy

from qualcode.embed.stopwords import DUTCH_STOP_WORDS, fillers, number_words, without_phrases
from qualcode.errors import ConflictError, InputError, MissingDependencyError, QualcodeError
from qualcode.threads import one_blas_thread

OUTLIERS = -1
OUTLIER_LABEL = "outliers"
REPRESENTATIVES = 3
QUOTE_WORDS = 8  # a representative quote has at least this many words, where the topic has them
TOP_WORDS = 10
LABEL_WORDS = 3
NO_ROLE = "(no role)"
NO_CASE = "(no case)"
TOPIC_PACKAGES = ("bertopic", "umap-learn", "hdbscan", "scikit-learn")
INSTALL_HINT = "pip install 'qualcode[topics]'"

# c-TF-IDF words: two or more characters, starting with a letter, inner hyphens and
# apostrophes kept ("ex-partner"); numbers and punctuation tokens are left out.
WORD_PATTERN = r"(?u)\b[^\W\d_][\w'’-]*\w\b"
# Quick mode clusters the first principal components of the embeddings, not all 256 LSA
# dimensions: twice as many as topics, at least 10, at most 50. Over all of them k-means
# split short sentences by incidental words: on the example study's 2,466 sentences it put
# two thirds into one topic, and on the three-theme test corpus it mixed themes (80% pure
# against 100% over 10 components, for every seed tried).
QUICK_DIMENSIONS = (10, 50)
# A segment is clustered by what it says and, less and less, by its neighbours in the same
# source (of the segments fitted): a sentence is read in its stretch of talk, as coders read
# it. Weights for the segments 1, 2 and 3 places away. On the three coded sets of
# benchmarks/topics_quality.py this raised the NMI with the coders' top-level codes from
# about the k-means baseline's to well above it (pdpilot 0.10 -> 0.14, serdif 0.18 -> 0.28
# at k = top-level codes); one neighbour each side (0.5) gained about half of that.
CONTEXT_WEIGHTS = (0.5, 0.25, 0.125)
_MIN_WORD_SEGMENTS = 2  # a topic word occurs in at least this many segments (relaxed if none do)


@dataclass
class TopicFit:
    """A fitted topic model, as rows to store."""

    topics: list[tuple]  # (topic, label, words_json, size, spread_json), outliers last
    segments: list[tuple]  # (topic, segment_id, probability, representative)
    outliers: int  # segments in topic -1
    settings: dict  # the clustering settings chosen for the data
    embedder_config: dict


def fit_topics(rows, mode: str, n_topics: int, seed: int, embedder: str, model: str | None,
               language: str, exclude: frozenset[str] = frozenset(), context: bool = True) -> TopicFit:  # fmt: skip
    """Embed the segments ``rows`` (with ``text``, ``lemmas``, ``source``, ``role`` and
    ``case``, in document order), fit BERTopic over the ones with content words, and describe
    every topic (the rest are outliers). ``exclude``: lemmas that are never a topic word nor
    embedded; ``context``: place segments with their neighbours (:func:`in_context`)."""
    bertopic = _import_bertopic()
    stop_words = stop_words_for(language) | exclude
    lemmas = [without_phrases(r["lemmas"] or "", language) for r in rows]
    embeddings, embedder_config = _embed(rows, lemmas, embedder, model, stop_words)
    placed = numpy.flatnonzero(numpy.linalg.norm(embeddings, axis=1) > 0)
    weights = CONTEXT_WEIGHTS if context else ()
    contextual = in_context(embeddings, rows, weights)
    documents = [lemmas[i] for i in placed]
    settings = dict(_cluster_settings(mode, n_topics, seed, len(placed)), context=list(weights))
    topic_model = bertopic.BERTopic(
        umap_model=_reduction(mode, seed, len(placed), settings),
        hdbscan_model=_clustering(mode, n_topics, seed, settings),
        vectorizer_model=_vectorizer(documents, stop_words),
        ctfidf_model=_word_weights(),
        top_n_words=TOP_WORDS,
        # Any language but "english", for which BERTopic strips every letter outside A-Z
        # ("cliënt" -> "clint"); it names no model here, as the embeddings are given.
        language="multilingual",
        calculate_probabilities=False,
        verbose=False,
    )
    with _quiet_libraries(), one_blas_thread():
        topic_model.fit_transform(documents, contextual[placed])
    assigned = numpy.full(len(rows), OUTLIERS)
    assigned[placed] = topic_model.topics_
    topics, segment_rows = _describe(topic_model, rows, contextual, assigned)
    return TopicFit(topics, segment_rows, int((assigned == OUTLIERS).sum()), settings, embedder_config)


def in_context(embeddings: numpy.ndarray, rows, weights=CONTEXT_WEIGHTS) -> numpy.ndarray:
    """Each segment's vector plus its neighbours' in the same source, ``weights[d - 1]``
    times the vector of the segment ``d`` places away, normalised; a segment with nothing of
    its own stays a row of zeros (an outlier). ``rows`` are in document order."""
    sources = numpy.unique([r["source"] for r in rows], return_inverse=True)[1]
    out = embeddings.astype(numpy.float32, copy=True)
    for distance, weight in enumerate(weights, start=1):
        if distance >= len(rows):
            break
        same = (sources[distance:] == sources[:-distance])[:, None]
        out[distance:] += weight * embeddings[:-distance] * same
        out[:-distance] += weight * embeddings[distance:] * same
    out[~embeddings.any(axis=1)] = 0
    norms = numpy.linalg.norm(out, axis=1, keepdims=True)
    return numpy.divide(out, norms, out=numpy.zeros_like(out), where=norms > 0)


def _import_bertopic():
    try:
        with _quiet_libraries():
            import bertopic
    except ImportError as exc:
        raise MissingDependencyError(f"topic modelling needs BERTopic: {INSTALL_HINT}") from exc
    return bertopic


def _embed(rows, lemmas: list[str], embedder: str, model: str | None, stop_words: frozenset[str]):
    """One L2-normalised row per segment (a row of zeros for a segment with nothing to embed),
    and the embedder's settings to store (the stop words as their number: the run's config
    lists the excluded words)."""
    from qualcode.embed import make_embedder

    if embedder == "tfidf":
        if model is not None:
            raise InputError("--model is for the sentence-transformers embedder; leave it out for tfidf")
        backend = make_embedder("tfidf", stop_words=sorted(stop_words))
        return backend.fit_embed(lemmas), dict(backend.config(), stop_words=len(stop_words))
    if embedder == "sentence-transformers" and model is None:
        raise InputError("the sentence-transformers embedder needs a local model: --model PATH")
    options = {"model": model} if model is not None else {}
    backend = make_embedder(embedder, **options)
    return backend.fit_embed([r["text"] for r in rows]), backend.config()


def _cluster_settings(mode: str, n_topics: int, seed: int, n: int) -> dict:
    if mode == "quick":
        if n < n_topics:
            raise ConflictError(
                f"only {n} segments have content words, fewer than the {n_topics} topics asked for; "
                f"ask for fewer topics (--n-topics)"
            )
        low, high = QUICK_DIMENSIONS
        return {"dimensions": min(high, max(low, 2 * n_topics))}
    if n < 10:
        raise ConflictError(
            f"only {n} segments have content words; exploratory topics need at least 10 "
            f"(try --mode quick with a small --n-topics)"
        )
    min_cluster_size = max(5, min(n // 100, 50))
    return {"min_cluster_size": min_cluster_size, "min_samples": max(2, min_cluster_size // 2)}


def _reduction(mode: str, seed: int, n: int, settings: dict):
    if mode == "quick":
        return PcaReduction(settings["dimensions"], seed)
    from umap import UMAP

    return UMAP(
        n_neighbors=min(15, n - 1),
        n_components=5,
        min_dist=0.0,
        metric="cosine",
        random_state=seed,
        low_memory=False,
    )


class PcaReduction:
    """BERTopic's reduction step for quick mode: PCA to ``n_components`` (seeded), rows
    scaled to length 1 so that k-means compares directions, as cosine similarity does."""

    def __init__(self, n_components: int = 10, random_state: int | None = 1):
        self.n_components = n_components
        self.random_state = random_state

    def fit(self, X, y=None) -> PcaReduction:
        from sklearn.decomposition import PCA

        k = min(self.n_components, X.shape[0] - 1, X.shape[1])
        self.pca_ = PCA(n_components=k, random_state=self.random_state).fit(X) if k >= 2 else None
        return self

    def transform(self, X) -> numpy.ndarray:
        reduced = X if self.pca_ is None else self.pca_.transform(X)
        norms = numpy.linalg.norm(reduced, axis=1, keepdims=True)
        return numpy.divide(reduced, norms, out=numpy.zeros_like(reduced), where=norms > 0)


def _clustering(mode: str, n_topics: int, seed: int, settings: dict):
    if mode == "quick":
        from sklearn.cluster import KMeans

        return KMeans(n_clusters=n_topics, random_state=seed, n_init=10)
    from hdbscan import HDBSCAN

    return HDBSCAN(
        min_cluster_size=settings["min_cluster_size"],
        min_samples=settings["min_samples"],
        metric="euclidean",
        cluster_selection_method="eom",
        prediction_data=True,
    )


def _vectorizer(documents: list[str], stop_words: frozenset[str]):
    """The c-TF-IDF vectorizer: words and word pairs of at least two segments, no stop words.

    BERTopic fits its vectorizer on one joined document per topic, where ``min_df`` would
    count topics, not segments, and drop every word that belongs to one topic only. So the
    vocabulary is chosen here, over the segments, and given to the vectorizer.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    stop_words = sorted(stop_words)
    vocabulary = None
    for min_df in (_MIN_WORD_SEGMENTS, 1):
        counter = CountVectorizer(
            stop_words=stop_words, ngram_range=(1, 2), min_df=min_df, token_pattern=WORD_PATTERN
        )
        try:
            vocabulary = sorted(counter.fit(documents).vocabulary_)
            break
        except ValueError:
            continue
    if not vocabulary:
        raise QualcodeError(
            "the segments have no content words to describe topics with; segment longer units "
            "(qualcode segment --unit turn)"
        )
    return CountVectorizer(
        stop_words=stop_words, ngram_range=(1, 2), token_pattern=WORD_PATTERN, vocabulary=vocabulary
    )


def _word_weights():
    """c-TF-IDF that damps words frequent in every topic ("komen", "mensen"): the square
    root of their frequency (BERTopic's ``reduce_frequent_words``)."""
    from bertopic.vectorizers import ClassTfidfTransformer

    return ClassTfidfTransformer(reduce_frequent_words=True)


def stop_words_for(language: str) -> frozenset[str]:
    """The stop words, fillers and number words of ``language`` (Dutch and English; none for
    others)."""
    if language == "nl":
        return DUTCH_STOP_WORDS | fillers("nl") | number_words("nl")
    if language == "en":
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        return frozenset(ENGLISH_STOP_WORDS) | fillers("en") | number_words("en")
    return frozenset()


def _describe(topic_model, rows, embeddings: numpy.ndarray, assigned: numpy.ndarray):
    """The ``topics`` rows and the ``topic_segments`` rows of a fitted model."""
    topic_rows, segment_rows = [], []
    for topic in sorted(set(assigned.tolist()), key=lambda t: (t == OUTLIERS, t)):
        members = numpy.flatnonzero(assigned == topic)
        described = topic_model.get_topic(topic) or []
        words = [[word, round(float(weight), 4)] for word, weight in described[:TOP_WORDS] if word]
        label = OUTLIER_LABEL if topic == OUTLIERS else " · ".join(w for w, _ in words[:LABEL_WORDS])
        topic_rows.append(
            (
                int(topic),
                label or f"topic {topic}",
                json.dumps(words, ensure_ascii=False),
                len(members),
                json.dumps(spread([rows[i] for i in members]), ensure_ascii=False),
            )
        )
        similarity = _centroid_similarity(embeddings[members])
        chosen = set() if topic == OUTLIERS else set(_representatives(rows, members, similarity))
        for k, i in enumerate(members):
            placed = bool(numpy.any(embeddings[i]))
            segment_rows.append(
                (
                    int(topic),
                    rows[i]["id"],
                    round(float(similarity[k]), 4) if placed else None,
                    int(int(i) in chosen),
                )
            )
    return topic_rows, segment_rows


def spread(rows) -> dict[str, dict[str, int]]:
    """How many of ``rows`` (segments) each role, case and source has, by name."""
    return {
        "role": dict(sorted(Counter(r["role"] or NO_ROLE for r in rows).items())),
        "case": dict(sorted(Counter(r["case"] or NO_CASE for r in rows).items())),
        "source": dict(sorted(Counter(r["source"] for r in rows).items())),
    }


def _representatives(rows, members: numpy.ndarray, similarity: numpy.ndarray) -> list[int]:
    """The ``REPRESENTATIVES`` members closest to the centroid: quotes of at least
    ``QUOTE_WORDS`` words first ("Maar goed." says little on its own), each from another
    source as long as there are sources left, never the same text twice."""
    ranked = [int(members[k]) for k in numpy.argsort(-similarity, kind="stable")]
    chosen: list[int] = []
    seen: set[str] = set()
    for long_enough, distinct in ((True, True), (True, False), (False, True), (False, False)):
        for i in ranked:
            if len(chosen) == REPRESENTATIVES:
                return chosen
            words = rows[i]["text"].split()
            text = " ".join(words).lower()
            if i in chosen or text in seen or (long_enough and len(words) < QUOTE_WORDS):
                continue
            if distinct and any(rows[j]["source"] == rows[i]["source"] for j in chosen):
                continue
            chosen.append(i)
            seen.add(text)
    return chosen


def _centroid_similarity(vectors: numpy.ndarray) -> numpy.ndarray:
    centroid = vectors.mean(axis=0)
    norm = numpy.linalg.norm(centroid)
    if norm == 0:
        return numpy.zeros(len(vectors), dtype=numpy.float32)
    return vectors @ (centroid / norm)


class _quiet_libraries(warnings.catch_warnings):
    """UMAP, HDBSCAN, numba and scikit-learn warn about their own internals (UMAP: a seed
    turns off parallelism); library code passes on only what concerns the user."""

    def __enter__(self):
        result = super().__enter__()
        for module in ("umap", "hdbscan", "sklearn", "bertopic", "numba", "pynndescent"):
            warnings.filterwarnings("ignore", module=module)
        return result
