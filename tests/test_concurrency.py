"""Crashes, two writers at once, locks, the write-ahead log and unusual project files.

Each test here fails when its protection is removed (checked by hand once, see the closing
note of the hardening issue): the per-decision checkpoint, BEGIN IMMEDIATE, the busy timeout,
the one-line lock message, the read-only check of foreign files and the backup cleanup.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from qualcode import Project, ProjectError
from tests.conftest import read_only, write
from tests.test_cli import run
from tests.test_coding_cli import BOOK

SENTENCES = ["De steungroep helpt mij.", "Ik wil een eigen huis.", "Mijn zus zit in de steungroep."]


@pytest.fixture
def suggested(tmp_path):
    """A project with about 200 pending lexical suggestions."""
    for name in ("a", "b"):
        turns = "".join(f"I: Vraag {i}?\nR: {SENTENCES[i % 3]} Zin {i}.\n" for i in range(100))
        write(tmp_path / f"{name}.txt", turns)
    path = tmp_path / "p.qc"
    run("init", path)
    run("import", path, tmp_path / "a.txt", tmp_path / "b.txt")
    run("segment", path)
    run("codebook", "load", path, write(tmp_path / "b.yaml", BOOK))
    with Project.open(path) as project:
        project.suggest("lexical", min_score=0.0)
        assert len(project.reviewer("x").pending()) >= 150
    return path


def _child(code: str, **env) -> subprocess.Popen:
    """A Python child process running ``code`` (it prints what it has done, line by line)."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


ACCEPT_ALL = """
    import sys
    from qualcode import Project
    with Project.open(sys.argv[1] if len(sys.argv) > 1 else {path!r}) as project:
        reviewer = project.reviewer({coder!r})
        items = reviewer.pending(order="source")[{start}::{step}]
        for item in items:
            reviewer.accept(item.id)
            print(item.id, flush=True)  # acknowledged: the call returned
"""


def _decided(path) -> set[int]:
    connection = sqlite3.connect(path)
    try:
        return {
            r[0] for r in connection.execute("SELECT suggestion_id FROM decisions WHERE action = 'accept'")
        }
    finally:
        connection.close()


def test_a_killed_review_keeps_every_acknowledged_decision_in_the_file_itself(suggested, tmp_path):
    child = _child(ACCEPT_ALL.format(path=str(suggested), coder="anna", start=0, step=1))
    acknowledged = []
    while len(acknowledged) < 40:
        line = child.stdout.readline()
        assert line, child.stderr.read()
        acknowledged.append(int(line))
    child.send_signal(signal.SIGKILL)
    child.wait()
    # The project file alone, copied as a user copies it (without its -wal file), holds
    # every decision the child had acknowledged.
    copy = tmp_path / "copied.qc"
    shutil.copyfile(suggested, copy)
    assert set(acknowledged) <= _decided(copy)
    assert set(acknowledged) <= _decided(suggested)


def test_two_coders_deciding_at_once_lose_nothing_and_fail_nothing(suggested):
    children = [
        _child(ACCEPT_ALL.format(path=str(suggested), coder=coder, start=start, step=2))
        for coder, start in (("anna", 0), ("bob", 1))
    ]
    outputs = [child.communicate(timeout=120) for child in children]
    for child, (_, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
    acknowledged = {int(line) for out, _ in outputs for line in out.split()}
    assert len(acknowledged) >= 150
    assert acknowledged == _decided(suggested)


HOLD_THE_LOCK = """
    import time
    from qualcode.store.db import Database
    db = Database.open({path!r})
    with db.transaction() as conn:
        conn.execute("INSERT INTO project_meta (key, value) VALUES ('holder', 'x')")
        print("holding", flush=True)
        time.sleep({seconds})
    db.close()
"""


def test_a_decision_waits_for_another_writer(suggested):
    holder = _child(HOLD_THE_LOCK.format(path=str(suggested), seconds=2))
    assert holder.stdout.readline().strip() == "holding"
    with Project.open(suggested) as project:
        item = project.reviewer("anna").pending()[0]
        started = time.perf_counter()
        project.reviewer("anna").accept(item.id)
        waited = time.perf_counter() - started
    holder.wait(timeout=30)
    assert item.id in _decided(suggested)
    assert waited > 0.5  # it did wait for the holder, and then stored the decision


def test_a_lock_that_lasts_gives_one_line(suggested):
    holder = _child(HOLD_THE_LOCK.format(path=str(suggested), seconds=5))
    assert holder.stdout.readline().strip() == "holding"
    command = [sys.executable, "-m", "qualcode.cli", "code", str(suggested), "a", "0", "5", "Woning"]
    result = subprocess.run(
        [*command, "--coder", "anna"],
        capture_output=True,
        text=True,
        env={**os.environ, "QUALCODE_BUSY_TIMEOUT": "0.3"},
    )
    holder.wait(timeout=30)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: another qualcode command is writing {suggested}; try again when it has finished"
    ]


def test_closing_leaves_one_file(suggested):
    with Project.open(suggested) as project:
        project.reviewer("anna").accept(project.reviewer("anna").pending()[0].id)
    assert not suggested.with_name(suggested.name + "-wal").exists()


def test_status_says_when_the_wal_holds_pages(suggested):
    keeper = sqlite3.connect(suggested)  # another program holding the file open
    keeper.execute("PRAGMA wal_autocheckpoint = 0")
    keeper.execute("INSERT INTO project_meta (key, value) VALUES ('pending', 'x')")
    keeper.commit()  # committed, but only in the -wal file while the keeper has it open
    try:
        out = run("status", suggested).output
        assert "-wal holds" in out and "qualcode backup" in out
    finally:
        keeper.close()


def test_backup_copies_a_project_in_use(suggested, tmp_path):
    with Project.open(suggested) as project:
        project.reviewer("anna").accept(project.reviewer("anna").pending()[0].id)
        run("backup", suggested, tmp_path / "copy.qc")
    with Project.open(tmp_path / "copy.qc") as copy:
        assert copy.decision_count() == 1
    refused = run("backup", suggested, tmp_path / "copy.qc", ok=False)
    assert "already exists" in refused.output


def test_a_failed_backup_leaves_no_file(suggested, tmp_path):
    with Project.open(suggested) as project, pytest.raises(ProjectError, match="cannot copy"):
        project.backup(tmp_path / "missing-folder" / "copy.qc")
    assert not (tmp_path / "missing-folder").exists()


def test_read_only_commands_do_not_write(suggested):
    before = suggested.read_bytes()
    for command in (["status"], ["segments"], ["codebook", "show"], ["mechanisms", "cooccurrence"]):
        run(*command, suggested)
    assert suggested.read_bytes() == before
    with (
        Project.open(suggested, read_only=True) as project,
        pytest.raises(ProjectError, match="reading only"),
    ):
        project.add_memo("project", None, "anna", "note")


def test_another_programs_database_is_not_touched(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    before = path.read_bytes()
    result = run("status", path, ok=False)
    assert "not a qualcode project" in result.output
    assert path.read_bytes() == before
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_a_damaged_project_gives_one_line(suggested):
    data = bytearray(suggested.read_bytes())
    data[200:4096] = b"\xff" * (4096 - 200)  # the schema page
    suggested.write_bytes(bytes(data))
    result = run("status", suggested, ok=False)
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "Error:" in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write a read-only file")
def test_a_read_only_project_gives_one_line(suggested):
    suggested.chmod(0o444)
    result = run("code", suggested, "a", "0", "5", "Woning", "--coder", "anna", ok=False)
    assert "cannot be written" in result.output


def test_read_only_connection_sees_committed_decisions(suggested):
    with Project.open(suggested) as project:
        item = project.reviewer("anna").pending()[0]
        project.reviewer("anna").accept(item.id)
        assert read_only(project).execute("SELECT COUNT(*) FROM decisions").fetchone()[0] == 1


def test_a_failed_migration_leaves_no_backup(tmp_path, monkeypatch):
    from qualcode.store import db as db_module
    from qualcode.store.schema import MIGRATIONS, Migration

    path = tmp_path / "old.qc"
    with contextlib.closing(sqlite3.connect(path)) as conn:  # a project from before the first migration
        conn.execute(f"PRAGMA application_id = {db_module.APPLICATION_ID}")
    broken = (*MIGRATIONS[:-1], Migration("broken", ("CREATE TABLE no_such (x REFERENCES",)))
    monkeypatch.setattr(db_module, "MIGRATIONS", broken)
    for _ in range(3):
        with pytest.raises(ProjectError):
            Project.open(path)
    # The first attempt applied the good migrations: its copy of the original is kept. The
    # later attempts changed nothing, so they leave no copy of their own.
    assert [p.name.split("-")[1] for p in tmp_path.glob("old.qc.backup-*")] == ["v0"]
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) - 1
