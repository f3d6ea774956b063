"""Segmenting in worker processes gives what one process gives, and says why when it cannot."""

import sqlite3
import sys
import sysconfig
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode import Project, QualcodeError
from qualcode import segment_workers as workers_module
from qualcode.cli import main
from qualcode.segment import TurnSpan, Unit
from qualcode.segment_workers import parallel_pieces, worker_count

EXAMPLE = Path(workers_module.__file__).parent / "example" / "transcripts"


def stored(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            'SELECT id, source_id, turn_id, unit, position, start, "end", norm, lemmas FROM segments ORDER BY id'
        ).fetchall()


@pytest.fixture
def imported(tmp_path):
    """Two copies of a project with the example transcripts, not yet segmented."""
    paths = [tmp_path / "one.qc", tmp_path / "many.qc"]
    for path in paths:
        with Project.create(path) as proj:
            proj.import_transcripts(sorted(EXAMPLE.glob("*.txt")))
    return paths


def test_workers_give_the_same_segments_as_one_process(imported, monkeypatch):
    one, many = imported
    # Small chunks: several chunks per worker, so that the order of the results is tested.
    monkeypatch.setattr(workers_module, "CHUNK_CHARS", 3000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for unit in ("sentence", "window"):
            with Project.open(one) as proj:
                alone = proj.segment(unit=unit, workers=1)
            with Project.open(many) as proj:
                shared = proj.segment(unit=unit, workers=2)
            assert (alone.workers, shared.workers) == (1, 2)
            assert (shared.segments, shared.turns, shared.sources) == (
                alone.segments,
                alone.turns,
                alone.sources,
            )
    rows = stored(one)
    assert len(rows) > 100
    assert stored(many) == rows


def test_the_command_says_it_used_workers(imported):
    result = CliRunner().invoke(main, ["segment", str(imported[1]), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "2 worker processes" in result.output
    result = CliRunner().invoke(main, ["segment", str(imported[1]), "--workers", "0"])
    assert result.exit_code == 1
    assert "--workers must be at least 1" in result.output


def test_how_many_workers(monkeypatch):
    import types

    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))  # as in a notebook
    monkeypatch.setattr(
        workers_module.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 4, 5, 6, 7}, raising=False
    )
    large = workers_module.PARALLEL_MIN_CHARS
    assert worker_count(None, large) == workers_module.MAX_WORKERS
    assert worker_count(None, large - 1) == 1  # a small project: starting workers costs more
    assert worker_count(3, 10) == 3  # asked for
    monkeypatch.setattr(workers_module.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert worker_count(None, large) == 1  # one core


def test_a_script_of_the_users_gets_workers_only_when_it_asks(monkeypatch, tmp_path):
    """A spawned worker imports the program's __main__ again; a script without the
    if __name__ == "__main__": guard would run again in it."""
    import types

    monkeypatch.setattr(workers_module.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    large = workers_module.PARALLEL_MIN_CHARS
    script = types.ModuleType("__main__")
    script.__file__ = str(tmp_path / "analysis.py")
    script.__spec__ = None
    monkeypatch.setitem(sys.modules, "__main__", script)
    assert worker_count(None, large) == 1
    assert worker_count(2, large) == 2  # asked for: the script has the guard
    notebook = types.ModuleType("__main__")  # no file: a notebook, the REPL, python -c
    monkeypatch.setitem(sys.modules, "__main__", notebook)
    assert worker_count(None, large) == 2
    command = types.ModuleType("__main__")
    command.__file__ = str(Path(sysconfig.get_path("scripts")) / "qualcode")
    command.__spec__ = None
    monkeypatch.setitem(sys.modules, "__main__", command)
    assert worker_count(None, large) == 2
    with pytest.raises(QualcodeError, match="at least 1"):
        worker_count(0, large)


def test_a_pipeline_made_elsewhere_is_used_in_this_process(imported, monkeypatch):
    """Workers load the pipeline again, so they need one that ``load_pipeline`` made."""
    import spacy

    from qualcode.nlp import PipelineInfo
    from qualcode.segment import segment_project
    from qualcode.store.db import Database

    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    info = PipelineInfo("nl", "custom", spacy.__version__, False)
    monkeypatch.setattr(workers_module, "PARALLEL_MIN_CHARS", 0)  # large enough for workers
    db = Database.open(imported[0])
    try:
        with pytest.raises(QualcodeError, match="needs a pipeline loaded by"):
            segment_project(db, Unit(), nlp, info, workers=2)
        report = segment_project(db, Unit(), nlp, info)  # nothing asked: this process
    finally:
        db.close()
    assert report.workers == 1
    assert report.segments > 100


def test_a_worker_that_cannot_start_is_an_error_not_a_hang():
    text = "Ik woon hier. Het gaat goed."
    turns = [TurnSpan(1, 1, text, 0, len(text))]
    wrong = {"language": "nl", "model": "another", "model_version": "0", "trained": True}
    with pytest.raises(QualcodeError, match="worker process stopped"):
        list(parallel_pieces(turns, Unit(), ("nl", None), wrong, 1))
