"""Findings exports: CSV tables, the XLSX workbook, the HTML and Markdown reports, and
their determinism, on the small project of test_mechanisms."""

from __future__ import annotations

import csv
import re
import time

import pytest

from tests.conftest import second_connection
from tests.test_mechanisms import study  # noqa: F401  (fixture)


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_tables(study, tmp_path):  # noqa: F811
    written = study.export("csv", tmp_path / "out")
    names = sorted(p.name for p in written)
    assert names == [
        "about.csv",
        "agreement.csv",
        "cmo.csv",
        "codebook.csv",
        "codings.csv",
        "cooccurrence.csv",
        "evidence.csv",
        "framework.csv",
    ]  # fmt: skip  (anna and bob both coded: agreement)
    out = tmp_path / "out"
    book = read_csv(out / "codebook.csv")
    assert list(book[0]) == ["code", "description", "parent", "kind", "label", "keywords"]
    assert book[0]["code"] == "Steungroep" and book[0]["keywords"] == "steungroep"
    codings = read_csv(out / "codings.csv")
    assert list(codings[0])[:5] == ["source", "start", "end", "code", "coder"]
    assert len(codings) == 9 and {c["reviewed"] for c in codings} == {"yes"}
    co = read_csv(out / "cooccurrence.csv")
    pair = next(
        r for r in co if r["scope"] == "segment" and r["code_a"] == "Woning" and r["code_b"] == "Rust"
    )
    assert (pair["units"], pair["jaccard"]) == ("1", "0.5")
    cmo = read_csv(out / "cmo.csv")
    assert cmo[0]["support_per_case"] == "C01: 1; P01: 1" and cmo[0]["units"] == "2"
    framework = read_csv(out / "framework.csv")
    assert {(r["case"], r["code"]): r["codings"] for r in framework}[("P01", "Vertrouwen")] == "2"
    evidence = read_csv(out / "evidence.csv")
    kinds = {(r["code"], r["row"]) for r in evidence}
    assert ("Vertrouwen", "counter-evidence: with bottleneck") in kinds
    assert ("KleinNetwerk", "counter-evidence: rejected suggestion") not in kinds
    rejected = {r["code"]: r for r in evidence if r["row"].startswith("rejected suggestions")}
    assert list(rejected["KleinNetwerk"].values())[-1] == "1"
    about = {r["key"]: r["value"] for r in read_csv(out / "about.csv")}
    assert about["included"].startswith("Only reviewed codings count")
    first = {p.name: p.read_bytes() for p in written}
    again = study.export("csv", tmp_path / "again")
    assert {p.name: p.read_bytes() for p in again} == first


def test_csv_with_unreviewed_suggestions(study, tmp_path):  # noqa: F811
    study.export("csv", tmp_path / "all", include="all")
    codings = read_csv(tmp_path / "all" / "codings.csv")
    unreviewed = [c for c in codings if c["reviewed"] == "no"]
    assert len(unreviewed) == 1 and unreviewed[0]["coder"] == "machine"
    assert unreviewed[0]["provenance"] == "suggested by ensemble/2 (score 0.50), not reviewed"


def _is_figure(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.lower() not in ("nan", "inf", "-inf")


def test_xlsx_workbook(study, tmp_path):  # noqa: F811
    from openpyxl import load_workbook

    path = study.export("xlsx", tmp_path / "findings.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == [
        "Codebook", "Codings", "Evidence", "Co-occurrence", "Framework", "CMO", "Agreement",
        "Framework matrix", "About",
    ]  # fmt: skip
    assert [c.value for c in book["Codebook"][1]] == [
        "code",
        "description",
        "parent",
        "kind",
        "label",
        "keywords",
    ]
    evidence = [[c.value for c in row] for row in book["Evidence"].iter_rows()]
    assert evidence[0][0] == "Vertrouwen (mechanism)"
    assert evidence[2][:2] == ["segments", 3]
    assert any(r[0] == "KleinNetwerk (bottleneck)" for r in evidence)
    matrix = {r[0].value: [c.value for c in r[1:]] for r in book["Framework matrix"].iter_rows(min_row=2)}
    assert matrix["P01"] == [1, 2, 1, 1, 1]
    about = {r[0].value: r[1].value for r in book["About"].iter_rows(min_row=2)}
    assert about["included"].startswith("Only reviewed")
    assert book["Agreement"]["A1"].value == "scope"
    agreement = [[c.value for c in row] for row in book["Agreement"].iter_rows(min_row=2)]
    figures = [v for row in agreement for v in row if isinstance(v, (int, float))]
    assert figures and not [v for row in agreement for v in row if isinstance(v, str) and _is_figure(v)]
    first = path.read_bytes()
    time.sleep(1.1)  # zip entries and workbook properties carry no clock time
    assert study.export("xlsx", tmp_path / "again.xlsx").read_bytes() == first


def test_html_report_is_self_contained(study, tmp_path):  # noqa: F811
    path = study.export("html", tmp_path / "report.html")
    text = path.read_text(encoding="utf-8")
    for section in ("About", "Code frequencies by participant group", "Evidence: Vertrouwen",
                    "Evidence: KleinNetwerk", "Co-occurrence", "Framework matrix", "CMO configurations",
                    "Agreement"):  # fmt: skip
        assert f"<h2>{section}</h2>" in text
    images = re.findall(r'<img alt="[^"]*" src="data:image/png;base64,([A-Za-z0-9+/=]+)">', text)
    assert len(images) == 2
    assert not re.search(r'(src|href)="(?!data:)', text)  # no external references
    assert "http" not in text and "<link" not in text and "<script" not in text
    assert "Only reviewed codings count" in text


def test_html_marks_unreviewed(study, tmp_path):  # noqa: F811
    text = study.export("html", tmp_path / "r.html", include="all").read_text(encoding="utf-8")
    assert "marked &#x27;not reviewed&#x27;" in text


def test_markdown_report(study, tmp_path):  # noqa: F811
    path = study.export("md", tmp_path / "report.md")
    text = path.read_text(encoding="utf-8")
    assert "## Evidence: Vertrouwen" in text and "## CMO configurations" in text
    assert "| context | mechanism | outcome | units | cases | support_per_case | unreviewed_units |" in text
    assert "| Steungroep | Vertrouwen | Rust | 2 | 2 | C01: 1; P01: 1 | 0 |" in text
    assert "![Co-occurrence](report-cooccurrence.png)" in text
    png = (tmp_path / "report-cooccurrence.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    again = study.export("md", tmp_path / "report.md")
    assert again.read_text(encoding="utf-8") == text
    assert (tmp_path / "report-cooccurrence.png").read_bytes() == png


def test_topics_in_the_report(study, tmp_path):  # noqa: F811
    from qualcode.store import runs, topics

    with second_connection(study) as db, db.transaction() as conn:
        run = runs.start_run(conn, "topics", {}, {})
        topics.insert_topics(
            conn, run, [(0, "steungroep_vertrouwen", '["steungroep", "vertrouwen"]', 5, "{}")]
        )
        runs.finish_run(conn, run, {})
    text = study.export("html", tmp_path / "t.html").read_text(encoding="utf-8")
    assert "<h2>Topics</h2>" in text and "steungroep_vertrouwen" in text
    assert len(re.findall("data:image/png;base64,", text)) == 3


def test_csv_refuses_a_file(study, tmp_path):  # noqa: F811
    from qualcode import InputError

    target = tmp_path / "x.csv"
    target.write_text("")
    with pytest.raises(InputError, match="give a folder name"):
        study.export("csv", target)


def test_exporting_twice_through_the_project_gives_the_same_bytes(tmp_path):
    """Each export is recorded as a run; that record must not change the next export."""
    from qualcode import Project
    from tests.test_cli import run
    from tests.test_coding_cli import one_interview_project

    project = one_interview_project(tmp_path)
    run("code", project, "a", "13", "33", "Steungroep", "--coder", "anna")
    for fmt in ("xlsx", "md", "qdpx"):
        target = tmp_path / f"findings.{fmt}"  # the same name: markdown names its plots after it
        with Project.open(project) as proj:
            proj.export(fmt, target)
            first = target.read_bytes()
            proj.export(fmt, target)
            runs = len(proj.runs("export"))
        assert target.read_bytes() == first, fmt
    assert runs == 6
