"""Progress bars: on a terminal every long step draws one on stderr; piped, nothing changes.

The terminal is faked by replacing the check the bars use (``stderr_is_terminal``); the
CliRunner's streams are no terminal, so a plain run is the piped case. The library's
callbacks are checked on their own: counts that grow and reach the total.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from qualcode import Project
from qualcode.cli import main
from qualcode.cli._util import Bar, progress_bar, steps_bar
from qualcode.coding.session import ReviewSession
from qualcode.study import run_study
from tests.conftest import write
from tests.test_coding_cli import BOOK, one_interview_project
from tests.test_review_queue import BOOK as REVIEW_BOOK
from tests.test_review_queue import SENTENCES as REVIEW_SENTENCES
from tests.test_study import STUDY

BAR = re.compile(r"\[[#-]+\] \d+/\d+")
SECONDS = re.compile(r"\b\d+\.\d+ s\b")


@pytest.fixture
def terminal(monkeypatch):
    """Make the bars believe stderr is a terminal."""
    monkeypatch.setattr("qualcode.cli._util.stderr_is_terminal", lambda: True)


def invoke(*args, input=None):
    result = CliRunner().invoke(main, [str(a) for a in args], input=input)
    assert result.exit_code == 0, result.output
    return result


def assert_counts(calls: list[tuple], total: int | None = None) -> None:
    """``(done, total[, stage])`` calls: one total, ``done`` growing from 0 to it."""
    assert calls, "the callback was never called"
    totals = {call[1] for call in calls}
    assert len(totals) == 1 and (total is None or totals == {total})
    done = [call[0] for call in calls]
    assert done[0] == 0 and done == sorted(done) and len(set(done)) == len(done)
    assert done[-1] == calls[-1][1]


def same_stdout(piped, shown, piped_dir, shown_dir) -> None:
    """The bar changed nothing on stdout (paths of the two folders aside), and only the
    terminal run has one on stderr."""

    def plain(result, folder):  # the folder and the seconds a step took differ between runs
        return SECONDS.sub("N s", result.stdout.replace(str(folder), "DIR"))

    assert plain(piped, piped_dir) == plain(shown, shown_dir)
    assert not BAR.search(piped.stderr) and "\r" not in piped.stderr
    assert "\r" not in shown.stdout and not BAR.search(shown.stdout)


# -- the bar itself --------------------------------------------------------------------------


def test_piped_there_is_no_bar(capsys):
    with steps_bar("working") as bar:
        assert bar is None
    with progress_bar(10, "working") as advance:
        advance(3)
    assert capsys.readouterr().err == ""


def test_on_a_terminal_the_bar_shows_stage_and_count_then_goes(terminal, capsys):
    with steps_bar("working") as bar:
        bar(0, 3, "reading")
        bar(1, 3, "writing")
        bar.echo("a line on stdout")
        bar(3, 3, "done")
    out = capsys.readouterr()
    assert "working [" in out.err and "0/3  reading" in out.err and "1/3  writing" in out.err
    assert out.out == "a line on stdout\n"
    assert out.err.endswith("\r\x1b[K")  # taken off its line at the end


def test_a_counting_bar_advances(terminal, capsys):
    with progress_bar(4, "importing") as advance:
        for _ in range(4):
            advance(1)
    err = capsys.readouterr().err
    assert "importing [" in err and "0/4" in err and err.endswith("\r\x1b[K")


def test_a_bar_comes_back_after_it_was_done(terminal, capsys):
    bar = Bar("retraining")
    bar(0, 2, "learning")
    bar(2, 2, "done")
    bar(0, 2, "learning again")
    assert "0/2  learning again" in capsys.readouterr().err


# -- commands ----------------------------------------------------------------------------------


def _interviews(folder):
    folder.mkdir(parents=True)
    return [
        write(folder / f"{name}.txt", f"I: Vraag?\nR: Ik ben {name}. De steungroep helpt.\n")
        for name in "abc"
    ]


def _twice(tmp_path, monkeypatch, make, *commands, input=None):
    """Each command (a tuple of arguments; ``{p}`` the project ``make(folder)`` returns,
    ``{dir}`` the folder) piped and on a terminal, each on its own copy of the same state;
    checks that stdout is the same and returns the terminal runs' results."""
    runs = {}
    for name in ("piped", "shown"):
        folder = tmp_path / name
        project = make(folder)
        with monkeypatch.context() as patch:
            if name == "shown":
                patch.setattr("qualcode.cli._util.stderr_is_terminal", lambda: True)
            runs[name] = [
                invoke(*(str(a).replace("{p}", str(project)).replace("{dir}", str(folder)) for a in args),
                       input=input)
                for args in commands
            ]  # fmt: skip
    for piped, shown in zip(runs["piped"], runs["shown"], strict=True):
        same_stdout(piped, shown, tmp_path / "piped", tmp_path / "shown")
    return runs["shown"]


def test_import_and_segment_show_a_bar(tmp_path, monkeypatch):
    def made(folder):
        _interviews(folder / "in")
        invoke("init", folder / "p.qc")
        return folder / "p.qc"

    imported, segmented = _twice(
        tmp_path, monkeypatch, made, ("import", "{p}", "{dir}/in"), ("segment", "{p}")
    )
    assert "importing [" in imported.stderr and "segmenting [" in segmented.stderr


def test_suggest_shows_its_stages(tmp_path, monkeypatch):
    made = lambda folder: one_interview_project(_mkdir(folder), ("a", "b"))  # noqa: E731
    (shown,) = _twice(tmp_path, monkeypatch, made, ("suggest", "{p}", "--suggester", "lexical"))
    assert "suggesting [" in shown.stderr and "fitting" in shown.stderr


def test_export_shows_its_stages(tmp_path, monkeypatch):
    def made(folder):
        return one_interview_project(_mkdir(folder), ("a", "b"))

    for fmt, target in (("md", "report.md"), ("xlsx", "f.xlsx"), ("qdpx", "p.qdpx")):
        command = ("export", "{p}", "--format", fmt, "-o", f"{{dir}}/{target}")
        (shown,) = _twice(tmp_path / fmt, monkeypatch, made, command)
        assert "exporting [" in shown.stderr and f"writing {fmt}" in shown.stderr


def test_run_shows_a_bar_over_the_steps(tmp_path, monkeypatch):
    def made(folder):
        (folder / "interviews").mkdir(parents=True)
        write(folder / "interviews" / "a.txt", "I: Vraag?\nR: De steungroep helpt. Ik wil een eigen huis.\n")
        write(folder / "book.yaml", BOOK)
        return write(folder / "study.yaml", STUDY)

    (shown,) = _twice(tmp_path, monkeypatch, made, ("run", "{p}"))
    assert "running [" in shown.stderr and "0/6  import" in shown.stderr and "5/6  export md" in shown.stderr
    assert shown.stdout.count("ran     ") == 6


def test_topics_shows_its_stages(tmp_path, monkeypatch):
    pytest.importorskip("bertopic")
    from tests.test_topics import _corpus

    def made(folder):
        folder.mkdir(parents=True)
        for n, part in enumerate(_corpus()):
            write(folder / f"int{n}.txt", "".join(f"R: {sentence}\n" for _, sentence in part))
        invoke("init", folder / "t.qc")
        invoke("import", folder / "t.qc", *sorted(folder.glob("*.txt")))
        invoke("segment", folder / "t.qc")
        return folder / "t.qc"

    (shown,) = _twice(tmp_path, monkeypatch, made, ("topics", "{p}", "--n-topics", "3"))
    assert "topics [" in shown.stderr and "fitting topics" in shown.stderr


def _review_project(folder):
    """Six interviews with ensemble suggestions (as tests/test_review_queue.py makes them)."""
    folder.mkdir(parents=True)
    paths = []
    for n in range(6):
        turns = "".join(
            f"I: Vraag {i}?\nR: {REVIEW_SENTENCES[(n + i) % len(REVIEW_SENTENCES)]}\n" for i in range(16)
        )
        paths.append(write(folder / f"int{n}.txt", turns))
    path = folder / "p.qc"
    invoke("init", path)
    invoke("import", path, *paths)
    invoke("segment", path)
    invoke("codebook", "load", path, write(folder / "b.yaml", REVIEW_BOOK))
    invoke("suggest", path, "--min-score", "0.2")
    return path


def test_review_shows_a_bar_while_retraining(tmp_path, monkeypatch):
    command = ("review", "{p}", "--coder", "anna", "--batch", "3")
    (shown,) = _twice(tmp_path, monkeypatch, _review_project, command, input="rrrrq")
    assert "retraining [" in shown.stderr and "learning from 3 decisions" in shown.stderr


# -- library callbacks -------------------------------------------------------------------------


def test_import_and_segment_count_to_the_total(tmp_path):
    paths = _interviews(tmp_path / "in")
    with Project.create(tmp_path / "p.qc") as project:
        steps = []
        project.import_transcripts(paths, progress=steps.append)
        assert steps == [1, 1, 1] and sum(steps) == project.count_importable(paths)
        steps.clear()
        project.segment(progress=steps.append)
        assert sum(steps) == project.source_count() == 3


def test_suggest_tells_each_stage(tmp_path):
    calls = []
    with Project.open(one_interview_project(tmp_path)) as project:
        project.suggest("lexical", 0.3, progress=lambda *call: calls.append(call))
        segments = project.status()["segments"]["sentence"]
    assert_counts(calls, segments + 3)  # reading, fitting, one per segment, recording
    assert [c[2] for c in calls] == [
        "reading the project",
        "fitting",
        "suggesting",
        "recording the run",
        "done",
    ]
    assert calls[3][0] == segments + 2  # every segment scored before the run is recorded


def test_export_tells_each_stage(tmp_path):
    with Project.open(one_interview_project(tmp_path)) as project:
        for fmt, target in (("csv", "tables"), ("html", "r.html"), ("qdc", "b.qdc"), ("realist", "r.md")):
            calls = []
            project.export(fmt, tmp_path / target, progress=lambda *call, calls=calls: calls.append(call))
            assert_counts(calls, 2)
            assert calls[0][2] == f"writing {fmt}"


def test_topics_tell_each_stage(tmp_path):
    pytest.importorskip("bertopic")
    from tests.test_topics import _corpus

    folder = tmp_path / "in"
    folder.mkdir()
    for n, part in enumerate(_corpus()):
        write(folder / f"int{n}.txt", "".join(f"R: {sentence}\n" for _, sentence in part))
    calls = []
    with Project.create(tmp_path / "t.qc") as project:
        project.import_transcripts([folder])
        project.segment("sentence")
        project.topics(n_topics=3, progress=lambda *call: calls.append(call))
    assert_counts(calls, 4)
    assert calls[2][2] == "fitting topics" and calls[-1][2] == "done"


def test_run_study_tells_each_step(tmp_path):
    (tmp_path / "interviews").mkdir()
    write(tmp_path / "interviews" / "a.txt", "I: Vraag?\nR: De steungroep helpt. Ik wil een eigen huis.\n")
    write(tmp_path / "book.yaml", BOOK)
    study = write(tmp_path / "study.yaml", STUDY)
    calls, lines = [], []
    report = run_study(study, progress=lines.append, steps=lambda *call: calls.append(call))
    assert_counts(calls, 6)
    assert [c[2] for c in calls[:-1]] == [step.name for step in report.steps] == [line.name for line in lines]
    again = []
    run_study(study, steps=lambda *call: again.append(call))  # skipped steps are counted too
    assert again == calls


def test_the_review_session_tells_retraining(tmp_path):
    calls = []
    with Project.open(_review_project(tmp_path / "r")) as project:
        session = ReviewSession(project, "anna", retrain_every=2, progress=lambda *call: calls.append(call))
        session.reject()
        assert calls == []
        assert session.reject() is not None  # retrained
    assert_counts(calls, 2)
    assert calls[0][2] == "learning from 2 decisions" and calls[1][2] == "reloading the queue"


def _mkdir(folder):
    folder.mkdir(parents=True, exist_ok=True)
    return folder
