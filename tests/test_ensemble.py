"""The ensemble suggester and the evidence it combines, on small corpora built in code: learned
evidence (ridge, families, neighbours, the question before, the nearest example), what the
ensemble shows and why, and the lexical matcher it starts from."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scipy.sparse as sp

from qualcode.suggest import EnsembleSuggester, Labels, SegmentData, make_suggester
from qualcode.suggest.base import CodeProfile
from qualcode.suggest.evidence import (
    LEARNED,
    CorpusFeatures,
    EvidenceModel,
    families,
    learned_evidence,
    ridge_solve,
)


def segment(i, source, text, position=0.5, speaker="answers", question="", lemmas=None):
    norm = " ".join(text.lower().replace(".", " .").replace(",", " ,").replace("?", " ?").split())
    return SegmentData(i, source, text, norm, lemmas or norm, i * 100, i * 100 + len(text), position,
                       speaker, question)  # fmt: skip


def profile(name, keywords=(), lemmas=(), parent=None, group=False, definition=None):
    definition = definition or name
    return CodeProfile(
        name=name,
        kind="theme",
        definition=definition,
        definition_lemmas=definition.lower(),
        keywords=tuple(tuple(k.lower().split()) for k in keywords),
        keyword_texts=tuple(keywords),
        lemma_patterns=tuple(tuple(p.split()) for p in lemmas),
        parent=parent,
        group=group,
    )


# -- learned evidence -----------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.5, 3.0])
def test_ridge_solve_equals_sklearn_ridge_with_intercept(alpha):
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(0)
    x = sp.random(90, 40, density=0.15, random_state=1, format="csr")
    y = (rng.random((90, 3)) < 0.3).astype(float)
    weights, intercept = ridge_solve(x, y, alpha)
    assert weights.shape == (40, 3) and intercept.shape == (3,)
    reference = Ridge(alpha=alpha, fit_intercept=True).fit(x.toarray(), y)
    fresh = sp.random(20, 40, density=0.2, random_state=2, format="csr")
    for rows in (x, fresh):
        np.testing.assert_allclose(rows @ weights + intercept, reference.predict(rows.toarray()), atol=1e-3)


def test_families_map_codes_to_their_top_level_ancestor():
    codes = [
        profile("Netwerk"),
        profile("Familie", parent="Netwerk"),
        profile("Zus", parent="Familie"),
        profile("Woning"),
        profile("Los", parent="Verdwenen"),  # a parent outside the codebook: its own family
    ]
    assert families(codes).tolist() == [0, 0, 0, 3, 4]


def test_corpus_features_neighbours_stay_within_a_source():
    segments = [segment(i, src, f"tekst nummer {i} over de woning") for i, src in enumerate("aaabb")]
    features = CorpusFeatures.of(segments)
    assert features.before.tolist() == [-1, 0, 1, -1, 3]
    assert features.after.tolist() == [1, 2, -1, 4, -1]
    assert features.index == {i: i for i in range(5)}


def test_placed_puts_a_batch_in_the_fitted_vocabulary_with_its_own_neighbours():
    segments = [
        segment(1, "a", "de woning is klein", question="Hoe woont u?"),
        segment(2, "a", "de woning is groot", question="Hoe woont u?"),
        segment(3, "b", "mijn zus belt", question="Wie ziet u?"),
        segment(4, "b", "mijn zus komt", question="Wie ziet u?"),
    ]
    features = CorpusFeatures.of(segments)
    batch = [
        segment(10, "c", "de woning is klein", question="Wie ziet u?"),
        segment(11, "c", "onbekend woord"),
        segment(12, "d", "mijn zus belt", speaker="a kind never seen"),
    ]
    placed = features.placed(batch)
    assert placed.index == {10: 0, 11: 1, 12: 2}
    assert placed.text.shape == (3, features.text.shape[1])  # no new vocabulary
    assert placed.question.shape == (3, features.question.shape[1])
    assert (placed.text[0] != features.text[0]).nnz == 0  # same words, same row
    assert (placed.question[0] != features.question[2]).nnz == 0
    assert placed.text[1].nnz == 0  # nothing it knows
    assert placed.before.tolist() == [-1, 0, -1] and placed.after.tolist() == [1, -1, -1]
    assert placed.speaker[2] == len(features.speaker_kinds)  # a new kind, outside the fitted lift
    assert len(features.index) == 4 and features.text.shape[0] == 4  # the fitted corpus is left as it was


def test_neighbours_of_a_sample_follow_the_order_in_the_source_not_the_list():
    def at(i, source, order):
        return dataclasses.replace(segment(i, source, f"tekst {i} over de woning"), order=order)

    # A sample: source a keeps its segments 3, 4 and 7; b its 0 and 1.
    sample = [at(1, "a", 3), at(2, "a", 4), at(3, "a", 7), at(4, "b", 0), at(5, "b", 1)]
    features = CorpusFeatures.of(sample)
    assert features.before.tolist() == [-1, 0, -1, -1, 3]
    assert features.after.tolist() == [1, -1, -1, 4, -1]


def test_evidence_applied_to_a_placed_batch_equals_the_evidence_on_the_fitted_rows():
    rows = [segment(i, "abcd"[i // 5], t) for i, t in enumerate(
        ["de woning is klein", "ik zoek een huis", "mijn zus belt", "de buurman helpt", "een kamer gevonden"] * 4
    )]  # fmt: skip
    features = CorpusFeatures.of(rows)
    labelled = np.arange(10)
    targets = np.zeros((10, 2), np.float32)
    targets[[0, 1, 5, 6], 0] = 1
    targets[[2, 7], 1] = 1
    model = EvidenceModel.fit(features, labelled, targets, np.array([0, 1]))
    on_fitted = model.apply(features, np.arange(15, 20), explain=True)
    on_batch = model.apply(features.placed(rows[15:20]), np.arange(5), explain=True)
    for kind in (*LEARNED, "example"):
        assert np.allclose(on_fitted[kind], on_batch[kind]), kind
    assert on_fitted["text"][0, 0] > on_fitted["text"][2, 0]  # the woning segment, not the zus one
    assert set(on_batch["example"][:, 0]) <= {0, 1, 5, 6}  # rows of coded examples of the fitted corpus


QW = "Hoe woont u op dit moment?"
QF = "Wie van uw familie ziet u nog?"


def _question_corpus():
    """Four labelled sources where Woning answers follow QW and Familie answers QF, and one
    unlabelled source whose answers say nothing about either."""
    woning = ["ik heb een kamer in een opvang", "een kamer met een bed", "de opvang is vol",
              "soms slaap ik bij een vriend"]  # fmt: skip
    familie = ["mijn zus belt soms", "mijn moeder zie ik niet", "mijn broer woont ver weg",
               "mijn zus en mijn moeder"]  # fmt: skip
    rows, targets = [], []
    for k, source in enumerate("abcd"):
        rows += [
            segment(len(rows), source, QW, speaker="asks"),
            segment(len(rows) + 1, source, woning[k], question=QW),
            segment(len(rows) + 2, source, QF, speaker="asks"),
            segment(len(rows) + 3, source, familie[k], question=QF),
        ]
        targets += [[0, 0], [1, 0], [0, 0], [0, 1]]
    rows += [
        segment(16, "e", "Tja, lastig te zeggen eigenlijk.", question=QW),
        segment(17, "e", "Tja, lastig te zeggen eigenlijk.", question=QF),
        segment(18, "e", "Nu een kamer met een bed en een kast.", question=""),
    ]
    return rows, np.arange(16), np.array(targets, np.float32)


def test_question_evidence_follows_the_question_when_the_words_say_nothing():
    rows, labelled, targets = _question_corpus()
    features = CorpusFeatures.of(rows)
    evidence = learned_evidence(features, labelled, targets, np.array([0, 1]), np.array([16, 17]))
    question, text = evidence["question"], evidence["text"]
    assert question[0, 0] > 0.5 > 0.2 > question[0, 1]  # asked about living: Woning
    assert question[1, 1] > 0.5 > 0.2 > question[1, 0]  # asked about family: Familie
    # The segment's own words are the same for both, and tell the codes apart by nothing.
    np.testing.assert_allclose(text[0], text[1])
    assert abs(text[0, 0] - text[0, 1]) < 0.1
    assert evidence["nearest"].max() == 0.0
    for kind in ("text", "question", "nearest", "family", "neighbours", "position", "speaker", "prior"):
        assert evidence[kind].shape == (2, 2), kind


def test_a_guide_question_asked_the_same_way_in_every_interview_is_recognised():
    q_sleep, q_calls = "Waar slaapt u tegenwoordig?", "Wie belt u geregeld?"
    rows, targets = [], []
    for source in "abcdef":
        first, second = f"antwoord een uit bron {source}", f"antwoord twee uit bron {source}"
        rows += [
            segment(len(rows), source, q_sleep, speaker="asks", question=f"vorige opmerking bron {source}"),
            segment(len(rows) + 1, source, first, question=q_sleep),
            segment(len(rows) + 2, source, q_calls, speaker="asks", question=first),
            segment(len(rows) + 3, source, second, question=q_calls),
        ]
        targets += [[0, 0], [1, 0], [0, 0], [0, 1]]
    features = CorpusFeatures.of(rows)
    assert features.question[1].nnz > 0  # the question's own words
    labelled_rows = np.arange(16)
    evidence = learned_evidence(
        features, labelled_rows, np.array(targets[:16], np.float32), np.array([0, 1]), np.array([17, 19])
    )
    sleep, calls = evidence["question"]
    assert sleep[0] > sleep[1] and calls[1] > calls[0]


def test_nearest_with_explain_names_the_closest_coded_example():
    rows, labelled, targets = _question_corpus()
    features = CorpusFeatures.of(rows)
    evidence = learned_evidence(features, labelled, targets, np.array([0, 1]), np.array([18]), explain=True)
    example = evidence["example"][0]
    assert rows[example[0]].text == "een kamer met een bed"  # the closest Woning example
    assert targets[example[1], 1] == 1  # a Familie example, whichever is closest
    closest = (features.text[18] @ features.text[example[0]].T).toarray()[0, 0]
    assert evidence["nearest"][0, 0] == pytest.approx(closest, abs=1e-5)
    assert evidence["nearest"][0, 0] > evidence["nearest"][0, 1]
    assert "example" not in learned_evidence(features, labelled, targets, np.array([0, 1]), np.array([18]))


# -- the ensemble on an interview corpus ------------------------------------------------------------

QUESTIONS = {
    "Woning": "Kunt u iets vertellen over de plek waar u nu slaapt en woont?",
    "Netwerk": "Wie uit uw familie of vriendenkring ziet u nog regelmatig?",
    "Werk": "Hoe ziet een gewone doordeweekse dag er voor u uit qua werk?",
    "Zorg": "Welke hulpverleners komen er bij u over de vloer?",
}
NEUTRAL = "Hoe oud was u toen dit allemaal begon eigenlijk?"
ANSWERS = [  # say nothing about any code: only the question before tells them apart
    "Nou dat is best een lastig verhaal om uit te leggen.",
    "Het gaat eigenlijk wel goed op dit moment vind ik.",
    "Daar heb ik lang over nagedacht de laatste tijd.",
    "Soms wel en soms niet dat verschilt per week.",
    "Ik weet het eerlijk gezegd niet zo goed meer.",
    "Dat was vroeger heel anders dan nu bij mij.",
    "Het is een kwestie van geduld hebben denk ik dan.",
    "Ik probeer er gewoon het beste van te maken.",
]
FILLERS = ["Ja.", "Okay.", "Mm, klopt."]
LABELLED = ("int0", "int1", "int2", "int3")


def interviews(sources=6, code_fillers=False, extra=None):
    """``sources`` interviews of 20 segments: per question the interviewer ("asks", never
    coded), two answers coded by the question asked, and a filler ("Ja.") coded only with
    ``code_fillers``; one neutral question whose answers carry no code. The questions come
    in another order in every interview. Returns the segments and the true codes of each."""
    rng = np.random.default_rng(1)
    segments, truth = [], {}
    for s in range(sources):
        order = [*rng.permutation(list(QUESTIONS)), None]
        rows, last = [], ""
        for code in order:
            question = QUESTIONS[code] if code else NEUTRAL
            codes = {str(code)} if code else set()
            rows.append((question, "asks", last, set()))
            first, second = rng.choice(ANSWERS, 2, replace=False)
            rows += [(first, "answers", question, codes), (second, "answers", question, codes)]
            rows.append((FILLERS[len(rows) % 3], "answers", question, codes if code_fillers else set()))
            last = second
        for k, (text, speaker, question, codes) in enumerate(rows):
            i = len(segments)
            segments.append(segment(i, f"int{s}", text, k / (len(rows) - 1), speaker, question))
            truth[i] = set(codes) | (extra(text, codes) if extra else set())
    return segments, truth


def labelled(segments, truth, sources=LABELLED):
    return Labels(coded={s.id: set(truth[s.id]) for s in segments if s.source in sources})


def unlabelled(segments, sources=LABELLED):
    return [s for s in segments if s.source not in sources]


def fitted(codes=None, code_fillers=False, extra=None, **options):
    segments, truth = interviews(code_fillers=code_fillers, extra=extra)
    codes = codes or [profile(name) for name in QUESTIONS]
    model = make_suggester("ensemble", **options).fit(codes, segments, labelled(segments, truth))
    return model, segments, truth


@pytest.fixture(scope="module")
def learned():
    return fitted()


def top(scored):
    return max(scored, key=lambda code: scored[code].score) if scored else None


def test_the_question_asked_predicts_the_code_on_unlabelled_interviews(learned):
    model, segments, truth = learned
    test = unlabelled(segments)
    out = model.suggest(test)
    answers = [(s, o) for s, o in zip(test, out, strict=True) if truth[s.id]]
    assert len(answers) == 16
    right = sum(top(o) in truth[s.id] for s, o in answers)
    assert right >= 0.8 * len(answers)
    # The interviewer's turns are never coded: nothing of theirs is shown.
    asks = [o for s, o in zip(test, out, strict=True) if s.speaker == "asks"]
    assert len(asks) == 10
    assert all(r.score < model.threshold() for o in asks for r in o.values())
    # Nor are the answers to the question no code belongs to.
    neutral = [o for s, o in zip(test, out, strict=True) if s.question == NEUTRAL and s.speaker == "answers"]
    assert neutral and all(r.score < model.threshold() for o in neutral for r in o.values())


def test_the_threshold_is_learned_with_its_expected_precision(learned):
    model, _, _ = learned
    assert EnsembleSuggester.default_min_score == 0.3
    assert model.threshold() == model.threshold_ != 0.3
    assert 0 < model.threshold() < 1
    assert 0 < model.expected_precision_ <= 1
    assert model.models_ == {name: 8 for name in QUESTIONS}  # 4 interviews x 2 answers


def test_a_heading_is_suggested_only_once_it_is_coded_itself():
    codes = [
        profile("Bestaan", group=True),
        profile("Woning", parent="Bestaan"),
        profile("Netwerk", parent="Bestaan"),
        profile("Werk"),
        profile("Zorg"),
    ]
    model, segments, _ = fitted(codes)
    out = model.suggest(segments)
    assert all("Bestaan" not in o for o in out)
    assert model.codable_.tolist() == [False, True, True, True, True]

    def heading_too(text, codes):
        return {"Bestaan"} if codes & {"Woning"} else set()

    model, segments, truth = fitted(codes, extra=heading_too)
    test = unlabelled(segments)
    out = model.suggest(test)
    about_living = [o for s, o in zip(test, out, strict=True) if "Woning" in truth[s.id]]
    assert about_living
    assert all(o.get("Bestaan") and o["Bestaan"].score >= model.threshold() for o in about_living)


def test_a_heading_is_not_suggested_from_its_keywords_before_any_coding():
    codes = [
        profile("Bestaan", keywords=["woning"], group=True),
        profile("Woning", keywords=["woning"], parent="Bestaan"),
    ]
    segments = [segment(1, "a", "De woning is klein."), segment(2, "a", "Het regent.")]
    out = make_suggester("ensemble").fit(codes, segments, Labels()).suggest(segments)
    assert set(out[0]) == {"Woning"}


def test_slight_segments_are_left_alone_unless_the_coder_codes_them(learned):
    model, segments, truth = learned
    test = unlabelled(segments)
    fillers = [s for s in test if s.text in FILLERS]
    assert len(fillers) == 10
    assert all(scored == {} for scored in model.suggest(fillers))

    model, segments, truth = fitted(code_fillers=True)
    test = unlabelled(segments)
    fillers = [s for s in test if s.text in FILLERS and truth[s.id]]
    out = model.suggest(fillers)
    assert len(fillers) == 8
    right = sum(top(o) in truth[s.id] and o[top(o)].score >= model.threshold()
                for s, o in zip(fillers, out, strict=True))  # fmt: skip
    assert right >= 6


def test_without_labels_keywords_and_definitions_lead():
    codes = [
        profile("Woning", keywords=["eigen huis"], definition="Woning. Een eigen plek om te wonen."),
        profile("Netwerk", keywords=["zus"], definition="Netwerk. Familie en vrienden rond de cliënt."),
    ]
    segments, _ = interviews(sources=2)
    segments += [
        segment(900, "x", "Ik wil gewoon een eigen huis hebben."),
        segment(901, "x", "Mijn zus komt elke week langs."),
    ]
    model = make_suggester("ensemble").fit(codes, segments, Labels())
    assert model.threshold() == 0.3 and model.expected_precision_ is None and model.models_ == {}
    house, sister = model.suggest(segments[-2:])
    assert top(house) == "Woning" and house["Woning"].score >= 0.3
    assert "words: matched 'eigen huis'" in house["Woning"].rationale
    assert top(sister) == "Netwerk" and sister["Netwerk"].score >= 0.3
    assert "Netwerk" not in house and "Woning" not in sister


def test_every_segment_gets_at_most_the_candidates_asked_for(learned):
    model, segments, _ = learned
    assert model.candidates == 5
    full = model.suggest(segments)
    assert all(len(o) <= 5 for o in full) and max(len(o) for o in full) > 2
    assert all(0.0 <= r.score <= 1.0 and r.rationale for o in full for r in o.values())
    for candidates in (1, 2):
        fewer, _, _ = fitted(candidates=candidates)
        for short, long in zip(fewer.suggest(segments), full, strict=True):
            best = sorted(long, key=lambda code: -long[code].score)[:candidates]
            assert sorted(short) == sorted(best)
            assert all(short[c].score == pytest.approx(long[c].score) for c in short)


def test_refit_learns_new_labels_on_the_same_features():
    model, segments, truth = fitted()
    features, test = model.features_, unlabelled(segments)
    before = model.probabilities(test)
    swapped = {"Woning": "Zorg", "Zorg": "Woning", "Netwerk": "Netwerk", "Werk": "Werk"}
    relabelled = {i: {swapped[c] for c in codes} for i, codes in truth.items()}
    model.refit([profile(name) for name in QUESTIONS], labelled(segments, relabelled))
    assert model.features_ is features
    after = model.probabilities(test)
    assert not np.allclose(before, after)
    j = {name: k for k, name in enumerate(model.code_names_)}
    living = [k for k, s in enumerate(test) if "Woning" in truth[s.id]]
    assert (after[living, j["Zorg"]] > after[living, j["Woning"]]).all()  # now called Zorg
    assert (before[living, j["Woning"]] > before[living, j["Zorg"]]).all()


def test_the_rationale_names_the_question_asked(learned):
    model, segments, truth = learned
    test = [s for s in unlabelled(segments) if truth[s.id]]
    out = model.suggest(test)
    for s, o in zip(test, out, strict=True):
        code = top(o)
        if code in truth[s.id]:
            assert f"asked: {QUESTIONS[code]!r}" in o[code].rationale


HOUSING = [
    "Ik sta al jaren op de wachtlijst voor een sociale huurwoning.",
    "De kamer in de opvang is klein en ik deel hem met twee mannen.",
    "Mijn eigen huurwoning in Haarlem krijg ik pas volgend jaar.",
    "Ik slaap nu bij mijn tante op de bank in de woonkamer.",
    "Een eigen voordeur, dat zou voor mij het verschil maken.",
    "De woningcorporatie belt niet terug over de urgentie.",
]
SUPPORT = [
    "Mijn buurvrouw doet soms boodschappen voor mij.",
    "In de steungroep zitten mijn broer en een oud-collega.",
    "Mijn dochter belt elke zondag even om te horen hoe het gaat.",
    "Een vriend van vroeger helpt met de papieren van de gemeente.",
    "De ervaringsdeskundige kwam twee keer mee naar het loket.",
    "Mijn nicht wil wel in het netwerkberaad meedenken.",
]
OTHER = [
    "Het weer was de hele week somber en koud.",
    "Ik kijk graag voetbal op zaterdag.",
    "De bus naar het centrum rijdt elk kwartier.",
    "Koffie drink ik zonder suiker.",
    "Vroeger werkte ik in een bakkerij in Zaandam.",
    "Mijn hond heet Bram en is al oud.",
]


def test_the_rationale_quotes_the_nearest_coded_example():
    """Where the words decide (nothing was asked), the quote is the coded example most like
    the segment, not just any example of the code."""
    segments, coded = [], {}
    for s in range(6):
        for k, (pool, code) in enumerate(((HOUSING, "Woning"), (SUPPORT, "Steungroep"), (OTHER, None))):
            for j in range(2):
                segments.append(segment(len(segments), f"s{s}", pool[(s + j * 3) % 6], (k * 2 + j) / 5))
                coded[len(segments) - 1] = {code} if code else set()
    model = make_suggester("ensemble").fit(
        [profile("Woning"), profile("Steungroep")], segments, Labels(coded=coded)
    )
    new = [
        segment(900, "x", "Volgend jaar krijg ik misschien een eigen huurwoning in Haarlem."),
        segment(901, "x", "Mijn dochter belt op zondag om te horen hoe het met mij gaat."),
        segment(902, "x", "De woningcorporatie belde eindelijk terug over mijn urgentie."),
    ]
    house, daughter, corporation = model.suggest(new)
    assert top(house) == top(corporation) == "Woning" and top(daughter) == "Steungroep"
    assert f"like a coded example: {HOUSING[2]!r}" in house["Woning"].rationale
    assert f"like a coded example: {SUPPORT[2]!r}" in daughter["Steungroep"].rationale
    assert f"like a coded example: {HOUSING[5]!r}" in corporation["Woning"].rationale
    assert "asked:" not in house["Woning"].rationale  # nothing was asked


def test_segments_outside_the_fitted_corpus_are_suggested_for(learned):
    model, segments, _ = learned
    corpus_size = len(model.corpus_)
    new = [
        segment(5000, "later", "Dat is best een lastig verhaal.", 0.2, question=QUESTIONS["Netwerk"]),
        segment(5001, "later", ANSWERS[1], 0.4, question=QUESTIONS["Werk"]),
        segment(5002, "later", "Ja.", 0.5, question=QUESTIONS["Werk"]),
    ]
    netwerk, werk, filler = model.suggest(new)
    assert top(netwerk) == "Netwerk" and netwerk["Netwerk"].score >= model.threshold()
    assert top(werk) == "Werk" and werk["Werk"].score > 0.5
    assert filler == {}
    # Scored in the fitted vocabulary and nothing kept: a corpus scored batch by batch does
    # not grow the model.
    assert not any(s.id in model.features_.index for s in new)
    assert len(model.corpus_) == corpus_size and model.features_.text.shape[0] == corpus_size
    assert model.suggest(new) == [netwerk, werk, filler]


def test_suggesting_for_no_segments_returns_nothing(learned):
    model, _, _ = learned
    assert model.suggest([]) == []


# -- lexical matching -------------------------------------------------------------------------------


def lexical(*codes):
    return make_suggester("lexical").fit(list(codes), [], Labels())


def test_multi_word_keywords_match_only_as_a_sequence():
    model = lexical(profile("Woning", keywords=["eigen huis"]))
    found = [
        model.matches(segment(1, "a", text))
        for text in ("Wij willen een eigen huis.", "Een huis van mijzelf, eigen.", "Wij willen iets eigen")
    ]
    assert found == [{"Woning": ["eigen huis"]}, {}, {}]


def test_lemma_patterns_show_the_word_and_its_lemma():
    model = lexical(profile("Zoeken", lemmas=["zoeken naar"]), profile("Woning", lemmas=["eigen woning"]))
    seg = segment(1, "a", "Zij zochten naar eigen woningen.", lemmas="zij zoeken naar eigen woning .")
    (scored,) = model.suggest([seg])
    assert scored["Zoeken"].rationale == "matched 'zochten naar (zoeken naar)'"
    assert scored["Woning"].rationale == "matched 'eigen woningen (eigen woning)'"


def test_a_span_found_as_word_and_as_lemma_counts_once():
    model = lexical(profile("Woning", keywords=["huizen", "tuin"], lemmas=["huis", "tuin"]))
    seg = segment(1, "a", "De huizen hebben een tuin.", lemmas="de huis hebben een tuin .")
    (scored,) = model.suggest([seg])
    assert model.matches(seg) == {"Woning": ["huizen", "tuin"]}
    assert scored["Woning"].score == pytest.approx(0.75)  # two terms, not four
    assert scored["Woning"].rationale == "matched 'huizen', 'tuin'"


def test_overlapping_phrases_of_two_codes_are_both_found():
    model = lexical(profile("Woning", keywords=["eigen huis"]), profile("Zoeken", keywords=["huis zoeken"]))
    (scored,) = model.suggest([segment(1, "a", "Wij gaan een eigen huis zoeken.")])
    assert {code: r.rationale for code, r in scored.items()} == {
        "Woning": "matched 'eigen huis'",
        "Zoeken": "matched 'huis zoeken'",
    }
    assert scored["Woning"].score == scored["Zoeken"].score == pytest.approx(0.5)
