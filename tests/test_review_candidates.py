"""Ranked candidates in the review: the next-best codes of a segment are offered, and choosing
one codes the segment with it (its own suggestion accepted) and rejects the shown one."""

import pytest

from qualcode import Project
from qualcode.store import runs as run_store
from tests.conftest import read_only, write
from tests.test_cli import run
from tests.test_coding_cli import BOOK
from tests.test_review import current

# Woning matches two terms (huis, wonen: 0.75), Steungroep one (0.5): with shown from 0.6,
# Woning is suggested and Steungroep is its segment's next candidate.
TEXT = "I: Vraag?\nR: Ik wil wonen in een huis met de steungroep.\nI: En?\nR: De steungroep zoekt een huis om te wonen.\n"


@pytest.fixture
def suggested(tmp_path):
    project = tmp_path / "c.qc"
    run("init", project)
    run("import", project, write(tmp_path / "a.txt", TEXT))
    run("segment", project)
    run("codebook", "load", project, write(tmp_path / "b.yaml", BOOK))
    run("suggest", project, "--suggester", "lexical", "--min-score", "0.6")
    return project, tmp_path


def _with_candidates(proj, coder="bob"):
    """The first pending suggestion (in source order) that has ranked candidates below it."""
    bob = proj.reviewer(coder)
    for item in bob.pending(order="source"):
        others = bob.candidates(item)
        if others:
            return item, others
    raise AssertionError("no suggestion with ranked candidates in the fixture")


def test_candidates_are_the_same_segments_other_codes_best_first(suggested):
    project, _ = suggested
    with Project.open(project) as proj:
        item, others = _with_candidates(proj)
        assert all(o.segment_id == item.segment_id and o.code != item.code for o in others)
        assert [o.score for o in others] == sorted((o.score for o in others), reverse=True)
        assert all(o.score <= item.score for o in others)
        queued = {p.id for p in proj.reviewer("bob").pending()}
        threshold = run_store.last_run_config(read_only(proj), "suggest")["threshold"]
        # Below the run's threshold a candidate is offered, not queued.
        assert all((o.id in queued) == (o.score >= threshold) for o in others)


def test_choosing_a_candidate_codes_it_and_rejects_the_shown_code(suggested):
    project, _ = suggested
    with Project.open(project) as proj:
        item, (other, *_) = _with_candidates(proj)
        bob = proj.reviewer("bob")
        bob.instead(item.id, other.id)
        codings = current(proj, "bob")
        assert (item.source, other.start, other.end, other.code) in codings
        assert (item.source, item.start, item.end, item.code) not in codings
        assert item.id not in {p.id for p in bob.pending()}
        assert other.id not in {c.id for c in bob.candidates(item)}
        # Undo takes back the rejection first (the shown code is pending again), then the coding.
        assert bob.undo()["action"] == "reject"
        assert item.id in {p.id for p in bob.pending()}
        assert (item.source, other.start, other.end, other.code) in current(proj, "bob")
        assert bob.undo()["action"] == "accept"
        assert (item.source, other.start, other.end, other.code) not in current(proj, "bob")


def test_the_terminal_offers_candidates_and_a_digit_chooses_one(suggested):
    project, _ = suggested
    with Project.open(project) as proj:
        item, (other, *_) = _with_candidates(proj)
        before = [p.id for p in proj.reviewer("bob").pending(order="source")]
    skips = "s " * before.index(item.id)
    result = run("review", project, "--coder", "bob", "--order", "source", input=f"{skips}2 q")
    assert f"[2] {other.code} {other.score:.2f}" in result.output
    assert f"coded {other.code} instead" in result.output
    with Project.open(project) as proj:
        codings = current(proj, "bob")
    assert (item.source, other.start, other.end, other.code) in codings
    assert (item.source, item.start, item.end, item.code) not in codings
