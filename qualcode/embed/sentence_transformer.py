"""A pretrained sentence-transformers model from a local folder.

Nothing is downloaded: interview data stays offline, and a model name such as
"sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2" is refused. Give the folder a
model was saved to (``SentenceTransformer.save(path)``), or the name of an installed Python
package that holds such a folder.

sentence-transformers (and with it torch) is imported only when the model is loaded, so that
``import qualcode.embed`` stays light.
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Iterable
from pathlib import Path

import numpy

from qualcode.embed.base import Embedder, check_texts, normalise_rows
from qualcode.errors import MissingDependencyError, QualcodeError

INSTALL_HINT = "pip install 'qualcode[embeddings]'"


class SentenceTransformerEmbedder(Embedder):
    """Embeds with a saved sentence-transformers model; ``fit`` learns nothing."""

    name = "sentence-transformers"
    version = "1"

    def __init__(self, model: str, batch_size: int = 32, device: str = "cpu"):
        self.model = model
        self.batch_size = batch_size
        self.device = device

    def fit(self, texts: Iterable[str] | None = None) -> SentenceTransformerEmbedder:
        """Pretrained: nothing to learn. The model is loaded on the first ``embed``."""
        return self

    def embed(self, texts: Iterable[str]) -> numpy.ndarray:
        texts = check_texts(texts)
        model = self._loaded_model()
        if not texts:
            return numpy.zeros((0, self.dim_), dtype=numpy.float32)
        vectors = model.encode(
            texts,
            batch_size=self.batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return normalise_rows(vectors)

    def _loaded_model(self):
        """The model, loaded on first use (and again if ``model`` or ``device`` was changed)."""
        if getattr(self, "_loaded_from", None) != (self.model, self.device):
            path = resolve_model_path(self.model)
            self.model_ = load_model(path, self.device)
            self.path_ = str(path)
            self.dim_ = _dimension(self.model_)
            self._loaded_from = (self.model, self.device)
        return self.model_


def resolve_model_path(model: str) -> Path:
    """The folder of ``model``: itself if it is a folder, else the folder of the installed
    Python package of that name (which must hold the saved model itself)."""
    path = Path(model).expanduser()
    if path.is_dir():
        return path
    package = _package_folder(str(model))
    if package is not None:
        return package
    raise MissingDependencyError(
        f"sentence-transformers model {model!r} is not a folder on this computer; qualcode "
        f"does not download models (interview data stays offline): give the local path of a "
        f"saved model (SentenceTransformer.save(path)) or the name of an installed model package"
    )


def load_model(path: Path, device: str):
    """``SentenceTransformer(path)``, offline, without progress bars."""
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise MissingDependencyError(
            f"the sentence-transformers embedder needs sentence-transformers: {INSTALL_HINT}"
        ) from exc
    try:
        with _quiet_transformers():
            return SentenceTransformer(str(path), device=device, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise QualcodeError(
            f"{path} could not be loaded as a sentence-transformers model ({exc}); give the "
            f"folder written by SentenceTransformer.save()"
        ) from exc


def _package_folder(name: str) -> Path | None:
    if not all(part.isidentifier() for part in name.split(".")):
        return None
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _dimension(model) -> int:
    """The length of the model's vectors (asked by the newer method name when it exists, as
    the older one is deprecated there); a model that does not say is asked to embed a word."""
    method = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    dim = method()
    if dim is None:
        dim = model.encode(["test"], convert_to_numpy=True, show_progress_bar=False).shape[1]
    return int(dim)


@contextlib.contextmanager
def _quiet_transformers():
    """transformers shows a "Loading weights" progress bar; library code prints nothing."""
    try:
        from transformers.utils import logging
    except ImportError:
        yield
        return
    was_enabled = logging.is_progress_bar_enabled()
    logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            logging.enable_progress_bar()
