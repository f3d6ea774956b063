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
    """A read-only connection to the project's file, for tests that check what is stored
    (on the PostgreSQL engine: a connection to its database that answers the same way)."""
    from qualcode.store.postgres import ServerAddress

    if isinstance(project.path, ServerAddress):
        from qualcode.store.db import Database

        return Database.open(project.path.url, read_only=True).connection
    connection = sqlite3.connect(f"file:{project.path}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    return connection


# -- both engines --------------------------------------------------------------------------------
# The store and API tests run on SQLite and on PostgreSQL: each test of these modules gets an
# ``engine`` parameter; on "postgresql" every project it creates as a file is made on the
# tests' own server (tests/pg_support.py). A test that is about files only is marked
# ``sqlite_only`` with its reason.
ENGINE_MODULES = {
    "test_store", "test_facade", "test_review", "test_review_queue", "test_review_candidates",
    "test_session", "test_codebook", "test_coding_cli", "test_mechanisms", "test_exports",
    "test_agreement", "test_blind", "test_snapshot", "test_participants", "test_ingest",
    "test_suggest", "test_topics", "test_cmocs", "test_refi_project", "test_cli", "test_refi_roundtrip",
    "test_hostile_inputs", "test_agree_cli", "test_evaluate", "test_readable_exports", "test_hostile_exports",
    "test_suggest_scale",
}  # fmt: skip


def pytest_addoption(parser):
    parser.addoption(
        "--engine", action="append", choices=("sqlite", "postgresql"),
        help="run the store and API tests on this engine only (repeatable; default: both)",
    )  # fmt: skip


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only(reason): a test about the project file itself")


def pytest_generate_tests(metafunc):
    if metafunc.module.__name__.rsplit(".", 1)[-1] not in ENGINE_MODULES:
        return
    engines = metafunc.config.getoption("engine") or ["sqlite", "postgresql"]
    if "engine" not in metafunc.fixturenames:
        metafunc.fixturenames.append("engine")
    metafunc.parametrize("engine", engines, indirect=True)


@pytest.fixture(autouse=True)
def engine(request, monkeypatch):
    """The store engine of this test: "sqlite" (files) or "postgresql" (the test server)."""
    name = getattr(request, "param", "sqlite")
    if name == "postgresql":
        marker = request.node.get_closest_marker("sqlite_only")
        if marker:
            pytest.skip(f"SQLite only: {marker.args[0] if marker.args else 'about the project file'}")
        from tests.pg_support import Redirect

        Redirect(request.getfixturevalue("pg_server")).install(monkeypatch)
    return name


from tests.pg_support import pg_server  # noqa: E402, F401  (the tests' own PostgreSQL server)
from tests.web_support import browser  # noqa: E402, F401  (a session fixture for the workbench tests)
