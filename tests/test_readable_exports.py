"""Readable findings exports: one coder's findings and the agreed codings (with the
disagreements), memos in every format, the export's run record, and the codings CSV with
its readable columns read back by ``qualcode codings import``; every figure counted by hand."""

from __future__ import annotations

import csv

import pytest

from qualcode import InputError, Project
from tests.conftest import write
from tests.test_cli import run
from tests.test_mechanisms import BOOK, SENTENCES, TEXTS, span

A, B = SENTENCES["int_a"], SENTENCES["int_b"]
# anna coded both interviews; bob only int_a, where he agrees on a0 and a1 (and marks a1 as
# counter-evidence), and disagrees on a2 (anna: Woning) and a3 (bob: KleinNetwerk).
ANNA = [("int_a", A[0], "Steungroep"), ("int_a", A[1], "Vertrouwen"), ("int_a", A[2], "Woning"),
        ("int_b", B[0], "Steungroep"), ("int_b", B[1], "Vertrouwen")]  # fmt: skip
BOB = [
    ("int_a", A[0], "Steungroep", ""),
    ("int_a", A[1], "Vertrouwen", "yes"),
    ("int_a", A[3], "KleinNetwerk", ""),
]


def codings_file(proj, path, coder, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(("source", "start", "end", "code", "coder", "counter"))
        for source, sentence, code, *counter in rows:
            out.writerow((source, *span(proj, source, sentence), code, coder, *(counter or [""])))
    return path


def build(tmp_path, name="two.qc"):
    """The two interviews of test_mechanisms (Fatima, case P01, professional, Amsterdam; R,
    case C01, client, Haarlem), in sentences, with the codebook and no codings."""
    folder = tmp_path / "interviews"
    folder.mkdir(exist_ok=True)
    for source, text in TEXTS.items():
        write(folder / f"{source}.txt", text)
    people = write(
        tmp_path / "people.csv",
        "speaker,source,case,role,city,age,number\nFatima,int_a,P01,professional,Amsterdam,41,007\n"
        "R,int_b,C01,client,Haarlem,29,A12\n",
    )
    proj = Project.create(tmp_path / name)
    proj.import_transcripts([folder], participants=people)
    proj.segment(unit="sentence")
    proj.load_codebook(write(tmp_path / "book.yaml", BOOK))
    return proj


@pytest.fixture
def two(tmp_path):
    proj = build(tmp_path)
    proj.import_codings(codings_file(proj, tmp_path / "anna.csv", "anna", ANNA))
    proj.import_codings(codings_file(proj, tmp_path / "bob.csv", "bob", BOB))
    yield proj
    proj.close()


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_agreed_codings_and_the_disagreements(two, tmp_path):
    """Agreed: Steungroep on a0, Vertrouwen on a1 (marked counter by bob); disagreements:
    Woning on a2 (anna, not bob), KleinNetwerk on a3 (bob, not anna); int_b, coded by anna
    only, counts for nothing."""
    out = tmp_path / "agreed"
    two.export("csv", out, consensus=True)
    codings = read_csv(out / "codings.csv")
    assert [(c["source"], c["quote"], c["code"], c["coder"], c["counter"], c["origin"]) for c in codings] == [
        ("int_a", A[0], "Steungroep", "anna, bob", "", "agreed"),
        ("int_a", A[1], "Vertrouwen", "anna, bob", "yes", "agreed"),
    ]
    assert (codings[0]["speaker"], codings[0]["case"], codings[0]["case city"]) == (
        "Fatima",
        "P01",
        "Amsterdam",
    )
    disagreements = read_csv(out / "disagreements.csv")
    assert [(d["text"], d["code"], d["coded_by"], d["not_coded_by"]) for d in disagreements] == [
        (A[2], "Woning", "anna", "bob"),
        (A[3], "KleinNetwerk", "bob", "anna"),
    ]
    evidence = {r["code"]: r for r in read_csv(out / "evidence.csv")}
    trust = evidence["Vertrouwen"]  # its one agreed coding is counter-evidence: no support
    assert [trust[k] for k in ("segments", "interviews", "cases", "codings", "counter_evidence")] == [
        "0", "0", "0", "0", "1",
    ]  # fmt: skip
    summary = {r["item"]: r["value"] for r in read_csv(out / "summary.csv")}
    assert summary["findings of"] == "agreed codings of anna, bob"
    assert [summary[k] for k in ("codings", "coders", "interviews with codings", "disagreements")] == [
        "2", "2", "1", "2",
    ]  # fmt: skip
    assert summary["counter-evidence marked by a coder"] == "1"
    about = {r["key"]: r["value"] for r in read_csv(out / "about.csv")}
    assert about["included"].startswith("Only agreed codings count: a code counts once on a sentence segment")
    assert (
        "(2 agreed codings; 2 disagreements listed apart; 1 sources coded by one of them only"
        in about["included"]
    )


def test_the_findings_of_one_coder(two, tmp_path):
    out = tmp_path / "bob"
    two.export("csv", out, coder="bob")
    codings = read_csv(out / "codings.csv")
    assert [(c["code"], c["counter"]) for c in codings] == [
        ("Steungroep", ""),
        ("Vertrouwen", "yes"),
        ("KleinNetwerk", ""),
    ]
    summary = {r["item"]: r["value"] for r in read_csv(out / "summary.csv")}
    assert (summary["findings of"], summary["codings"], summary["coder names"]) == ("coder bob", "3", "bob")
    about = {r["key"]: r["value"] for r in read_csv(out / "about.csv")}
    assert (
        about["included"].startswith("Only reviewed codings by bob count")
        and "(3 codings by bob)" in about["included"]
    )
    # the project's disagreements are listed whoever's findings these are: a2 and a3 (bob
    # did not judge int_b, so anna's codings there disagree with nobody)
    assert summary["disagreements"] == "2"


def test_choosing_codings_says_what_went_wrong(two, tmp_path):
    with pytest.raises(
        InputError, match=r"^choose one: --coder NAME \(one coder's findings\) or --consensus"
    ):
        two.export("csv", tmp_path / "x", coder="anna", consensus=True)
    with pytest.raises(
        InputError, match=r"coder 'zed' has no reviewed codings \(coders: anna, bob\); check --coder"
    ):
        two.export("md", tmp_path / "x.md", coder="zed")
    with pytest.raises(
        InputError, match=r"--coder and --consensus choose the codings of the findings formats"
    ):
        two.export("qdpx", tmp_path / "x.qdpx", consensus=True)


def test_consensus_needs_two_coders(tmp_path):
    with build(tmp_path) as proj:
        proj.import_codings(codings_file(proj, tmp_path / "anna.csv", "anna", ANNA))
        with pytest.raises(InputError, match=r"need codings by two or more coders; the project has: anna$"):
            proj.export("html", tmp_path / "r.html", consensus=True)


def test_the_command_line_and_the_run_record(two, tmp_path):
    path = two.path
    run("export", path, "--format", "md", "-o", tmp_path / "agreed.md", "--consensus")
    run("export", path, "--format", "html", "-o", tmp_path / "bob.html", "--coder", "bob")
    wrong = run(
        "export", path, "--format", "md", "-o", tmp_path / "x.md", "--coder", "anna", "--consensus", ok=False
    )
    assert wrong.exit_code == 1 and "choose one: --coder NAME" in wrong.output
    with Project.open(path) as proj:
        configs = [r["config"] for r in proj.runs("export")]
    assert [(c["format"], c["coder"], c["consensus"], c["include"]) for c in configs] == [
        ("md", None, True, "reviewed"),
        ("html", "bob", False, "reviewed"),
    ]
    text = (tmp_path / "agreed.md").read_text(encoding="utf-8")
    assert text.splitlines()[2].startswith("_Only agreed codings count")
    assert "- findings of: **agreed codings of anna, bob**" in text and "## Disagreements" in text
    assert "Only reviewed codings by bob count" in (tmp_path / "bob.html").read_text(encoding="utf-8")


MEMOS = [
    ("project", None, "anna", "Eerst het tegenbewijs lezen."),
    ("code", "Vertrouwen", "bob", "Vertrouwen <b>groeit</b> langzaam."),
    ("source", "int_b", "anna", "Een kort interview."),
]


def test_memos_in_every_format(two, tmp_path):
    from openpyxl import load_workbook

    for on, target, author, text in MEMOS:
        two.add_memo(on, target, author, text)
    segment = next(s for s in two.segments() if s.text == A[2])
    two.add_memo("segment", segment.id, "bob", "Woning, of rust?")
    expected = [
        ("project", "the project", "", "anna", MEMOS[0][3]),
        ("code", "Vertrouwen", "", "bob", MEMOS[1][3]),
        ("source", "int_b", "", "anna", MEMOS[2][3]),
        ("segment", f"int_a {segment.start}-{segment.end}", A[2], "bob", "Woning, of rust?"),
    ]
    book = load_workbook(two.export("xlsx", tmp_path / "f.xlsx"))
    rows = [tuple(c.value or "" for c in r[:5]) for r in book["Memos"].iter_rows(min_row=2)]
    assert rows == expected and all(r[5].value for r in book["Memos"].iter_rows(min_row=2))
    html = two.export("html", tmp_path / "r.html").read_text(encoding="utf-8")
    memos = html[html.index("<h2>Memos</h2>") :].split("</table>")[0]
    assert memos.count("<tr>") == 5 and "Vertrouwen &lt;b&gt;groeit&lt;/b&gt; langzaam." in memos
    assert f"<td>int_a {segment.start}-{segment.end}</td><td>Hij vond een woning.</td><td>bob</td>" in memos
    md = two.export("md", tmp_path / "r.md").read_text(encoding="utf-8")
    assert "| code | Vertrouwen |  | bob | Vertrouwen &lt;b&gt;groeit&lt;/b&gt; langzaam. |" in md
    assert "- memos: **4**" in md


def test_xlsx_numbers_are_numbers(two, tmp_path):
    """Offsets, counts and the values of a number attribute are number cells; a text
    attribute (007, A12) stays as typed."""
    from openpyxl import load_workbook

    book = load_workbook(two.export("xlsx", tmp_path / "f.xlsx"))
    codings = [[c for c in r] for r in book["Codings"].iter_rows()]
    header = [c.value for c in codings[0]]
    age = header.index("case age")
    assert {(r[age].value, r[age].data_type) for r in codings[1:]} == {(41, "n"), (29, "n")}
    number = header.index("case number")
    assert {(r[number].value, r[number].data_type) for r in codings[1:]} == {("007", "s"), ("A12", "s")}
    for name in ("start", "end"):
        assert {r[header.index(name)].data_type for r in codings[1:]} == {"n"}
    evidence = [[c.value for c in r] for r in book["Evidence"].iter_rows()]
    assert all(isinstance(v, int) for row in evidence[1:] for v in row[3:9])


def test_repeated_exports_are_the_same_bytes(two, tmp_path):
    two.add_memo("project", None, "anna", "Een memo.")
    for fmt, name in (("xlsx", "f.xlsx"), ("html", "r.html"), ("md", "r.md")):
        for options in ({}, {"consensus": True}, {"coder": "anna"}):
            first = two.export(fmt, tmp_path / name, **options).read_bytes()
            assert two.export(fmt, tmp_path / name, **options).read_bytes() == first, (fmt, options)
    first = {p.name: p.read_bytes() for p in two.export("csv", tmp_path / "a", consensus=True)}
    assert {p.name: p.read_bytes() for p in two.export("csv", tmp_path / "b", consensus=True)} == first


def test_the_codings_csv_reads_back(two, tmp_path):
    """``qualcode codings export`` writes the readable columns; ``qualcode codings import``
    reads that file into another project, checking each quote against the source."""
    exported = tmp_path / "codings.csv"
    run("codings", "export", two.path, exported)
    rows = read_csv(exported)
    assert list(rows[0]) == [
        "source", "start", "end", "code", "coder", "quote", "speaker", "role", "case", "case city", "case age",
        "case number", "counter", "origin", "provenance", "time",
    ]  # fmt: skip
    assert len(rows) == 8 and rows[0]["quote"] == A[0] and rows[0]["case age"] == "41"
    other = tmp_path / "other"
    other.mkdir()
    with build(other, "copy.qc") as copy:
        pass
    result = run("codings", "import", copy.path, exported)
    assert "imported 8 codings by anna, bob" in result.output
    again = tmp_path / "again.csv"
    run("codings", "export", copy.path, again)
    same = (
        "source",
        "start",
        "end",
        "code",
        "coder",
        "quote",
        "speaker",
        "role",
        "case",
        "case age",
        "counter",
    )
    assert [[r[k] for k in same] for r in read_csv(again)] == [[r[k] for k in same] for r in rows]
    # the findings' codings sheet is such a file too
    two.export("csv", tmp_path / "findings")
    result = run("codings", "import", copy.path, tmp_path / "findings" / "codings.csv", "--coder", "carl")
    assert "imported 8 codings by carl" in result.output
    tampered = tmp_path / "tampered.csv"
    tampered.write_text(exported.read_text(encoding="utf-8").replace(A[0], A[0].upper(), 1), encoding="utf-8")
    wrong = run("codings", "import", copy.path, tampered, ok=False)
    assert (
        "line 2: the quote column does not match 'int_a'[" in wrong.output
        and "check the offsets" in wrong.output
    )


def test_the_reports_heat_map_keeps_the_codes_of_the_most_frequent_pairs():
    import pandas as pd

    from qualcode.export.report import codes_of_top_pairs

    names = ["A", "B", "C", "D", "E"]
    counts = pd.DataFrame(0, index=names, columns=names)
    for a, b, n in (("A", "B", 5), ("C", "D", 4), ("A", "E", 3), ("B", "C", 1)):
        counts.loc[a, b] = counts.loc[b, a] = n
    assert codes_of_top_pairs(counts, 5) == names  # few codes: all of them
    assert codes_of_top_pairs(counts, 4) == ["A", "B", "C", "D"]  # A-B and C-D; A-E would make five
    assert codes_of_top_pairs(counts, 3) == ["A", "B", "E"]  # A-B, then A-E fits; C-D does not
