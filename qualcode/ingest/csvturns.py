"""A CSV of turns: columns ``speaker,text`` and optionally ``time`` (in any order)."""

from __future__ import annotations

import csv
import io

from qualcode.errors import InputError
from qualcode.ingest.model import TextBuilder, Transcript, parse_clock

REQUIRED = ("speaker", "text")


def read_turns_csv(text: str, path: str) -> Transcript:
    reader = csv.DictReader(io.StringIO(text))
    try:
        columns = [c.strip().lower() for c in reader.fieldnames or []]
    except csv.Error as exc:
        raise InputError(f"cannot read the header row ({exc})", path, line=1) from None
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise InputError(
            f"a turns CSV needs the columns speaker,text (and optionally time); "
            f"missing: {', '.join(missing)}; found: {', '.join(columns) or 'nothing'}",
            path,
            line=1,
        )
    reader.fieldnames = columns
    builder = TextBuilder(path)
    for row in _rows(reader, path):
        if None in row:
            raise InputError("this row has more fields than the header", path, reader.line_num)
        time = None
        if (row.get("time") or "").strip():
            try:
                time = parse_clock(row["time"])
            except ValueError:
                raise InputError(
                    f"time {row['time']!r} is not hh:mm:ss, mm:ss or seconds", path, reader.line_num
                ) from None
        builder.add_turn((row["speaker"] or "").strip() or None, row["text"] or "", time)
    if not builder.turns:
        raise InputError("the turns CSV has no rows with text", path)
    return Transcript(text=builder.text(), turns=builder.turns, format="csv")


def _rows(reader: csv.DictReader, path: str):
    """The reader's rows; a row the csv module cannot read is an error naming its line."""
    try:
        yield from reader
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit (131,072 characters)
        raise InputError(
            f"cannot read this row ({exc}); check the quotes around its texts", path, reader.reader.line_num
        ) from None


def looks_like_turns_csv(text: str) -> bool:
    try:
        first = next(csv.reader(io.StringIO(text)), [])
    except csv.Error:
        return True  # let the import report the real problem
    return all(c in [f.strip().lower() for f in first] for c in REQUIRED)
