"""The held-out evaluation: the overlap rule, the figures on hand-worked cases, the pattern
baseline, the learning-curve cut, the neutral-layout builder and ``qualcode evaluate``."""

import csv
import warnings

import pytest

from benchmarks.datasets import neutral_layout
from qualcode import QualcodeWarning
from qualcode.suggest import Labels, SegmentData
from qualcode.suggest.evaluate import Material, learning_share, split_material
from qualcode.suggest.scoring import (
    Coding,
    cohen_kappa,
    make_truth,
    overlaps,
    pattern_baseline,
    ranking,
    score_system,
    shown_from,
)
from tests.conftest import SHARED, needs_shared
from tests.test_cli import run
from tests.test_coding_cli import coded  # noqa: F401  (a fixture)


def seg(i, start, end, source="a", text=""):
    return SegmentData(i, source, text, text.lower(), text.lower(), start, end)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((0, 10), (5, 20), True),  # shares 5: exactly half of the shorter (10)
        ((0, 10), (6, 20), False),  # shares 4 of 10
        ((0, 10), (10, 20), False),  # touching spans share nothing
        ((0, 100), (10, 12), True),  # a short span inside a long one
        ((10, 12), (0, 100), True),
        ((0, 4), (3, 9), False),  # shares 1 of 4
    ],
)
def test_overlap_is_half_of_the_shorter_span(a, b, expected):
    assert overlaps(*a, *b) is expected


SEGMENTS = [seg(0, 0, 10), seg(1, 10, 20), seg(2, 20, 30), seg(3, 30, 40)]
GOLD = [Coding("a", 0, 10, "A"), Coding("a", 20, 40, "A"), Coding("a", 12, 18, "B"), Coding("a", 30, 34, "C")]
SHOWN = [{"A", "B"}, set(), set(), {"A"}]
RANKED = [["B", "A"], ["B", "A"], ["C", "B", "D", "A"], ["C"]]


def test_truth_knows_which_segments_each_coding_covers():
    truth = make_truth(SEGMENTS, GOLD, {"A", "B"})
    assert truth.human == [{"A"}, {"B"}, {"A"}, {"A", "C"}]
    assert truth.covered == [[0], [2, 3], [1], [3]]


def test_micro_figures_and_recall_at_k_by_hand():
    scores = score_system("x", SHOWN, RANKED, make_truth(SEGMENTS, GOLD, {"A", "B"}))
    # shown: s0 A (right), s0 B (wrong), s3 A (right); gold found: A on s0, A on s2-s3
    assert scores.per_code == {"A": [2, 2, 2, 2], "B": [1, 0, 1, 0], "C": [0, 0, 1, 0]}
    assert scores.micro() == pytest.approx((2 / 3, 1 / 2, 4 / 7))
    # learnable gold: A 0-10, A 20-40, B 12-18 (C has too few training codings)
    assert scores.learnable_gold == 3
    assert scores.recall_at(1) == pytest.approx(1 / 3)  # only B, first on s1
    assert scores.recall_at(3) == pytest.approx(2 / 3)  # A 20-40 is 4th on s2
    assert scores.recall_at(5) == pytest.approx(1.0)
    assert scores.shown_per_segment() == pytest.approx(3 / 4)


def test_kappa_per_code_by_hand():
    scores = score_system("x", SHOWN, RANKED, make_truth(SEGMENTS, GOLD, {"A", "B"}))
    # A: person yes on s0 s2 s3, machine on s0 s3: po 3/4, pe 3/4*2/4 + 1/4*2/4 = 1/2
    # B: person s1, machine s0: po 1/2, pe 1/16 + 9/16; C: never shown: po 3/4 = pe
    assert scores.kappas == pytest.approx({"A": 0.5, "B": -1 / 3, "C": 0.0})
    assert scores.kappa_median() == pytest.approx(0.0)
    assert scores.kappa_share() == 0.0


def test_cohen_kappa_textbook_case_and_undefined():
    # 50 items: 20 both yes, 5 only the person, 10 only the machine, 15 both no
    human = [True] * 25 + [False] * 25
    machine = [True] * 20 + [False] * 5 + [True] * 10 + [False] * 15
    assert cohen_kappa(human, machine) == pytest.approx(0.4)  # po 0.7, pe 0.5
    assert cohen_kappa([False] * 4, [False] * 4) is None  # expected agreement 1
    assert cohen_kappa([True, False], [True, False]) == pytest.approx(1.0)


def test_ranking_and_shown_keep_positive_scores_best_first():
    scored = [{"A": 0.2, "B": 0.9, "C": 0.0}, {"A": 0.6, "B": 0.6}]
    assert ranking(scored) == [["B", "A"], ["A", "B"]]
    assert shown_from(scored, 0.5) == [{"B"}, {"A", "B"}]
    assert shown_from(scored, 0.5, top=1) == [{"B"}, {"A"}]


HOUSING = ["the rent for the flat is high", "a housing wait list for a flat", "rent and housing costs"]
GROUP = ["my sister joined the support group", "the support group meets weekly", "a group of friends helps"]
OTHER = ["the weather is nice today", "I like coffee", "the dog sleeps on the couch"]


def test_pattern_baseline_learns_a_clear_signal():
    texts = [t for _ in range(3) for t in HOUSING + GROUP + OTHER]
    corpus = [SegmentData(i, "a", t, t, t) for i, t in enumerate(texts)]
    code = {**dict.fromkeys(HOUSING, {"Housing"}), **dict.fromkeys(GROUP, {"Group"})}
    labels = Labels(coded={s.id: code.get(s.text, set()) for s in corpus})
    test = [
        SegmentData(100, "b", "the flat and its rent", "", ""),
        SegmentData(101, "b", "the support group of my sister", "", ""),
        SegmentData(102, "b", "the weather and the dog", "", ""),
    ]
    probabilities = pattern_baseline(corpus, labels, test)
    assert shown_from(probabilities, 0.5, top=1) == [{"Housing"}, {"Group"}, set()]
    assert ranking(probabilities)[0][0] == "Housing"


def test_learning_share_cuts_in_document_order():
    train = [seg(1, 0, 10), seg(2, 10, 20), seg(3, 20, 30), seg(4, 0, 10, "b"), seg(5, 10, 20, "b")]
    codings = [
        Coding("b", 12, 15, "Y"),
        Coding("a", 22, 28, "X"),
        Coding("a", 0, 5, "X"),
        Coding("b", 0, 8, "Y"),
    ]
    labels = Labels(coded={1: {"X"}, 2: set(), 3: {"X"}, 4: {"Y"}, 5: {"Y"}}, rejected={2: {"Y"}, 5: {"X"}})
    quarter = learning_share(labels, train, codings, 0.25)  # up to the end of a 0-5
    assert quarter.coded == {1: {"X"}} and quarter.rejected == {}
    half = learning_share(labels, train, codings, 0.5)  # up to the end of a 22-28
    assert half.coded == {1: {"X"}, 2: set(), 3: {"X"}} and half.rejected == {2: {"Y"}}
    assert set(learning_share(labels, train, codings, 0.75).coded) == {1, 2, 3, 4}
    assert learning_share(labels, train, codings, 1.0) is labels


def test_split_learns_from_training_sources_only():
    segments = [
        seg(10 * n + i, 10 * i, 10 * i + 10, source=s) for n, s in enumerate("abcd") for i in range(2)
    ]
    codings = [Coding(s, 0, 10, "X") for s in "abcd"] + [Coding("a", 10, 20, "X"), Coding("b", 10, 20, "X")]
    labels = Labels(coded={s.id: {"X"} for s in segments})
    material = Material("sentence", [], segments, labels, codings, {})
    part = split_material(material, 0.5, 1)
    assert sorted(part.train + part.test) == ["a", "b", "c", "d"] and len(part.train) == 2
    assert {s.source for s in part.train_segments} == set(part.train)
    assert {s.source for s in part.test_segments} == set(part.test)
    assert set(part.learn.coded) == {s.id for s in part.train_segments}
    assert {c.source for c in part.truth.gold} == set(part.test)
    learnable = {"X"} if sum(c.source in part.train for c in codings) >= 3 else set()
    assert part.truth.learnable == learnable


def write_layout(folder, text_p1, codings_rows):
    (folder / "transcripts").mkdir(parents=True)
    (folder / "transcripts" / "P1.txt").write_bytes(text_p1.encode("utf-8"))
    (folder / "transcripts" / "P2.txt").write_bytes(b"Dan: Hi?\n\nParticipant: Fine.\n")
    (folder / "codebook.csv").write_text("code,description,parent\nPlots,,\n", encoding="utf-8")
    with (folder / "codings.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([("source", "start", "end", "code", "coder"), *codings_rows])


def test_neutral_layout_builds_a_project_and_names_the_coder(tmp_path):
    text = "Dan: Do you plot?\n\nParticipant: I use ICE plots a lot.\n"
    start = text.index("I use")
    write_layout(
        tmp_path / "set", text, [("P1", start, start + 20, "Plots", "kim"), ("P2", 24, 29, "Extra", "kim")]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QualcodeWarning)
        project, coder = neutral_layout(tmp_path / "set", tmp_path / "work")
    with project:
        assert coder == "kim"
        assert [(c["source"], c["code"]) for c in project.codings("kim")] == [
            ("P1", "Plots"),
            ("P2", "Extra"),
        ]
        assert project.active_unit() == "turn"


def test_neutral_layout_refuses_text_that_changes_on_import(tmp_path):
    write_layout(
        tmp_path / "set", "Dan: Do you plot?\r\n\r\nParticipant: Yes.\r\n", [("P1", 0, 3, "Plots", "kim")]
    )
    with pytest.raises(ValueError, match=r"P1.txt: the imported text differs from the file"):
        neutral_layout(tmp_path / "set", tmp_path / "work")


def test_cli_evaluate_shows_the_baselines_recall_at_k_kappa_and_a_verdict(coded):  # noqa: F811
    project, tmp = coded
    run("codings", "import", project, tmp / "codings.csv")
    result = run("evaluate", project, "--coder", "anna", "--seed", "1", "--csv", tmp / "ev.csv")
    out = result.output
    header = next(line for line in out.splitlines() if line.startswith("system"))
    assert header.split() == ["system", "micro", "P", "R", "F1", "R@1", "R@3", "R@5", "kappa", "med",
                              "kappa>=0.6", "shown/seg"]  # fmt: skip
    rows = {line[:16].strip(): line[16:].split() for line in out.splitlines()}
    assert {"ensemble", "keyword search", "pattern top-1", "pattern top-5"} <= set(rows)
    assert "The machine can help with 2 codes of the 2 coded in the test sources already" in out
    assert "the pattern baseline (F1 " in out
    figures = {
        (r["name"], r["measure"]): r["value"] for r in csv.DictReader((tmp / "ev.csv").open(encoding="utf-8"))
    }
    assert float(figures[("ensemble", "recall@5")]) == 1.0  # the sentences repeat across sources
    assert float(figures[("pattern top-1", "kappa_median")]) > 0.6


def test_cli_evaluate_min_score_overrides_the_threshold(coded):  # noqa: F811
    project, tmp = coded
    run("codings", "import", project, tmp / "codings.csv")
    result = run("evaluate", project, "--coder", "anna", "--min-score", "1")
    assert "ensemble shows codes scoring >= 1.00" in result.output
    assert "It does not beat the pattern baseline" in result.output


@needs_shared
def test_pdpilot_interviews_evaluate_against_the_researchers_codings(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QualcodeWarning)
        project, coder = neutral_layout(SHARED / "data" / "coded" / "pdpilot-interviews", tmp_path)
        with project:
            assert project.status()["counts"]["codings"] == 236
            result = project.evaluate(coder, seed=1, suggester="supervised")
    assert len(result.train_sources) + len(result.test_sources) == 7
    assert sum(result.test_gold.values()) + sum(result.train_codings.values()) == 236
    assert [s.system for s in result.systems][1:] == ["keyword search", "pattern top-1", "pattern top-5"]
