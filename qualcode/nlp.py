"""Loading the spaCy pipeline: a trained model when there is one, else the blank fallback.

The fallback is ``spacy.blank(lang)`` with a sentencizer and the lookup lemmatizer from
spacy-lookups-data. For Dutch it gets two fixes, measured on the UD Alpino treebank (see
benchmarks/segmentation.py): tokenizer exceptions that read ordinary words followed by a
full stop ("me.", "pas.") as abbreviations are removed; a sentence may end at an ellipsis
when the next word starts with a capital; and an opening quote or bracket (",,", "“", "(")
starts the next sentence instead of ending the previous one.

spaCy is imported inside the functions so that ``qualcode --help`` stays fast. For the blank
pipeline it is imported without torch (thinc imports it when it can, and it would be most of
the start-up of ``qualcode segment``), and the Dutch lookup lemmas are set by a component of
ours that gives the same lemmas as spaCy's lookup lemmatizer a whole document at a time.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.metadata
import importlib.util
import sys
import warnings
import weakref
from dataclasses import dataclass
from pathlib import Path

from qualcode.errors import MissingDependencyError, QualcodeError, QualcodeWarning

TRAINED_MODELS = {
    "nl": ("nl_core_news_lg", "nl_core_news_md", "nl_core_news_sm"),
    "en": ("en_core_web_lg", "en_core_web_md", "en_core_web_sm"),
}
# Ordinary Dutch words that spaCy's Dutch tokenizer exceptions read, with a following full
# stop, as abbreviations, gluing two sentences into one ("Niemand hielp me. Ik was alleen.").
# Chosen from the exceptions whose stem is a common word; real abbreviations stay.
DUTCH_FALSE_ABBREVIATIONS = (
    "al", "dat", "me", "u", "kon", "pas", "min",
    "hand", "top", "vol", "ver", "pers", "bel", "pan", "mand", "hert", "lat", "os", "rep",
)  # fmt: skip
SENTENCE_FIXES = "qualcode_sentence_fixes"
LOOKUP_LEMMATIZER = "qualcode_lookup_lemmatizer"


@dataclass(frozen=True)
class PipelineInfo:
    """What was loaded, recorded with every segmentation run so it can be repeated."""

    language: str
    name: str  # a package name, a path, or "blank"
    version: str
    trained: bool

    def as_dict(self) -> dict:
        return {
            "language": self.language,
            "model": self.name,
            "model_version": self.version,
            "trained": self.trained,
        }


def load_pipeline(language: str = "nl", model: str | None = None):
    """Return ``(nlp, PipelineInfo)``.

    ``model`` is an installed package name or a folder with a saved pipeline. Without it the
    best installed trained model for ``language`` is used, else the blank fallback (with a
    one-line :class:`QualcodeWarning` saying how to install a trained model).
    """
    nlp, info = _load_cached(language, model)
    _LOADED_WITH[nlp] = (language, model)
    if not info.trained:
        lemmas = "with lookup lemmas" if nlp.has_pipe("lemmatizer") else "without lemmas"
        trained = TRAINED_MODELS.get(language, (f"a {language} model",))[-1]
        warnings.warn(
            f"no trained spaCy model for {language!r} is installed: using the blank pipeline "
            f"(rule-based sentences, {lemmas}); for better sentences and lemmas install "
            f"{trained} from a local wheel, or pass --model PATH",
            QualcodeWarning,
            stacklevel=2,
        )
    return nlp, info


def load_arguments(nlp) -> tuple[str, str | None] | None:
    """The ``(language, model)`` that :func:`load_pipeline` loaded ``nlp`` with, so that another
    process can load the same pipeline; None for a pipeline made some other way."""
    return _LOADED_WITH.get(nlp)


_LOADED_WITH: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@functools.lru_cache(maxsize=4)
def _load_cached(language: str, model: str | None):
    """Loading takes most of a second; a notebook or benchmark that segments again reuses it.

    The pipelines are only ever used for inference, so sharing one is safe.
    """
    with _without_torch(model is None and not _trained_model_installed(language)):
        import spacy

    if model:
        nlp = _load_named(spacy, model)
        info = PipelineInfo(nlp.lang, model, nlp.meta.get("version", "0"), True)
    else:
        installed = [m for m in TRAINED_MODELS.get(language, ()) if spacy.util.is_package(m)]
        if installed:
            nlp = spacy.load(installed[0], exclude=["ner"])
            info = PipelineInfo(language, installed[0], nlp.meta.get("version", "0"), True)
        else:
            return _blank_pipeline(spacy, language), PipelineInfo(language, "blank", spacy.__version__, False)
    if not any(nlp.has_pipe(p) for p in ("parser", "senter", "sentencizer")):
        nlp.add_pipe("sentencizer")
    if nlp.lang == "nl":
        _remove_false_abbreviations(nlp)
    return nlp, info


def _trained_model_installed(language: str) -> bool:
    """Whether a trained model for ``language`` is installed (as ``spacy.util.is_package`` sees
    it), asked before spaCy is imported."""
    for name in TRAINED_MODELS.get(language, ()):
        try:
            importlib.metadata.distribution(name)
            return True
        except importlib.metadata.PackageNotFoundError:
            pass
    return False


@contextlib.contextmanager
def _without_torch(wanted: bool):
    """Import spaCy (thinc) without torch when only the blank pipeline will be used.

    thinc imports torch at its own import whenever torch is installed, for models the blank
    pipeline never has; that import is 1.4 s of the start-up of ``qualcode segment``. torch
    stays importable afterwards (sentence-transformers imports it itself); only thinc does
    not know it, which matters for a torch-based spaCy model (a transformer) loaded later in
    the same process: load that first, or in a process of its own. A model named up front
    (``--model``) or installed imports spaCy as usual, and so does everything once spaCy,
    thinc or torch is imported.
    """
    if not wanted or not {"spacy", "thinc", "torch"}.isdisjoint(sys.modules):
        yield
        return
    sys.modules["torch"] = None  # an import of torch now fails, as when it is not installed
    try:
        yield
    finally:
        if "torch" in sys.modules and sys.modules["torch"] is None:
            del sys.modules["torch"]


def _load_named(spacy, model: str):
    path = Path(model)
    if path.exists():
        if not (path / "config.cfg").is_file():
            raise QualcodeError(
                f"{path} is not a saved spaCy pipeline (no config.cfg in it); "
                f"give the folder written by nlp.to_disk() or an installed model name"
            )
        return spacy.load(path, exclude=["ner"])
    if spacy.util.is_package(model):
        return spacy.load(model, exclude=["ner"])
    raise MissingDependencyError(
        f"spaCy model {model!r} is neither an installed package nor a folder; install it "
        f"(pip install {model}-<version>.whl from a local file) or give the path to a saved model"
    )


def _blank_pipeline(spacy, language: str):
    try:
        nlp = _blank_dutch() if language == "nl" else spacy.blank(language)
    except (ImportError, KeyError) as exc:
        raise QualcodeError(
            f"spaCy has no language {language!r}; use a language code such as nl or en"
        ) from exc
    nlp.add_pipe("sentencizer")
    _register_components()
    nlp.add_pipe(SENTENCE_FIXES, after="sentencizer")
    if _has_lookup_lemmas(language):
        if language == "nl":
            nlp.add_pipe(LOOKUP_LEMMATIZER, name="lemmatizer")  # spaCy's lookup lemmas, faster
        else:
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    return nlp


def _blank_dutch():
    """Blank Dutch whose tokenizer never had the false abbreviations (rebuilding the
    tokenizer's special cases afterwards, as for trained models, costs a quarter second)."""
    from spacy.lang.nl import Dutch

    removed = {f"{w}." for word in DUTCH_FALSE_ABBREVIATIONS for w in (word, word.capitalize(), word.upper())}

    class Defaults(Dutch.Defaults):
        tokenizer_exceptions = {
            k: v for k, v in Dutch.Defaults.tokenizer_exceptions.items() if k not in removed
        }

    class QualcodeDutch(Dutch):
        pass

    QualcodeDutch.Defaults = Defaults
    return QualcodeDutch()


def _has_lookup_lemmas(language: str) -> bool:
    if importlib.util.find_spec("spacy_lookups_data") is None:
        return False
    import spacy_lookups_data

    data = Path(spacy_lookups_data.__file__).parent / "data"
    return any(data.glob(f"{language}_lemma_lookup.json*"))


def _remove_false_abbreviations(nlp) -> None:
    rules = dict(nlp.tokenizer.rules)
    for word in DUTCH_FALSE_ABBREVIATIONS:
        for form in (word, word.capitalize(), word.upper()):
            rules.pop(form + ".", None)
    nlp.tokenizer.rules = rules


_OPENING_QUOTES = frozenset({",,", "„", "‚", "“", "‘", "«", "‹"})
_AMBIGUOUS_QUOTES = frozenset({'"', "'", "``"})
_ELLIPSES = frozenset({"…", "..."})
_CANDIDATES = tuple(_OPENING_QUOTES | _AMBIGUOUS_QUOTES | _ELLIPSES | {"(", "["})


def _register_components() -> None:
    from spacy.language import Language

    if SENTENCE_FIXES in Language.factories:
        return

    @Language.component(SENTENCE_FIXES)
    def sentence_fixes(doc):
        """Ellipsis ends a sentence before a capital; opening quotes and brackets start the
        next sentence ("eigenlijk. (lacht) Langer" splits before the bracket)."""
        # Look only at the few tokens that can matter: a Python loop over every token
        # would cost as much as the rest of the blank pipeline.
        for i in _candidate_positions(doc):
            if i == 0 or i + 1 >= len(doc):
                continue
            token, following = doc[i], doc[i + 1]
            if token.text in _ELLIPSES and following.text[:1].isupper():
                following.is_sent_start = True
            elif following.is_sent_start and _is_opening_quote(token, doc[i - 1]):
                token.is_sent_start = True
                following.is_sent_start = False
        return doc

    @Language.factory(LOOKUP_LEMMATIZER)
    def lookup_lemmatizer(nlp, name):
        return LookupLemmatizer(_lemma_table(nlp.lang))


def _lemma_table(language: str) -> dict[str, str]:
    """spacy-lookups-data's lemma lookup table for ``language`` (word -> lemma), read from the
    file spaCy's lemmatizer reads."""
    from spacy.util import load_language_data, registry

    return load_language_data(registry.lookups.get(language)["lemma_lookup"])


class LookupLemmatizer:
    """The lemmas of spaCy's Dutch lemmatizer in lookup mode: the lower-cased word looked up in
    the table, else the lower-cased word itself; a lemma already set is kept.

    spaCy's does this in Python token by token (a Token object each), which cost as much as
    the rest of the blank pipeline; here a document's lemmas are read and written as one
    array, through a memo from a word's lower-case form to its lemma's id.
    """

    _MEMO_LIMIT = 200_000  # word forms remembered, then started afresh: 20 MB at most

    def __init__(self, table: dict[str, str]):
        self.table = table
        self._memo: _LemmaMemo | None = None

    def lemma(self, lower: str) -> str:
        """The lemma of a word, given its lower-case form."""
        return self.table.get(lower, lower)

    def __call__(self, doc):
        import numpy
        from spacy.attrs import LEMMA, LOWER

        if not len(doc):
            return doc
        memo = self._memo
        if memo is None or memo.strings is not doc.vocab.strings or len(memo) > self._MEMO_LIMIT:
            memo = self._memo = _LemmaMemo(self.table, doc.vocab.strings)
        values = doc.to_array([LOWER, LEMMA])
        lemmas = numpy.fromiter(map(memo.__getitem__, values[:, 0].tolist()), dtype="uint64", count=len(doc))
        kept = values[:, 1] != 0
        if kept.any():
            lemmas[kept] = values[kept, 1]
        doc.from_array([LEMMA], lemmas)
        return doc


class _LemmaMemo(dict):
    """Lower-case form id -> lemma id, filled on first sight (adding the lemma to the strings)."""

    def __init__(self, table: dict[str, str], strings):
        super().__init__()
        self.table = table
        self.strings = strings

    def __missing__(self, lower: int) -> int:
        word = self.strings[lower]
        lemma = self[lower] = self.strings.add(self.table.get(word, word))
        return lemma


def lookup_lemmatizer(nlp) -> LookupLemmatizer | None:
    """The lemmatizer of ``nlp`` when it alone sets the lemmas from the lookup table (the blank
    Dutch pipeline: no other component touches lemmas). A caller that reads the lemmas token by
    token may then look them up itself (``lemmatizer.lemma(word.lower_)``) and leave the
    component out of ``nlp.pipe``: setting them on every doc only to read them back is work."""
    names = nlp.pipe_names
    if names[-1:] != ["lemmatizer"] or not set(names) <= {"sentencizer", SENTENCE_FIXES, "lemmatizer"}:
        return None
    component = nlp.get_pipe("lemmatizer")
    return component if isinstance(component, LookupLemmatizer) else None


def _candidate_positions(doc) -> list[int]:
    from spacy.attrs import ORTH

    wanted = _candidate_ids()
    orths = doc.to_array(ORTH).tolist()
    # Most paragraphs have none of the candidates; a set test is cheaper than numpy.isin on
    # arrays this small (it was most of the cost of this component).
    if wanted.isdisjoint(orths):
        return []
    return [i for i, orth in enumerate(orths) if orth in wanted]


@functools.cache
def _candidate_ids() -> frozenset[int]:
    from spacy.strings import get_string_id

    return frozenset(get_string_id(t) for t in _CANDIDATES)


def _is_opening_quote(token, previous) -> bool:
    if token.text in _OPENING_QUOTES or token.text in ("(", "["):
        return True
    return token.text in _AMBIGUOUS_QUOTES and bool(previous.whitespace_) and not token.whitespace_
