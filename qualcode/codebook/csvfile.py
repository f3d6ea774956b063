"""Codebooks as CSV: ``code,description,parent`` plus optional ``label,kind,keywords`` and
the other fields, or the same columns in an ``.xlsx`` workbook.

List fields hold several values. Keywords, lemmas, former names and merged codes are separated
by a semicolon (``steungroep; netwerkberaad; eigen kracht``): a comma belongs to the keyword,
so a cell of keywords with commas but no semicolon gets a warning (it would be one long keyword
that never matches). Inclusion and exclusion criteria and examples are one per line within the
cell. The CSV may be comma, semicolon or tab separated (detected).
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

from qualcode.codebook.model import Code, Codebook
from qualcode.errors import InputError, QualcodeWarning
from qualcode.ingest.csvtable import read_table

REQUIRED = ("code", "description", "parent")
_SEMICOLON_LISTS = ("keywords", "lemmas", "formerly", "merges")
_LINE_LISTS = ("inclusion", "exclusion", "examples")
COLUMNS = (*REQUIRED, "label", "kind", "colour", *_LINE_LISTS, *_SEMICOLON_LISTS)


def read_csv(path: str | Path, sheet: str | None = None) -> Codebook:
    """Read (and validate) a codebook CSV or workbook (``sheet``: which worksheet). Notes on
    reading it (the separator detected, keywords that look comma-separated) are issued as
    :class:`QualcodeWarning`."""
    path = Path(path)
    reader = read_table(path, REQUIRED, "a codebook CSV", sheet=sheet)
    unknown = [c for c in reader.fieldnames if c and c not in COLUMNS]
    if unknown:
        raise InputError(f"unknown column {unknown[0]!r}; known: {', '.join(COLUMNS)}", str(path), line=1)
    codes, notes = [], list(reader.warnings)
    for row in reader:
        values = {k: (v or "").strip() for k, v in row.items() if k}
        code = Code(
            name=values["code"],
            description=values["description"],
            parent=values["parent"] or None,
            kind=values.get("kind") or "other",
            label=values.get("label") or None,
            colour=values.get("colour") or None,
            line=reader.line_num,
        )
        for name in _SEMICOLON_LISTS:
            cell = values.get(name, "")
            if "," in cell and ";" not in cell and name in ("keywords", "lemmas"):
                notes.append(
                    f"{path}, line {reader.line_num}: the {name} of code {code.name!r} are one {name[:-1]} "
                    f"with commas ({cell!r}); separate {name} with ';' (did you mean "
                    f"{'; '.join(v.strip() for v in cell.split(',') if v.strip())!r}?)"
                )
            setattr(code, name, [v.strip() for v in cell.split(";") if v.strip()])
        for name in _LINE_LISTS:
            setattr(code, name, [v.strip() for v in values.get(name, "").split("\n") if v.strip()])
        codes.append(code)
    if not codes:
        raise InputError("the codebook CSV has no rows", str(path))
    codebook = Codebook(codes, name=path.stem, path=str(path)).validate()
    for note in notes:
        warnings.warn(note, QualcodeWarning, stacklevel=2)
    return codebook


def write_csv(codebook: Codebook, path: str | Path) -> None:
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for code in codebook.ordered():
            writer.writerow(
                [
                    code.name,
                    code.description,
                    code.parent or "",
                    code.label or "",
                    code.kind,
                    code.colour or "",
                ]
                + ["\n".join(getattr(code, n)) for n in _LINE_LISTS]
                + ["; ".join(getattr(code, n)) for n in _SEMICOLON_LISTS]
            )
