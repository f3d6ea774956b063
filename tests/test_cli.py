"""The command line: the whole flow, exact error messages, and nothing changed on failure."""

import csv
import hashlib
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from qualcode import Project
from qualcode.cli import main
from tests.conftest import make_docx, read_only, write

INTERVIEW = "I: Hoe gaat het met je netwerk?\n\nR: Mijn zus helpt me. Ik bel haar elke zondag 😀.\n\nDat geeft rust.\n"


def run(*args, ok=True, input=None):
    result = CliRunner().invoke(main, [str(a) for a in args], input=input)
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def study(tmp_path):
    folder = tmp_path / "transcripts"
    folder.mkdir()
    write(folder / "marco.txt", INTERVIEW)
    write(folder / "ellen.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Lotte>Vraag?\n\n"
          "00:00:02.000 --> 00:00:05.000\n<v Ellen>Ik ben zijn zus. Ik help graag.\n")  # fmt: skip
    write(folder / "participants.csv", "speaker,source,case,role,city\nR,marco,C01,client,Amsterdam\n"
          "Ellen,,C02,naaste,Almere\nLotte,,,interviewer,\n")  # fmt: skip
    write(folder / "README.md", "# Fictional interviews\n")
    project = tmp_path / "study.qc"
    run("init", project)
    return project, folder


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_full_flow(study):
    project, folder = study
    result = run("import", project, folder, "--participants", folder / "participants.csv")
    assert "imported 2 sources: ellen, marco" in result.output
    assert "documentation, not a transcript" in result.output
    result = run("segment", project, "--unit", "sentence")
    assert "5 sentence segments from 2 turns in 2 sources (2 interviewer turns left out" in result.output
    status = json.loads(run("status", project, "--json").output)
    assert status["counts"]["sources"] == 2 and status["counts"]["cases"] == 2
    assert status["roles"] == {"client": 1, "interviewer": 2, "naaste": 1}
    rows = list(csv.DictReader(io.StringIO(run("segments", project).output)))
    assert [(r["source"], r["speaker"], r["role"], r["text"]) for r in rows] == [
        ("ellen", "Ellen", "naaste", "Ik ben zijn zus."),
        ("ellen", "Ellen", "naaste", "Ik help graag."),
        ("marco", "R", "client", "Mijn zus helpt me."),
        ("marco", "R", "client", "Ik bel haar elke zondag 😀."),
        ("marco", "R", "client", "Dat geeft rust."),  # a continuation paragraph of R's turn
    ]
    lines = run("segments", project, "--format", "jsonl", "--unit", "sentence").output.splitlines()
    assert json.loads(lines[0])["text"] == "Ik ben zijn zus."


def test_every_stored_segment_obeys_the_offset_contract(study):
    project, folder = study
    run("import", project, folder, "--participants", folder / "participants.csv")
    for unit in ("sentence", "paragraph", "turn", "window"):
        run("segment", project, "--unit", unit, "--include-interviewer")
    with Project.open(project) as proj:
        texts = dict(read_only(proj).execute("SELECT name, text FROM sources"))
        for unit in ("sentence", "paragraph", "turn", "window"):
            rows = list(proj.segments(unit))
            assert rows, unit
            for row in rows:
                assert texts[row.source][row.start : row.end] == row.text


def test_reimport_unchanged_is_a_no_op(study):
    project, folder = study
    run("import", project, folder / "marco.txt")
    before = digest(project)
    result = run("import", project, folder / "marco.txt")
    assert "unchanged marco: already imported, nothing to do" in result.output
    assert digest(project) == before


def test_changed_file_is_refused_without_replace(study):
    project, folder = study
    run("import", project, folder / "marco.txt")
    write(folder / "marco.txt", INTERVIEW + "\nI: Nog iets?\n")
    result = run("import", project, folder / "marco.txt", ok=False)
    assert result.exit_code == 1
    assert "source 'marco' is already in the project with different text; use --replace" in result.output
    result = run("import", project, folder / "marco.txt", "--replace")
    assert "replaced marco" in result.output
    with Project.open(project) as proj:
        assert proj.status()["counts"]["turns"] == 3


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.docx", b"PK\x03\x04garbage", "broken.docx: not a valid .docx file"),
        ("empty.txt", b"", "empty.txt: the file is empty; nothing to import"),
        ("bytes.txt", b"I: \x81\x8d\n", "bytes.txt, line 1: byte 0x81 at position 3 cannot be decoded"),
        ("slides.pptx", b"PK", "slides.pptx: unknown transcript format '.pptx'"),
    ],
)
def test_bad_file_in_a_batch_leaves_the_project_unchanged(study, name, content, message):
    project, folder = study
    (folder / name).write_bytes(content)
    files = [folder / "marco.txt", folder / name]
    before = digest(project)
    result = run("import", project, *files, ok=False)
    assert result.exit_code == 1
    assert f"Error: {folder / name}" in result.output and message in result.output
    assert digest(project) == before


def test_participants_with_missing_column(study, tmp_path):
    project, folder = study
    bad = write(tmp_path / "people.csv", "speaker,role\nR,client\n")
    before = digest(project)
    result = run("import", project, folder / "marco.txt", "--participants", bad, ok=False)
    assert f"Error: {bad}, line 1: the participants CSV needs the columns speaker,case,role" in result.output
    assert digest(project) == before


def test_participants_for_a_missing_speaker_warns(study):
    project, folder = study
    run("import", project, folder / "marco.txt")
    people = write(folder / "people.csv", "speaker,case,role\nR,C1,client\nMarko,C2,client\n")
    result = run("participants", project, people)
    assert "warning: participants: speaker 'Marko' appears in no imported transcript" in result.output


def test_not_a_project(tmp_path):
    notes = write(tmp_path / "notes.qc", "hello")
    result = run("status", notes, ok=False)
    assert result.exit_code == 1
    assert f"Error: {notes} is not a qualcode project (not an SQLite file)" in result.output
    assert notes.read_text() == "hello"


@pytest.mark.sqlite_only("a project file's version and its refusal to be overwritten")
def test_project_from_a_newer_version(tmp_path):
    import sqlite3

    path = tmp_path / "new.qc"
    run("init", path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    result = run("segment", path, ok=False)
    assert "was written by a newer qualcode (schema version 99" in result.output


def test_failed_segmentation_keeps_the_earlier_segments(study):
    project, folder = study
    run("import", project, folder / "marco.txt")
    run("segment", project)
    before = run("segments", project).output
    result = run("segment", project, "--model", "nl_core_news_zz", ok=False)
    assert (
        "Error: spaCy model 'nl_core_news_zz' is neither an installed package nor a folder" in result.output
    )
    assert run("segments", project).output == before


@pytest.mark.sqlite_only("a project file's version and its refusal to be overwritten")
def test_init_refuses_to_overwrite(study):
    project, _ = study
    result = run("init", project, ok=False)
    assert f"Error: {project} already exists" in result.output


def test_docx_in_a_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    make_docx(
        folder / "dewi.docx",
        [[("I:", True), (" Vraag?", False)], [("R:", True), (" Ja, een steungroep.", False)]],
    )
    project = tmp_path / "s.qc"
    run("init", project)
    run("import", project, folder)
    result = run("segment", project, "--unit", "turn")
    assert "1 turn segments from 1 turns" in result.output


def test_help_is_fast_and_imports_nothing_heavy():
    """Nor the team server's stack: local use needs no server, no PostgreSQL, no argon2."""
    heavy = ("spacy", "torch", "bertopic", "sklearn", "pandas", "starlette", "uvicorn", "psycopg", "argon2")
    for args in (["--help"], ["team", "--help"], ["serve", "--help"], ["team", "add-user", "--help"]):
        code = (
            "import sys\n"
            "from qualcode.cli import main\n"
            "try:\n"
            f"    main({args!r})\n"
            "except SystemExit:\n"
            "    pass\n"
            f"print([m for m in {heavy!r} if m in sys.modules])"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        assert out.strip().splitlines()[-1] == "[]", args


def test_a_large_import_names_the_first_sources_and_counts_the_rest(study, tmp_path):
    project, _ = study
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(13):
        write(folder / f"int{i:02d}.txt", INTERVIEW)
    result = run("import", project, folder)
    assert (
        "imported 13 sources: int00, int01, int02, int03, int04, int05, int06, int07, int08, int09 and 3 more"
        in result.output
    )
    assert "int10" not in result.output
