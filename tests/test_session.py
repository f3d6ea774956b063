"""ReviewSession: the review loop the terminal screen and the notebook panel share (queue,
skip, decisions, undo, retraining), on a small real project."""

from __future__ import annotations

import pytest

from qualcode import InputError
from qualcode.coding.session import ReviewSession
from tests.conftest import write

BOOK = """\
code,description,parent,kind,keywords
Steun,Hulp van anderen,,mechanism,hulp;helpen;steun
Woning,Over wonen,,outcome,woning;huis
Schaamte,Zich schamen,,bottleneck,schaam;schaamte
"""

TRANSCRIPT = """\
Interviewer: Hoe gaat het?
Dewi: Mijn zus kwam helpen met de verhuizing. Nu heb ik een eigen woning.
Interviewer: En daarvoor?
Dewi: Ik schaamde me, ik vroeg nooit om hulp. Het huis was een puinhoop.
Interviewer: Wie hielp er nog meer?
Dewi: De buurvrouw gaf steun. Ik voelde schaamte over het huis, maar zij bleef helpen.
"""


def _project(project, tmp_path, suggester):
    project.import_transcripts([write(tmp_path / "dewi.txt", TRANSCRIPT)])
    project.segment(unit="sentence")
    project.load_codebook(write(tmp_path / "book.csv", BOOK))
    project.suggest(suggester=suggester, min_score=0.0)
    return project


@pytest.fixture
def lexical(project, tmp_path):
    return _project(project, tmp_path, "lexical")


@pytest.fixture
def learning(project, tmp_path):
    return _project(project, tmp_path, "ensemble")


def _pending_ids(project, coder="anna"):
    return [p.id for p in project.reviewer(coder).pending()]


def _ids(items):
    return {item.id for item in items}


def test_the_queue_is_the_reviewers_pending_suggestions(lexical):
    session = ReviewSession(lexical, "anna")
    assert session.coder == "anna"
    assert [p.id for p in session.queue] == _pending_ids(lexical) and len(session.queue) >= 4
    assert session.current == session.queue[0]
    assert session.progress() == (0, len(session.queue))
    assert session.context()["kind"] in ("mechanism", "outcome", "bottleneck")


def test_narrowed_to_one_code(lexical):
    session = ReviewSession(lexical, "anna", code="Woning", order="source")
    assert session.queue and {p.code for p in session.queue} == {"Woning"}


def test_skip_goes_on_and_leaves_the_suggestion_pending(lexical):
    session = ReviewSession(lexical, "anna")
    first, left = session.current, len(session.queue)
    session.skip()
    assert session.current.id != first.id and len(session.queue) == left - 1
    assert first.id in _pending_ids(lexical)
    assert session.progress()[0] == 0


def test_accept_and_reject_store_the_decision_and_go_on(lexical):
    session = ReviewSession(lexical, "anna")
    first = session.current
    assert session.accept() is None  # no retraining asked for
    second = session.current
    assert second.id != first.id
    session.reject()
    assert session.progress()[0] == 2
    pending = _pending_ids(lexical)
    assert first.id not in pending and second.id not in pending
    assert session.current.id == pending[0]


def test_edit_stores_another_code_and_a_wrong_one_changes_nothing(lexical):
    session = ReviewSession(lexical, "anna")
    item = session.current
    with pytest.raises(InputError, match="no code named 'Geld'"):
        session.edit(code="Geld")
    assert session.current == item and session.progress()[0] == 0
    other = "Woning" if item.code != "Woning" else "Steun"
    session.edit(code=other)
    assert session.current.id != item.id and item.id not in _pending_ids(lexical)
    assert lexical.framework_matrix().counts[other].sum() >= 1


def test_undo_puts_the_suggestion_back_on_screen(lexical):
    session = ReviewSession(lexical, "anna")
    first = session.current
    session.accept()
    second = session.current
    session.reject()
    third = session.current
    undone = session.undo()
    assert undone["action"] == "reject" and undone["suggestion_id"] == second.id
    assert session.current.id == second.id and second.id in _pending_ids(lexical)
    session.skip()
    assert session.current.id == third.id  # the one on screen before the undo comes next
    assert session.undo()["suggestion_id"] == first.id
    assert session.current.id == first.id and session.progress()[0] == 0
    assert session.undo() is None


def test_undo_of_an_earlier_sessions_decision_does_not_join_the_queue(lexical):
    earlier = ReviewSession(lexical, "anna")
    decided = earlier.current
    earlier.accept()
    session = ReviewSession(lexical, "anna")
    assert decided.id not in _ids(session.queue)
    queue = session.queue
    assert session.undo()["suggestion_id"] == decided.id  # undone in the project ...
    assert session.queue == queue  # ... but this session's queue stays as it was
    assert decided.id in _pending_ids(lexical)


def test_at_the_end_there_is_nothing_current(lexical):
    session = ReviewSession(lexical, "anna")
    for _ in range(len(session.queue)):
        session.skip()
    assert session.current is None and session.queue == ()
    session.skip()  # harmless
    with pytest.raises(InputError, match="nothing left to review"):
        session.accept()
    assert session.progress()[0] == 0


def test_retrains_after_every_n_decisions_with_a_learning_suggester(learning):
    old = _ids(learning.reviewer("anna").pending())
    session = ReviewSession(learning, "anna", retrain_every=2)
    assert session.learning
    assert session.accept() is None  # one decision: not yet
    assert _ids(session.queue) <= old
    report = session.reject()
    assert report is not None and report.suggestions >= 1
    assert session.queue and not _ids(session.queue) & old  # the queue is the new run's
    assert [p.id for p in session.queue] == _pending_ids(learning)
    assert session.accept() is None  # counting starts again after retraining
    assert session.reject() is not None


def test_no_retraining_with_a_suggester_that_does_not_learn(lexical):
    old = _ids(lexical.reviewer("anna").pending())
    session = ReviewSession(lexical, "anna", retrain_every=1)
    assert not session.learning
    assert session.accept() is None and session.reject() is None
    assert _ids(session.queue) <= old and set(_pending_ids(lexical)) <= old


def test_no_retraining_unless_asked(learning):
    old = _ids(learning.reviewer("anna").pending())
    session = ReviewSession(learning, "anna")
    assert not session.learning
    assert session.accept() is None and session.reject() is None
    assert set(_pending_ids(learning)) <= old


def test_the_session_never_prints(learning, capsys):
    session = ReviewSession(learning, "anna", retrain_every=1)
    session.skip()
    assert session.accept() is not None  # retrained, silently
    session.undo()
    session.undo()
    assert capsys.readouterr() == ("", "")
