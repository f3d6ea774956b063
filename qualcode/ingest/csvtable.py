"""Tables people hand in (participants, codebooks, codings, turn lists, survey answers): a CSV
file or an Excel workbook, read, decoded and checked for its columns.

A CSV may separate its fields with a comma, a semicolon (what Excel writes as "CSV" where the
decimal separator is a comma, as in Dutch) or a tab. The separator is detected
(:func:`sniff_delimiter`) and, when it is not a comma, said in the table's ``warnings``. An
``.xlsx`` workbook is read from its first worksheet, or the one named by ``sheet`` (or set for a
block with :func:`sheet_choice`); cells become text, dates ISO dates (:mod:`qualcode.ingest.sheets`).
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path

from qualcode.errors import InputError
from qualcode.ingest.decode import decode

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
_SAMPLE = 64 * 1024  # characters the delimiter is detected from
_SHEET: ContextVar[str | None] = ContextVar("qualcode_sheet", default=None)


@contextlib.contextmanager
def sheet_choice(sheet: str | None):
    """Within the block, every workbook :func:`read_table` opens is read from the worksheet
    ``sheet`` (a name, or a number counting from 1); None: the first. CSV files are unaffected."""
    token = _SHEET.set(sheet)
    try:
        yield
    finally:
        _SHEET.reset(token)


class Table:
    """Rows of a CSV file or a worksheet as dicts keyed by the stripped, lower-cased column names.

    Like :class:`csv.DictReader`: a short row gets None for its missing columns, the cells of a
    long row past the header are under the key None. ``line_num`` is the line (CSV) or row
    (worksheet) of the row just read; ``warnings`` are those of reading the file (decoding, the
    separator detected, the worksheet chosen); ``delimiter`` is the CSV's separator ('' for a
    workbook).
    """

    def __init__(self, rows: Iterator[list[str]], path: str, warnings: list[str], delimiter: str = "",
                 line=None) -> None:  # fmt: skip
        self.path = path
        self.warnings = warnings
        self.delimiter = delimiter
        self._rows = rows
        self._line = line
        self.line_num = 0
        header = self._next_row()
        self.fieldnames: list[str] = [] if header is None else [(c or "").strip().lower() for c in header]

    def __iter__(self) -> Table:
        return self

    def __next__(self) -> dict:
        while True:
            row = self._next_row()
            if row is None:
                raise StopIteration
            if row:  # a blank line is no row, as csv.DictReader has it
                break
        record: dict = dict(zip(self.fieldnames, row, strict=False))
        if len(row) > len(self.fieldnames):
            record[None] = row[len(self.fieldnames) :]
        for name in self.fieldnames[len(row) :]:
            record.setdefault(name, None)
        return record

    def _next_row(self) -> list[str] | None:
        try:
            row = next(self._rows)
        except StopIteration:
            return None
        except csv.Error as exc:  # e.g. a field longer than the csv module's limit (131,072 characters)
            raise InputError(
                f"cannot read this row ({exc}); check the quotes around its texts", self.path, self._where()
            ) from None
        self.line_num = self._where()
        return row

    def _where(self) -> int:
        return self._line() if self._line else self.line_num + 1


def read_table(path: str | Path, required: Sequence[str], what: str, hint: str = "",
               sheet: str | None = None) -> Table:  # fmt: skip
    """The rows of a CSV file or an ``.xlsx`` workbook (see the module docstring).

    Raises :class:`InputError` naming the file when it cannot be read or decoded, or lacks one
    of ``required``; ``what`` names the file's role ("the participants CSV") in the message.
    ``sheet`` chooses a workbook's worksheet (default: the one :func:`sheet_choice` set, else
    the first).
    """
    path = Path(path)
    if path.suffix.lower() in (".xls", ".ods", ".numbers"):
        raise InputError(
            f"cannot read {what} from a {path.suffix} file; save it as .xlsx or as .csv", str(path)
        )
    if path.suffix.lower() == ".xlsx":
        from qualcode.ingest.sheets import read_sheet

        rows, warnings = read_sheet(path, sheet if sheet is not None else _SHEET.get(), what)
        table = Table(iter(rows), str(path), warnings)
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {what}: {exc.strerror}", str(path)) from exc
        text, _, warnings = decode(data, str(path))
        table = csv_table(text, str(path), warnings)
    missing = [c for c in required if c not in table.fieldnames]
    if missing:
        separator = f" separated by {DELIMITERS[table.delimiter]}s" if table.delimiter else ""
        found = ", ".join(c for c in table.fieldnames if c) or "no columns"
        raise InputError(
            f"{what} needs the columns {','.join(required)}{hint}; missing: {', '.join(missing)} "
            f"(found{separator}: {found})",
            str(path),
            line=1,
        )
    return table


def csv_table(text: str, path: str, warnings: list[str] | None = None) -> Table:
    """A :class:`Table` over CSV text, its separator detected; a separator other than a comma
    is said in its ``warnings``."""
    warnings = list(warnings or [])
    delimiter = sniff_delimiter(text)
    if delimiter != ",":
        warnings.append(
            f"{path}: read as {DELIMITERS[delimiter]}-separated (fields separated by {delimiter!r})"
        )
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return Table(reader, path, warnings, delimiter, line=lambda: reader.line_num)


def sniff_delimiter(text: str) -> str:
    """The separator of CSV text: a comma, a semicolon or a tab.

    :class:`csv.Sniffer` guesses from a sample, restricted to these three; its guess stands
    when the header line holds it. Otherwise (no guess, or one the header lacks) the one the
    header holds most often decides, and a header with none of them (one column) is a comma's.
    """
    sample = text[:_SAMPLE]
    if len(text) > _SAMPLE and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    header = _header_line(sample)
    try:
        guess = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        guess = None
    if guess in DELIMITERS and _count_outside_quotes(header, guess):
        return guess
    counts = {d: _count_outside_quotes(header, d) for d in DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _header_line(sample: str) -> str:
    """The first line of the sample, up to a newline outside quotes."""
    quoted = False
    for i, ch in enumerate(sample):
        if ch == '"':
            quoted = not quoted
        elif ch == "\n" and not quoted:
            return sample[:i]
    return sample


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count
