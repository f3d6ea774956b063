"""Mechanisms: co-occurrence per scope, Jaccard, CMO support per case, framework matrix and
evidence tables, reviewed codings versus all, on a small project built in code."""

from __future__ import annotations

import csv

import pytest

from qualcode import InputError, Project
from tests.conftest import add_suggestions, write

BOOK = """\
name: mechanismen
codes:
  - name: Steungroep
    kind: context
    description: Een steungroep rond de cliënt.
    keywords: [steungroep]
  - name: Vertrouwen
    kind: mechanism
    description: Vertrouwen groeit tussen mensen.
  - name: Woning
    kind: outcome
    description: Een eigen woning.
  - name: Rust
    kind: outcome
    description: Rust in het leven.
  - name: KleinNetwerk
    kind: bottleneck
    description: Het netwerk is te klein.
"""
TEXT_A = (
    "I: Hoe werkt het?\n"
    "Fatima: De steungroep komt elke week. Dat geeft vertrouwen. Hij vond een woning.\n"
    "I: En verder?\n"
    "Fatima: Het netwerk is te klein. Er is weinig vertrouwen.\n"
)
TEXT_B = "I: Vertel eens.\nR: Mijn zus zit in de steungroep. Ik voel vertrouwen. Nu heb ik rust.\n"
SENTENCES = {
    "int_a": [
        "De steungroep komt elke week.",
        "Dat geeft vertrouwen.",
        "Hij vond een woning.",
        "Het netwerk is te klein.",
        "Er is weinig vertrouwen.",
    ],
    "int_b": ["Mijn zus zit in de steungroep.", "Ik voel vertrouwen.", "Nu heb ik rust."],
}
TEXTS = {"int_a": TEXT_A, "int_b": TEXT_B}


def span(proj, source, sentence, last=None):
    text = proj.source_text(source)
    start = text.index(sentence)
    end = text.index(last) + len(last) if last else start + len(sentence)
    return start, end


@pytest.fixture
def study(tmp_path):
    """Two interviews (a professional, case P01; a client, case C01), five codes, codings
    imported by anna, a suggestion accepted and one rejected by bob, one left unreviewed,
    and one coding bob made by hand."""
    folder = tmp_path / "interviews"
    folder.mkdir()
    for name, text in TEXTS.items():
        write(folder / f"{name}.txt", text)
    people = write(
        tmp_path / "people.csv",
        "speaker,source,case,role,city\nFatima,int_a,P01,professional,Amsterdam\nR,int_b,C01,client,Haarlem\n",
    )
    proj = Project.create(tmp_path / "study.qc")
    proj.import_transcripts([folder], participants=people)
    proj.segment(unit="sentence")
    proj.load_codebook(write(tmp_path / "book.yaml", BOOK))
    a, b = SENTENCES["int_a"], SENTENCES["int_b"]
    rows = [
        ("int_a", a[0], None, "Steungroep"),
        ("int_a", a[1], None, "Vertrouwen"),
        ("int_a", a[2], None, "Woning"),
        ("int_a", a[3], a[4], "KleinNetwerk"),
        ("int_a", a[4], None, "Vertrouwen"),
        ("int_b", b[0], None, "Steungroep"),
        ("int_b", b[2], None, "Rust"),
    ]
    with (tmp_path / "codings.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(("source", "start", "end", "code", "coder"))
        for source, first, last, code in rows:
            out.writerow((source, *span(proj, source, first, last), code, "anna"))
    proj.import_codings(tmp_path / "codings.csv")
    add_suggestions(
        proj,
        [
            ("int_b", *span(proj, "int_b", b[1]), "Vertrouwen", 0.81),
            ("int_b", *span(proj, "int_b", b[0]), "KleinNetwerk", 0.4),
            ("int_a", *span(proj, "int_a", a[0]), "Vertrouwen", 0.5),
        ],
    )
    suggestion_ids = sorted(p.id for p in proj.reviewer("bob").pending())
    bob = proj.reviewer("bob")
    bob.accept(suggestion_ids[0])
    bob.reject(suggestion_ids[1])
    bob.add("int_a", *span(proj, "int_a", a[2]), "Rust")
    yield proj
    proj.close()


def test_segments_are_the_sentences(study):
    assert [s.text for s in study.segments()] == SENTENCES["int_a"] + SENTENCES["int_b"]


def test_cooccurrence_per_segment(study):
    result = study.cooccurrence(scope="segment")
    assert result.units == 8
    assert list(result.counts.index) == ["Steungroep", "Vertrouwen", "Woning", "Rust", "KleinNetwerk"]
    diagonal = {c: int(result.counts.loc[c, c]) for c in result.counts.index}
    assert diagonal == {"Steungroep": 2, "Vertrouwen": 3, "Woning": 1, "Rust": 2, "KleinNetwerk": 2}
    assert result.pairs() == [("Vertrouwen", "KleinNetwerk", 1, 0.25), ("Woning", "Rust", 1, 0.5)]
    assert result.jaccard.loc["Rust", "Woning"] == 0.5 and result.jaccard.loc["Rust", "Rust"] == 1.0
    assert (result.counts.values == result.counts.values.T).all()
    assert result.included.startswith("Only reviewed codings count")


def test_cooccurrence_per_turn_and_window(study):
    turn = study.cooccurrence(scope="turn")
    assert turn.units == 6  # interviewer turns are units too
    assert turn.counts.loc["Steungroep", "Vertrouwen"] == 2
    assert turn.jaccard.loc["Steungroep", "Vertrouwen"] == round(2 / 3, 6)
    assert turn.counts.loc["Vertrouwen", "Vertrouwen"] == 3
    window = study.cooccurrence(scope="window", window=2)
    assert window.units == 6  # 4 windows in int_a, 2 in int_b
    counts = window.counts
    assert counts.loc["Vertrouwen", "Vertrouwen"] == 5
    assert (counts.loc["Steungroep", "Vertrouwen"], counts.loc["Vertrouwen", "Rust"]) == (2, 2)
    assert (counts.loc["KleinNetwerk", "Woning"], counts.loc["KleinNetwerk", "Vertrouwen"]) == (1, 1)
    wide = study.cooccurrence(scope="window", window=10)
    assert wide.units == 2  # a source shorter than the window is one window


def test_reviewed_versus_all(study):
    reviewed = study.cooccurrence(include="reviewed")
    everything = study.cooccurrence(include="all")
    assert reviewed.counts.loc["Steungroep", "Vertrouwen"] == 0
    assert everything.counts.loc["Steungroep", "Vertrouwen"] == 1  # the unreviewed suggestion
    assert everything.counts.loc["KleinNetwerk", "KleinNetwerk"] == 2  # the rejected one never counts
    assert "the 1 suggestions of the latest suggestion run (run " in everything.included
    assert "marked 'not reviewed'" in everything.included
    with pytest.raises(InputError, match="unknown include 'some'; choose 'reviewed' or 'all'"):
        study.cooccurrence(include="some")
    with pytest.raises(InputError, match="unknown scope 'page'"):
        study.cooccurrence(scope="page")


def test_cmo_support_per_case(study):
    configs = study.cmo_configurations(scope="turn")
    found = [(c.context, c.mechanism, c.outcome, c.units, c.cases) for c in configs]
    assert found == [
        ("Steungroep", "Vertrouwen", "Rust", 2, {"C01": 1, "P01": 1}),
        ("Steungroep", "Vertrouwen", "Woning", 1, {"P01": 1}),
    ]
    assert configs[0].n_cases == 2 and configs[0].support() == "C01: 1; P01: 1"
    assert configs.scope == "turn" and configs.included.startswith("Only reviewed")
    assert study.cmo_configurations(scope="segment") == []  # never all three in one sentence
    everything = study.cmo_configurations(scope="window", window=3, include="all")
    unreviewed = {(c.context, c.mechanism, c.outcome): c.unreviewed_units for c in everything}
    assert unreviewed[("Steungroep", "Vertrouwen", "Woning")] == 0  # a1-a3 holds by reviewed codings


def test_framework_matrix(study):
    matrix = study.framework_matrix()
    counts = matrix.counts
    assert list(counts.index) == ["C01", "P01"]
    assert counts.loc["P01"].to_dict() == {
        "Steungroep": 1, "Vertrouwen": 2, "Woning": 1, "Rust": 1, "KleinNetwerk": 1,
    }  # fmt: skip
    assert counts.loc["C01"].to_dict() == {
        "Steungroep": 1, "Vertrouwen": 1, "Woning": 0, "Rust": 1, "KleinNetwerk": 0,
    }  # fmt: skip
    assert matrix.quotes.loc["P01", "Vertrouwen"].count("“") == 2
    assert "“Dat geeft vertrouwen.” (int_a " in matrix.quotes.loc["P01", "Vertrouwen"]
    assert matrix.quotes.loc["C01", "Woning"] == ""
    assert matrix.cases.loc["P01"].to_dict() == {"role": "professional", "city": "Amsterdam"}
    assert matrix.cases.loc["C01", "role"] == "client"


def test_evidence_tables(study):
    tables = {t.code: t for t in study.evidence_tables()}
    assert list(tables) == ["Vertrouwen", "KleinNetwerk"]
    trust = tables["Vertrouwen"]
    assert (trust.kind, trust.definition) == ("mechanism", "Vertrouwen groeit tussen mensen.")
    assert (trust.segments, trust.interviews, trust.codings, trust.unreviewed) == (3, 2, 3, 0)
    assert trust.cases_per_group == {"client": 1, "professional": 1}
    assert trust.provenance == {"imported (anna)": 2, "suggested by ensemble/2, accepted by bob": 1}
    assert {q.source for q in trust.quotes} == {"int_a", "int_b"}
    assert len(trust.quotes) == 3
    accepted = next(q for q in trust.quotes if q.source == "int_b")
    assert accepted.provenance == "suggested by ensemble/2 (score 0.81), accepted by bob"
    assert (accepted.speaker, accepted.role, accepted.case, accepted.text) == (
        "R", "client", "C01", "Ik voel vertrouwen.",
    )  # fmt: skip
    assert [(c.kind, c.text, c.detail) for c in trust.counter_evidence] == [
        ("with bottleneck", "Er is weinig vertrouwen.", "occurs with KleinNetwerk")
    ]
    assert trust.cases == 2  # P01 and C01
    small = tables["KleinNetwerk"]
    assert (small.segments, small.interviews, small.cases_per_group) == (2, 1, {"professional": 1})
    # bob rejected the suggestion of KleinNetwerk: the machine was wrong, not the code.
    assert small.counter_evidence == [] and small.rejected_suggestions == 1
    assert trust.rejected_suggestions == 0
    one = study.evidence_tables(kinds=("mechanism",), quotes=1)
    assert [t.code for t in one] == ["Vertrouwen"] and len(one[0].quotes) == 1
    outcome = {t.code: t for t in study.evidence_tables(kinds=("outcome",))}
    assert outcome["Rust"].provenance == {"coded by hand by bob": 1, "imported (anna)": 1}


def test_evidence_with_unreviewed_suggestions(study):
    trust = study.evidence_tables(include="all")[0]
    assert (trust.codings, trust.unreviewed, trust.segments) == (4, 1, 4)
    assert trust.provenance["suggested by ensemble/2, not reviewed"] == 1
    assert all(q.reviewed for q in trust.quotes)  # reviewed codings are quoted first


def test_no_segments_is_an_error_that_says_what_to_do(tmp_path):
    with Project.create(tmp_path / "empty.qc") as proj:
        from qualcode import ConflictError

        with pytest.raises(ConflictError, match="run: qualcode segment"):
            proj.cooccurrence()
        assert proj.cooccurrence(scope="turn").units == 0


def test_counter_evidence_is_what_a_coder_marks(study, tmp_path):
    """A coding marked as counter-evidence is listed as such, with who marked it, and is not
    counted or quoted as support; an edit keeps the mark; a CSV import can carry it."""
    text = study.source_text("int_b")
    start, end = span(study, "int_b", "Nu heb ik rust.")
    coding = study.reviewer("carl").add("int_b", start, end, "Vertrouwen", counter=True)
    trust = {t.code: t for t in study.evidence_tables()}["Vertrouwen"]
    assert trust.codings == 3 and all(q.text != "Nu heb ik rust." for q in trust.quotes)
    # a1, a4 and b1 support it; carl's mark on b2 adds no segment of support (nor a case)
    assert (trust.segments, trust.interviews, trust.cases) == (3, 2, 2)
    marked = [(c.kind, c.source, c.text, c.detail) for c in trust.counter_evidence if c.kind == "marked"]
    assert marked == [
        ("marked", "int_b", "Nu heb ik rust.", "marked as counter-evidence by carl (R, client, C01)")
    ]
    study.reviewer("carl").edit(coding_id=coding, start=start, end=end - 1)
    trust = {t.code: t for t in study.evidence_tables()}["Vertrouwen"]
    assert [c.text for c in trust.counter_evidence if c.kind == "marked"] == ["Nu heb ik rust"]
    table = tmp_path / "counter.csv"
    a, b = span(study, "int_b", "Ik voel vertrouwen.")
    table.write_text(
        f"source,start,end,code,coder,counter\nint_b,{a},{b},Vertrouwen,dora,ja\n", encoding="utf-8"
    )
    study.import_codings(table)
    trust = {t.code: t for t in study.evidence_tables()}["Vertrouwen"]
    assert sorted(c.detail.split(" (")[0] for c in trust.counter_evidence if c.kind == "marked") == [
        "marked as counter-evidence by carl", "marked as counter-evidence by dora",
    ]  # fmt: skip
    assert text  # the source is unchanged by any of this
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"source,start,end,code,coder,counter\nint_b,{a},{b},Vertrouwen,dora,maybe\n", encoding="utf-8"
    )
    with pytest.raises(
        InputError, match=r"counter must be yes or no.*bad.csv.*line 2|bad.csv.*counter must be yes"
    ):
        study.import_codings(bad)
