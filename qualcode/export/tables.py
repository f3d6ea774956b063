"""Findings as tables: a folder of CSV files, or one XLSX workbook.

Both show the :class:`~qualcode.export.findings.Findings` that
:func:`~qualcode.export.findings.collect` computes from one snapshot of the project. The
same project gives the same bytes: rows are ordered, and the workbook is dated by the data,
not by the clock.

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
from qualcode.errors import InputError
from qualcode.export.findings import Findings, collect
from qualcode.files import csv_safe, write_bytes_atomically, write_text_atomically, xml_safe

_EVIDENCE_HEADER = (
    "code", "kind", "definition", "segments", "interviews", "codings", "unreviewed", "cases_per_group",
    "row", "source", "speaker", "role", "case", "start", "end", "text", "provenance",
)  # fmt: skip


# -- the tables as rows -------------------------------------------------------------------------


def tables(f: Findings) -> dict[str, list[tuple]]:
    """Name -> rows (the first is the header), for CSV and XLSX alike."""
    out = {
        "about": [("key", "value"), *f.about],
        "codebook": [
            ("code", "description", "parent", "kind", "label", "keywords"),
            *(tuple(r.values()) for r in f.codebook),
        ],
        "codings": [
            ("source", "start", "end", "code", "coder", "provenance", "reviewed"),
            *(
                (o.source, o.start, o.end, o.code, o.coder, o.provenance, "yes" if o.reviewed else "no")
                for o in f.codings
            ),
        ],  # fmt: skip
        "evidence": [_EVIDENCE_HEADER, *(row for t in f.evidence for row in evidence_rows(t))],
        "cooccurrence": [
            ("scope", "code_a", "code_b", "units", "jaccard"),
            *(
                (scope, a, b, n, round(j, 4))
                for scope, r in f.cooccurrence.items()
                for a, b, n, j in _all_pairs(r)
            ),
        ],  # fmt: skip
        "framework": framework_rows(f.framework),
        "cmo": [
            ("context", "mechanism", "outcome", "units", "cases", "support_per_case", "unreviewed_units"),
            *(
                (c.context, c.mechanism, c.outcome, c.units, c.n_cases, c.support(), c.unreviewed_units)
                for c in f.cmo
            ),
        ],  # fmt: skip
    }
    if f.agreement is not None:
        out["agreement"] = list(csv.reader(io.StringIO(f.agreement.to_csv(spreadsheet_safe=False))))
    return out


def evidence_rows(t: EvidenceTable) -> list[tuple]:
    head = (t.code, t.kind, t.definition, t.segments, t.interviews, t.codings, t.unreviewed, t.groups())
    rows = [
        (
            *head,
            "quote",
            q.source,
            q.speaker or "",
            q.role or "",
            q.case or "",
            q.start,
            q.end,
            q.text,
            q.provenance,
        )
        for q in t.quotes
    ]
    rows += [
        (*head, f"counter-evidence: {c.kind}", c.source, "", "", "", c.start, c.end, c.text, c.detail)
        for c in t.counter_evidence
    ]
    rows += [
        (*head, "provenance total", "", "", "", "", "", "", label, n) for label, n in t.provenance.items()
    ]
    rows.append((*head, "rejected suggestions (the machine was wrong; not evidence)", "", "", "", "", "", "", "",
                 t.rejected_suggestions))  # fmt: skip
    return rows


def _all_pairs(result: Cooccurrence) -> list[tuple[str, str, int, float]]:
    codes = list(result.counts.index)
    diagonal = [(c, c, int(result.counts.loc[c, c]), 1.0) for c in codes]
    return diagonal + result.pairs()


def framework_rows(fm: FrameworkMatrix) -> list[tuple]:
    rows = [("case", "role", "code", "codings", "quotes")]
    for case in fm.counts.index:
        role = fm.cases.loc[case, "role"] if case in fm.cases.index else ""
        for code in fm.counts.columns:
            n = int(fm.counts.loc[case, code])
            if n:
                rows.append((case, role, code, n, fm.quotes.loc[case, code]))
    return rows


# -- CSV ------------------------------------------------------------------------------------------


def export_csv(db, folder, include: str = "reviewed") -> list[Path]:
    """Write one CSV per table into ``folder`` (made if missing); returns the files."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} is a file; CSV export writes a folder of tables: give a folder name")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in tables(collect(db, include)).items():
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(map(csv_safe, row) for row in rows)
        written.append(write_text_atomically(folder / f"{name}.csv", text.getvalue()))
    return written


# -- XLSX -----------------------------------------------------------------------------------------

_SHEETS = (("codebook", "Codebook"), ("codings", "Codings")), (
    ("cooccurrence", "Co-occurrence"), ("framework", "Framework"), ("cmo", "CMO"), ("agreement", "Agreement"),
)  # fmt: skip


def export_xlsx(db, path, include: str = "reviewed") -> Path:
    """A findings workbook: Codebook, Codings, one Evidence sheet with a block per code,
    Co-occurrence, Framework (counts, and quotes), CMO, Agreement, About."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    findings = collect(db, include)
    rows = tables(findings)
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    first, rest = _SHEETS

    def sheet(title: str, data: list[tuple]):
        ws = book.create_sheet(title)
        for r, row in enumerate(data, start=1):
            for column, value in enumerate(row, start=1):
                _put(ws.cell(row=r, column=column), value)
        for cell in ws[1] if data else ():
            cell.font = bold
        ws.freeze_panes = "A2"
        return ws

    for key, title in first:
        sheet(title, rows[key])
    ws = book.create_sheet("Evidence")
    for table in findings.evidence:
        _evidence_block(ws, table, bold, Alignment(wrap_text=True, vertical="top"))
    for key, title in rest:
        if key == "agreement" and key not in rows:
            sheet(title, [("note",), ("Agreement needs codings by two or more human coders.",)])
            continue
        # The agreement table arrives as CSV text: its figures go in as numbers, so they sort and sum.
        sheet(title, [tuple(map(_number, row)) for row in rows[key]] if key == "agreement" else rows[key])
    counts = findings.framework.counts
    matrix = [("case", *counts.columns), *((c, *map(int, counts.loc[c])) for c in counts.index)]
    sheet("Framework matrix", matrix)
    if findings.topics:
        sheet("Topics", [tuple(findings.topics[0]), *(tuple(t.values()) for t in findings.topics)])
    sheet("About", rows["about"])
    stamp = _date(findings.date)
    book.properties.creator = "qualcode"
    book.properties.created = book.properties.modified = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    return write_bytes_atomically(path, _fixed_zip(buffer.getvalue(), stamp))


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


def _put(cell, value) -> None:
    """Put ``value`` in a workbook cell: text always as a string cell (never a formula or an
    error, whatever it begins with) without the characters XML forbids; numbers as numbers."""
    if isinstance(value, str):
        cell.value = xml_safe(value)  # openpyxl refuses to write them
        cell.data_type = "s"
    elif value is not None:
        cell.value = value


def _evidence_block(ws, t: EvidenceTable, bold, wrap) -> None:
    start = ws.max_row + (2 if ws.max_row > 1 else 0)
    lines = [
        (f"{t.code} ({t.kind})",),
        ("definition", t.definition),
        ("segments", t.segments),
        ("interviews", t.interviews),
        ("codings", t.codings),
        ("unreviewed suggestions", t.unreviewed),
        ("cases per group", t.groups()),
        ("provenance", "; ".join(f"{k}: {n}" for k, n in t.provenance.items())),
        ("rejected suggestions (the machine was wrong; not evidence)", t.rejected_suggestions),
        ("quotes", "source", "speaker", "role", "case", "start", "end", "text", "provenance"),
        *(("", q.source, q.speaker or "", q.role or "", q.case or "", q.start, q.end, q.text, q.provenance)
          for q in t.quotes),
        ("counter-evidence", "source", "", "", "", "start", "end", "text", "why"),
        *(("", c.source, "", "", "", c.start, c.end, c.text, c.detail) for c in t.counter_evidence),
    ]  # fmt: skip
    for offset, line in enumerate(lines):
        for column, value in enumerate(line, start=1):
            cell = ws.cell(row=start + offset, column=column)
            _put(cell, value)
            cell.alignment = wrap
    ws.cell(row=start, column=1).font = bold


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
