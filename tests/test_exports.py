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
        "disagreements.csv",
        "evidence.csv",
        "evidence_quotes.csv",
        "framework.csv",
        "memos.csv",
        "summary.csv",
    ]  # fmt: skip  (anna and bob both coded: agreement and disagreements; no unreviewed suggestions)
    out = tmp_path / "out"
    book = read_csv(out / "codebook.csv")
    assert list(book[0]) == ["code", "description", "parent", "kind", "label", "keywords"]
    assert book[0]["code"] == "Steungroep" and book[0]["keywords"] == "steungroep"
    codings = read_csv(out / "codings.csv")
    assert list(codings[0]) == [
        "source", "start", "end", "code", "coder", "quote", "speaker", "role", "case", "case city", "counter",
        "origin", "provenance", "time",
    ]  # fmt: skip
    assert len(codings) == 9 and "machine" not in {c["coder"] for c in codings}
    accepted = next(c for c in codings if c["coder"] == "bob" and c["code"] == "Vertrouwen")
    assert [accepted[k] for k in ("source", "quote", "speaker", "role", "case", "case city", "origin")] == [
        "int_b", "Ik voel vertrouwen.", "R", "client", "C01", "Haarlem", "suggestion accepted",
    ]  # fmt: skip
    assert {c["origin"] for c in codings} == {"imported", "by hand", "suggestion accepted"}
    assert all(c["time"] for c in codings)
    co = read_csv(out / "cooccurrence.csv")
    assert not [r for r in co if r["code_a"] == r["code_b"]]  # no code paired with itself
    segment = [(r["code_a"], r["code_b"], r["units"], r["jaccard"], r["units_with_a"], r["units_with_b"])
               for r in co if r["scope"] == "segment"]  # fmt: skip
    assert segment == [
        ("Vertrouwen", "KleinNetwerk", "1", "0.25", "3", "2"),
        ("Woning", "Rust", "1", "0.5", "1", "2"),
    ]
    cmo = read_csv(out / "cmo.csv")
    assert cmo[0]["support_per_case"] == "C01: 1; P01: 1" and cmo[0]["units"] == "2"
    framework = read_csv(out / "framework.csv")
    assert {(r["case"], r["code"]): r["codings"] for r in framework}[("P01", "Vertrouwen")] == "2"
    evidence = {r["code"]: r for r in read_csv(out / "evidence.csv")}
    assert list(evidence) == ["Vertrouwen", "KleinNetwerk"]
    figures = ("segments", "interviews", "cases", "codings", "counter_evidence", "rejected_suggestions")
    assert [evidence["Vertrouwen"][k] for k in figures] == ["3", "2", "2", "3", "1", "0"]
    assert [evidence["KleinNetwerk"][k] for k in figures] == ["2", "1", "1", "1", "0", "1"]
    quotes = read_csv(out / "evidence_quotes.csv")
    kinds = {(r["code"], r["row"]) for r in quotes}
    assert ("Vertrouwen", "counter-evidence: with bottleneck") in kinds
    assert ("KleinNetwerk", "counter-evidence: rejected suggestion") not in kinds
    assert len([r for r in quotes if r["code"] == "Vertrouwen" and r["row"] == "quote"]) == 3
    about = {r["key"]: r["value"] for r in read_csv(out / "about.csv")}
    assert (
        about["included"].startswith("Only reviewed codings count") and about["findings of"] == "all coders"
    )
    first = {p.name: p.read_bytes() for p in written}
    again = study.export("csv", tmp_path / "again")
    assert {p.name: p.read_bytes() for p in again} == first


def test_csv_summary_and_disagreements(study, tmp_path):  # noqa: F811
    """Counted by hand on the project of test_mechanisms: anna and bob judged both interviews
    (both coded in each) and gave no segment the same code: ten disagreements."""
    study.export("csv", tmp_path / "out")
    found = {r["item"]: r["value"] for r in read_csv(tmp_path / "out" / "summary.csv")}
    numbers = ("interviews", "interviews with codings", "cases", "cases with codings", "coders", "codings",
               "counter-evidence marked by a coder", "mechanism segments with a bottleneck", "disagreements", "memos")  # fmt: skip
    assert [found[k] for k in numbers] == ["2", "2", "2", "2", "2", "9", "0", "1", "10", "0"]
    assert found["coder names"] == "anna, bob"
    assert found["agreement"].startswith(
        "anna, bob on the 8 sentence segments that any of them coded: 75% agreement"
    )
    disagreements = read_csv(tmp_path / "out" / "disagreements.csv")
    assert [(d["code"], d["coded_by"], d["not_coded_by"]) for d in disagreements] == [
        ("Steungroep", "anna", "bob"), ("Vertrouwen", "anna", "bob"), ("Rust", "bob", "anna"),
        ("Woning", "anna", "bob"), ("KleinNetwerk", "anna", "bob"), ("KleinNetwerk", "anna", "bob"),
        ("Vertrouwen", "anna", "bob"), ("Steungroep", "anna", "bob"), ("Vertrouwen", "bob", "anna"),
        ("Rust", "anna", "bob"),
    ]  # fmt: skip
    assert disagreements[2]["text"] == "Hij vond een woning." and disagreements[2]["source"] == "int_a"


def test_csv_with_unreviewed_suggestions(study, tmp_path):  # noqa: F811
    """The unreviewed suggestion is listed apart and counts in no table."""
    written = study.export("csv", tmp_path / "all", include="all")
    assert "unreviewed_suggestions.csv" in {p.name for p in written}
    codings = read_csv(tmp_path / "all" / "codings.csv")
    assert len(codings) == 9 and "machine" not in {c["coder"] for c in codings}
    (apart,) = read_csv(tmp_path / "all" / "unreviewed_suggestions.csv")
    assert (apart["source"], apart["code"], apart["text"]) == (
        "int_a",
        "Vertrouwen",
        "De steungroep komt elke week.",
    )
    assert apart["provenance"] == "suggested by ensemble/2 (score 0.50), not reviewed"
    evidence = {r["code"]: r for r in read_csv(tmp_path / "all" / "evidence.csv")}
    assert (evidence["Vertrouwen"]["codings"], evidence["Vertrouwen"]["segments"]) == ("3", "3")
    co = read_csv(tmp_path / "all" / "cooccurrence.csv")
    assert not [
        r
        for r in co
        if r["scope"] == "segment" and {r["code_a"], r["code_b"]} == {"Steungroep", "Vertrouwen"}
    ]
    about = {r["key"]: r["value"] for r in read_csv(tmp_path / "all" / "about.csv")}
    assert "the 1 suggestions of the latest suggestion run (run " in about["included"]
    assert (
        "count in no table: they are listed apart, under 'Unreviewed machine suggestions'"
        in about["included"]
    )
    summary = {r["item"]: r["value"] for r in read_csv(tmp_path / "all" / "summary.csv")}
    assert summary["unreviewed machine suggestions (counted in no table)"] == "1"
    assert summary["codings"] == "9"


def _is_figure(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.lower() not in ("nan", "inf", "-inf")


SHEETS = [
    "Contents", "Summary", "Codebook", "Codings", "Evidence", "Evidence quotes", "Co-occurrence", "Framework",
    "Framework matrix", "CMO", "Agreement", "Disagreements", "Memos", "About",
]  # fmt: skip


def test_xlsx_workbook(study, tmp_path):  # noqa: F811
    from openpyxl import load_workbook

    path = study.export("xlsx", tmp_path / "findings.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == SHEETS
    assert [c.value for c in book["Codebook"][1]] == [
        "code",
        "description",
        "parent",
        "kind",
        "label",
        "keywords",
    ]
    evidence = [[c.value for c in row] for row in book["Evidence"].iter_rows()]
    assert evidence[1][:9] == [
        "Vertrouwen",
        "mechanism",
        "Vertrouwen groeit tussen mensen.",
        3,
        2,
        2,
        3,
        1,
        0,
    ]
    assert evidence[2][0] == "KleinNetwerk"
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


def test_xlsx_is_readable(study, tmp_path):  # noqa: F811
    """Contents lists (and links to) every sheet; each table has a frozen header, an
    autofilter and fitted columns; figures are numbers; the summary fits one page."""
    from openpyxl import load_workbook

    book = load_workbook(study.export("xlsx", tmp_path / "f.xlsx"))
    contents = list(book["Contents"].iter_rows(min_row=2))
    assert [r[0].value for r in contents] == SHEETS[1:]
    assert [r[0].hyperlink.location for r in contents] == [f"'{s}'!A1" for s in SHEETS[1:]]
    assert all(r[1].value for r in contents)  # a line on what each sheet holds
    for ws in book.worksheets:
        if ws.title == "Summary":
            continue
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == ws.dimensions, ws.title
        assert all(8 <= d.width <= 60 for d in ws.column_dimensions.values()), ws.title
    codings = book["Codings"]
    assert [c.value for c in codings[1]][:5] == ["source", "start", "end", "code", "coder"]
    assert {(c.data_type, type(c.value)) for c in codings["B"][1:]} == {("n", int)}  # start
    assert codings.column_dimensions["F"].width > 20  # the quote
    summary = book["Summary"]
    assert summary.page_setup.fitToHeight == 1 and summary.sheet_properties.pageSetUpPr.fitToPage
    lines = {r[0].value: r[1].value for r in summary.iter_rows(min_row=2) if r[0].value}
    assert (lines["interviews"], lines["codings"], lines["coders"], lines["disagreements"]) == (2, 9, 2, 10)
    rows = [[c.value for c in r] for r in summary.iter_rows()]
    best = rows.index(["Best supported mechanisms", None, None, None, None, None, None])
    assert rows[best + 2] == ["Vertrouwen", 2, 2, 3, 3, 1, "client: 1; professional: 1"]
    co = [[c.value for c in r] for r in book["Co-occurrence"].iter_rows(min_row=2)]
    assert ["segment", "Woning", "Rust", 1, 0.5, 1, 2] in co and not [r for r in co if r[1] == r[2]]


def test_xlsx_lists_unreviewed_suggestions_apart(study, tmp_path):  # noqa: F811
    from openpyxl import load_workbook

    book = load_workbook(study.export("xlsx", tmp_path / "f.xlsx", include="all"))
    assert book.sheetnames == [*SHEETS[:-1], "Unreviewed machine suggestions", "About"]
    apart = [[c.value for c in r] for r in book["Unreviewed machine suggestions"].iter_rows(min_row=2)]
    assert [r[:4] for r in apart] == [["int_a", 26, 55, "Vertrouwen"]]
    assert "machine" not in {c.value for c in book["Codings"]["E"]}
    assert book["Unreviewed machine suggestions"].sheet_properties.tabColor.rgb.endswith("C00000")


def test_html_report_is_self_contained(study, tmp_path):  # noqa: F811
    path = study.export("html", tmp_path / "report.html")
    text = path.read_text(encoding="utf-8")
    sections = ["Summary", "Evidence: Vertrouwen", "Evidence: KleinNetwerk", "Code frequencies by participant group",
                "Co-occurrence", "Framework matrix", "CMO configurations", "Agreement", "Disagreements", "Memos",
                "Quotes in context", "About"]  # fmt: skip
    found = re.findall(r"<h2>([^<]*)</h2>", text)
    assert found == sections  # the summary first; no unreviewed suggestions unless asked for
    images = re.findall(r'<img alt="[^"]*" src="data:image/png;base64,([A-Za-z0-9+/=]+)">', text)
    assert len(images) == 2
    assert not re.search(r'(src|href)="(?!data:|#q\d+")', text)  # no external references
    assert "http" not in text and "<link" not in text and "<script" not in text
    assert "Only reviewed codings count" in text
    assert "Unreviewed machine suggestions" not in text


def test_html_quotes_link_to_their_context(study, tmp_path):  # noqa: F811
    text = study.export("html", tmp_path / "report.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="#(q\d+)">([^<]*)</a>', text)
    anchors = re.findall(r'<h3 id="(q\d+)">Context \1</h3>', text)
    assert links and sorted({a for a, _ in links}) == sorted(anchors)
    quote = dict((t, a) for a, t in links)["Ik voel vertrouwen."]
    after = text[text.index(f'<h3 id="{quote}">') :]
    assert after.split("</blockquote>")[0].endswith(
        "Mijn zus zit in de steungroep. <mark>Ik voel vertrouwen.</mark> Nu heb ik rust."
    )  # the turn it was said in
    assert "int_b, R, characters 50-69" in after


def test_html_shows_unreviewed_suggestions_apart(study, tmp_path):  # noqa: F811
    text = study.export("html", tmp_path / "r.html", include="all").read_text(encoding="utf-8")
    apart = text[text.index('<section class="unreviewed">') : text.index("</section>")]
    assert "<h2>Unreviewed machine suggestions</h2>" in apart and "NOT REVIEWED: 1 suggestions" in apart
    assert "not reviewed" not in text.replace(apart, "").replace("nobody has reviewed", "")
    evidence = text[
        text.index("<h2>Evidence: Vertrouwen</h2>") : text.index("<h2>Evidence: KleinNetwerk</h2>")
    ]
    assert "3 codings" in evidence and "De steungroep komt elke week." not in evidence


def test_markdown_report(study, tmp_path):  # noqa: F811
    path = study.export("md", tmp_path / "report.md")
    text = path.read_text(encoding="utf-8")
    assert (
        text.index("## Summary") < text.index("## Evidence: Vertrouwen") < text.index("## CMO configurations")
    )
    assert "- interviews: **2**" in text and "- codings: **9**" in text
    assert "| context | mechanism | outcome | units | cases | support_per_case |" in text
    assert "| Steungroep | Vertrouwen | Rust | 2 | 2 | C01: 1; P01: 1 |" in text
    assert "[Ik voel vertrouwen.](#context-q3)" in text and "### Context q3" in text
    assert "> Mijn zus zit in de steungroep. **Ik voel vertrouwen.** Nu heb ik rust." in text
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
