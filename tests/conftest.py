"""Shared fixtures: projects in temporary folders, cached spaCy pipelines, file builders."""

from __future__ import annotations

import contextlib
import sqlite3
import warnings
import zipfile
from pathlib import Path

import pytest

from qualcode import Project

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
TRANSCRIPTS = REPO / "transcripts"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared (test data) is not beside the repo")


@pytest.fixture
def project(tmp_path) -> Project:
    proj = Project.create(tmp_path / "study.qc")
    yield proj
    proj.close()


@pytest.fixture(scope="session")
def dutch_nlp():
    from qualcode.nlp import load_pipeline

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_pipeline("nl")[0]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def make_docx(path: Path, paragraphs: list[list[tuple[str, bool]]]) -> Path:
    """A minimal .docx: each paragraph a list of (text, bold) runs."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(
        "<w:p>"
        + "".join(
            f"<w:r>{'<w:rPr><w:b/></w:rPr>' if bold else ''}"
            f'<w:t xml:space="preserve">{_xml_escape(text)}</w:t></w:r>'
            for text, bold in runs
        )
        + "</w:p>"
        for runs in paragraphs
    )
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>'
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document)
    return path


def make_odt(path: Path, paragraphs: list[str]) -> Path:
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    body = "".join(f"<text:p>{_xml_escape(p).replace('  ', ' <text:s/>')}</text:p>" for p in paragraphs)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{office}" '
        f'xmlns:text="{text_ns}"><office:body><office:text>{body}</office:text></office:body>'
        "</office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", content)
    return path


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@contextlib.contextmanager
def second_connection(project: Project):
    """A second connection to the project's file (as another process would open it), for
    tests that build unusual states or look at tables no public method shows."""
    from qualcode.store.db import Database

    db = Database.open(project.path)
    try:
        yield db
    finally:
        db.close()


def add_suggestions(project: Project, rows: list[tuple], kind: str = "suggest") -> int:
    """Store a suggest run by hand: rows of (source, start, end, code, score); returns the run."""
    from qualcode.store import codes, runs, sources, suggestions

    with second_connection(project) as db, db.transaction() as conn:
        run = runs.start_run(conn, kind, {"suggester": "ensemble"}, {})
        ids = codes.code_ids(conn)
        suggestions.insert_suggestions(
            conn,
            [
                (
                    run,
                    sources.source_id(conn, source),
                    start,
                    end,
                    None,
                    ids[code],
                    "ensemble",
                    "2",
                    score,
                    "",
                    1,
                    1,
                )
                for source, start, end, code, score in rows
            ],
        )
        runs.finish_run(conn, run, {})
    return run


def read_only(project: Project) -> sqlite3.Connection:
    """A read-only connection to the project's file, for tests that check what is stored."""
    connection = sqlite3.connect(f"file:{project.path}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    return connection


from tests.web_support import browser  # noqa: E402, F401  (a session fixture for the workbench tests)
