"""Human codings from and to CSV (``source,start,end,code,coder``), checked before storing.

The export is readable as it is: after the interchange columns it carries the quote, the
speaker, role and case (with each case attribute as a column ``case <attribute>``) of the
turn in which the coding starts, whether it is marked as counter-evidence, how it came about
and when. The import reads its own export back: it needs the interchange columns, checks the
quote (``quote``, or ``text``) against the source, and leaves the other columns alone.
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.analysis.snapshot import Occurrence, SpanLocator, to_occurrences
from qualcode.codebook.model import Code
from qualcode.coding.blind import refuse_when_blind
from qualcode.errors import InputError, QualcodeWarning
from qualcode.files import csv_safe, csv_unsafe, write_text_atomically
from qualcode.ingest.csvtable import read_table
from qualcode.store import cases as case_store
from qualcode.store import codes as code_store
from qualcode.store import codings as coding_store
from qualcode.store import settings as setting_store
from qualcode.store import sources as source_store

REQUIRED = ("source", "start", "end", "code")


@dataclass
class CodingsReport:
    imported: int = 0
    coders: set[str] = field(default_factory=set)
    added_codes: list[str] = field(default_factory=list)
    already_there: int = 0  # rows that were current codings already (not stored twice)


def import_codings(
    db, path: str | Path, coder: str | None, add_missing_codes: bool, shared: bool = False
) -> CodingsReport:
    """Check every row (sources, offsets, codes, an optional ``text`` column against the
    source), then store them all in one transaction, or nothing. ``shared``: every coder's
    suggestions learn from these coders' codings (by default a coder learns only from their
    own decisions, so coders stay independent)."""
    path = Path(path)
    required = REQUIRED if coder else (*REQUIRED, "coder")
    reader = read_table(path, required, "a codings CSV", hint="" if coder else " (or give --coder)")
    for note in reader.warnings:  # decoding, the separator detected, the worksheet read
        warnings.warn(note, QualcodeWarning, stacklevel=2)
    conn = db.connection
    sources = source_store.source_lengths(conn)
    known_codes = code_store.code_ids(conn)
    rows, unknown_codes = [], []
    for record in reader:
        line = reader.line_num
        name = csv_unsafe((record["source"] or "").strip())
        if name not in sources:
            known = ", ".join(sorted(sources)[:5]) + (" ..." if len(sources) > 5 else "")
            raise InputError(
                f"unknown source {name!r}; the project has: {known or 'no sources'}", str(path), line
            )
        source_id, length = sources[name]
        try:
            start, end = int(record["start"]), int(record["end"])
        except (TypeError, ValueError):
            raise InputError(
                "start and end must be whole numbers (character offsets)", str(path), line
            ) from None
        if not 0 <= start < end <= length:
            raise InputError(
                f"span {start}-{end} does not fit source {name!r} of {length} characters", str(path), line
            )
        column = "quote" if record.get("quote") else "text"
        expected = record.get(column)
        if expected and source_store.source_slice(conn, source_id, start, end) not in (
            expected,
            csv_unsafe(expected),
        ):
            raise InputError(
                f"the {column} column does not match {name!r}[{start}:{end}]; check the offsets",
                str(path),
                line,
            )
        code = csv_unsafe((record["code"] or "").strip())
        who = coder or csv_unsafe((record.get("coder") or "").strip())
        if not code or not who:
            raise InputError("every row needs a code and a coder", str(path), line)
        if code not in known_codes and code not in unknown_codes:
            unknown_codes.append(code)
        rows.append((source_id, start, end, code, who, _counter(record.get("counter"), path, line)))
    if unknown_codes and not add_missing_codes:
        raise InputError(
            f"{len(unknown_codes)} codes are not in the codebook: {', '.join(unknown_codes)}; "
            f"add them to the codebook, or pass --add-missing-codes",
            str(path),
        )
    report = CodingsReport()
    with db.transaction():
        if unknown_codes:
            codebook = code_store.current_codebook(conn)
            codebook.codes += [Code(name=c, description="added by a codings import") for c in unknown_codes]
            code_store.apply_codebook(conn, codebook.validate(), origin=f"codings import {path}")
            known_codes = code_store.code_ids(conn)
            report.added_codes = unknown_codes
        # A row that is already a current coding (the same file imported twice) is not stored again.
        current = {
            (r["source_id"], r["start"], r["end"], r["code"], r["coder"])
            for r in coding_store.current_codings(conn)
        }
        fresh = [r for r in rows if r[:5] not in current]
        report.already_there = len(rows) - len(fresh)
        report.imported = coding_store.insert_codings(
            conn, [(s, a, b, known_codes[c], who, k) for s, a, b, c, who, k in fresh], origin="import"
        )
        if shared:
            setting_store.add_shared_coders(conn, {row[4] for row in rows})
    report.coders = {row[4] for row in rows}
    return report


_YES, _NO = {"1", "yes", "ja", "true", "y", "x"}, {"", "0", "no", "nee", "false", "n"}


def _counter(value, path, line) -> bool:
    """The optional ``counter`` column: the coding is marked as evidence against its code."""
    word = (value or "").strip().lower()
    if word in _YES or word in _NO:
        return word in _YES
    raise InputError(f"counter must be yes or no (or empty), not {value!r}", str(path), line)


def export_codings(db, path: str | Path, coder: str | None = None) -> int:
    """Write the current codings (of ``coder``, or everyone's) as a readable codings CSV (see
    :func:`coding_rows`); returns how many. Text that a spreadsheet would run as a formula gets
    a leading ``'`` (csv_safe), and the file is moved into place only when complete."""
    if coder is None:
        refuse_when_blind(db, "exporting every coder's codings (give --coder)")
    with db.reading() as conn:
        rows = [r for r in coding_store.reviewed_codings(conn) if coder is None or r["coder"] == coder]
        occurrences = to_occurrences(rows, SpanLocator(source_store.all_turns(conn)))
        table = coding_rows(occurrences, case_store.case_attributes(conn))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(map(csv_safe, row) for row in table)
    write_text_atomically(path, out.getvalue())
    return len(rows)


def coding_rows(occurrences: list[Occurrence], case_attributes) -> list[tuple]:
    """The codings as a readable table, its header first: ``source, start, end, code, coder``
    (the interchange columns), ``quote``, ``speaker``, ``role``, ``case``, a column ``case
    <attribute>`` per case attribute, ``counter`` (yes when marked as counter-evidence),
    ``origin`` (imported, by hand, suggestion accepted, suggestion edited or not reviewed),
    ``provenance`` (the whole phrase, with the suggester and its score) and ``time`` (when the
    coding was stored: the time of the coder's decision). ``case_attributes``: rows of (case,
    attribute, value), as ``case_store.case_attributes`` gives them."""
    names: list[str] = []
    values: dict[str, dict[str, str]] = {}
    for row in case_attributes:
        if row["attribute"] not in names:
            names.append(row["attribute"])
        values.setdefault(row["case"], {})[row["attribute"]] = row["value"]
    header = ("source", "start", "end", "code", "coder", "quote", "speaker", "role", "case",
              *(f"case {n}" for n in names), "counter", "origin", "provenance", "time")  # fmt: skip
    rows = [header]
    for o in occurrences:
        attributes = values.get(o.case, {}) if o.case else {}
        rows.append(
            (o.source, o.start, o.end, o.code, o.coder, o.text, o.speaker or "", o.role or "", o.case or "",
             *(attributes.get(n, "") for n in names), "yes" if o.counter else "", o.origin, o.provenance,
             o.time)
        )  # fmt: skip
    return rows


def current_codings(db, coder: str | None = None) -> list[dict]:
    return [dict(r) for r in coding_store.codings_table(db.connection, coder)]
