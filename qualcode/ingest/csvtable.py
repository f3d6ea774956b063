"""CSV files people hand in (participants, codebooks, codings): read, decode, check columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from qualcode.errors import InputError
from qualcode.ingest.decode import decode


class Table(csv.DictReader):
    """A DictReader that also holds the warnings of decoding its file (``warnings``)."""

    def __init__(self, text: str, path: str, warnings: list[str]) -> None:
        super().__init__(io.StringIO(text))
        self.path = path
        self.warnings = warnings

    def __next__(self) -> dict:
        try:
            return super().__next__()
        except csv.Error as exc:  # e.g. a field longer than the csv module's limit (131,072 characters)
            raise InputError(
                f"cannot read this row ({exc}); check the quotes around its texts",
                self.path,
                self.reader.line_num,
            ) from None


def read_table(path: str | Path, required: Sequence[str], what: str, hint: str = "") -> Table:
    """A DictReader over the file with stripped, lower-case column names.

    Raises :class:`InputError` naming the file when it cannot be read or decoded, or lacks one
    of ``required``; ``what`` names the file's role ("the participants CSV") in the message.
    The reader's ``warnings`` are those of decoding the file (e.g. control characters removed).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", str(path)) from exc
    text, _, warnings = decode(data, str(path))
    reader = Table(text, str(path), warnings)
    try:
        columns = [(c or "").strip().lower() for c in reader.fieldnames or []]
    except csv.Error as exc:
        raise InputError(f"cannot read the header row of {what} ({exc})", str(path), line=1) from None
    missing = [c for c in required if c not in columns]
    if missing:
        raise InputError(
            f"{what} needs the columns {','.join(required)}{hint}; missing: {', '.join(missing)}",
            str(path),
            line=1,
        )
    reader.fieldnames = columns
    return reader
