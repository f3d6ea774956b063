"""Text embedders: texts in, L2-normalised float32 vectors out.

Chosen by a registered name, stored with a run together with ``version`` and ``config()``
so that the run can be repeated::

    embedder = make_embedder("tfidf", n_components=128).fit(lemmatised_segments)
    vectors = embedder.embed(lemmatised_segments)  # cosine similarity = vectors @ vectors.T

``tfidf`` (TF-IDF + LSA, fitted on the project's own segments) is the offline default;
``sentence-transformers`` uses a pretrained model from a local folder and needs the
embeddings extra. Importing this package imports neither torch nor scikit-learn.
"""

from __future__ import annotations

import inspect

from qualcode.embed.base import Embedder
from qualcode.embed.sentence_transformer import SentenceTransformerEmbedder
from qualcode.embed.stopwords import DUTCH_STOP_WORDS
from qualcode.embed.tfidf import TfidfLsaEmbedder
from qualcode.errors import QualcodeError

EMBEDDERS: dict[str, type[Embedder]] = {
    "tfidf": TfidfLsaEmbedder,
    "sentence-transformers": SentenceTransformerEmbedder,
}
DEFAULT_EMBEDDER = "tfidf"


def make_embedder(name: str, **options) -> Embedder:
    """A new, unfitted embedder registered as ``name``, built with ``options``."""
    try:
        cls = EMBEDDERS[name]
    except KeyError:
        raise QualcodeError(
            f"unknown embedder {name!r}; choose one of: {', '.join(sorted(EMBEDDERS))}"
        ) from None
    parameters = inspect.signature(cls.__init__).parameters
    unknown = sorted(set(options) - set(parameters) - {"self"})
    if unknown:
        valid = ", ".join(p for p in parameters if p != "self")
        raise QualcodeError(f"embedder {name!r} has no option {', '.join(unknown)}; its options are: {valid}")
    missing = [
        p.name
        for p in parameters.values()
        if p.name != "self" and p.default is p.empty and p.name not in options
    ]
    if missing:
        raise QualcodeError(f"embedder {name!r} needs the option {', '.join(missing)}")
    return cls(**options)


__all__ = [
    "DEFAULT_EMBEDDER",
    "DUTCH_STOP_WORDS",
    "EMBEDDERS",
    "Embedder",
    "SentenceTransformerEmbedder",
    "TfidfLsaEmbedder",
    "make_embedder",
]
