"""The workbook is written as it is made: from a compact snapshot (turns and segments as
numpy columns, only the units a coding occurs in made), in openpyxl's write-only mode. These
tests check that this gives the findings of the full snapshot, that the write-only workbook
keeps what a reader relies on, and that what no coding touches costs little memory."""

from __future__ import annotations

import csv
import random
import tracemalloc

import pytest

from qualcode import Project
from qualcode.analysis import mechanisms
from qualcode.analysis.evidence import evidence_tables
from qualcode.analysis.snapshot import Spans, read_snapshot
from qualcode.export import tables
from qualcode.export.findings import collect
from tests.conftest import add_suggestions, second_connection, write
from tests.test_mechanisms import BOOK

# The compact reading runs on both engines (its store cursors differ).
pytestmark = pytest.mark.parametrize("engine", ["sqlite", "postgresql"], indirect=True)

WORDS = ("steungroep", "vertrouwen", "woning", "rust", "netwerk", "zus", "week", "hulp", "tijd", "plan")
CODES = ("Steungroep", "Vertrouwen", "Woning", "Rust", "KleinNetwerk")


def transcripts(folder, rng, sources: int, turns: int, first: int = 0) -> list[str]:
    """``sources`` interviews of ``turns`` turns (I and R by turns) of one to four sentences;
    of every five, one is a question only (no segments: an interviewer's turns are not
    segmented) and one a question and its answer (fewer segments than a wide window)."""
    folder.mkdir(exist_ok=True)
    names = []
    for s in range(first, first + sources):
        lines = []
        for t in range({3: 1, 4: 2}.get(s % 5, turns)):
            said = " ".join(
                " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))).capitalize() + "."
                for _ in range(rng.randint(1, 4))
            )
            lines.append(f"{'R' if t % 2 else 'I'}: {said}")
        names.append(f"int_{s:03d}")
        write(folder / f"{names[-1]}.txt", "\n".join(lines) + "\n")
    return names


def generated(tmp_path, seed: int = 7, sources: int = 12, turns: int = 10, coders=("anna", "bob")) -> Project:
    """Interviews of clients and professionals in four cases, the ``coders``' codings of random
    spans (some across sentences and turns, some marked counter-evidence), segments without
    a turn, and a suggestion run nobody reviewed."""
    rng = random.Random(seed)
    names = transcripts(tmp_path / "interviews", rng, sources, turns)
    people = ["speaker,source,case,role,city,age"]
    people += [
        f"R,{n},C{i % 4},{('client', 'professional')[i % 2]},Stad{i % 4 % 3},{20 + i % 4}"
        for i, n in enumerate(names)
    ]
    proj = Project.create(tmp_path / "generated.qc")
    proj.import_transcripts(
        [tmp_path / "interviews"], participants=write(tmp_path / "people.csv", "\n".join(people))
    )
    proj.segment(unit="sentence")
    proj.load_codebook(write(tmp_path / "book.yaml", BOOK))
    for coder in coders:
        path = tmp_path / f"{coder}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(("source", "start", "end", "code", "coder", "counter"))
            for name in rng.sample(names, k=len(names) - 2):
                length = len(proj.source_text(name))
                for _ in range(rng.randint(3, 12)):
                    start = rng.randrange(length - 1)
                    end = min(length, start + rng.randint(3, 160))
                    out.writerow(
                        (name, start, end, rng.choice(CODES), coder, "yes" if rng.random() < 0.15 else "")
                    )
        proj.import_codings(path)
    rows = []
    for name in names[:6]:
        length = len(proj.source_text(name))
        start = rng.randrange(length - 20)
        rows.append((name, start, start + 15, rng.choice(CODES), 0.5))
    add_suggestions(proj, rows)
    with second_connection(proj) as db, db.transaction() as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM segments ORDER BY id")][::9]
        conn.executemany("UPDATE segments SET turn_id = NULL WHERE id = ?", [(i,) for i in ids])
    return proj


@pytest.fixture
def project(tmp_path):
    proj = generated(tmp_path)
    yield proj
    proj.close()


@pytest.fixture
def db(project):
    """The generated project, as the exports read it."""
    with second_connection(project) as opened:
        yield opened


OPTIONS = (
    {},
    {"include": "all"},
    {"coder": "anna"},
    {"consensus": True},
)


@pytest.mark.parametrize(
    "options", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "default"
)
def test_the_compact_findings_are_the_full_findings(db, options):
    full, compact = collect(db, **options), collect(db, **options, compact=True)
    assert compact.codings == full.codings and compact.counts == full.counts
    assert tables.tables(compact) == tables.tables(full)
    assert tables.framework_matrix_rows(compact.framework) == tables.framework_matrix_rows(full.framework)
    assert [f.units for f in compact.cooccurrence.values()] == [f.units for f in full.cooccurrence.values()]
    if not options:  # a project worth comparing
        assert len(full.codings) > 50 and any(t.counter_evidence for t in full.evidence)
        assert any(c.cases for c in full.cmo) and full.disagreements
    assert full.codings


def test_the_compact_snapshot_makes_the_units_of_the_full_one(db):
    full, compact = read_snapshot(db), read_snapshot(db, compact=True)
    assert isinstance(compact.turns, Spans) and isinstance(compact.segments, Spans)
    assert list(compact.turns) == [dict(r) for r in full.turns]
    assert list(compact.segments) == [dict(r) for r in full.segments]
    assert any(s["turn_id"] is None for s in compact.segments)
    assert compact.occurrences == full.occurrences and compact.included == full.included
    for scope in mechanisms.SCOPES:
        for window in (1, 2, 3, 5):
            count, found = mechanisms.coded_units(compact, scope, window)
            everything = mechanisms.units(full, scope, window)
            assert count == len(everything)
            assert list(found) == [u for u in everything if u.codes], (scope, window)
            a, b = (
                mechanisms.cooccurrence(full, scope, window),
                mechanisms.cooccurrence(compact, scope, window),
            )
            assert (a.units, a.pairs()) == (b.units, b.pairs())
            assert a.counts.equals(b.counts) and a.jaccard.equals(b.jaccard)
            assert mechanisms.cmo_configurations(full, scope, window) == mechanisms.cmo_configurations(
                compact, scope, window
            )
    assert evidence_tables(compact) == evidence_tables(full)
    with pytest.raises(Exception, match="at least 1 segment"):
        mechanisms.coded_units(compact, "window", 0)


def test_the_workbook_is_made_without_every_unit_or_the_whole_codings_table(db, tmp_path, monkeypatch):
    """No full list of units (every turn, segment, window) and no codings table in one piece:
    ``coding_rows`` sees a batch of codings at a time, the sheets are write-only."""
    from openpyxl import Workbook

    def no_units(*args, **kwargs):
        raise AssertionError("the workbook made every unit")

    batches = []
    real_rows, real_workbook = tables.coding_rows, Workbook

    def coding_rows(occurrences, attributes):
        batches.append(len(occurrences))
        return real_rows(occurrences, attributes)

    books = []

    def workbook(*args, **kwargs):
        books.append(real_workbook(*args, **kwargs))
        return books[-1]

    codings = len(collect(db).codings)
    monkeypatch.setattr(mechanisms, "units", no_units)
    monkeypatch.setattr(tables, "coding_rows", coding_rows)
    monkeypatch.setattr(tables, "_BATCH", 20)
    monkeypatch.setattr("openpyxl.Workbook", workbook)
    tables.export_xlsx(db, tmp_path / "f.xlsx", include="all")
    assert codings > 40 and max(batches) == 20 and sum(batches) == codings
    assert [b.write_only for b in books] == [True]


def test_a_sheet_longer_than_its_sample_is_written_whole(db, tmp_path, monkeypatch):
    """The widths come from the first rows; every row after them is written, with the same
    values and cell types, wrapped where its column wraps, inside the autofilter."""
    from openpyxl import load_workbook

    whole = load_workbook(tables.export_xlsx(db, tmp_path / "whole.xlsx"))
    monkeypatch.setattr(tables, "_SAMPLE", 3)
    monkeypatch.setattr(tables, "_BATCH", 7)
    sampled = load_workbook(tables.export_xlsx(db, tmp_path / "sampled.xlsx"))
    assert sampled.sheetnames == whole.sheetnames
    for a, b in zip(whole.worksheets, sampled.worksheets, strict=True):
        assert [[(c.value, c.data_type) for c in r] for r in a.iter_rows()] == [
            [(c.value, c.data_type) for c in r] for r in b.iter_rows()
        ], a.title
        assert (a.auto_filter.ref, a.dimensions) == (b.auto_filter.ref, b.dimensions)
    codings = whole["Codings"]
    quote = [c.value for c in codings[1]].index("quote") + 1
    assert codings.max_row > 40 and codings.column_dimensions["F"].width == 60
    assert all(codings.cell(row=r, column=quote).alignment.wrap_text for r in range(2, codings.max_row + 1))
    assert not codings.cell(row=1, column=quote).alignment.wrap_text and codings.cell(row=1, column=1).font.b


def test_the_write_only_workbook_reads_as_before(db, tmp_path):
    """What readers go by: every sheet sized (a read-only reader pads each row to it), a
    link per sheet on the Contents sheet, frozen headers, autofilters over each table, widths,
    numbers and typed attributes as numbers, the unreviewed sheet marked red."""
    from openpyxl import load_workbook

    path = tables.export_xlsx(db, tmp_path / "f.xlsx", include="all")
    book, streamed = load_workbook(path), load_workbook(path, read_only=True)
    contents = list(book["Contents"].iter_rows(min_row=2))
    assert [r[0].hyperlink.location for r in contents] == [f"'{s}'!A1" for s in book.sheetnames[1:]]
    assert all(r[0].font.u == "single" for r in contents)
    for ws in book.worksheets:
        rows = list(streamed[ws.title].iter_rows(values_only=True))
        assert len({len(r) for r in rows}) == 1 and len(rows[0]) == ws.max_column, ws.title
        assert streamed[ws.title].calculate_dimension() == ws.dimensions, ws.title
        if ws.title != "Summary":
            assert ws.freeze_panes == "A2" and ws.auto_filter.ref == ws.dimensions, ws.title
            assert all(c.font.b for c in ws[1]), ws.title
        assert ws.column_dimensions["A"].width >= 8, ws.title
    codings = book["Codings"]
    header = [c.value for c in codings[1]]
    for name in ("start", "end", "case age"):  # an interviewer's turn has no case, so no age
        values = [r[header.index(name)].value for r in codings.iter_rows(min_row=2)]
        assert {type(v) for v in values if v is not None} == {int} and values.count(None) < len(values), name
    assert book["Unreviewed machine suggestions"].sheet_properties.tabColor.rgb.endswith("C00000")
    summary = book["Summary"]
    assert summary.page_setup.fitToHeight == 1 and summary.sheet_properties.pageSetUpPr.fitToPage
    assert tables.export_xlsx(db, tmp_path / "again.xlsx", include="all").read_bytes() == path.read_bytes()


def _peak(action) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.sqlite_only(
    "a measure of this process's memory; the server's cursors hold their rows client-side"
)
def test_interviews_no_coding_touches_cost_little_memory(tmp_path):
    """Interviews without codings still count (interviews, units), but their turns and segments
    are only numbers in columns: the peak grows by far less than the old per-row cost (a
    store row, a unit per segment and window, the source text: over 1 kB a segment). One
    coder: agreement, with two, reads every segment of the unit with its text."""
    proj, out = generated(tmp_path, sources=8, coders=("anna",)), tmp_path / "f.xlsx"
    with second_connection(proj) as db:
        tables.export_xlsx(db, out)  # imports and caches, outside the measures
        before = _peak(lambda: tables.export_xlsx(db, out))
    segments = len(list(proj.segments()))
    transcripts(tmp_path / "more", random.Random(3), sources=120, turns=70, first=100)
    proj.import_transcripts([tmp_path / "more"])
    proj.segment(unit="sentence")
    extra = len(list(proj.segments())) - segments
    with second_connection(proj) as db:
        after = _peak(lambda: tables.export_xlsx(db, out))
    proj.close()
    assert extra > 5000
    assert (after - before) / extra < 250, f"{(after - before) / extra:.0f} bytes a segment"
