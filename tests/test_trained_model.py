"""The code path for trained spaCy models, with a tiny model the test trains and saves."""

import random
import warnings

import pytest

from qualcode import MissingDependencyError, Project, QualcodeError
from qualcode.nlp import load_pipeline
from tests.conftest import write

SENTENCES = [
    "Ik woon nu in de opvang.",
    "Mijn zus belt elke zondag.",
    "De netwerkcoach helpt mij.",
    "We drinken samen koffie.",
    "Het gaat stap voor stap.",
    "Ik wil een eigen woning.",
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A blank Dutch pipeline with a sentence recogniser trained for a few steps."""
    import spacy
    from spacy.training import Example
    from spacy.util import fix_random_seed

    fix_random_seed(1)  # the same tiny model whatever ran before (random state is global)
    nlp = spacy.blank("nl")
    nlp.add_pipe("senter")
    rng = random.Random(1)
    examples = []
    for _ in range(30):
        picked = rng.sample(SENTENCES, 3)
        doc = nlp.make_doc(" ".join(picked))
        starts = []
        for sentence in picked:
            starts.extend([1] + [0] * (len(nlp.make_doc(sentence)) - 1))
        examples.append(Example.from_dict(doc, {"sent_starts": starts}))
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(40):  # enough steps that both boundaries are learned, not just likely
        nlp.update(examples, sgd=optimizer)
    path = tmp_path_factory.mktemp("model") / "nl_tiny"
    nlp.meta["version"] = "0.0.1"
    nlp.to_disk(path)
    return path


def test_model_from_a_path_is_loaded_and_recorded(tiny_model):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a trained model must not trigger the fallback warning
        nlp, info = load_pipeline("nl", str(tiny_model))
    assert info.trained
    assert info.name == str(tiny_model) and info.version == "0.0.1"
    assert nlp.has_pipe("senter")
    doc = nlp("Ik woon nu in de opvang. Mijn zus belt elke zondag.")
    assert [s.text for s in doc.sents] == ["Ik woon nu in de opvang.", "Mijn zus belt elke zondag."]


def test_segment_with_a_trained_model_records_it_in_the_run(tmp_path, tiny_model):
    write(tmp_path / "a.txt", "I: Hoe gaat het?\n\nR: Ik wil een eigen woning. We drinken samen koffie.\n")
    with Project.create(tmp_path / "s.qc") as proj:
        proj.import_transcripts([tmp_path / "a.txt"])
        report = proj.segment(model=str(tiny_model))
        assert report.pipeline["trained"] is True
        assert [r.text for r in proj.segments()] == ["Ik wil een eigen woning.", "We drinken samen koffie."]
        config = proj.status()["last_segmentation"]["config"]
    assert config["model"] == str(tiny_model) and config["model_version"] == "0.0.1"


def test_installed_trained_model_is_preferred(monkeypatch, request, tiny_model):
    """With nl_core_news_sm installed (simulated), it is chosen over the blank fallback."""
    import spacy

    from qualcode import nlp as nlp_module

    real_load = spacy.load
    nlp_module._load_cached.cache_clear()  # pipelines are cached per process
    request.addfinalizer(nlp_module._load_cached.cache_clear)
    monkeypatch.setattr(spacy.util, "is_package", lambda name: name == "nl_core_news_sm")
    monkeypatch.setattr(
        spacy, "load", lambda name, **kw: real_load(tiny_model, **kw) if name == "nl_core_news_sm" else None
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, info = load_pipeline("nl")
    assert info.name == "nl_core_news_sm" and info.trained


def test_folder_without_a_pipeline(tmp_path):
    with pytest.raises(QualcodeError, match=r"is not a saved spaCy pipeline \(no config.cfg in it\)"):
        load_pipeline("nl", str(tmp_path))


def test_model_that_is_not_installed():
    with pytest.raises(
        MissingDependencyError,
        match="spaCy model 'nl_core_news_zz' is neither an installed package nor a folder",
    ):
        load_pipeline("nl", "nl_core_news_zz")
