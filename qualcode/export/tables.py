"""Findings as tables: a folder of CSV files, or one XLSX workbook.

Both show the :class:`~qualcode.export.findings.Findings` that
:func:`~qualcode.export.findings.collect` computes from one snapshot of the project. The
same project gives the same bytes: rows are ordered, and the workbook is dated by the data,
not by the clock.

The workbook opens on a Contents sheet (a line per sheet, each a link to it) and a one-page
Summary; every table has its header row frozen, an autofilter and columns as wide as their
text (up to a limit, then wrapped); figures are number cells, so they sort and sum.

Text from the project is never a formula: a CSV cell that begins like one gets a leading
``'`` (:func:`qualcode.files.csv_safe`), and every text in the workbook is a string cell,
without the control characters XML forbids. Each file is written beside its target and moved
into place when complete, so a failed export leaves the earlier file as it was.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from datetime import datetime
from pathlib import Path

from qualcode.analysis.evidence import EvidenceTable
from qualcode.analysis.mechanisms import Cooccurrence, FrameworkMatrix
from qualcode.coding.codings_csv import coding_rows
from qualcode.errors import InputError
from qualcode.export.findings import UNREVIEWED, Findings, collect, summary, top
from qualcode.files import csv_safe, write_bytes_atomically, write_text_atomically, xml_safe

EVIDENCE_HEADER = ("code", "kind", "definition", "segments", "interviews", "cases", "codings",
                   "counter_evidence", "rejected_suggestions", "cases_per_group", "provenance")  # fmt: skip
QUOTES_HEADER = ("code", "row", "source", "speaker", "role", "case", "start", "end", "text", "provenance")
TOP_HEADER = ("code", "cases", "interviews", "codings", "segments", "counter-evidence", "cases per group")
# Sheets in workbook order: (table, sheet title, what the Contents sheet says it holds).
SHEETS = (
    ("summary", "Summary", "One page: what counted, the numbers, the best supported mechanisms and "
     "bottlenecks, agreement."),
    ("codebook", "Codebook", "The codes: description, parent, kind, label and keywords."),
    ("codings", "Codings", "Every coding that counts: quote, speaker, role, case and its attributes, "
     "coder, counter-evidence, how it came about and when (the full list behind every quote)."),
    ("evidence", "Evidence", "Per mechanism and bottleneck: segments, interviews, cases and codings that "
     "support it, counter-evidence, rejected suggestions and provenance."),
    ("evidence_quotes", "Evidence quotes", "Per mechanism and bottleneck: its quotes and counter-evidence "
     "(every coding of a code: filter the Codings sheet)."),
    ("cooccurrence", "Co-occurrence", "Pairs of codes in the same segment, turn or window, with Jaccard "
     "(a code with itself is left out)."),
    ("framework", "Framework", "Codings per case and code, with up to two quotes."),
    ("framework matrix", "Framework matrix", "Cases x codes: the number of codings."),
    ("cmo", "CMO", "Context-mechanism-outcome configurations in one turn, with their support per case."),
    ("agreement", "Agreement", "Intercoder agreement per code: percent, kappa, alpha, AC1, PABAK."),
    ("disagreements", "Disagreements", "Segments one coder gave a code and another coder did not."),
    ("memos", "Memos", "Memos on the project, codes, sources and segments: what about, author, time."),
    ("unreviewed_suggestions", UNREVIEWED, "NOT REVIEWED: the latest run's suggestions nobody has "
     "decided on; counted in no other sheet."),
    ("topics", "Topics", "The topics of the latest topic run."),
    ("about", "About", "What counted, the definitions used, versions and the data date."),
)  # fmt: skip
_WIDEST = 60  # characters: wider columns wrap


# -- the tables as rows -------------------------------------------------------------------------


def tables(f: Findings) -> dict[str, list[tuple]]:
    """Name -> rows (the first is the header), for CSV and XLSX alike."""
    out = {
        "about": [("key", "value"), *f.about],
        "summary": [("item", "value"), *summary(f)],
        "codebook": [
            ("code", "description", "parent", "kind", "label", "keywords"),
            *(tuple(r.values()) for r in f.codebook),
        ],
        "codings": coding_rows(f.codings, f.case_attributes),
        "evidence": [EVIDENCE_HEADER, *(evidence_row(t) for t in f.evidence)],
        "evidence_quotes": [QUOTES_HEADER, *(row for t in f.evidence for row in evidence_rows(t))],
        "cooccurrence": [
            ("scope", "code_a", "code_b", "units", "jaccard", "units_with_a", "units_with_b"),
            *(row for scope, r in f.cooccurrence.items() for row in pair_rows(scope, r)),
        ],
        "framework": framework_rows(f.framework),
        "cmo": [
            ("context", "mechanism", "outcome", "units", "cases", "support_per_case"),
            *((c.context, c.mechanism, c.outcome, c.units, c.n_cases, c.support()) for c in f.cmo),
        ],
    }
    if f.agreement is not None:
        out["agreement"] = list(csv.reader(io.StringIO(f.agreement.to_csv(spreadsheet_safe=False))))
    if f.disagreements is not None:
        out["disagreements"] = [
            ("source", "start", "end", "code", "coded_by", "not_coded_by", "text"),
            *((d.source, d.start, d.end, d.code, ", ".join(d.yes), ", ".join(d.no), d.text) for d in f.disagreements),
        ]  # fmt: skip
    out["memos"] = [("on", "about", "quote", "author", "memo", "time"), *(tuple(m.values()) for m in f.memos)]
    if f.include == "all":
        out["unreviewed_suggestions"] = [
            ("source", "start", "end", "code", "text", "speaker", "role", "case", "provenance"),
            *((o.source, o.start, o.end, o.code, o.text, o.speaker or "", o.role or "", o.case or "", o.provenance)
              for o in f.suggestions),
        ]  # fmt: skip
    return out


def evidence_row(t: EvidenceTable) -> tuple:
    """One line per code: its figures (numbers), its groups and its provenance."""
    return (t.code, t.kind, t.definition, t.segments, t.interviews, t.cases, t.codings, len(t.counter_evidence),
            t.rejected_suggestions, t.groups(), "; ".join(f"{k}: {n}" for k, n in t.provenance.items()))  # fmt: skip


def evidence_rows(t: EvidenceTable) -> list[tuple]:
    """The quotes and the counter-evidence of one code."""
    rows = [
        (t.code, "quote", q.source, q.speaker or "", q.role or "", q.case or "", q.start, q.end, q.text, q.provenance)
        for q in t.quotes
    ]  # fmt: skip
    rows += [
        (t.code, f"counter-evidence: {c.kind}", c.source, "", "", "", c.start, c.end, c.text, c.detail)
        for c in t.counter_evidence
    ]
    return rows


def pair_rows(scope: str, result: Cooccurrence) -> list[tuple]:
    """The pairs of two different codes that co-occur, with the units of each code alone."""
    alone = {c: int(result.counts.loc[c, c]) for c in result.counts.index}
    return [(scope, a, b, n, round(j, 4), alone[a], alone[b]) for a, b, n, j in result.pairs()]


def framework_rows(fm: FrameworkMatrix) -> list[tuple]:
    rows = [("case", "role", "code", "codings", "quotes")]
    for case in fm.counts.index:
        role = fm.cases.loc[case, "role"] if case in fm.cases.index else ""
        for code in fm.counts.columns:
            n = int(fm.counts.loc[case, code])
            if n:
                rows.append((case, role, code, n, fm.quotes.loc[case, code]))
    return rows


def framework_matrix_rows(fm: FrameworkMatrix) -> list[tuple]:
    counts = fm.counts
    return [("case", *counts.columns), *((c, *map(int, counts.loc[c])) for c in counts.index)]


def top_rows(f: Findings, kind: str) -> list[tuple]:
    """The best supported codes of ``kind``, for the summaries."""
    return [TOP_HEADER] + [
        (t.code, t.cases, t.interviews, t.codings, t.segments, len(t.counter_evidence), t.groups())
        for t in top(f, kind)
    ]


# -- CSV ------------------------------------------------------------------------------------------


def export_csv(
    db, folder, include: str = "reviewed", coder: str | None = None, consensus: bool = False
) -> list[Path]:
    """Write one CSV per table into ``folder`` (made if missing); returns the files."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} is a file; CSV export writes a folder of tables: give a folder name")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in tables(collect(db, include, coder, consensus)).items():
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(map(csv_safe, row) for row in rows)
        written.append(write_text_atomically(folder / f"{name}.csv", text.getvalue()))
    return written


# -- XLSX -----------------------------------------------------------------------------------------


def export_xlsx(
    db, path, include: str = "reviewed", coder: str | None = None, consensus: bool = False
) -> Path:
    """A findings workbook: Contents, Summary, then a sheet per table (see :data:`SHEETS`)."""
    from openpyxl import Workbook

    findings = collect(db, include, coder, consensus)
    data = tables(findings)
    data["framework matrix"] = framework_matrix_rows(findings.framework)
    if findings.agreement is None:
        data["agreement"] = [("note",), ("Agreement needs codings by two or more human coders.",)]
    else:  # the agreement table arrives as CSV text: its figures go in as numbers
        data["agreement"] = [tuple(map(_number, row)) for row in data["agreement"]]
    if findings.topics:
        data["topics"] = [tuple(findings.topics[0]), *(tuple(t.values()) for t in findings.topics)]
    data["codings"] = _typed(data["codings"], findings.attribute_types)
    book = Workbook()
    book.remove(book.active)
    present = [(key, title, what) for key, title, what in SHEETS if key in data]
    _contents(book.create_sheet("Contents"), present)
    _summary(book.create_sheet("Summary"), data["summary"], findings)
    for key, title, _ in present:
        if key != "summary":
            _table(book.create_sheet(title), data[key])
    if UNREVIEWED in book.sheetnames:
        book[UNREVIEWED].sheet_properties.tabColor = "C00000"  # machine output nobody has reviewed
    stamp = _date(findings.date)
    book.properties.creator = "qualcode"
    book.properties.created = book.properties.modified = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    return write_bytes_atomically(path, _fixed_zip(buffer.getvalue(), stamp))


def _contents(ws, present: list[tuple[str, str, str]]) -> None:
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    _table(ws, [("sheet", "what it holds"), *((title, what) for _, title, what in present)])
    for row in range(2, len(present) + 2):
        cell = ws.cell(row=row, column=1)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{cell.value}'!A1", display=cell.value)
        cell.font = Font(color="0563C1", underline="single")


def _summary(ws, lines: list[tuple], f: Findings) -> None:
    """The summary lines, then the best supported mechanisms and bottlenecks; fits one page."""
    from openpyxl.styles import Font

    rows = [*lines, ()]
    heads = [1]
    for kind, title in (
        ("mechanism", "Best supported mechanisms"),
        ("bottleneck", "Best supported bottlenecks"),
    ):
        heads += [len(rows) + 1, len(rows) + 2]
        rows += [(title,), *top_rows(f, kind), ()]
    _write(ws, rows)
    for row in heads:
        for cell in ws[row]:
            cell.font = Font(bold=True)
    _fit(ws, rows)
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = ws.page_setup.fitToHeight = 1


def _table(ws, rows: list[tuple]) -> None:
    """A table: header row bold and frozen, an autofilter over it, columns fitted."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    _write(ws, rows)
    for cell in ws[1] if rows else ():
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    width = max((len(r) for r in rows), default=0)
    if width:
        ws.auto_filter.ref = f"A1:{get_column_letter(width)}{len(rows)}"
    _fit(ws, rows)


def _write(ws, rows: list[tuple]) -> None:
    for r, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            _put(ws.cell(row=r, column=column), value)


def _fit(ws, rows: list[tuple], sample: int = 500) -> None:
    """Each column as wide as its longest line (in the first ``sample`` rows), between 8 and
    :data:`_WIDEST` characters; the cells of a column at the limit wrap."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in rows[:sample]:
        for i, value in enumerate(row):
            longest = max((len(line) for line in str(value).split("\n")), default=0)
            widths[i] = max(widths.get(i, 0), longest)
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, longest in widths.items():
        ws.column_dimensions[get_column_letter(i + 1)].width = min(_WIDEST, max(8, longest + 2))
        if longest + 2 > _WIDEST:
            for r in range(2, len(rows) + 1):
                ws.cell(row=r, column=i + 1).alignment = wrap


def _number(value):
    """A figure written as text ("0.412", "12") as a number; any other text as it is."""
    if isinstance(value, str) and value.strip() == value and value:
        for kind in (int, float):
            try:
                number = kind(value)
            except ValueError:
                continue
            if kind is float and not math.isfinite(number):
                return value
            return number
    return value


def _typed(rows: list[tuple], types: dict[str, str]) -> list[tuple]:
    """The codings with the values of integer and float case attributes as numbers (the
    participants import stores them written one way: "41", "2.5")."""
    kinds = {i: types.get(name[len("case ") :]) for i, name in enumerate(rows[0]) if name.startswith("case ")}
    number = {"integer": int, "float": float}

    def value(i, v):
        try:
            return number[kinds[i]](v) if v and kinds.get(i) in number else v
        except ValueError:
            return v

    return [rows[0], *(tuple(value(i, v) for i, v in enumerate(row)) for row in rows[1:])]


def _put(cell, value) -> None:
    """Put ``value`` in a workbook cell: text always as a string cell (never a formula or an
    error, whatever it begins with) without the characters XML forbids; numbers as numbers."""
    if isinstance(value, str):
        cell.value = xml_safe(value)  # openpyxl refuses to write them
        cell.data_type = "s"
    elif value is not None:
        cell.value = value


def _date(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None, microsecond=0)
    except ValueError:
        return datetime(2000, 1, 1)


def _fixed_zip(data: bytes, stamp: datetime) -> bytes:
    """The same archive with every entry dated ``stamp``, so equal workbooks are equal bytes."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    when = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl dates 'modified' by the clock
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + iso, data)
            target.writestr(info, data)
    return out.getvalue()
