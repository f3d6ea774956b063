"""Agreement on a project: tables built from the codings, machine as a coder, the outputs."""

import csv
import json

import pytest
from sklearn.metrics import cohen_kappa_score

from tests.test_cli import run

ANSWERS = [
    ("r1", "Ik voelde me minder alleen door de groep.", "Eenzaamheid", "Eenzaamheid"),
    ("r2", "Mijn zus hielp met verhuizen.", "Naaste;Praktisch", "Naaste"),
    ("r3", "Geen idee eigenlijk.", "", ""),
    ("r4", "De buurman kwam langs met soep.", "Praktisch", "Naaste;Praktisch"),
    ("r5", "Het was soms te veel mensen.", "", "Eenzaamheid"),
    ("r6", "Mijn broer belt weer.", "Naaste", "Naaste"),
]


@pytest.fixture
def survey(tmp_path):
    path = tmp_path / "answers.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([("id", "text", "anna", "bob"), *ANSWERS])
    project = tmp_path / "s.qc"
    run("init", project)
    run("units", "import", project, path, "--coders", "anna,bob", "--add-missing-codes")
    run("segment", project, "--unit", "turn")
    return project


def vectors(code):
    anna = [code in a.split(";") for _, _, a, _ in ANSWERS]
    bob = [code in b.split(";") for _, _, _, b in ANSWERS]
    return anna, bob


def test_per_code_figures_match_an_independent_kappa(survey):
    report = json.loads(run("agree", survey, "--coders", "anna,bob", "--format", "json").output)
    assert report["segments"] == 6
    for code in ("Eenzaamheid", "Naaste", "Praktisch"):
        anna, bob = vectors(code)
        figures = report["per_code"]["all segments"][code]
        assert figures["kappa"] == pytest.approx(cohen_kappa_score(anna, bob))
        assert figures["percent"] == pytest.approx(sum(a == b for a, b in zip(anna, bob, strict=True)) / 6)
    pooled_a, pooled_b = [], []
    for code in ("Eenzaamheid", "Naaste", "Praktisch"):
        anna, bob = vectors(code)
        pooled_a += anna
        pooled_b += bob
    assert report["overall"]["all segments"]["kappa"] == pytest.approx(cohen_kappa_score(pooled_a, pooled_b))
    # r3 nobody coded: the second scope leaves it out
    assert report["overall"]["coded segments"]["units"] == 15


def test_disagreements_quote_the_text(survey):
    report = json.loads(run("agree", survey, "--coders", "anna,bob", "--format", "json").output)
    found = {(d["source"], d["code"], tuple(d["yes"]), tuple(d["no"])) for d in report["disagreements"]}
    assert found == {
        ("r2", "Praktisch", ("anna",), ("bob",)),
        ("r4", "Naaste", ("bob",), ("anna",)),
        ("r5", "Eenzaamheid", ("bob",), ("anna",)),
    }
    text = run("agree", survey, "--coders", "anna,bob").output
    assert "disagreements: 3" in text and '"Het was soms te veel mensen."' in text


def test_csv_output(survey, tmp_path):
    run("agree", survey, "--coders", "anna,bob", "--format", "csv", "-o", tmp_path / "a.csv")
    rows = list(csv.DictReader((tmp_path / "a.csv").open(encoding="utf-8")))
    assert {r["scope"] for r in rows} == {"all segments", "coded segments"}
    assert [r["code"] for r in rows[:4]] == ["(all codes)", "Eenzaamheid", "Naaste", "Praktisch"]


def test_unknown_coder_is_named(survey):
    result = run("agree", survey, "--coders", "anna,zoe", ok=False)
    assert "Error: coder 'zoe' has no codings in the project (coders: anna, bob; or machine)" in result.output


def test_missing_data_when_a_coder_skipped_a_source(tmp_path):
    """Carla coded only one of two interviews: she is missing (not 'no') in the other."""
    from tests.test_coding_cli import one_interview_project

    project = one_interview_project(tmp_path, sources=("a", "b"))
    for source in ("a", "b"):
        run("code", project, source, "13", "33", "Steungroep", "--coder", "anna")
    run("code", project, "a", "13", "33", "Steungroep", "--coder", "carla")
    report = json.loads(run("agree", project, "--coders", "anna,carla", "--format", "json").output)
    figures = report["per_code"]["all segments"]["Steungroep"]
    assert (figures["units"], figures["pairable_units"]) == (4, 2)
    assert figures["percent"] == 1.0


def test_machine_as_a_coder(tmp_path):
    from tests.test_coding_cli import one_interview_project

    project = one_interview_project(tmp_path)
    run("suggest", project, "--suggester", "lexical")
    run("code", project, "a", str(13), str(32), "Steungroep", "--coder", "anna")
    report = json.loads(run("agree", project, "--coders", "anna,machine", "--format", "json").output)
    assert report["coders"] == ["anna", "machine"]
    assert report["per_code"]["all segments"]["Steungroep"]["percent"] == 1.0
