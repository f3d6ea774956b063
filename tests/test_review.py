"""Decisions: accept, reject, edit, add, remove, undo; the state derived from the log; memos;
the terminal review screen; units coded as a whole."""

import csv

import pytest

from qualcode import ConflictError, InputError, Project
from tests.conftest import read_only, write
from tests.test_cli import run
from tests.test_coding_cli import BOOK, _import_first_sources, coded  # noqa: F401  (fixture)


@pytest.fixture
def suggested(coded):  # noqa: F811
    project, tmp = coded
    _import_first_sources(project, tmp)
    run("suggest", project)
    return project, tmp


def current(proj, coder):
    return sorted((r["source"], r["start"], r["end"], r["code"]) for r in _codings(proj, coder))


def _codings(proj, coder):
    from qualcode.store.codings import codings_table

    return codings_table(read_only(proj), coder)


def test_accept_reject_undo_and_the_derived_state(suggested):
    project, _ = suggested
    with Project.open(project) as proj:
        bob = proj.reviewer("bob")
        first, second, third = bob.pending()[:3]
        bob.accept(first.id)
        bob.reject(second.id)
        assert current(proj, "bob") == [(first.source, first.start, first.end, first.code)]
        assert bob.progress()[0] == 2
        assert [p.id for p in bob.pending()][:1] == [third.id]
        undone = bob.undo()
        assert undone["action"] == "reject" and undone["suggestion_id"] == second.id
        assert second.id in {p.id for p in bob.pending()}
        bob.undo()
        assert current(proj, "bob") == []
        assert bob.undo() is None
        rows = (
            read_only(proj).execute("SELECT action FROM decisions WHERE coder = 'bob' ORDER BY id").fetchall()
        )
        assert [r[0] for r in rows] == ["accept", "reject", "undo", "undo"]  # nothing overwritten


def test_a_decision_cannot_be_made_twice(suggested):
    project, _ = suggested
    with Project.open(project) as proj:
        bob = proj.reviewer("bob")
        item = bob.pending()[0]
        bob.accept(item.id)
        with pytest.raises(
            ConflictError, match=f"bob already decided on suggestion {item.id} \\(accept\\); undo that first"
        ):
            bob.reject(item.id)
        proj.reviewer("carla").reject(item.id)  # another coder decides separately


def test_edit_a_suggestion_and_a_coding(suggested):
    project, _ = suggested
    with Project.open(project) as proj:
        bob = proj.reviewer("bob")
        item = bob.pending()[0]
        other = "Woning" if item.code == "Steungroep" else "Steungroep"
        bob.edit(suggestion_id=item.id, code=other, start=item.start + 1)
        ((source, start, end, code),) = current(proj, "bob")
        assert (start, end, code) == (item.start + 1, item.end, other)
        coding_id = _codings_ids(proj, "bob")[0]
        bob.edit(coding_id=coding_id, end=item.end - 1)
        assert current(proj, "bob") == [(source, item.start + 1, item.end - 1, other)]
        bob.undo()
        assert current(proj, "bob") == [(source, item.start + 1, item.end, other)]
        with pytest.raises(InputError, match=r"span 5-2 does not fit the source"):
            bob.edit(coding_id=_codings_ids(proj, "bob")[0], start=5, end=2)


def _codings_ids(proj, coder):
    return [r[0] for r in read_only(proj).execute("SELECT id FROM current_codings WHERE coder = ?", (coder,))]


def test_add_remove_and_coders_kept_apart(suggested):
    project, _ = suggested
    with Project.open(project) as proj:
        bob = proj.reviewer("bob")
        coding = bob.add("int0", 3, 10, "Woning")
        assert current(proj, "bob") == [("int0", 3, 10, "Woning")]
        with pytest.raises(
            ConflictError, match=f"coding {coding} is bob's; each coder's codings are their own"
        ):
            proj.reviewer("carla").remove(coding)
        bob.remove(coding)
        assert current(proj, "bob") == []
        with pytest.raises(InputError, match="no code named 'Geld' in the codebook"):
            bob.add("int0", 3, 10, "Geld")
        with pytest.raises(InputError, match="'machine' is the name of the suggestions as a coder"):
            proj.reviewer("machine")


def test_accept_above(suggested):
    project, _ = suggested
    with Project.open(project) as proj:
        bob = proj.reviewer("bob")
        high = [p for p in bob.pending() if p.score >= 0.6]
        assert bob.accept_above(0.6) == len(high) > 0
        assert len(current(proj, "bob")) == len(high)
        assert all(p.score < 0.6 for p in bob.pending())


def test_rejected_codes_are_not_suggested_again(suggested):
    project, _ = suggested
    with Project.open(project) as proj:
        bob = proj.reviewer("anna")
        item = bob.pending()[0]
        bob.reject(item.id)
        proj.suggest_again()
        again = [(p.segment_id, p.code) for p in proj.reviewer("anna").pending()]
        assert (item.segment_id, item.code) not in again


def test_review_screen_with_piped_keys(suggested):
    project, _ = suggested
    result = run("review", project, "--coder", "bob", "--order", "source", input="a r s u q")
    assert "[a]ccept  [r]eject  [s]kip  [e]dit  [u]ndo  [q]uit" in result.output
    assert "code: " in result.output and "why: " in result.output
    assert "undone: reject" in result.output
    assert "stopped: 1 of" in result.output
    again = run("review", project, "--coder", "bob", "--order", "source", input="q")
    assert "stopped: 1 of" in again.output  # decisions were stored; the next run goes on


def test_review_edit_from_the_screen(suggested):
    project, _ = suggested
    result = run("review", project, "--coder", "bob", input="e\nWoning\n\n\nq")
    assert "stopped: 1 of" in result.output
    with Project.open(project) as proj:
        assert [c[3] for c in current(proj, "bob")] == ["Woning"]


def test_review_retrains_between_batches(suggested):
    project, _ = suggested
    result = run("review", project, "--coder", "anna", "--batch", "2", input="a r q")
    assert "retrained on your decisions" in result.output


def test_code_command_and_memos(suggested):
    project, _ = suggested
    result = run("code", project, "int0", "3", "10", "Woning", "--coder", "bob")
    assert "Woning on int0[3:10]" in result.output
    bad = run("code", project, "int0", "3", "999999", "Woning", "--coder", "bob", ok=False)
    assert "Error: span 3-999999 does not fit the source" in bad.output
    run("memo", project, "Vaak samen met schaamte.", "--on", "code", "--target", "Woning", "--author", "bob")
    run("memo", project, "Eerste ronde klaar.", "--author", "anna")
    listed = run("memo", project).output
    assert "code Woning (bob" in listed and "Vaak samen met schaamte." in listed and "project (anna" in listed
    missing = run("memo", project, "x", "--on", "source", "--target", "nope", "--author", "bob", ok=False)
    assert "Error: no source 'nope' in the project" in missing.output


def test_units_import(tmp_path):
    answers = tmp_path / "answers.csv"
    with answers.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [
                ("id", "text", "anna", "bob"),
                ("r1", "Ik voelde me minder alleen.", "Eenzaamheid", "Eenzaamheid"),
                ("r2", "Mijn zus hielp met verhuizen.", "Naaste; Praktisch", "Naaste"),
                ("r3", "Geen idee.", "", ""),
            ]
        )
    project = tmp_path / "u.qc"
    run("init", project)
    refused = run("units", "import", project, answers, "--coders", "anna,bob", ok=False)
    assert "3 codes are not in the codebook: Eenzaamheid, Naaste, Praktisch" in refused.output
    result = run("units", "import", project, answers, "--coders", "anna,bob", "--add-missing-codes")
    assert "imported 3 units" in result.output
    with Project.open(project) as proj:
        assert proj.source_text("r2").strip().endswith("Mijn zus hielp met verhuizen.")
        assert current(proj, "anna") == [
            ("r1", 0, 27, "Eenzaamheid"),
            ("r2", 0, 29, "Naaste"),
            ("r2", 0, 29, "Praktisch"),
        ]
        assert len(current(proj, "bob")) == 2
    duplicate = write(tmp_path / "dup.csv", "id,text,anna\nx,een,A\nx,twee,B\n")
    result = run("units", "import", project, duplicate, "--coders", "anna", ok=False)
    assert "line 3: id 'x' appears twice (also on line 2)" in result.output
