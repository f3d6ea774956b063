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

The workbook is written as it is made (openpyxl's write-only mode, from a compact snapshot):
its long tables go to disk row by row, so a large project needs little more memory than a
small one.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from qualcode.analysis.evidence import EvidenceTable
from qualcode.analysis.mechanisms import Cooccurrence, FrameworkMatrix
from qualcode.coding.codings_csv import coding_rows
from qualcode.errors import InputError
from qualcode.export.findings import UNREVIEWED, Findings, collect, summary, top
from qualcode.files import atomic_path, csv_safe, write_text_atomically, xml_safe

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
_SAMPLE = 500  # rows (the header first) that set the widths of a sheet's columns
_BATCH = 1000  # codings made into rows at a time
_CHUNK = 1024 * 1024  # bytes copied at a time from openpyxl's archive into the workbook


# -- the tables as rows -------------------------------------------------------------------------


def tables(f: Findings) -> dict[str, list[tuple]]:
    """Name -> rows (the first is the header), for CSV and XLSX alike."""
    return {name: list(rows) for name, rows in table_rows(f).items()}


def table_rows(f: Findings) -> dict[str, Iterable[tuple]]:
    """Name -> its rows (the header first); the long tables (codings, quotes, disagreements,
    unreviewed suggestions) as iterators that make each row when it is written."""
    out = {
        "about": [("key", "value"), *f.about],
        "summary": [("item", "value"), *summary(f)],
        "codebook": [
            ("code", "description", "parent", "kind", "label", "keywords"),
            *(tuple(r.values()) for r in f.codebook),
        ],
        "codings": _coding_rows(f),
        "evidence": [EVIDENCE_HEADER, *(evidence_row(t) for t in f.evidence)],
        "evidence_quotes": itertools.chain(
            [QUOTES_HEADER], (row for t in f.evidence for row in evidence_rows(t))
        ),
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
        out["disagreements"] = itertools.chain(
            [("source", "start", "end", "code", "coded_by", "not_coded_by", "text")],
            ((d.source, d.start, d.end, d.code, ", ".join(d.yes), ", ".join(d.no), d.text) for d in f.disagreements),
        )  # fmt: skip
    out["memos"] = [("on", "about", "quote", "author", "memo", "time"), *(tuple(m.values()) for m in f.memos)]
    if f.include == "all":
        out["unreviewed_suggestions"] = itertools.chain(
            [("source", "start", "end", "code", "text", "speaker", "role", "case", "provenance")],
            ((o.source, o.start, o.end, o.code, o.text, o.speaker or "", o.role or "", o.case or "", o.provenance)
             for o in f.suggestions),
        )  # fmt: skip
    return out


def _coding_rows(f: Findings) -> Iterator[tuple]:
    """The rows of :func:`coding_rows`, made a batch of codings at a time."""
    yield coding_rows([], f.case_attributes)[0]
    for at in range(0, len(f.codings), _BATCH):
        yield from coding_rows(f.codings[at : at + _BATCH], f.case_attributes)[1:]


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

    findings = collect(db, include, coder, consensus, compact=True)
    data = table_rows(findings)
    data["framework matrix"] = framework_matrix_rows(findings.framework)
    if findings.agreement is None:
        data["agreement"] = [("note",), ("Agreement needs codings by two or more human coders.",)]
    else:  # the agreement table arrives as CSV text: its figures go in as numbers
        data["agreement"] = [tuple(map(_number, row)) for row in data["agreement"]]
    if findings.topics:
        data["topics"] = [tuple(findings.topics[0]), *(tuple(t.values()) for t in findings.topics)]
    data["codings"] = _typed(data["codings"], findings.attribute_types)
    book = Workbook(write_only=True)  # each row goes to disk as it is appended
    present = [(key, title, what) for key, title, what in SHEETS if key in data]
    contents = [("sheet", "what it holds"), *((title, what) for _, title, what in present)]
    extents = [_table(book.create_sheet("Contents"), contents, links=True)]
    extents.append(_summary(book.create_sheet("Summary"), data["summary"], findings))
    for key, title, _ in present:
        if key != "summary":
            ws = book.create_sheet(title)
            if key == "unreviewed_suggestions":  # machine output nobody has reviewed
                ws.sheet_properties.tabColor = "C00000"
            extents.append(_table(ws, data[key]))
    stamp = _date(findings.date)
    book.properties.creator = "qualcode"
    book.properties.created = book.properties.modified = stamp
    # openpyxl names the sheets' files by their place in the workbook
    dimensions = {f"xl/worksheets/sheet{i}.xml": ref for i, ref in enumerate(extents, start=1) if ref}
    with tempfile.TemporaryDirectory(prefix="qualcode-xlsx-") as folder, atomic_path(path) as target:
        made = Path(folder) / "book.xlsx"
        book.save(made)
        _fixed_zip(made, target, stamp, dimensions)
    return Path(path)


def _summary(ws, lines: list[tuple], f: Findings) -> str | None:
    """The summary lines, then the best supported mechanisms and bottlenecks; fits one page.
    Returns the range it fills."""
    rows = [*lines, ()]
    heads = {1}
    for kind, title in (
        ("mechanism", "Best supported mechanisms"),
        ("bottleneck", "Best supported bottlenecks"),
    ):
        heads |= {len(rows) + 1, len(rows) + 2}
        rows += [(title,), *top_rows(f, kind), ()]
    rows.pop()  # the last line between tables
    wrap = _fit(ws, rows)
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = ws.page_setup.fitToHeight = 1
    return _write(ws, rows, heads, wrap)


def _table(ws, rows: Iterable[tuple], links: bool = False) -> str | None:
    """A table: header row bold and frozen, an autofilter over it, columns fitted (by the
    first :data:`_SAMPLE` rows, read ahead; the rest are written as they come). ``links``:
    the first column names sheets, each a link to its sheet. Returns the range it fills."""
    rows = iter(rows)
    sample = list(itertools.islice(rows, _SAMPLE))
    wrap = _fit(ws, sample)
    ws.freeze_panes = "A2"  # the sheet view, widths and properties precede the first row
    ws.auto_filter.ref = extent = _write(ws, itertools.chain(sample, rows), {1}, wrap, links)
    return extent


def _write(ws, rows: Iterable[tuple], bold: set[int], wrap: set[int], links: bool = False) -> str | None:
    """Append ``rows`` (the rows numbered in ``bold`` in bold; the cells of the ``wrap``
    columns below the first row wrapped); returns the range they fill (None: nothing)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    heavy, link = Font(bold=True), Font(color="0563C1", underline="single")
    wrapped = Alignment(wrap_text=True, vertical="top")
    count = width = 0
    for count, row in enumerate(rows, start=1):
        width = max(width, len(row))
        cells = []
        for i, value in enumerate(row):
            font = heavy if count in bold else link if links and i == 0 and count > 1 else None
            cell = _cell(ws, value, font, wrapped if count > 1 and i in wrap else None)
            if font is link:
                cell.hyperlink = Hyperlink(ref="", location=f"'{value}'!A1", display=value)
            cells.append(cell)
        ws.append(cells)
    return f"A1:{get_column_letter(width)}{count}" if width else None


def _fit(ws, rows: list[tuple]) -> set[int]:
    """Each column as wide as its longest line (in ``rows``), between 8 and :data:`_WIDEST`
    characters; returns the columns at the limit (0 is the first), whose cells wrap."""
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in rows:
        for i, value in enumerate(row):
            longest = max((len(line) for line in str(value).split("\n")), default=0)
            widths[i] = max(widths.get(i, 0), longest)
    for i, longest in widths.items():
        ws.column_dimensions[get_column_letter(i + 1)].width = min(_WIDEST, max(8, longest + 2))
    return {i for i, longest in widths.items() if longest + 2 > _WIDEST}


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


def _typed(rows: Iterable[tuple], types: dict[str, str]) -> Iterator[tuple]:
    """The codings with the values of integer and float case attributes as numbers (the
    participants import stores them written one way: "41", "2.5")."""
    rows = iter(rows)
    header = next(rows)
    kinds = {i: types.get(name[len("case ") :]) for i, name in enumerate(header) if name.startswith("case ")}
    number = {"integer": int, "float": float}

    def value(i, v):
        try:
            return number[kinds[i]](v) if v and kinds.get(i) in number else v
        except ValueError:
            return v

    yield header
    for row in rows:
        yield tuple(value(i, v) for i, v in enumerate(row))


def _cell(ws, value, font=None, alignment=None):
    """``value`` as a row of a write-only sheet takes it: text always a string cell (never a
    formula or an error, whatever it begins with) without the characters XML forbids; numbers
    as numbers. A styled value, or text openpyxl would take for a formula or an error, is a
    cell of its own; other values go as they are (openpyxl makes their cells as it writes)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    text = isinstance(value, str)
    if text:
        value = xml_safe(value)  # openpyxl refuses to write them
    plain = not text or not (value.startswith("=") or value in ERROR_CODES)
    if value is None or (font is None and alignment is None and plain):
        return value
    cell = WriteOnlyCell(ws, value)
    if text:
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _date(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None, microsecond=0)
    except ValueError:
        return datetime(2000, 1, 1)


def _fixed_zip(source: Path, target: Path, stamp: datetime, dimensions: dict[str, str]) -> None:
    """Copy the archive ``source`` to ``target`` with every entry dated ``stamp``, so equal
    workbooks are equal bytes; entry by entry, in chunks (a sheet can be large). Each sheet of
    ``dimensions`` gets its range, which openpyxl cannot know before it writes the rows:
    readers that read a sheet as it streams (openpyxl's read-only mode) go by it."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    when = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    with (
        zipfile.ZipFile(source) as made,
        target.open("wb") as file,
        zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for item in made.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            if item.filename == "docProps/core.xml":  # openpyxl dates 'modified' by the clock
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + iso, made.read(item))
                out.writestr(info, data)
                continue
            large = item.file_size * 1.05 > zipfile.ZIP64_LIMIT
            with made.open(item) as reading, out.open(info, "w", force_zip64=large) as writing:
                head = reading.read(_CHUNK)
                if item.filename in dimensions:
                    head = _dimensioned(head, dimensions[item.filename])
                writing.write(head)
                shutil.copyfileobj(reading, writing, _CHUNK)


def _dimensioned(head: bytes, ref: str) -> bytes:
    """The start of a sheet's XML with its ``<dimension>``, where the schema has it: after the
    sheet's properties, before its views, format, columns and rows."""
    at = re.search(rb"<(sheetViews|sheetFormatPr|cols|sheetData)\b", head)
    if at is None or b"<dimension " in head[: at.start()]:
        return head
    return head[: at.start()] + f'<dimension ref="{ref}"/>'.encode("ascii") + head[at.start() :]
