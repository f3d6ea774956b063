"""Short texts coded as a whole, such as open survey answers coded by several people.

A CSV with an id column, a text column and one column per coder holding that coder's codes
for the answer (separated by ``;``). Each answer becomes a source of one turn; each code a
coding over the whole answer, so agreement can be computed per answer (``--unit turn``).
"""

from __future__ import annotations

from pathlib import Path

from qualcode.codebook.model import Code
from qualcode.errors import InputError
from qualcode.ingest.csvtable import read_table
from qualcode.ingest.decode import normalise
from qualcode.ingest.importer import ImportReport, store_transcript
from qualcode.ingest.limits import check_characters
from qualcode.ingest.model import TextBuilder, Transcript
from qualcode.store import codes as code_store
from qualcode.store import codings as coding_store


def import_units(
    db, path, id_column, text_column, coders, separator, add_missing_codes, sheet: str | None = None
) -> ImportReport:
    """Store every answer as a source and its codes as codings, in one transaction. The file is
    a CSV (comma, semicolon or tab separated) or an ``.xlsx`` workbook (``sheet``: which worksheet)."""
    path = Path(path)
    columns = [c.strip().lower() for c in (id_column, text_column, *coders)]
    reader = read_table(path, columns, "a units CSV", sheet=sheet)
    rows, seen = [], {}
    for record in reader:
        name = (record[columns[0]] or "").strip()
        text = normalise(record[columns[1]] or "").strip()
        if not name or not text:
            raise InputError("every row needs an id and a text", str(path), reader.line_num)
        if name in seen:
            raise InputError(
                f"id {name!r} appears twice (also on line {seen[name]})", str(path), reader.line_num
            )
        seen[name] = reader.line_num
        check_characters(len(text), str(path), reader.line_num)  # each answer is a source
        codes = {
            coder: [c.strip() for c in (record[column] or "").split(separator) if c.strip()]
            for coder, column in zip(coders, columns[2:], strict=True)
        }
        rows.append((name, text, codes))
    known = code_store.code_ids(db.connection)
    missing = sorted({c for _, _, codes in rows for cs in codes.values() for c in cs if c not in known})
    if missing and not add_missing_codes:
        raise InputError(
            f"{len(missing)} codes are not in the codebook: {', '.join(missing)}; add them, or pass --add-missing-codes",
            str(path),
        )
    report = ImportReport(warnings=list(reader.warnings))
    with db.transaction() as conn:
        if missing:
            codebook = code_store.current_codebook(conn)
            codebook.codes += [
                Code(name=c, description=f"added by a units import of {path.name}") for c in missing
            ]
            code_store.apply_codebook(conn, codebook.validate(), origin=f"units import {path}")
            known = code_store.code_ids(conn)
        codings = []
        for name, text, codes in rows:
            builder = TextBuilder(str(path))
            builder.add_turn(None, text)
            # Every coder named judged every answer: an empty cell means "no code applies".
            transcript = Transcript(
                builder.text(), builder.turns, format="unit", metadata={"judged_by": coders}
            )
            source_id = store_transcript(conn, name, str(path), transcript, False, report)
            if source_id is None:
                continue  # the same answer was imported before, with its codings
            turn = transcript.turns[0]
            codings += [
                (source_id, turn.start, turn.end, known[c], coder) for coder, cs in codes.items() for c in cs
            ]
        coding_store.insert_codings(conn, codings, origin="import")
    return report
