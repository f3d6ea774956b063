"""Suggesters on small, hand-made data: what they find, why, and how scores behave."""

import numpy as np
import pytest

from qualcode import QualcodeError
from qualcode.suggest import Labels, SegmentData, make_suggester
from qualcode.suggest.base import CodeProfile
from qualcode.suggest.evaluate import split_sources
from qualcode.suggest.scoring import keyword_baseline
from qualcode.suggest.supervised import SupervisedSuggester, platt_scaling

STEUN = CodeProfile(
    name="Steungroep",
    kind="context",
    definition="Steungroep. Een groep mensen rond de cliënt die steun geeft.",
    definition_lemmas="steungroep . een groep mens rond de cliënt die steun geven .",
    examples=("We hebben een steungroep via WhatsApp.",),
    example_lemmas=("we hebben een steungroep via whatsapp .",),
    keywords=(("steungroep",), ("whatsapp", "groep")),
    keyword_texts=("steungroep", "whatsapp groep"),
    lemma_patterns=(("steungroep",),),
)
WONING = CodeProfile(
    name="Woning",
    kind="outcome",
    definition="Woning. Een eigen huis als doel.",
    definition_lemmas="woning . een eigen huis als doel .",
    examples=("Ik wil een eigen huis.",),
    example_lemmas=("ik willen een eigen huis .",),
    keywords=(("huis",),),
    keyword_texts=("huis",),
    lemma_patterns=(("wonen",), ("woning",)),
)


def seg(i, text, lemmas=None, source="a"):
    norm = " ".join(text.lower().replace(".", " .").split())
    return SegmentData(i, source, text, norm, lemmas or norm)


def test_lexical_matches_words_and_lemmas_with_rationale():
    segments = [
        seg(1, "De steungroep kwam.", "de steungroep komen ."),
        seg(2, "Zij woonden daar.", "zij wonen daar ."),
        seg(3, "Het regende."),
        seg(4, "Een whatsapp groep en een steungroep."),
    ]
    model = make_suggester("lexical").fit([STEUN, WONING], segments, Labels())
    out = model.suggest(segments)
    assert out[0]["Steungroep"].score == pytest.approx(0.5)
    assert out[0]["Steungroep"].rationale == "matched 'steungroep'"
    assert out[1]["Woning"].rationale == "matched 'woonden (wonen)'"
    assert out[2] == {}
    assert out[3]["Steungroep"].score == pytest.approx(0.75)  # two distinct terms


def test_semantic_names_the_nearest_example():
    segments = [
        seg(1, "Ik wil een eigen huis hebben.", "ik willen een eigen huis hebben ."),
        seg(2, "Het regent vandaag."),
    ]
    model = make_suggester("semantic").fit([STEUN, WONING], segments, Labels())
    out = model.suggest(segments)
    assert out[0]["Woning"].score > out[0].get("Steungroep", type("S", (), {"score": 0})).score
    assert out[0]["Woning"].rationale.startswith("closest to its example 'Ik wil een eigen huis.'")


def _training_corpus():
    rng = np.random.default_rng(0)
    steun = ["de steungroep helpt mij", "mijn zus zit in de steungroep", "de groep steunt mij elke week"]
    huis = ["ik wil een eigen huis", "de wachtlijst voor een woning is lang", "een huis met rust"]
    other = ["het weer is mooi", "ik drink koffie", "de hond slaapt", "we praten over voetbal"]
    segments, coded = [], {}
    for i in range(60):
        pool, label = [(steun, {"Steungroep"}), (huis, {"Woning"}), (other, set())][i % 3]
        text = pool[rng.integers(len(pool))]
        segments.append(seg(i, text, source=f"s{i % 6}"))
        coded[i] = set(label)
    return segments, coded


def test_supervised_learns_and_explains():
    segments, coded = _training_corpus()
    train = {i: c for i, c in coded.items() if i < 40}
    model = SupervisedSuggester().fit([STEUN, WONING], segments, Labels(coded=train))
    assert set(model.models_) == {"Steungroep", "Woning"}
    out = model.suggest(segments[40:])
    for segment, scored in zip(segments[40:], out, strict=True):
        truth = coded[segment.id]
        if truth:
            (code,) = truth
            assert scored[code].score > 0.5, (segment.text, scored)
            assert scored[code].rationale.startswith("learned from ")
        else:
            assert all(s.score < 0.5 for s in scored.values()), (segment.text, scored)


def test_rejections_are_negatives():
    labels = Labels(coded={1: {"A"}, 2: set()}, rejected={3: {"A"}, 4: {"B"}})
    assert labels.positives("A") == {1}
    assert labels.negatives("A") == {2, 3}
    assert labels.negatives("B") == {1, 2, 4}


def test_supervised_needs_two_examples_per_code():
    segments, coded = _training_corpus()
    few = {0: {"Steungroep"}, 1: {"Woning"}, 2: set(), 4: {"Woning"}, 5: set()}
    model = SupervisedSuggester().fit([STEUN, WONING], segments, Labels(coded=few))
    assert set(model.models_) == {"Woning"}


def test_informativeness_prefers_uncertain_segments():
    segments, coded = _training_corpus()
    model = SupervisedSuggester().fit([STEUN, WONING], segments, Labels(coded=coded))
    clear, unclear = seg(100, "de steungroep helpt mij"), seg(101, "vandaag")
    scores = model.informativeness([clear, unclear])
    assert scores[1] > scores[0]


def test_platt_scaling_matches_the_rate_of_positives():
    rng = np.random.default_rng(1)
    y = (rng.random(4000) < 0.3).astype(int)
    decision = np.where(y == 1, rng.normal(1, 1, len(y)), rng.normal(-1, 1, len(y)))
    a, b = platt_scaling(decision, y)
    p = 1 / (1 + np.exp(-(a * decision + b)))
    assert p.mean() == pytest.approx(y.mean(), abs=0.01)  # calibrated on average
    high = p > 0.8
    assert y[high].mean() == pytest.approx(p[high].mean(), abs=0.05)  # and where it is sure


def test_ensemble_combines_and_keeps_reasons():
    segments, coded = _training_corpus()
    model = make_suggester("ensemble").fit([STEUN, WONING], segments, Labels(coded=coded))
    (scored,) = model.suggest([seg(200, "de steungroep helpt mij")])
    assert scored["Steungroep"].score > 0.5
    # The rationale names the evidence that raised the score: here the coded example quoted.
    assert "like a coded example: 'de steungroep helpt mij'" in scored["Steungroep"].rationale


def test_unknown_suggester():
    with pytest.raises(
        QualcodeError,
        match="unknown suggester 'magic'; choose one of ensemble, lexical, semantic, supervised",
    ):
        make_suggester("magic")


def test_keyword_baseline_searches_names_content_words_and_keywords():
    segments = [seg(1, "Over de Steungroep."), seg(2, "Een huis, een HUIS."), seg(3, "Wonen is fijn.")]
    assert keyword_baseline([STEUN, WONING], segments) == [{"Steungroep": 1.0}, {"Woning": 2.0}, {}]


def test_split_sources_is_seeded_and_never_empty():
    sources = [f"s{i}" for i in range(10)]
    assert split_sources(sources, 0.5, 1) == split_sources(sources, 0.5, 1)
    assert split_sources(sources, 0.5, 1) != split_sources(sources, 0.5, 2)
    train, test = split_sources(["a", "b"], 0.95, 1)
    assert len(train) == 1 and len(test) == 1
