import contextlib
import sqlite3

import pytest

from qualcode import Project, ProjectError
from qualcode.store.db import APPLICATION_ID, Database
from qualcode.store.schema import SCHEMA_VERSION
from tests.conftest import second_connection


def test_create_sets_up_schema_wal_and_foreign_keys(tmp_path):
    db = Database.create(tmp_path / "a.qc")
    with contextlib.closing(db.connection) as conn:
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    expected = {"sources", "cases", "attributes", "case_attributes", "participants", "speakers", "turns"}
    expected |= {"segments", "codes", "codings", "suggestions", "memos", "runs", "schema_migrations"}
    assert expected <= names


def test_create_refuses_an_existing_file(tmp_path):
    (tmp_path / "a.qc").write_text("keep me")
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(tmp_path / "a.qc")
    assert (tmp_path / "a.qc").read_text() == "keep me"


def test_open_refuses_a_text_file(tmp_path):
    (tmp_path / "notes.qc").write_text("just some notes")
    with pytest.raises(ProjectError, match=r"notes.qc is not a qualcode project \(not an SQLite file\)"):
        Project.open(tmp_path / "notes.qc")


def test_open_refuses_another_programs_database(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(ProjectError, match="an SQLite file but not a qualcode project"):
        Project.open(path)


def test_open_refuses_a_newer_schema_and_leaves_it_alone(tmp_path):
    path = tmp_path / "new.qc"
    Project.create(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="written by a newer qualcode"):
        Project.open(path)
    assert path.read_bytes() == before


def test_an_older_file_is_backed_up_then_migrated(tmp_path):
    path = tmp_path / "old.qc"
    with sqlite3.connect(path) as conn:  # a project from before the first migration
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    with Project.open(path) as proj:
        assert proj.status()["schema_version"] == SCHEMA_VERSION
    backups = list(tmp_path.glob("old.qc.backup-v0-*"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0


def test_open_missing_file_says_how_to_create(tmp_path):
    with pytest.raises(ProjectError, match="no such project file; create one with: qualcode init"):
        Project.open(tmp_path / "missing.qc")


def test_transaction_rolls_back_on_error(tmp_path):
    db = Database.create(tmp_path / "study.qc")
    with pytest.raises(RuntimeError), db.transaction() as conn:
        conn.execute("INSERT INTO cases (name) VALUES ('c1')")
        raise RuntimeError("boom")
    assert db.connection.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 0
    db.close()


def test_foreign_keys_are_enforced(project):
    with pytest.raises(sqlite3.IntegrityError), second_connection(project) as db:
        db.connection.execute('INSERT INTO turns (source_id, position, start, "end") VALUES (999, 0, 0, 1)')
