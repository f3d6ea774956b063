"""The review screen's keys for a researcher: ? help, m memo, c another code by part of its
name, e with boundaries snapped to words and a preview, the interviewer's question above the
answer, wrapping to the terminal width; and the pure helpers behind them."""

import pytest

from qualcode import Project
from qualcode.coding.session import match_codes, snap_to_words
from tests.conftest import write
from tests.test_cli import run
from tests.test_coding_cli import BOOK, coded  # noqa: F401  (fixture)
from tests.test_review import current, suggested  # noqa: F401  (fixture)

# The first suggestion in source order: int3, "R: De steungroep helpt mij echt." at 15-44,
# code Steungroep, asked "Vraag 0?". Words: De 15-17, steungroep 18-28, helpt 29-34, mij 35-38.
FIRST = ("int3", 15, 44, "Steungroep")


def review(project, keys):
    return run("review", project, "--coder", "bob", "--order", "source", input=keys)


def first_pending(project):
    with Project.open(project) as proj:
        item = proj.reviewer("bob").pending(order="source")[0]
    return (item.source, item.start, item.end, item.code)


def decided(project):
    with Project.open(project) as proj:
        return proj.reviewer("bob").counts()["decided"]


def test_the_first_suggestion_is_the_one_these_tests_expect(suggested):  # noqa: F811
    project, _ = suggested
    assert first_pending(project) == FIRST


# -- ? and m -------------------------------------------------------------------------------


def test_help_lists_one_line_per_key_and_keeps_the_suggestion(suggested):  # noqa: F811
    project, _ = suggested
    result = review(project, "? q")
    lines = result.output.splitlines()
    for key in "arsecmuq?":
        assert sum(1 for line in lines if line.startswith(f"  {key}  ")) == 1, key
    assert "unknown key" not in result.output
    assert "stopped: 0 of" in result.output
    assert result.output.count("> De steungroep helpt mij echt.") == 2  # shown again after help
    assert first_pending(project) == FIRST


def test_memo_on_the_segment_and_the_suggestion_stays(suggested):  # noqa: F811
    project, _ = suggested
    result = review(project, "m\nHelpt echt, zegt ze.\nq")
    assert "memo 1 added" in result.output
    with Project.open(project) as proj:
        (memo,) = proj.memos()
        item = proj.reviewer("bob").pending(order="source")[0]
        expected = ("segment", "bob", "Helpt echt, zegt ze.")
        assert (memo["target_kind"], memo["author"], memo["text"]) == expected
        assert str(memo["target"]) == str(item.segment_id)
    assert first_pending(project) == FIRST and decided(project) == 0


# -- c: another code by part of its name ---------------------------------------------------


def test_c_with_a_unique_part_codes_it_without_boundary_prompts(suggested):  # noqa: F811
    project, _ = suggested
    result = review(project, "c\nwON\nq")
    assert "coded as Woning" in result.output
    assert "start" not in result.output and "store?" not in result.output
    with Project.open(project) as proj:
        assert current(proj, "bob") == [("int3", 15, 44, "Woning")]
    assert decided(project) == 1  # the suggested code counts as decided (edited away)
    assert first_pending(project) != FIRST


def test_c_with_an_ambiguous_part_asks_for_a_number(suggested):  # noqa: F811
    project, _ = suggested
    result = review(project, "c\nN\n2\nq")  # "n" is in Steungroep and in Woning
    assert "  1  Steungroep" in result.output and "  2  Woning" in result.output
    with Project.open(project) as proj:
        assert current(proj, "bob") == [("int3", 15, 44, "Woning")]
    assert decided(project) == 1


def test_c_with_no_match_changes_nothing(suggested):  # noqa: F811
    project, _ = suggested
    result = review(project, "c\ngeld\nq")
    assert "no code name contains 'geld'" in result.output
    with Project.open(project) as proj:
        assert current(proj, "bob") == []
    assert first_pending(project) == FIRST and decided(project) == 0


# -- e: boundaries snapped to words, previewed, stored on y --------------------------------


def test_edit_snaps_to_words_shows_the_new_text_and_stores_on_y(suggested):  # noqa: F811
    project, _ = suggested
    # the rest of the "e" line answers the code prompt (keep the code); start 21 and end 37
    # fall inside "steungroep" and "mij"
    result = review(project, "e\n21\n37\ny\nq")
    assert "new boundaries 18-38" in result.output
    assert "  > steungroep helpt mij\n" in result.output
    assert "store? [y/n]" in result.output
    with Project.open(project) as proj:
        assert current(proj, "bob") == [("int3", 18, 38, "Steungroep")]
    assert decided(project) == 1


def test_edit_answered_n_keeps_the_suggestion_pending(suggested):  # noqa: F811
    project, _ = suggested
    result = review(project, "e\n21\n37\nn\nq")
    assert "store? [y/n]" in result.output and "not changed" in result.output
    with Project.open(project) as proj:
        assert current(proj, "bob") == []
    assert first_pending(project) == FIRST and decided(project) == 0


def test_edit_with_a_wrong_span_still_says_not_changed(suggested):  # noqa: F811
    project, _ = suggested
    result = review(project, "e\n30\n999999\nq")
    assert "not changed: span 30-999999 does not fit the source" in result.output
    assert "store?" not in result.output
    assert first_pending(project) == FIRST


# -- the question above the answer, and the width ------------------------------------------


def test_the_interviewers_question_is_shown_above_the_answer(suggested):  # noqa: F811
    project, _ = suggested
    output = review(project, "q").output
    assert "asked: Vraag 0?" in output
    assert output.index("asked: Vraag 0?") < output.index("> De steungroep helpt mij echt.")


def test_a_question_only_when_an_interviewer_turn_is_directly_before(tmp_path):
    text = "I: Hoe gaat het?\nR: De steungroep helpt.\nA: Ik wil een eigen huis.\n"
    project = tmp_path / "q.qc"
    run("init", project)
    run("import", project, write(tmp_path / "a.txt", text))
    run("segment", project)
    with Project.open(project) as proj:
        asked = {row.text: proj.segment_question(row.id) for row in proj.segments()}
    assert asked == {"De steungroep helpt.": "Hoe gaat het?", "Ik wil een eigen huis.": ""}


@pytest.mark.parametrize("columns", [50, 80])
def test_lines_wrap_to_the_terminal_width(suggested, monkeypatch, columns):  # noqa: F811
    project, _ = suggested
    monkeypatch.setenv("COLUMNS", str(columns))
    output = review(project, "q").output
    why = output[output.index("  why: ") :].split("[a]ccept")[0].splitlines()
    assert len(why) > 1 and max(len(line) for line in why) <= columns
    assert max(len(line) for line in why) > columns - 20  # the width is used, not a fixed 100


# -- the pure helpers ----------------------------------------------------------------------

TEXT = "De cliënt's zelf-standige keuze, echt!  Goed."
#       0123456789012345678901234567890123456789012345
#                 1         2         3         4


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (5, 9, (3, 11)),  # inside "cliënt's" on both sides (a joined apostrophe is in the word)
        (3, 11, (3, 11)),  # already at word edges
        (14, 20, (12, 25)),  # inside "zelf-standige" (a hyphen between letters joins)
        (27, 30, (26, 31)),  # the comma after "keuze" is not part of the word
        (33, 35, (33, 37)),  # "echt" ends before the "!"
        (0, 1, (0, 2)),  # at the text's start
        (43, 45, (40, 45)),  # at the text's end, after the full stop
        (0, 45, (0, 45)),  # the whole text
        (38, 41, (40, 44)),  # the space edges are left out, then "Goed" is snapped
        (38, 40, (38, 40)),  # only spaces: nothing to snap to, left as typed
        (5, 2, (5, 2)),  # a span that does not fit comes back as typed
        (40, 99, (40, 99)),
    ],
)
def test_snap_to_words(start, end, expected):
    assert snap_to_words(TEXT, start, end) == expected


def test_snap_to_words_never_leaves_the_text():
    text = "één woord"
    for start in range(len(text)):
        for end in range(start + 1, len(text) + 1):
            new_start, new_end = snap_to_words(text, start, end)
            assert 0 <= new_start < new_end <= len(text)
            assert text[start:end].strip() in text[new_start:new_end]


def test_match_codes_by_part_of_a_name():
    names = ["Cliënt", "Cliëntgroep", "Woning", "Steungroep"]
    assert match_codes(names, "groep") == ["Cliëntgroep", "Steungroep"]
    assert match_codes(names, "CLIENT") == ["Cliënt"]  # accents and case ignored; exact wins
    assert match_codes(names, "clientg") == ["Cliëntgroep"]
    assert match_codes(names, "geld") == [] and match_codes(names, "  ") == []
