"""Codebooks as CSV: ``code,description,parent`` plus optional ``label,kind,keywords`` and
the other fields. List fields hold several values: keywords and lemmas separated by ``;``,
criteria and examples one per line within the cell."""

from __future__ import annotations

import csv
from pathlib import Path

from qualcode.codebook.model import Code, Codebook
from qualcode.errors import InputError
from qualcode.ingest.csvtable import read_table

REQUIRED = ("code", "description", "parent")
_SEMICOLON_LISTS = ("keywords", "lemmas", "formerly", "merges")
_LINE_LISTS = ("inclusion", "exclusion", "examples")
COLUMNS = (*REQUIRED, "label", "kind", "colour", *_LINE_LISTS, *_SEMICOLON_LISTS)


def read_csv(path: str | Path) -> Codebook:
    path = Path(path)
    reader = read_table(path, REQUIRED, "a codebook CSV")
    unknown = [c for c in reader.fieldnames if c and c not in COLUMNS]
    if unknown:
        raise InputError(f"unknown column {unknown[0]!r}; known: {', '.join(COLUMNS)}", str(path), line=1)
    codes = []
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
            setattr(code, name, [v.strip() for v in values.get(name, "").split(";") if v.strip()])
        for name in _LINE_LISTS:
            setattr(code, name, [v.strip() for v in values.get(name, "").split("\n") if v.strip()])
        codes.append(code)
    if not codes:
        raise InputError("the codebook CSV has no rows", str(path))
    return Codebook(codes, name=path.stem, path=str(path)).validate()


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
