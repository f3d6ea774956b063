"""The review queue a researcher can trust: durable per coder, nothing unseen dropped by
retraining, edits that mean what they say, one progress figure, independent coders."""

from __future__ import annotations

import pytest

from qualcode import InputError, Project
from tests.conftest import second_connection, write
from tests.test_cli import run

BOOK = """\
name: mini
codes:
  - name: Steungroep
    kind: context
    description: Een groep mensen rond de cliënt die steun geeft.
    examples: ["We hebben een steungroep.", "De steungroep kwam bij elkaar."]
    keywords: [steungroep, groep]
  - name: Woning
    kind: outcome
    description: Een eigen huis als doel.
    examples: ["Ik wil een eigen huis.", "De wachtlijst is lang."]
    keywords: [huis, woning, wonen]
"""
SENTENCES = [
    "De steungroep helpt mij echt.",
    "Ik wil een eigen huis.",
    "Het huis van mijn moeder is groot.",
    "De groep komt elke week bij elkaar.",
    "Wonen in de stad is duur.",
    "Mijn zus zit in de steungroep.",
    "Het huis was koud.",
    "De woning heeft een tuin.",
]


@pytest.fixture
def project(tmp_path):
    """Six interviews with sentences about groups and houses; ensemble suggestions shared by all."""
    paths = []
    for n in range(6):
        turns = "".join(f"I: Vraag {i}?\nR: {SENTENCES[(n + i) % len(SENTENCES)]}\n" for i in range(16))
        paths.append(write(tmp_path / f"int{n}.txt", turns))
    path = tmp_path / "p.qc"
    run("init", path)
    run("import", path, *paths)
    run("segment", path)
    run("codebook", "load", path, write(tmp_path / "b.yaml", BOOK))
    with Project.open(path) as proj:
        proj.suggest("ensemble", min_score=0.2)
        yield proj


def _key(item):
    return (item.source, item.start, item.end, item.code)


def test_retraining_drops_nothing_unseen(project):
    anna = project.reviewer("anna")
    woning = anna.pending(code="Woning", order="source")
    assert len(woning) > 12
    for i, item in enumerate(woning[:9]):  # mostly "no": the retrained model scores Woning lower
        (anna.accept if i in (0, 1, 2) else anna.reject)(item.id)
    report = project.coder_model("anna").retrain()
    now = {_key(p): p for p in anna.pending(code="Woning")}
    withdrawn = {_key(p): p for p in anna.withdrawn(code="Woning")}
    for item in woning[9:]:
        assert _key(item) in now or _key(item) in withdrawn, item
    for item in withdrawn.values():
        assert item.withdrawn and item.new_score is not None and item.new_score < item.score
    assert report.withdrawn == len(anna.withdrawn())
    assert withdrawn  # learning from 6 rejections lowered Woning's scores under the threshold
    # Withdrawn suggestions stay decidable, and the progress counts them.
    anna.reject(next(iter(withdrawn.values())).id)
    counts = anna.counts(code="Woning")
    assert counts["decided"] == 10
    assert anna.progress(code="Woning") == (counts["decided"], sum(counts.values()))


def test_progress_survives_retraining_and_a_new_session(project):
    anna = project.reviewer("anna")
    for item in anna.pending(order="source")[:6]:
        anna.reject(item.id)
    before = anna.counts()
    project.coder_model("anna").retrain()
    after = anna.counts()
    assert before["decided"] == after["decided"] == 6
    with Project.open(project.path) as again:
        assert again.reviewer("anna").counts() == after


def test_an_edit_to_another_code_rejects_the_original_code(project):
    anna = project.reviewer("anna")
    item = anna.pending(code="Woning", order="source")[0]
    anna.edit(suggestion_id=item.id, code="Steungroep")
    from qualcode.suggest.runner import labels

    with second_connection(project) as db:
        known = labels(db.connection, "sentence", "anna")
    assert item.segment_id in known.negatives("Woning")
    assert item.segment_id in known.positives("Steungroep")
    project.coder_model("anna").retrain()
    assert all(_key(p) != _key(item) for p in anna.pending() + anna.withdrawn())


def test_an_edit_of_boundaries_keeps_the_code(project):
    anna = project.reviewer("anna")
    item = anna.pending(code="Woning", order="source")[0]
    anna.edit(suggestion_id=item.id, start=item.start, end=item.end - 1)
    from qualcode.suggest.runner import labels

    with second_connection(project) as db:
        known = labels(db.connection, "sentence", "anna")
    assert item.segment_id in known.positives("Woning")
    assert item.segment_id not in known.negatives("Woning")


def test_coders_are_independent(project):
    bob_before = [p.id for p in project.reviewer("bob").pending()]
    anna = project.reviewer("anna")
    for item in anna.pending(order="source")[:8]:
        anna.reject(item.id)
    project.coder_model("anna").retrain()
    assert [p.id for p in project.reviewer("bob").pending()] == bob_before
    assert {p.id for p in anna.pending()}.isdisjoint(bob_before)  # anna has a run of her own
    config = project.runs("suggest")[-1]["config"]
    assert config["coder"] == "anna" and config["learn_from"] == "coder"


def test_learning_from_everyone_is_explicit(project):
    project.reviewer("bob").reject(project.reviewer("bob").pending()[0].id)
    project.coder_model("anna", learn_from="all").retrain()
    assert project.runs("suggest")[-1]["config"]["learn_from"] == "all"
    with pytest.raises(Exception, match="learn-from"):
        project.coder_model("anna", learn_from="others")


def test_unknown_code_or_source_names_the_close_matches(project):
    with pytest.raises(InputError, match=r"no code named 'Wonnig'.*did you mean 'Woning'"):
        project.reviewer("anna").pending(code="Wonnig")
    with pytest.raises(InputError, match=r"no source named 'int9'.*did you mean"):
        project.reviewer("anna").counts(source="int9")
    result = run("review", project.path, "--coder", "anna", "--code", "Wonnig", ok=False)
    assert "did you mean 'Woning'" in result.output


def test_the_screen_says_what_retraining_did(project):
    keys = "r" * 4 + "q"
    result = run("review", project.path, "--coder", "anna", "--batch", "3", input=keys)
    assert "retraining on 3 decisions…" in result.output
    assert "new," in result.output and "withdrawn" in result.output
    assert "stopped: 4 of" in result.output


def test_shared_training_codings_are_learned_by_every_coder(project, tmp_path):
    from qualcode.suggest.runner import labels

    item = project.reviewer("x").pending(code="Woning", order="source")[0]
    rows = f"source,start,end,code,coder\n{item.source},{item.start},{item.end},Woning,team\n"
    project.import_codings(write(tmp_path / "private.csv", rows.replace("team", "private")))
    with second_connection(project) as db:
        assert item.segment_id not in labels(db.connection, "sentence", "anna").coded
    project.import_codings(write(tmp_path / "team.csv", rows), shared=True)
    with second_connection(project) as db:
        known = labels(db.connection, "sentence", "anna")
    assert "Woning" in known.coded[item.segment_id]


def test_the_notebook_panel_shows_the_withdrawn_suggestions(project):
    pytest.importorskip("ipywidgets")
    from tests.test_notebooks import _review_panel

    anna = project.reviewer("anna")
    for i, item in enumerate(anna.pending(code="Woning", order="source")[:9]):
        (anna.accept if i < 3 else anna.reject)(item.id)
    project.coder_model("anna").retrain()
    withdrawn = {p.id for p in anna.withdrawn()}
    assert withdrawn
    panel = _review_panel()(project, "anna", withdrawn=True)
    assert panel.current.id in withdrawn
    panel.reject_button.click()
    assert len(anna.withdrawn()) == len(withdrawn) - 1
