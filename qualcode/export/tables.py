"""Findings as tables: a folder of CSV files, or one XLSX workbook.

Both come from :func:`collect`, which gathers the codebook, the codings, the evidence per
mechanism and bottleneck, co-occurrence, the framework matrix, CMO configurations and (with
two or more human coders) agreement. The same project gives the same bytes: rows are
ordered, and the workbook is dated by the data, not by the clock.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from qualcode.analysis import mechanisms as mech
from qualcode.errors import InputError, QualcodeError
from qualcode.store import runs as run_store
from qualcode.store import settings as setting_store
from qualcode.store import topics as topic_store
from qualcode.version import __version__

COOCCURRENCE_SCOPES = (("segment", 3), ("turn", 3), ("window", 3))
_EVIDENCE_HEADER = (
    "code", "kind", "definition", "segments", "interviews", "codings", "unreviewed", "cases_per_group",
    "row", "source", "speaker", "role", "case", "start", "end", "text", "provenance",
)  # fmt: skip


@dataclass
class Findings:
    include: str
    about: list[tuple[str, str]]
    codebook: list[dict]
    codings: list[mech.Occurrence]
    evidence: list[mech.EvidenceTable]
    cooccurrence: dict[str, mech.Cooccurrence]  # scope -> result
    framework: mech.FrameworkMatrix
    cmo: mech.CmoConfigurations
    frequencies: object  # pandas DataFrame, codes x roles
    agreement: object | None = None  # intercoder.AgreementReport
    topics: list[dict] = field(default_factory=list)
    date: str = ""


def collect(db, include: str = "reviewed") -> Findings:
    """Everything the exports show, computed once."""
    with mech.reading_once():
        return _collect(db, include)


def _collect(db, include: str) -> Findings:
    conn = db.connection
    codings = mech.occurrences(db, include)
    included = mech.included_sentence(db, include)
    co = {}
    for scope, window in COOCCURRENCE_SCOPES:
        if scope != "turn" and setting_store.active_unit(conn) is None:
            continue  # no segments yet: only turns
        co[scope] = mech.cooccurrence(db, scope=scope, window=window, include=include)
    human = sorted({o.coder for o in codings if o.reviewed})
    agreement = None
    if len(human) >= 2 and setting_store.active_unit(conn):
        from qualcode.analysis.agreement import agreement as compute

        try:
            agreement = compute(db, human)
        except QualcodeError:
            agreement = None
    _, topic_rows = topic_store.latest_topics(conn)
    topics = [
        {"topic": r["topic"], "label": r["label"], "size": r["size"], "words": ", ".join(_words(r["words"]))}
        for r in topic_rows
    ]
    date = run_store.data_date(conn)
    about = [
        ("included", included),
        ("counter-evidence", mech.COUNTER_EVIDENCE),
        ("framework matrix", "Cases x codes: the number of codings in the case's speakers' turns."),
        ("co-occurrence", "Units where both codes occur; Jaccard = both / either."),
        ("unit", setting_store.active_unit(conn) or "(no segments)"),
        ("qualcode", __version__),
        ("versions", run_store.latest_data_versions(conn) or "{}"),
        ("data date", date),
    ]
    return Findings(
        include=include,
        about=about,
        codebook=mech.codebook_rows(db),
        codings=codings,
        evidence=mech.evidence_tables(db, include=include),
        cooccurrence=co,
        framework=mech.framework_matrix(db, include=include),
        cmo=mech.cmo_configurations(db, scope="turn", include=include),
        frequencies=mech.code_frequencies(db, include=include),
        agreement=agreement,
        topics=topics,
        date=date,
    )


def _words(raw: str) -> list[str]:
    try:
        words = json.loads(raw)
    except ValueError:
        return []
    return [w[0] if isinstance(w, list | tuple) else str(w) for w in words]


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
        out["agreement"] = list(csv.reader(io.StringIO(f.agreement.to_csv())))
    return out


def evidence_rows(t: mech.EvidenceTable) -> list[tuple]:
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
    return rows


def _all_pairs(result: mech.Cooccurrence) -> list[tuple[str, str, int, float]]:
    codes = list(result.counts.index)
    diagonal = [(c, c, int(result.counts.loc[c, c]), 1.0) for c in codes]
    return diagonal + result.pairs()


def framework_rows(fm: mech.FrameworkMatrix) -> list[tuple]:
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
        path = folder / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)
        written.append(path)
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
        for row in data:
            ws.append(list(row))
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
        sheet(title, rows[key])
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
    Path(path).write_bytes(_fixed_zip(buffer.getvalue(), stamp))
    return Path(path)


def _evidence_block(ws, t: mech.EvidenceTable, bold, wrap) -> None:
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
        ("quotes", "source", "speaker", "role", "case", "start", "end", "text", "provenance"),
        *(("", q.source, q.speaker or "", q.role or "", q.case or "", q.start, q.end, q.text, q.provenance)
          for q in t.quotes),
        ("counter-evidence", "source", "", "", "", "start", "end", "text", "why"),
        *(("", c.source, "", "", "", c.start, c.end, c.text, c.detail) for c in t.counter_evidence),
    ]  # fmt: skip
    for offset, line in enumerate(lines):
        for column, value in enumerate(line, start=1):
            cell = ws.cell(row=start + offset, column=column, value=value)
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
