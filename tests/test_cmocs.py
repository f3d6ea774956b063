"""Realist CMOCs as records: making and revising them (status history with memos, refused
moves, unknown codes, nothing half-written), their evidence counted by hand on a small
project, the ``qualcode cmoc`` commands and the realist (RAMESES II) export."""

from __future__ import annotations

import dataclasses

import pytest

from qualcode import ConflictError, InputError, Project
from tests.conftest import add_suggestions, write
from tests.test_cli import run

BOOK = """\
name: realist
codes:
  - name: Dakloos
    kind: context
    description: De cliënt heeft geen woning.
  - name: Netwerkberaad
    kind: mechanism
    description: Een netwerkberaad wordt georganiseerd (resource).
  - name: Gehoord
    kind: mechanism
    description: De cliënt voelt zich gehoord (reasoning).
  - name: Rust
    kind: outcome
    description: Rust in het leven.
  - name: Woning
    kind: outcome
    description: Een eigen woning.
  - name: Tegenwerking
    kind: bottleneck
    description: Iemand werkt tegen.
"""
TEXTS = {
    # Fatima: professional of case C01.
    "int_a": "I: Hoe ging het?\n"
    "Fatima: Hij sliep op straat. We organiseerden een netwerkberaad. Hij voelde zich gehoord. "
    "Daarna kwam er rust.\n"
    "I: En later?\n"
    "Fatima: Er was weer een netwerkberaad. Toen kreeg hij een woning.\n",
    # R: the client of case C01.
    "int_b": "I: Vertel eens.\n"
    "R: Het netwerkberaad hielp niet. Ik voelde me niet gehoord.\n"
    "I: En nu?\n"
    "R: Ik heb nu rust. Het netwerkberaad was fijn.\n",
    # Naima: the client of case C02.
    "int_c": "I: Hoe is het?\nNaima: Het netwerkberaad gaf me rust.\n",
}
PEOPLE = (
    "speaker,source,case,role\n"
    "Fatima,int_a,C01,professional\nR,int_b,C01,client\nNaima,int_c,C02,client\nI,,,interviewer\n"
)
# (source, passage, code, counter): every coding anna makes by hand.
ANNA = [
    ("int_a", "Hij sliep op straat.", "Dakloos", False),
    ("int_a", "We organiseerden een netwerkberaad.", "Netwerkberaad", False),
    ("int_a", "Hij voelde zich gehoord.", "Gehoord", False),
    ("int_a", "Daarna kwam er rust.", "Rust", False),
    ("int_a", "Er was weer een netwerkberaad.", "Netwerkberaad", False),
    ("int_a", "Toen kreeg hij een woning.", "Woning", False),
    ("int_b", "Het netwerkberaad hielp niet.", "Netwerkberaad", True),
    ("int_b", "Ik voelde me niet gehoord.", "Gehoord", True),
    ("int_b", "Ik heb nu rust.", "Rust", False),
    ("int_b", "Het netwerkberaad was fijn.", "Netwerkberaad", False),
    ("int_c", "Het netwerkberaad gaf me rust.", "Netwerkberaad", False),
    ("int_c", "Het netwerkberaad gaf me rust.", "Rust", False),
]
CMO1 = "If a homeless client gets a network meeting, then rest or a home follows, because the client feels heard."


def span(proj, source, passage):
    start = proj.source_text(source).index(passage)
    return start, start + len(passage)


def build(tmp_path) -> Project:
    folder = tmp_path / "interviews"
    folder.mkdir()
    for name, text in TEXTS.items():
        write(folder / f"{name}.txt", text)
    proj = Project.create(tmp_path / "study.qc")
    proj.import_transcripts([folder], participants=write(tmp_path / "people.csv", PEOPLE))
    proj.load_codebook(write(tmp_path / "book.yaml", BOOK))
    anna = proj.reviewer("anna")
    for source, passage, code, counter in ANNA:
        anna.add(source, *span(proj, source, passage), code, counter=counter)
    proj.reviewer("bob").add("int_a", *span(proj, "int_a", "Daarna kwam er rust."), "Rust")
    # A suggestion bob rejects (the machine was wrong: never disconfirming) and one nobody reviewed.
    passage = span(proj, "int_c", "Het netwerkberaad gaf me rust.")
    add_suggestions(proj, [("int_c", *passage, "Gehoord", 0.7), ("int_c", *passage, "Dakloos", 0.6)])
    rejected = next(p.id for p in proj.reviewer("bob").pending() if p.code == "Gehoord")
    proj.reviewer("bob").reject(rejected)
    return proj


@pytest.fixture
def study(tmp_path):
    proj = build(tmp_path)
    yield proj
    proj.close()


def add_cmo1(proj, **fields):
    return proj.add_cmoc(
        CMO1, "anna", context=["Dakloos"], resource=["Netwerkberaad"], reasoning=["Gehoord"],
        outcome=["Rust", "Woning"], intervention="netwerkberaad", actor="professional", **fields,
    )  # fmt: skip


# -- records ----------------------------------------------------------------------------------


def test_a_cmoc_is_recorded_with_its_parts(study):
    made = add_cmo1(study, confidence="low", confidence_reason="two interviews", theory_version="1")
    assert (made.key, made.status, made.confidence, made.confidence_reason) == (
        "CMO1",
        "initial",
        "low",
        "two interviews",
    )
    assert (made.context, made.resource, made.reasoning, made.outcome) == (
        ("Dakloos",), ("Netwerkberaad",), ("Gehoord",), ("Rust", "Woning"),
    )  # fmt: skip
    assert made.mechanism == ("Netwerkberaad", "Gehoord")
    second = study.add_cmoc("If homeless, then rest.", "bob", context="Dakloos", outcome="Rust")
    assert second.key == "CMO2" and second.confidence is None and second.theory_version == "1"
    assert [c.key for c in study.cmocs()] == ["CMO1", "CMO2"]
    assert study.cmoc("CMO2") == second
    [created] = study.cmoc_history("CMO1")
    assert (created.action, created.by, created.from_status, created.to_status) == (
        "create",
        "anna",
        None,
        "initial",
    )
    assert created.changes["outcome"] == [[], ["Rust", "Woning"]] and created.changes["statement"] == [
        None,
        CMO1,
    ]


def test_unknown_and_misplaced_codes_are_refused_by_name_and_nothing_is_written(study):
    with pytest.raises(InputError, match=r"field 'outcome': unknown code 'Rustt'.*did you mean 'Rust'"):
        study.add_cmoc("If ..., then ...", "anna", resource=["Netwerkberaad"], outcome=["Rust", "Rustt"])
    with pytest.raises(
        InputError, match=r"field 'reasoning': code 'Gehoord' is already the resource of this CMOC"
    ):
        study.add_cmoc("If ..., then ...", "anna", resource=["Gehoord"], reasoning=["Gehoord"])
    with pytest.raises(InputError, match=r"a CMOC needs at least one code: a context \(--context\)"):
        study.add_cmoc("If ..., then ...", "anna")
    with pytest.raises(InputError, match=r"field 'statement': a CMOC needs its statement"):
        study.add_cmoc("  ", "anna", outcome=["Rust"])
    with pytest.raises(InputError, match=r"field 'confidence_reason': say why the confidence is high"):
        study.add_cmoc("If ..., then ...", "anna", outcome=["Rust"], confidence="high")
    assert study.cmocs() == [] and study.cmoc_history() == []
    add_cmo1(study)
    with pytest.raises(ConflictError, match=r"field 'key': a CMOC 'CMO1' exists already"):
        study.add_cmoc("If ..., then ...", "anna", outcome=["Rust"], key="CMO1")
    with pytest.raises(InputError, match=r"no CMOC 'CMO9' in the project \(the project has CMO1\)"):
        study.cmoc("CMO9")
    assert len(study.cmocs()) == 1 and len(study.cmoc_history()) == 1


def test_a_code_of_another_kind_is_allowed_with_a_warning(study):
    with pytest.warns(UserWarning, match="code 'Tegenwerking' is of kind bottleneck, not context"):
        made = study.add_cmoc("If ..., then ...", "anna", context=["Tegenwerking"], outcome=["Rust"])
    assert made.context == ("Tegenwerking",)


def test_status_moves_with_memos_and_refuses_the_others(study):
    add_cmo1(study)
    with pytest.raises(InputError, match=r"field 'memo': changing the status of CMOC 'CMO1' from initial to refined needs a memo"):  # fmt: skip
        study.revise_cmoc("CMO1", "anna", status="refined")
    with pytest.raises(ConflictError, match=r"CMOC 'CMO1' cannot go from initial to initial"):
        study.revise_cmoc("CMO1", "anna", "same", status="initial")
    study.revise_cmoc(
        "CMO1", "anna", "Naima's case shows rest without a home.", status="refined", outcome=["Rust"]
    )
    study.revise_cmoc("CMO1", "bob", "Second round of coding.", status="refined")
    confirmed = study.revise_cmoc("CMO1", "anna", "Every case agrees.", status="confirmed", confidence="high")
    assert (confirmed.status, confirmed.confidence, confirmed.confidence_reason) == (
        "confirmed",
        "high",
        "Every case agrees.",
    )
    with pytest.raises(ConflictError, match=r"from confirmed to refuted; from confirmed it can go to refined; to change its mind, reopen it first"):  # fmt: skip
        study.revise_cmoc("CMO1", "anna", "Wrong after all.", status="refuted")
    with pytest.raises(
        InputError, match=r"field 'memo': changing the confidence of CMOC 'CMO1' from high to medium"
    ):
        study.revise_cmoc("CMO1", "anna", confidence="medium")
    with pytest.raises(InputError, match=r"nothing to change in CMOC 'CMO1'"):
        study.revise_cmoc("CMO1", "anna", statement=CMO1)
    with pytest.raises(InputError, match=r"unknown CMOC field 'colour'"):
        study.revise_cmoc("CMO1", "anna", colour="red")
    with pytest.raises(InputError, match=r"field 'context': unknown code 'Nergens'"):
        study.revise_cmoc("CMO1", "anna", "reopen", status="refined", context=["Nergens"])
    assert study.cmoc("CMO1").status == "confirmed"  # the refused revisions left nothing behind
    study.revise_cmoc("CMO1", "anna", "A new interview contradicts it.", status="refined")
    refuted = study.revise_cmoc(
        "CMO1", "anna", "Rest came from elsewhere.", status="refuted", theory_version="2"
    )
    assert refuted.theory_version == "2"
    history = study.cmoc_history("CMO1")
    assert [(h.from_status, h.to_status, h.by) for h in history] == [
        (None, "initial", "anna"), ("initial", "refined", "anna"), ("refined", "refined", "bob"),
        ("refined", "confirmed", "anna"), ("confirmed", "refined", "anna"), ("refined", "refuted", "anna"),
    ]  # fmt: skip
    assert [h.memo for h in history[1:]] == [
        "Naima's case shows rest without a home.", "Second round of coding.", "Every case agrees.",
        "A new interview contradicts it.", "Rest came from elsewhere.",
    ]  # fmt: skip
    assert history[1].changes == {"outcome": [["Rust", "Woning"], ["Rust"]], "status": ["initial", "refined"]}
    assert history[3].changes["confidence"] == [None, "high"]
    assert history[5].changes["theory_version"] == ["1", "2"]


def test_codes_follow_a_rename_and_a_retired_code_does_not_block_a_revision(study, tmp_path):
    add_cmo1(study)
    renamed = BOOK.replace("  - name: Rust\n", "  - name: Rust en regie\n    formerly: [Rust]\n")
    study.load_codebook(write(tmp_path / "book2.yaml", renamed.replace("  - name: Woning", "  - name: Huis")))
    now = study.cmoc("CMO1")
    assert now.outcome == ("Rust en regie", "Woning") and now.retired == ("Woning",)
    assert study.cmoc_evidence("CMO1").totals["full"] == 1  # the renamed code's codings still count
    revised = study.revise_cmoc("CMO1", "anna", statement="If a network meeting, then rest.")
    assert revised.outcome == ("Rust en regie", "Woning")
    with pytest.raises(InputError, match=r"code 'Woning' is no longer in the current codebook"):
        study.revise_cmoc("CMO1", "anna", outcome=["Woning"])


# -- evidence ---------------------------------------------------------------------------------


def test_evidence_per_turn_counted_by_hand(study):
    add_cmo1(study)
    found = study.cmoc_evidence("CMO1")
    # int_a turn 2: Dakloos + Netwerkberaad + Gehoord + Rust: full. int_a turn 4: Netwerkberaad +
    # Woning, Dakloos elsewhere in C01: context in the case. int_b turn 2 holds only codings
    # marked counter: no support. int_b turn 4: Rust + Netwerkberaad, C01: context in the case.
    # int_c turn 2: Netwerkberaad + Rust, no Dakloos in C02: partial.
    assert [(u.source, u.level, u.cases, u.roles) for u in found.units] == [
        ("int_a", "full", ("C01",), ("professional",)),
        ("int_a", "context_in_case", ("C01",), ("professional",)),
        ("int_b", "context_in_case", ("C01",), ("client",)),
        ("int_c", "partial", ("C02",), ("client",)),
    ]
    assert found.totals == {"full": 1, "context_in_case": 2, "partial": 1, "disconfirming": 2}
    assert found.per_case == {
        "C01": {"full": 1, "context_in_case": 2, "partial": 0, "disconfirming": 2},
        "C02": {"full": 0, "context_in_case": 0, "partial": 1, "disconfirming": 0},
    }
    assert found.per_group == {
        "client": {"full": 0, "context_in_case": 1, "partial": 1, "disconfirming": 2},
        "professional": {"full": 1, "context_in_case": 1, "partial": 0, "disconfirming": 0},
    }
    assert found.supporting_cases() == ["C01", "C02"] and found.complete and found.unreviewed == 0
    first = found.units[0]
    assert [(q.text, q.codes, q.parts, q.coder) for q in first.quotes] == [
        ("Hij sliep op straat.", ("Dakloos",), ("context",), "anna"),
        ("We organiseerden een netwerkberaad.", ("Netwerkberaad",), ("resource",), "anna"),
        ("Hij voelde zich gehoord.", ("Gehoord",), ("reasoning",), "anna"),
        ("Daarna kwam er rust.", ("Rust",), ("outcome",), "anna"),
        ("Daarna kwam er rust.", ("Rust",), ("outcome",), "bob"),
    ]
    quote = first.quotes[0]
    assert (quote.source, quote.speaker, quote.role, quote.case, quote.reviewed) == (
        "int_a",
        "Fatima",
        "professional",
        "C01",
        True,
    )
    assert quote.provenance == "coded by hand by anna"
    assert study.source_text("int_a")[quote.start : quote.end] == quote.text
    assert found.included.startswith("Only reviewed codings count")


def test_disconfirming_quotes_are_the_counter_marked_codings_only(study):
    add_cmo1(study)
    found = study.cmoc_evidence("CMO1")
    assert [(q.source, q.text, q.codes, q.speaker, q.case, q.coder) for q in found.disconfirming] == [
        ("int_b", "Het netwerkberaad hielp niet.", ("Netwerkberaad",), "R", "C01", "anna"),
        ("int_b", "Ik voelde me niet gehoord.", ("Gehoord",), "R", "C01", "anna"),
    ]
    # bob rejected a Gehoord suggestion on int_c: the machine was wrong, which is no evidence.
    assert all(q.source != "int_c" for q in found.disconfirming)
    only_rest = study.add_cmoc(
        "If a meeting, then rest.", "anna", resource=["Netwerkberaad"], outcome=["Rust"]
    )
    assert study.cmoc_evidence(only_rest.key).totals["disconfirming"] == 1  # Gehoord is not its code


def test_unreviewed_suggestions_count_only_when_asked_and_are_flagged(study):
    add_cmo1(study)
    reviewed = study.cmoc_evidence("CMO1")
    everything = study.cmoc_evidence("CMO1", include="all")
    assert reviewed.units[-1].level == "partial"
    last = everything.units[-1]  # the unreviewed Dakloos suggestion makes int_c full
    assert (last.source, last.level, last.reviewed) == ("int_c", "full", False)
    assert everything.unreviewed == 1 and everything.per_case["C02"]["full"] == 1
    dakloos = next(q for q in last.quotes if q.codes == ("Dakloos",))
    assert not dakloos.reviewed and "not reviewed" in dakloos.provenance
    assert "not reviewed" in everything.included


def test_an_incomplete_cmoc_gathers_no_support_and_says_what_to_add(study):
    made = study.add_cmoc("If homeless, then a home.", "anna", context=["Dakloos"], outcome=["Woning"])
    found = study.cmoc_evidence(made.key)
    assert not found.complete and found.units == [] and found.totals["full"] == 0
    assert "names no mechanism code" in found.note and "--resource CODE or --reasoning CODE" in found.note
    assert [e.key for e in study.cmoc_evidence()] == ["CMO1"]


def test_the_window_scope_needs_segments(study):
    add_cmo1(study)
    with pytest.raises(ConflictError, match="the project has no segments yet; run: qualcode segment"):
        study.cmoc_evidence("CMO1", scope="window")


@pytest.mark.filterwarnings("ignore:no trained spaCy model")
def test_evidence_per_window_of_segments_counted_by_hand(study):
    add_cmo1(study)
    study.segment(unit="sentence")  # int_a: 6 sentences, int_b: 4, int_c: 1 (interviewer left out)
    # int_a windows of 2: Dakloos+Netwerkberaad (no outcome), Netwerkberaad+Gehoord (no outcome), then
    # Gehoord+Rust, Rust+Netwerkberaad, Netwerkberaad+Woning: context in the case (Dakloos in C01).
    # int_b: the first window holds only counter-marked codings, the second Rust alone, the third
    # Rust+Netwerkberaad. int_c, one sentence, is one window: partial.
    two = study.cmoc_evidence("CMO1", scope="window", window=2)
    assert two.totals == {"full": 0, "context_in_case": 4, "partial": 1, "disconfirming": 2}
    assert [(u.source, u.level) for u in two.units] == [
        ("int_a", "context_in_case"), ("int_a", "context_in_case"), ("int_a", "context_in_case"),
        ("int_b", "context_in_case"), ("int_c", "partial"),
    ]  # fmt: skip
    assert two.window == 2 and two.per_group["professional"]["context_in_case"] == 3
    four = study.cmoc_evidence("CMO1", scope="window", window=4)
    assert four.totals == {"full": 1, "context_in_case": 3, "partial": 1, "disconfirming": 2}


def test_a_failure_inside_the_transaction_leaves_nothing_half_written(study, monkeypatch):
    from qualcode.store import cmocs as cmoc_store

    add_cmo1(study)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(cmoc_store, "insert_change", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        study.add_cmoc("If a meeting, then rest.", "anna", resource=["Netwerkberaad"], outcome=["Rust"])
    with pytest.raises(RuntimeError, match="disk full"):
        study.revise_cmoc("CMO1", "anna", "why", status="refined", outcome=["Rust"], statement="Changed.")
    monkeypatch.undo()
    assert [c.key for c in study.cmocs()] == ["CMO1"]
    now = study.cmoc("CMO1")
    assert (now.status, now.statement, now.outcome) == ("initial", CMO1, ("Rust", "Woning"))
    assert len(study.cmoc_history()) == 1


def test_evidence_is_plain_data(study):
    add_cmo1(study)
    data = study.cmoc_evidence("CMO1").as_dict()
    assert data["totals"]["full"] == 1 and data["units"][0]["quotes"][0]["text"] == "Hij sliep op straat."
    assert study.cmoc("CMO1").as_dict()["outcome"] == ("Rust", "Woning")
    assert dataclasses.asdict(study.cmoc_history("CMO1")[0])["by"] == "anna"


# -- the command line and the realist export ---------------------------------------------------


@pytest.fixture
def project_file(tmp_path):
    build(tmp_path).close()
    return tmp_path / "study.qc"


def test_the_cmoc_commands(project_file):
    added = run(
        "cmoc", "add", project_file, "--statement", CMO1, "--by", "anna", "--context", "Dakloos",
        "--resource", "Netwerkberaad", "--reasoning", "Gehoord", "--outcome", "Rust,Woning",
        "--confidence", "low", "--reason", "two interviews",
    )  # fmt: skip
    assert added.output.startswith("added CMO1: If a homeless client")
    assert "  outcome: Rust, Woning" in added.output
    listed = run("cmoc", "list", project_file).output
    assert listed == f"CMO1\tinitial\tlow\ttheory 1\t{CMO1}\n"
    shown = run("cmoc", "show", project_file, "CMO1").output
    assert "evidence per turn: 1 full, 2 with the context in the case, 1 partial; 2 disconfirming" in shown
    assert "  C01: full 1, context_in_case 2, partial 0, disconfirming 2" in shown
    assert "'Het netwerkberaad hielp niet.'" in shown and "coded by hand by anna" in shown
    refused = run("cmoc", "revise", project_file, "CMO1", "--by", "anna", "--status", "refined", ok=False)
    assert refused.exit_code == 1
    assert refused.output == (
        "Error: field 'memo': changing the status of CMOC 'CMO1' from initial to refined needs a memo "
        "explaining why (--memo TEXT)\n"
    )
    revised = run("cmoc", "revise", project_file, "CMO1", "--by", "bob", "--status", "refined",
                  "--memo", "Naima has rest without a home.", "--outcome", "Rust")  # fmt: skip
    assert revised.output == "revised CMO1: outcome, status (status refined)\n"
    history = run("cmoc", "history", project_file, "CMO1").output
    assert "CMO1 revise by bob: initial -> refined" in history
    assert (
        "  outcome: Rust, Woning -> Rust\n  status: initial -> refined\n  memo: Naima has rest without a home."
        in history
    )
    unknown = run(
        "cmoc", "add", project_file, "--statement", "x", "--by", "anna", "--outcome", "Rustt", ok=False
    )
    assert (
        unknown.output
        == "Error: field 'outcome': unknown code 'Rustt', the codebook has no such code; did you mean 'Rust'?\n"
    )


def test_the_realist_export_is_laid_out_along_rameses_and_byte_identical(project_file, tmp_path):
    with Project.open(project_file) as proj:
        add_cmo1(proj, confidence="medium", confidence_reason="three interviews agree")
        proj.revise_cmoc("CMO1", "anna", "Naima has rest without a home.", status="refined")
        proj.add_cmoc(
            "If homeless, then a home.", "bob", context=["Dakloos"], outcome=["Woning"], theory_version="2"
        )
    first, second = tmp_path / "one.md", tmp_path / "two.md"
    assert run("export", project_file, "--format", "realist", "-o", first).output == f"wrote {first}\n"
    run("export", project_file, "--format", "realist", "-o", second)
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    for heading in ("## 4. Programme theory", "## 13. Data analysis", "## 15. Main findings",
                    "## 18. Comparison with existing literature", "## Items for the researcher"):  # fmt: skip
        assert heading in text
    assert "### Programme theory version 1" in text and "### Programme theory version 2" in text
    assert (
        "**CMO1** revise by anna: initial → refined" in text
        and "  - memo: Naima has rest without a home." in text
    )
    assert f"### CMO1: {CMO1}" in text
    assert "| C01 | 1 | 2 | 0 | 2 |" in text and "| client | 0 | 1 | 1 | 2 |" in text
    assert "“Hij sliep op straat.” [Dakloos (context)] Fatima, professional, C01" in text
    assert "“Het netwerkberaad hielp niet.” [Netwerkberaad (resource)]" in text
    assert text.count("> **For the researcher:**") == 20
    assert "CMO2 names no mechanism or no outcome code" in text
    with Project.open(project_file, read_only=True) as proj:
        assert proj.runs("export")[-1]["config"]["format"] == "realist"


# -- a programme theory file ------------------------------------------------------------------

THEORY = """\
by: anna
memo: eerste programmatheorie
cmocs:
  - key: T1
    statement: Als er een netwerkberaad is, dan rust, omdat de cliënt zich gehoord voelt.
    context: [Dakloos]
    resource: [Netwerkberaad]
    reasoning: [Gehoord]
    outcome: [Rust]
    confidence: medium
    confidence_reason: twee interviews
    status: refined
  - key: T2
    statement: Als er een netwerkberaad is, dan een woning.
    resource: [Netwerkberaad]
    outcome: [Woning]
"""


def test_a_programme_theory_file_is_read_whole_and_once(study, tmp_path):
    path = write(tmp_path / "theory.yaml", THEORY)
    result = run("cmoc", "import", study.path, path)
    assert "added 2 CMOCs (T1, T2); 0 already recorded alike" in result.output
    first, second = study.cmocs()
    assert (first.key, first.status, first.confidence, first.reasoning) == (
        "T1",
        "refined",
        "medium",
        ("Gehoord",),
    )
    assert (second.outcome, second.status, second.created_by) == (("Woning",), "initial", "anna")
    history = study.cmoc_history("T1")
    assert [(h.action, h.to_status, h.memo) for h in history] == [
        ("create", "refined", "eerste programmatheorie")
    ]
    again = study.import_cmocs(path)
    assert (again.added, again.unchanged) == ([], ["T1", "T2"])


def test_a_programme_theory_file_that_differs_or_is_wrong_changes_nothing(study, tmp_path):
    study.import_cmocs(write(tmp_path / "theory.yaml", THEORY))
    changed = write(tmp_path / "changed.yaml", THEORY.replace("outcome: [Rust]", "outcome: [Woning]"))
    with pytest.raises(InputError, match=r"changed.yaml, line 4: CMOC 1: T1 is already recorded and differs"):
        study.import_cmocs(changed)
    wrong = THEORY.replace("key: T1", "key: T9").replace("key: T2", "key: T8")
    wrong = wrong.replace("outcome: [Woning]", "outcome: [Wonen]")
    with pytest.raises(InputError, match=r"wrong.yaml, line 13: CMOC 2: .*unknown code 'Wonen'.*'Woning'"):
        study.import_cmocs(write(tmp_path / "wrong.yaml", wrong))
    with pytest.raises(InputError, match="CMOC 1: unknown field 'mechanism'"):
        study.import_cmocs(write(tmp_path / "odd.yaml", THEORY.replace("resource:", "mechanism:", 1)))
    with pytest.raises(InputError, match="give a list of code names, e.g. outcome: \\[Rust\\]"):
        study.import_cmocs(write(tmp_path / "flat.yaml", THEORY.replace("outcome: [Rust]", "outcome: Rust")))
    with pytest.raises(InputError, match="CMOC 2: every CMOC in a file needs a key"):
        study.import_cmocs(
            write(tmp_path / "nokey.yaml", THEORY.replace("  - key: T2\n    statement", "  - statement"))
        )
    assert [c.key for c in study.cmocs()] == ["T1", "T2"]  # T9 (valid) was not stored either
