"""A study file: every step runs once, unchanged steps are skipped, bad files are named."""

import shutil

import pytest
import tomllib

from qualcode import InputError, Project
from qualcode.study import EXAMPLE, EXAMPLE_FOLDERS, load_study, write_example
from tests.conftest import REPO, write
from tests.test_cli import run

STUDY = """\
project: s.qc
transcripts: interviews/
segment: {unit: sentence}
codebook: book.yaml
suggest: {suggester: lexical, min_score: 0.3}
exports:
  - {format: csv, path: out/tables, include_unreviewed: true}
  - {format: md, path: out/report.md, include_unreviewed: true}
"""


@pytest.fixture
def study(tmp_path):
    from tests.test_coding_cli import BOOK

    (tmp_path / "interviews").mkdir()
    write(tmp_path / "interviews" / "a.txt", "I: Vraag?\nR: De steungroep helpt. Ik wil een eigen huis.\n")
    write(tmp_path / "book.yaml", BOOK)
    return write(tmp_path / "study.yaml", STUDY)


def steps(output):
    return {
        line.split()[1].rstrip(":"): line.split()[0]
        for line in output.splitlines()
        if line.startswith(("ran", "skipped"))
    }


def test_runs_then_skips_unchanged_steps(study, tmp_path):
    first = run("run", study)
    assert "ran     import: 1 imported" in first.output
    assert (tmp_path / "out" / "tables" / "codings.csv").exists() and (
        tmp_path / "out" / "report.md"
    ).exists()
    second = run("run", study)
    assert "0 steps ran, 6 skipped" in second.output
    write(
        tmp_path / "book.yaml", (tmp_path / "book.yaml").read_text() + "  - name: Rust\n    kind: outcome\n"
    )
    third = steps(run("run", study).output)
    assert third["import"] == "skipped" and third["segment"] == "skipped"
    assert third["codebook"] == "ran" and third["suggest"] == "ran"
    forced = run("run", study, "--force")
    assert "6 steps ran, 0 skipped" in forced.output


def test_a_deleted_output_is_written_again(study, tmp_path):
    run("run", study)
    (tmp_path / "out" / "report.md").unlink()
    again = run("run", study)
    assert "ran     export md out/report.md" in again.output
    assert (tmp_path / "out" / "report.md").exists()


def test_a_codings_file_is_imported_once(study, tmp_path):
    """Run again, even with --force or after the codebook changed, the same file is not
    imported a second time (that would store every coding twice)."""
    write(tmp_path / "codings.csv", "source,start,end,code,coder\na,13,33,Steungroep,anna\n")
    write(tmp_path / "study.yaml", STUDY + "codings:\n  - {path: codings.csv}\n")
    assert "ran     codings: 1 imported" in run("run", study).output
    forced = run("run", study, "--force").output
    assert "ran     codings: 0 imported (1 file imported before, not again)" in forced
    with Project.open(tmp_path / "s.qc") as proj:
        assert len(proj.codings("anna")) == 1
    # A changed file is a new import (its rows are checked and stored again).
    write(tmp_path / "codings.csv", "source,start,end,code,coder\na,13,33,Steungroep,bert\n")
    assert "ran     codings: 1 imported" in run("run", study).output
    with Project.open(tmp_path / "s.qc") as proj:
        assert len(proj.codings("anna")) == len(proj.codings("bert")) == 1


def test_a_new_review_decision_re_runs_suggest_and_exports(study, tmp_path):
    run("run", study)
    run("code", tmp_path / "s.qc", "a", "13", "33", "Steungroep", "--coder", "anna")
    after = steps(run("run", study).output)
    assert after["suggest"] == "ran" and after["segment"] == "skipped"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "project: s.qc\ntranscripts: x/\nsegmnet: {unit: turn}\n",
            r"study.yaml, line 1: field 'segmnet': unknown",
        ),
        (
            "project: s.qc\ntranscripts: x/\nsuggest: {suggestor: lexical}\n",
            r"field 'suggest.suggestor': unknown",
        ),
        ("transcripts: x/\n", r"field 'project': missing; see qualcode init --example"),
        (
            "project: s.qc\ntranscripts: x/\nexports: [{format: csv}]\n",
            r"field 'exports': each entry needs a path",
        ),
        ("project: [\n", r"study.yaml, line 2: not valid YAML"),
    ],
)
def test_bad_study_files(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        load_study(write(tmp_path / "study.yaml", text))


def test_init_example_writes_the_study_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert "wrote study.yaml" in run("init", "--example").output
    assert "already there: study.yaml" in run("init", "--example").output
    (tmp_path / "study.yaml").write_text("project: mine.qc\n")
    assert "a different study file is already there" in run("init", "--example", ok=False).output


def test_init_example_in_an_empty_folder_brings_the_data_and_runs(tmp_path, monkeypatch):
    """After a plain pip install there is no clone: the example data comes from the package."""
    monkeypatch.chdir(tmp_path)
    run("init", "--example")
    study = load_study(tmp_path / "study.yaml")
    for key in ("transcripts", "participants", "codebook"):
        assert (tmp_path / study[key]).exists(), key
    assert all((tmp_path / c["path"]).is_file() for c in study["codings"])
    for folder in EXAMPLE_FOLDERS:
        assert sorted(p.name for p in (tmp_path / folder).iterdir()) == sorted(
            p.name for p in (REPO / folder).iterdir()
        ), folder
    # The first steps of the study run there (topics and exports are tested with the example itself).
    text = (tmp_path / "study.yaml").read_text(encoding="utf-8")
    quick = text.split("suggest:")[0]
    (tmp_path / "quick.yaml").write_text(quick, encoding="utf-8")
    output = run("run", "quick.yaml").output
    assert "ran     import: 9 imported" in output and "codebook" in output
    assert "ran     codings: 153 imported" in output  # the fictional coder's, each quote checked
    # A file of the researcher's own where the example puts one is never replaced.
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "transcripts").mkdir()
    (tmp_path / "other" / "transcripts" / "participants.csv").write_text("mine\n", encoding="utf-8")
    refused = run("init", "--example", str(tmp_path / "other" / "study.yaml"), ok=False).output
    assert "participants.csv" in refused and "already" in refused
    assert (tmp_path / "other" / "transcripts" / "participants.csv").read_text() == "mine\n"
    (tmp_path / "third" / "codings").mkdir(parents=True)
    (tmp_path / "third" / "codings" / "noor-fictief.csv").write_text("mine\n", encoding="utf-8")
    refused = run("init", "--example", str(tmp_path / "third" / "study.yaml"), ok=False).output
    assert "noor-fictief.csv" in refused and not (tmp_path / "third" / "study.yaml").exists()


def test_the_example_study_file_loads_and_points_at_the_bundled_data(tmp_path):
    shutil.copy(REPO / "codebooks" / "netwerkondersteuning.yaml", tmp_path / "book.yaml")
    assert write_example(tmp_path / "study.yaml")
    study = load_study(tmp_path / "study.yaml")
    assert (REPO / study["transcripts"]).is_dir() and (REPO / study["participants"]).is_file()
    assert (REPO / study["codebook"]).is_file()
    assert [c["path"] for c in study["codings"]] == ["codings/noor-fictief.csv"]
    assert (REPO / study["codings"][0]["path"]).is_file()
    assert study["suggest"]["coder"] is None  # learns from every coder: the fictional coder's codings
    assert {e["format"] for e in study["exports"]} == {"xlsx", "html", "qdpx", "realist"}
    assert study["cmocs"] == "codings/programmatheorie.yaml" and (REPO / study["cmocs"]).is_file()
    assert not any(e.get("include_unreviewed") for e in study["exports"])  # reviewed work only
    assert EXAMPLE.startswith("# The bundled example study")


def test_a_wheel_carries_every_folder_of_the_example():
    """`qualcode init --example` copies these folders from the package: they must be package data."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["qualcode"]
    for folder in EXAMPLE_FOLDERS:
        assert f"example/{folder}/*" in globs, folder
        assert all(p.is_file() for p in (REPO / "qualcode" / "example" / folder).iterdir()), folder


def test_a_study_passes_the_topic_options_on(tmp_path):
    (tmp_path / "interviews").mkdir()
    themes = ["De steungroep helpt mij met de woning.", "Mijn zus belt over de schulden.",
              "Werk vinden blijft moeilijk zonder diploma."]  # fmt: skip
    for n in range(6):
        turns = "\n".join(f"I: Vraag {k}?\nR: {themes[(n + k) % 3]} {themes[k % 3]}" for k in range(8))
        write(tmp_path / "interviews" / f"i{n}.txt", turns + "\n")
    write(
        tmp_path / "study.yaml",
        "project: s.qc\ntranscripts: interviews/\nsegment: {unit: sentence}\n"
        "topics: {n_topics: 3, exclude_words: [steungroep, zus], context: false}\n",
    )
    run("run", tmp_path / "study.yaml")
    with Project.open(tmp_path / "s.qc", read_only=True) as project:
        config = project.runs("topics")[-1]["config"]
        words = {w for row in project.topic_overview() for w in row.top_words}
    assert config["context"] == [] and config["exclude_words"] == [
        "steungroep",
        "zus",
    ]  # no neighbours' weights
    assert not words & {"steungroep", "zus"}
