"""A table of turns: columns ``speaker,text`` and optionally ``time`` (in any order), as a CSV
file (comma, semicolon or tab separated) or an ``.xlsx`` workbook."""

from __future__ import annotations

from pathlib import Path

from qualcode.errors import InputError
from qualcode.ingest.csvtable import Table, csv_table, read_table
from qualcode.ingest.model import TextBuilder, Transcript, parse_clock

REQUIRED = ("speaker", "text")
_WHAT = "a turns table"
_HINT = " (and optionally time)"


def read_turns_csv(text: str, path: str) -> Transcript:
    """The turns of a CSV file's (decoded) text."""
    table = csv_table(text, path)
    missing = [c for c in REQUIRED if c not in table.fieldnames]
    if missing:
        raise InputError(
            f"a turns CSV needs the columns speaker,text (and optionally time); "
            f"missing: {', '.join(missing)}; found: {', '.join(c for c in table.fieldnames if c) or 'nothing'}",
            path,
            line=1,
        )
    return _transcript(table, path, "csv")


def read_turns_table(path: str | Path) -> Transcript:
    """The turns of a workbook's worksheet (the first, or the one :func:`sheet_choice` set)."""
    table = read_table(path, REQUIRED, _WHAT, _HINT)
    return _transcript(table, str(path), "xlsx")


def _transcript(table: Table, path: str, fmt: str) -> Transcript:
    builder = TextBuilder(path)
    for row in table:
        if None in row:
            raise InputError("this row has more fields than the header", path, table.line_num)
        time = None
        if (row.get("time") or "").strip():
            try:
                time = parse_clock(row["time"])
            except ValueError:
                raise InputError(
                    f"time {row['time']!r} is not hh:mm:ss, mm:ss or seconds", path, table.line_num
                ) from None
        builder.add_turn((row["speaker"] or "").strip() or None, row["text"] or "", time)
    if not builder.turns:
        raise InputError(f"the turns {'CSV' if fmt == 'csv' else 'table'} has no rows with text", path)
    return Transcript(text=builder.text(), turns=builder.turns, format=fmt, warnings=list(table.warnings))


def looks_like_turns_csv(text: str) -> bool:
    """Whether CSV text has the columns of a turns table (any separator)."""
    try:
        columns = csv_table(text, "").fieldnames
    except InputError:
        return True  # let the import report the real problem
    return all(c in columns for c in REQUIRED)


def looks_like_turns_table(path: str | Path) -> bool:
    """Whether a workbook's worksheet has the columns of a turns table."""
    try:
        columns = read_table(path, (), _WHAT).fieldnames
    except InputError:
        return True  # let the import report the real problem
    return all(c in columns for c in REQUIRED)
