"""The blank pipeline's own components against spaCy's, and loading it without torch."""

import importlib.util
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from qualcode import nlp as nlp_module
from qualcode.nlp import LookupLemmatizer, load_pipeline, lookup_lemmatizer

EXAMPLE = Path(nlp_module.__file__).parent / "example" / "transcripts"
# Words that test the corners: capitals, symbols spaCy keeps as ids of their own ("det",
# "aux"), non-ASCII letters, ligatures, characters whose lower case is longer.
ODD_WORDS = "DET aux ROOT İstanbul ΟΔΟΣ Straße ﬁets Cliënten WOONDEN Ĳsselmeer 😀 me. e\u0301 ß ẞ Σ"


def dutch_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLE.glob("*.txt"))]
    assert len(texts) >= 3 and sum(map(len, texts)) > 20_000  # real Dutch, enough of it
    return [*texts, ODD_WORDS]


@pytest.fixture(scope="module")
def spacy_lemmatizer():
    """spaCy's own Dutch lemmatizer in lookup mode (what the blank pipeline used to have)."""
    import spacy

    reference = spacy.blank("nl")
    reference.add_pipe("lemmatizer", config={"mode": "lookup"})
    reference.initialize()
    return reference.get_pipe("lemmatizer")


def test_the_blank_dutch_pipeline_has_our_lookup_lemmatizer(dutch_nlp):
    assert dutch_nlp.pipe_names == ["sentencizer", "qualcode_sentence_fixes", "lemmatizer"]
    assert isinstance(dutch_nlp.get_pipe("lemmatizer"), LookupLemmatizer)
    assert lookup_lemmatizer(dutch_nlp) is dutch_nlp.get_pipe("lemmatizer")


def test_lookup_lemmas_are_spacys(dutch_nlp, spacy_lemmatizer):
    compared = changed = 0
    for text in dutch_texts():
        ours = [(t.text, t.lemma_) for t in dutch_nlp(text)]
        theirs = [(t.text, t.lemma_) for t in spacy_lemmatizer(dutch_nlp.make_doc(text))]
        assert ours == theirs
        compared += len(ours)
        changed += sum(word.lower() != lemma for word, lemma in ours)
    assert compared > 5_000 and changed > 500  # the table was used, not just lower-casing


def test_lookup_lemmas_are_the_same_on_a_second_pass(dutch_nlp, spacy_lemmatizer):
    """The second time round the lemmas come from the memo, not the table."""
    text = dutch_texts()[0]
    first = [t.lemma_ for t in dutch_nlp(text)]
    assert [t.lemma_ for t in dutch_nlp(text)] == first
    assert first == [t.lemma_ for t in spacy_lemmatizer(dutch_nlp.make_doc(text))]


def test_lookup_lemmas_are_the_same_when_the_memo_starts_afresh(dutch_nlp, spacy_lemmatizer, monkeypatch):
    monkeypatch.setattr(LookupLemmatizer, "_MEMO_LIMIT", 20)
    lines = [line for line in dutch_texts()[1].splitlines() if line.strip()]
    lemmatizer, sizes = dutch_nlp.get_pipe("lemmatizer"), []
    for doc in dutch_nlp.pipe(lines):
        sizes.append(len(lemmatizer._memo))
        assert [t.lemma_ for t in doc] == [t.lemma_ for t in spacy_lemmatizer(dutch_nlp.make_doc(doc.text))]
    assert len(lines) > 30 and max(sizes) < 20 + max(map(len, lines))  # started afresh, again and again
    assert sum(map(len, lines)) > 1_000


def test_a_lemma_already_set_is_kept(dutch_nlp):
    doc = dutch_nlp.make_doc("De cliënten woonden daar.")
    doc[2].lemma_ = "eigen"
    dutch_nlp.get_pipe("lemmatizer")(doc)
    assert [t.lemma_ for t in doc] == ["de", "cliënt", "eigen", "daar", "."]


def test_an_empty_doc_passes(dutch_nlp):
    assert len(dutch_nlp.get_pipe("lemmatizer")(dutch_nlp.make_doc(""))) == 0


def test_other_pipelines_keep_their_lemmas_in_the_doc(dutch_nlp):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        english, _ = load_pipeline("en")
    assert lookup_lemmatizer(english) is None  # spaCy's own lemmatizer: segments read the doc
    with dutch_nlp.select_pipes(disable=["lemmatizer"]):
        assert lookup_lemmatizer(dutch_nlp) is None


def test_sentence_fix_candidates_are_the_quote_bracket_and_ellipsis_tokens(dutch_nlp):
    text = "Hij zei ,,ja'' (lacht) en… toen \"nee\" [stilte] ... „echt” en me. pas."
    doc = dutch_nlp.make_doc(text)
    expected = [t.i for t in doc if t.text in nlp_module._CANDIDATES]
    assert len(expected) >= 8
    assert nlp_module._candidate_positions(doc) == expected
    assert nlp_module._candidate_positions(dutch_nlp.make_doc("Gewoon een zin zonder.")) == []


_IN_A_FRESH_PROCESS = """
import sys, warnings
warnings.simplefilter("ignore")
from qualcode.nlp import load_pipeline
nlp, info = load_pipeline("nl")
assert not info.trained
print("torch imported:", "torch" in sys.modules)
import thinc.compat
print("thinc sees torch:", thinc.compat.has_torch)
print("lemmas:", " ".join(t.lemma_ for t in nlp("De cliënten woonden daar.")))
import importlib.util
if importlib.util.find_spec("torch") is not None:
    import torch
    print("torch importable:", torch.tensor([1, 2]).sum().item() == 3)
"""


def test_the_blank_pipeline_loads_without_importing_torch():
    done = subprocess.run(
        [sys.executable, "-c", _IN_A_FRESH_PROCESS], capture_output=True, text=True, check=True, timeout=300
    )
    assert "torch imported: False" in done.stdout
    assert "thinc sees torch: False" in done.stdout
    assert "lemmas: de cliënt wonen daar ." in done.stdout
    if importlib.util.find_spec("torch") is not None:
        assert "torch importable: True" in done.stdout  # hidden during spaCy's import only


def test_torch_is_left_alone_when_it_is_already_imported(monkeypatch):
    """Only spaCy's first import is changed; with spaCy (or torch) imported nothing happens."""
    import spacy  # noqa: F401  (imported by now in this process)

    with nlp_module._without_torch(True):
        assert sys.modules.get("torch", "absent") is not None
    monkeypatch.delitem(sys.modules, "spacy")
    monkeypatch.delitem(sys.modules, "thinc")
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    with nlp_module._without_torch(True):
        assert sys.modules["torch"] is None  # an import of torch fails here, as if not installed
    assert "torch" not in sys.modules
    with nlp_module._without_torch(False):
        assert "torch" not in sys.modules
