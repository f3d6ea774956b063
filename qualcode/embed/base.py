"""The small base class every text embedder follows.

Estimator manners, as in scikit-learn: ``__init__`` only stores its arguments (under the same
names), ``fit(texts)`` learns and returns ``self``, learned state ends in ``_``. ``embed``
returns one float32 row per text, L2-normalised, so a dot product is a cosine similarity.
``name`` and ``version`` identify the embedder and ``config()`` its arguments, stored with a
run so that the run can be repeated.
"""

from __future__ import annotations

import abc
import inspect
from collections.abc import Iterable

import numpy

from qualcode.errors import QualcodeError


class Embedder(abc.ABC):
    """Turns texts into vectors. Subclasses set ``name`` and ``version``."""

    name: str = ""
    version: str = ""

    @abc.abstractmethod
    def fit(self, texts: Iterable[str]) -> Embedder:
        """Learn from ``texts`` (a pretrained embedder does nothing) and return ``self``."""

    @abc.abstractmethod
    def embed(self, texts: Iterable[str]) -> numpy.ndarray:
        """Return an array of shape ``(len(texts), dim)``, float32, rows of length 1.

        A text without anything the embedder knows gets a row of zeros: its dot product with
        every other row is 0.
        """

    def fit_embed(self, texts: Iterable[str]) -> numpy.ndarray:
        texts = check_texts(texts)
        return self.fit(texts).embed(texts)

    def config(self) -> dict:
        """The constructor arguments as a JSON-able dict: ``make_embedder(name, **config)``
        builds the same embedder again."""
        return {name: _jsonable(getattr(self, name)) for name in _init_parameters(type(self))}

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.config().items())
        return f"{type(self).__name__}({args})"


def check_texts(texts: Iterable[str]) -> list[str]:
    """``texts`` as a list of strings; one bare string is refused, not read letter by letter."""
    if isinstance(texts, str):
        raise QualcodeError("give a list of texts, not one string: wrap a single text as [text]")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise QualcodeError(f"text {i} is a {type(text).__name__}, not a string; give a list of strings")
    return texts


def normalise_rows(matrix) -> numpy.ndarray:
    """Dense float32 copy of ``matrix`` with every non-zero row scaled to length 1."""
    rows = numpy.asarray(matrix, dtype=numpy.float32)
    norms = numpy.linalg.norm(rows, axis=1, keepdims=True)
    return numpy.divide(rows, norms, out=numpy.zeros_like(rows), where=norms > 0)


def _init_parameters(cls) -> list[str]:
    signature = inspect.signature(cls.__init__)
    return [
        p.name
        for p in signature.parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def _jsonable(value):
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (frozenset, set)):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, numpy.generic):
        return value.item()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
