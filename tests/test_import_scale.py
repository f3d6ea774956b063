"""A large import reads each file twice (to check, then to store) instead of holding every
transcript in memory; the result is the same, and a file that changes in between is refused."""

from __future__ import annotations

from contextlib import closing

import pytest

from qualcode import Project
from qualcode.errors import InputError
from qualcode.ingest import importer
from qualcode.store.db import Database
from tests.conftest import write

TEXT = "I: Hoe gaat het?\n\nR: Goed. Ik woon nu in Zwolle.\n\nI: En verder?\n\nR: Mijn zus helpt.\n"


def _files(folder):
    folder.mkdir()
    return [write(folder / f"int{n}.txt", TEXT.replace("Zwolle", f"Zwolle {n}")) for n in range(3)]


def _sources(project):
    with closing(Database.open(project.path)) as db:
        rows = db.connection.execute("SELECT name, text, format FROM sources ORDER BY name")
        return [tuple(r) for r in rows]


def test_a_large_import_stores_what_a_small_one_stores(tmp_path, monkeypatch):
    paths = _files(tmp_path / "in")
    with Project.create(tmp_path / "small.qc") as small:
        small.import_transcripts(paths)
        expected = _sources(small), small.status()["counts"]["turns"]
    monkeypatch.setattr(importer, "KEEP_BYTES", 0)
    read = []
    original = importer.read_transcript
    monkeypatch.setattr(
        importer, "read_transcript", lambda path, known: read.append(path) or original(path, known)
    )
    with Project.create(tmp_path / "large.qc") as large:
        large.import_transcripts(paths)
        assert (_sources(large), large.status()["counts"]["turns"]) == expected
    assert sorted(read) == sorted(paths * 2)  # checked, then read again to store


def test_a_file_that_changes_between_the_two_readings_stores_nothing(tmp_path, monkeypatch):
    paths = _files(tmp_path / "in")
    monkeypatch.setattr(importer, "KEEP_BYTES", 0)
    original, seen = importer.read_transcript, []

    def read_and_change(path, known):
        transcript = original(path, known)
        seen.append(path)
        if len(seen) == len(paths):  # all checked: someone edits the first file now
            paths[0].write_text(TEXT.replace("zus", "broer"), encoding="utf-8")
        return transcript

    monkeypatch.setattr(importer, "read_transcript", read_and_change)
    with Project.create(tmp_path / "p.qc") as project:
        with pytest.raises(InputError, match="changed while it was being imported") as error:
            project.import_transcripts(paths)
        assert str(paths[0]) in str(error.value)
        assert project.source_count() == 0
