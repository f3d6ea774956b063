"""Excel workbooks (``.xlsx``) as tables: one worksheet's rows as lists of text cells.

Read with openpyxl in read-only mode, after a check of the file itself: an ``.xlsx`` is a zip of
XML, so a member that unpacks past the limit (a zip bomb) or XML that declares entities is
refused before openpyxl sees it (:mod:`qualcode.files`). Cells become text the way a CSV
export would write them: whole numbers without ``.0``, dates as ISO dates (``2024-03-01``),
times as ``hh:mm:ss``, empty cells as ``''``.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from qualcode import files
from qualcode.errors import InputError, MissingDependencyError
from qualcode.ingest.decode import normalise

MAX_ROWS = 1_048_576  # Excel's own limit
MAX_CELLS = 20_000_000
_WORKBOOK_BYTES = 1024 * 1024 * 1024  # all members unpacked together
_ADVICE = "open it in Excel or LibreOffice and save it again as .xlsx (or as .csv)"


def read_sheet(path: Path, sheet: str | None, what: str) -> tuple[list[list[str]], list[str]]:
    """The rows of one worksheet of the workbook at ``path`` (the first, or ``sheet``: its name
    or its number counting from 1), and notes on which worksheet was read."""
    check_workbook(path)
    try:
        import openpyxl
    except ImportError:
        raise MissingDependencyError(
            "reading .xlsx files needs openpyxl; install it: pip install openpyxl"
        ) from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
        raise InputError(f"cannot read {what} as a workbook ({exc}); {_ADVICE}", str(path)) from exc
    try:
        names = list(book.sheetnames)
        if not names:
            raise InputError(f"the workbook has no worksheets; {_ADVICE}", str(path))
        name = _choose(names, sheet, path)
        notes = []
        if sheet is None and len(names) > 1:
            notes.append(
                f"{path}: read the first worksheet {name!r} of {len(names)} ({', '.join(names)}); "
                "choose another with --sheet"
            )
        worksheet = book[name]
        if not hasattr(worksheet, "iter_rows"):
            raise InputError(
                f"{name!r} is a chart sheet, not a worksheet; choose another with --sheet", str(path)
            )
        return _rows(worksheet, path, name), notes
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot read {what} as a workbook ({exc}); {_ADVICE}", str(path)) from exc
    finally:
        book.close()


def check_workbook(path: Path) -> None:
    """Refuse a workbook that is not a zip, that unpacks past the limits, or whose XML declares
    entities; before any XML of it is parsed."""
    where = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            total = sum(info.file_size for info in infos)
            if total > _WORKBOOK_BYTES:
                raise InputError(
                    f"the workbook unpacks to {total // (1024 * 1024):,} MB; this is not a table "
                    "qualcode can read (a damaged file or a zip bomb)",
                    where,
                )
            for info in infos:
                if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    data = files.read_member(archive, info, where)
                    if b"<!ENTITY" in data or b"<!DOCTYPE" in data:
                        raise InputError(
                            f"the workbook's {info.filename} declares XML entities; qualcode does not "
                            f"expand them; {_ADVICE}",
                            where,
                        )
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", where) from exc
    except (zipfile.BadZipFile, EOFError, RuntimeError, ValueError) as exc:
        raise InputError(f"not a valid .xlsx file ({exc}); {_ADVICE}", where) from exc


def _choose(names: list[str], sheet: str | None, path: Path) -> str:
    if sheet is None:
        return names[0]
    wanted = sheet.strip()
    for name in names:
        if name == wanted:
            return name
    for name in names:
        if name.casefold() == wanted.casefold():
            return name
    if wanted.isdigit() and 1 <= int(wanted) <= len(names):
        return names[int(wanted) - 1]
    raise InputError(f"the workbook has no worksheet {sheet!r}; it has: {', '.join(names)}", str(path))


def _rows(worksheet, path: Path, name: str) -> list[list[str]]:
    if hasattr(worksheet, "reset_dimensions"):
        worksheet.reset_dimensions()  # rows as stored: a stated size of A1:XFD1048576 is not padded
    rows: list[list[str]] = []
    cells = 0
    for values in worksheet.iter_rows(values_only=True):
        row = [cell_text(v) for v in values]
        while row and row[-1] == "":
            row.pop()
        rows.append(row)
        cells += len(row)
        if len(rows) > MAX_ROWS or cells > MAX_CELLS:
            raise InputError(
                f"worksheet {name!r} has more than {MAX_ROWS:,} rows or {MAX_CELLS:,} cells; "
                "this is not a table qualcode can read",
                str(path),
            )
    return rows


def cell_text(value) -> str:
    """A cell's value as a CSV export would write it (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return normalise(str(value))
