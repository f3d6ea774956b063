"""The bundled example study: its interviews import cleanly (formats, speakers, roles, cases,
sizes), its fictional coder's reviewed codings import with every quote checked, and the study
run in an empty folder makes its findings from those reviewed codings only."""

import csv
import re
import warnings
from collections import Counter
from pathlib import Path

import pytest
import yaml

from qualcode import InputError, Project
from qualcode.ingest import read_transcript
from tests.conftest import REPO, TRANSCRIPTS

FORMATS = {".txt", ".docx", ".vtt", ".srt", ".md", ".odt"}
FILES = sorted(p for p in TRANSCRIPTS.iterdir() if p.suffix in FORMATS and p.stem != "README")


def test_at_least_eight_interviews_in_mixed_formats():
    assert len(FILES) >= 8
    assert {".txt", ".docx", ".vtt"} <= {p.suffix for p in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_interview_has_two_speakers_and_a_realistic_length(path):
    transcript = read_transcript(path)
    speakers = {t.speaker for t in transcript.turns}
    assert len(speakers) == 2 and None not in speakers, speakers
    words = sum(len(t.text.split()) for t in transcript.turns)
    assert 1500 <= words <= 4000, words


def test_readme_marks_them_fictional():
    assert "fictional" in (TRANSCRIPTS / "README.md").read_text(encoding="utf-8").lower()


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    path = tmp_path_factory.mktemp("example") / "example.qc"
    with Project.create(path) as proj:
        proj.import_transcripts([TRANSCRIPTS], participants=TRANSCRIPTS / "participants.csv")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            proj.segment("sentence")
        yield proj


def test_every_speaker_has_a_role_and_every_respondent_a_case(example):
    status = example.status()
    assert "(no role)" not in status["roles"]
    assert status["roles"]["interviewer"] == len(FILES)
    rows = list(example.segments())
    assert rows and all(r.case for r in rows)
    assert {r.role for r in rows} == {"professional", "client", "naaste", "ervaringsdeskundige"}


def test_sentences_are_not_glued_at_false_abbreviations(example):
    glued = [r.text for r in example.segments() if re.search(r"\b(me|pas|al|u)\. [A-Z]", r.text)]
    assert glued == []


# -- the fictional coder's reviewed codings -------------------------------------------------------

CODINGS = REPO / "qualcode" / "example" / "codings" / "noor-fictief.csv"
CODER = "noor-fictief"


def codings_rows() -> list[dict]:
    with CODINGS.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def readme_counts() -> dict[str, int]:
    """The README's table of coded interviews: `source` | role | city | number of codings."""
    text = (TRANSCRIPTS / "README.md").read_text(encoding="utf-8")
    return {m[1]: int(m[2]) for m in re.finditer(r"^\| `(\w+)` \|[^|\n]*\|[^|\n]*\| (\d+) \|$", text, re.M)}


def test_the_codings_are_a_fictional_coders_and_the_readme_says_so():
    rows = codings_rows()
    assert {r["coder"] for r in rows} == {CODER}
    assert 60 <= len(rows) <= 160
    readme = (TRANSCRIPTS / "README.md").read_text(encoding="utf-8")
    assert CODER in readme and "the coder is fictional" in readme.lower()
    # Both cities and several roles are coded; the rest is left uncoded for the suggestions.
    coded = {r["source"] for r in rows}
    assert {s.split("_")[0] for s in coded} == {"ams", "hlm"}
    assert len({s.split("_")[1] for s in coded}) >= 3
    assert len(coded) < len(FILES)
    # A few passages are marked as counter-evidence, and every coding quotes its passage.
    assert 3 <= sum(r["counter"] == "yes" for r in rows) <= 10
    assert all(r["text"].strip() for r in rows)


def test_every_code_is_a_leaf_of_the_example_codebook():
    from qualcode.codebook import read_codebook

    book = read_codebook(REPO / "codebooks" / "netwerkondersteuning.yaml")
    parents = {c.parent for c in book.codes if c.parent}
    leaves = {c.name for c in book.codes} - parents
    assert {r["code"] for r in codings_rows()} <= leaves


@pytest.fixture(scope="module")
def coded(tmp_path_factory):
    """The example's interviews, codebook and reviewed codings (no segmenting: fast)."""
    path = tmp_path_factory.mktemp("coded") / "coded.qc"
    with Project.create(path) as proj:
        proj.import_transcripts([TRANSCRIPTS], participants=TRANSCRIPTS / "participants.csv")
        proj.load_codebook(REPO / "codebooks" / "netwerkondersteuning.yaml")
        report = proj.import_codings(CODINGS)
        yield proj, report


def test_the_codings_import_with_every_quote_checked(coded, tmp_path):
    proj, report = coded
    assert report.imported == len(codings_rows()) and report.coders == {CODER}
    for row in codings_rows():  # what the import checked, row by row
        assert proj.source_text(row["source"])[int(row["start"]) : int(row["end"])] == row["text"]
    # A quote that does not match its offsets is refused, so the check is real.
    rows = codings_rows()
    rows[0]["text"] = rows[0]["text"][:-1] + "?"
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(InputError, match="the text column does not match"):
        proj.import_codings(bad)
    assert len(proj.codings(CODER)) == len(codings_rows())


def test_the_codings_per_interview_are_the_csv_rows_and_the_readme_counts(coded):
    proj, _ = coded
    stored = Counter(c["source"] for c in proj.codings(CODER))
    in_csv = Counter(r["source"] for r in codings_rows())
    assert stored == in_csv
    assert readme_counts() == dict(in_csv)  # the README's table was counted by hand
    marked = {(c["source"], c["code"]) for c in proj.codings(CODER) if c["counter"]}
    assert marked == {(r["source"], r["code"]) for r in codings_rows() if r["counter"] == "yes"}


# -- the example study, run where a user would run it ---------------------------------------------


def _quick_study(folder: Path) -> Path:
    """The shipped study with a fast suggester and without topics and the .qdpx (tested elsewhere)."""
    study = yaml.safe_load((folder / "study.yaml").read_text(encoding="utf-8"))
    study["suggest"]["suggester"] = "lexical"
    del study["topics"]
    study["exports"] = [e for e in study["exports"] if e["format"] in ("xlsx", "html")]
    quick = folder / "quick.yaml"
    quick.write_text(yaml.safe_dump(study, allow_unicode=True), encoding="utf-8")
    return quick


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    """`qualcode init --example` in an empty folder outside the repository, then the study run."""
    from tests.test_cli import run

    folder = tmp_path_factory.mktemp("example_run")
    run("init", "--example", folder / "study.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        output = run("run", _quick_study(folder)).output
    return folder, output


def _sheet(path: Path, name: str) -> list[dict]:
    import openpyxl

    rows = list(openpyxl.load_workbook(path, read_only=True)[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def test_the_example_study_imports_the_reviewed_codings(example_run):
    folder, output = example_run
    assert (folder / "codings" / "noor-fictief.csv").read_bytes() == CODINGS.read_bytes()
    assert f"ran     codings: {len(codings_rows())} imported" in output
    with Project.open(folder / "example.qc") as proj:
        assert Counter(c["source"] for c in proj.codings()) == Counter(r["source"] for r in codings_rows())
        assert proj.suggestions()  # the uncoded interviews got suggestions: something to leave out


def test_the_findings_are_made_from_the_reviewed_codings_only(example_run):
    folder, _ = example_run
    workbook = folder / "example-output" / "findings.xlsx"
    spans = {(r["source"], int(r["start"]), int(r["end"])) for r in codings_rows()}
    codings = _sheet(workbook, "Codings")
    assert len(codings) == len(codings_rows())
    assert {(c["coder"], c["origin"]) for c in codings} == {(CODER, "imported")}
    evidence = _sheet(workbook, "Evidence")
    assert evidence and all(e["provenance"] == f"imported ({CODER}): {e['codings']}" for e in evidence)
    quotes = [q for q in _sheet(workbook, "Evidence quotes") if q["row"] == "quote"]
    assert quotes and all(q["provenance"] == f"imported ({CODER})" for q in quotes)
    assert all((q["source"], int(q["start"]), int(q["end"])) in spans for q in quotes)
    summary = {r["item"]: r["value"] for r in _sheet(workbook, "Summary")}
    assert summary["what counts"].startswith("Only reviewed codings count")
    # The suggester's work appears nowhere: not in a table, not in a section of its own.
    import openpyxl

    book = openpyxl.load_workbook(workbook, read_only=True)
    cells = {str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row}
    assert not any("lexical" in c for c in cells)
    report = (folder / "example-output" / "report.html").read_text(encoding="utf-8")
    assert '<section class="unreviewed">' not in report and "lexical" not in report
    assert CODER in report


@pytest.mark.slow
def test_the_shipped_example_study_runs_in_an_empty_folder(tmp_path):
    """The README's example command, minus the install: init --example, run, run again."""
    from tests.test_cli import run

    run("init", "--example", tmp_path / "study.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = run("run", tmp_path / "study.yaml").output
        assert "11 steps ran, 0 skipped" in first, first
        assert "ran     cmocs: 3 added" in first
        assert f"ran     codings: {len(codings_rows())} imported" in first
        evidence = _sheet(tmp_path / "example-output" / "findings.xlsx", "Evidence")
        assert evidence and all(e["provenance"].startswith(f"imported ({CODER}):") for e in evidence)
        realist = (tmp_path / "example-output" / "realist.md").read_text(encoding="utf-8")
        assert all(key in realist for key in ("CMO1", "CMO2", "CMO3")) and CODER in realist
        assert "0 steps ran, 11 skipped" in run("run", tmp_path / "study.yaml").output
