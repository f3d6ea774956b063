"""CSV files people hand in (participants, codebooks, codings): read, decode, check columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from qualcode.errors import InputError
from qualcode.ingest.decode import decode


def read_table(path: str | Path, required: Sequence[str], what: str, hint: str = "") -> csv.DictReader:
    """A DictReader over the file with stripped, lower-case column names.

    Raises :class:`InputError` naming the file when it cannot be read or decoded, or lacks one
    of ``required``; ``what`` names the file's role ("the participants CSV") in the message.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", str(path)) from exc
    text, _, _ = decode(data, str(path))
    reader = csv.DictReader(io.StringIO(text))
    columns = [(c or "").strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in required if c not in columns]
    if missing:
        raise InputError(
            f"{what} needs the columns {','.join(required)}{hint}; missing: {', '.join(missing)}",
            str(path),
            line=1,
        )
    reader.fieldnames = columns
    return reader
