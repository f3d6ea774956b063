"""A snapshot: everything the analyses and the exports need, read from the project at once.

:func:`read_snapshot` reads the project inside one read transaction, so every table computed
from a snapshot describes one state of the project, even while coders go on reviewing in
another process. The analyses (:mod:`~qualcode.analysis.mechanisms`,
:mod:`~qualcode.analysis.evidence`) take a snapshot and never query the store themselves;
to see newer data, read a new snapshot.

Which codings count is chosen by ``include``:

- ``"reviewed"`` (the default): the current codings only, that is imported codings, codings
  made by hand, and suggestions a coder accepted or edited;
- ``"all"``: those, plus the suggestions of the latest suggestion run on which no coder has
  decided yet. These are marked "not reviewed" wherever they appear.

A coding belongs to the speaker (and so the role and case) of the turn in which it starts.

The findings exports never mix the two: they count :meth:`Snapshot.reviewed_only` and list
the unreviewed suggestions (:attr:`Snapshot.unreviewed`) apart.
"""

from __future__ import annotations

import itertools
from array import array
from collections import defaultdict
from dataclasses import dataclass, replace
from operator import itemgetter

import numpy as np

from qualcode.coding.blind import refuse_when_blind
from qualcode.errors import InputError
from qualcode.store import cases as case_store
from qualcode.store import codes as code_store
from qualcode.store import codings as coding_store
from qualcode.store import runs as run_store
from qualcode.store import segments as segment_store
from qualcode.store import settings as setting_store
from qualcode.store import sources as source_store
from qualcode.store import suggestions as suggestion_store
from qualcode.store import topics as topic_store

INCLUDES = ("reviewed", "all")


@dataclass(frozen=True, slots=True)  # slots: a large project has tens of thousands
class Occurrence:
    """One coding (or, with ``include="all"``, one unreviewed suggestion)."""

    source: str
    source_id: int
    start: int
    end: int
    code: str
    kind: str
    coder: str
    reviewed: bool
    provenance: str
    text: str
    speaker: str | None
    role: str | None
    case: str | None
    counter: bool = False  # marked by its coder as evidence against the code
    time: str = ""  # when the coding was stored (the decision's time; "" for a suggestion)
    origin: str = ""  # in two words (see ``origin``): imported, by hand, suggestion accepted, ...


@dataclass(frozen=True)
class Snapshot:
    """The project as the analyses see it, read in one transaction by :func:`read_snapshot`.

    Rows are the store's rows (``sqlite3.Row``), in the store's order.
    """

    include: str  # "reviewed" or "all"
    codes: list  # the active codes, in codebook order
    occurrences: list[Occurrence]  # the codings that count (see ``include``)
    included: str  # a sentence saying which codings count, for the outputs
    turns: list  # every turn with its speaker, role and case, by source and position
    unit: str | None  # the unit of ``segments``: the one asked for, or the active unit
    segments: list  # spans of the segments of ``unit`` ([] when there are none)
    case_roles: list  # (case, role) per case and role of its speakers
    case_attributes: list  # (case, attribute, value)
    rejected: list  # suggestions a coder rejected (and did not undo), with who did
    latest_run: int | None  # the latest finished suggest run
    active_unit: str | None  # the unit of the latest segmentation
    topics: list  # the topics of the latest topic run that found any
    data_date: str  # the latest time any data was stored ("" for an empty project)
    versions: str | None  # library versions (JSON) of the latest run that made data

    @property
    def unreviewed(self) -> list[Occurrence]:
        """The unreviewed suggestions among the occurrences (none unless ``include="all"``)."""
        return [o for o in self.occurrences if not o.reviewed]

    def reviewed_only(self) -> Snapshot:
        """The same read with the reviewed codings only (``include="reviewed"``)."""
        reviewed = [o for o in self.occurrences if o.reviewed]
        return replace(self, include="reviewed", occurrences=reviewed, included=reviewed_sentence(reviewed))


def read_snapshot(db, include: str = "reviewed", unit: str | None = None, compact: bool = False) -> Snapshot:
    """Read everything the analyses need in one read transaction; the segments are those
    of ``unit`` (default: the active unit). ``compact``: the turns and segments as
    :class:`Spans` and the codings read one at a time, for exports of large projects (the
    analyses then make only the units a coding occurs in: see ``mechanisms.coded_units``)."""
    if include not in INCLUDES:
        raise InputError(f"unknown include {include!r}; choose 'reviewed' or 'all'")
    refuse_when_blind(db, "reading the findings")
    with db.reading() as conn:
        unreviewed = suggestion_store.unreviewed_suggestions(conn) if include == "all" else []
        latest_run = suggestion_store.latest_run_id(conn)
        active = setting_store.active_unit(conn)
        unit = unit or active
        if compact:
            unreviewed = _drained(unreviewed)
            turns = Spans(_turns_by_source(conn), TURN_COLUMNS, texts=("speaker", "role", "case"))
            segments = Spans(segment_store.iter_segment_spans(conn, unit), SEGMENT_COLUMNS) if unit else []
            locate, rows = turns, coding_store.iter_reviewed_codings(conn)
        else:
            turns = source_store.all_turns(conn)
            segments = segment_store.segment_spans(conn, unit) if unit else []
            locate, rows = SpanLocator(turns), coding_store.reviewed_codings(conn)
        reviewed = to_occurrences(rows, locate, True)
        unreviewed = to_occurrences(unreviewed, locate, False)
        return Snapshot(
            include=include,
            codes=code_store.active_codes(conn),
            occurrences=reviewed + unreviewed,
            included=_included(include, reviewed, unreviewed, latest_run),
            turns=turns,
            unit=unit,
            segments=segments,
            case_roles=case_store.case_roles(conn),
            case_attributes=case_store.case_attributes(conn),
            rejected=suggestion_store.rejected_suggestions(conn),
            latest_run=latest_run,
            active_unit=active,
            topics=topic_store.latest_topics(conn)[1],
            data_date=run_store.data_date(conn),
            versions=run_store.latest_data_versions(conn),
        )


def _drained(rows):
    """The rows, a list's each let go of once taken (a large list of suggestions need not be
    held twice, as rows and as occurrences)."""
    if not isinstance(rows, list):
        yield from rows
        return
    rows.reverse()
    while rows:
        yield rows.pop()


def _turns_by_source(conn):
    """Every turn as ``source_store.all_turns`` gives it, read one source at a time."""
    for source_id in sorted(source_store.source_ids(conn)):
        for row in source_store.document_turns(conn, source_id):
            yield {**dict(row), "source_id": source_id}


def to_occurrences(rows, turns: SpanLocator, reviewed: bool = True) -> list[Occurrence]:
    """Store rows of codings (``coding_store.reviewed_codings``) or suggestions as occurrences,
    each with the speaker, role and case of the turn (located by ``turns``) in which it starts."""
    occurrences = []
    same: dict[str, str] = {}  # each name, phrase and time held once: a large project repeats them
    for row in rows:
        turn = turns.first(row["source_id"], row["start"], row["end"])
        source, code, kind, coder, how, time = (
            same.setdefault(v, v)
            for v in (row["source"], row["code"], row["kind"], row["coder"], provenance(row),
                      row["created_at"] if reviewed else "")
        )  # fmt: skip
        occurrences.append(
            Occurrence(
                source, row["source_id"], row["start"], row["end"], code, kind, coder, reviewed, how, row["text"],
                turn["speaker"] if turn else None, turn["role"] if turn else None,
                turn["case"] if turn else None, bool(row["counter"]), time, origin(row),
            )
        )  # fmt: skip
    return occurrences


def reviewed_sentence(reviewed: list, who: str = "") -> str:
    """The ``included`` sentence of reviewed codings (rows or occurrences, with ``coder``);
    ``who`` (e.g. " by anna") narrows its first words to one coder's codings."""
    coders = sorted({r.coder if isinstance(r, Occurrence) else r["coder"] for r in reviewed})
    return (
        f"Only reviewed codings{who} count: imported codings, codings made by hand and suggestions a "
        f"coder accepted or edited ({len(reviewed)} codings by {', '.join(coders) or 'nobody yet'})."
    )


def _included(include: str, reviewed: list, unreviewed: list, run: int | None) -> str:
    included = reviewed_sentence(reviewed)
    if include != "all":
        return included
    return (
        included[:-1].replace("Only reviewed codings count", "Reviewed codings count")
        + f"; so do the {len(unreviewed)} suggestions of the latest suggestion run"
        + (f" (run {run})" if run is not None else "")
        + " that nobody has reviewed yet, marked 'not reviewed'."
    )


def origin(row) -> str:
    """How a coding came about, in two words: imported, by hand, agreed (an owner's resolution),
    edited (a coding edited by hand), suggestion accepted, suggestion edited, or not reviewed
    (a machine suggestion)."""
    if row["origin"] in ("import", "manual", "agreed"):
        return {"import": "imported", "manual": "by hand", "agreed": "agreed"}[row["origin"]]
    if row["suggester"] is None:
        return "edited"
    return {"suggestion": "suggestion accepted", "edit": "suggestion edited"}.get(
        row["origin"], "not reviewed"
    )


def provenance(row, short: bool = False) -> str:
    """How a coding came about, as a phrase; ``short`` leaves out the score (for totals)."""
    if row["origin"] == "import":
        return f"imported ({row['coder']})"
    if row["origin"] == "manual":
        return f"coded by hand by {row['coder']}"
    if row["origin"] == "agreed":
        return "agreed: resolved by the project owner from two coders' codings"
    if row["suggester"] is None:
        return f"edited by {row['coder']}"
    suggested = f"suggested by {row['suggester']}/{row['suggester_version']}"
    if not short:
        suggested += f" (score {row['score']:.2f})"
    verb = {"suggestion": "accepted", "edit": "edited"}.get(row["origin"])
    return f"{suggested}, not reviewed" if verb is None else f"{suggested}, {verb} by {row['coder']}"


class SpanLocator:
    """Which spans (turns, segments: anything with ``source_id``, ``start`` and ``end``) of a
    source overlap a given span."""

    def __init__(self, rows):
        self.rows: dict[int, list] = defaultdict(list)
        for row in rows:
            self.rows[row["source_id"]].append(row)
        self.bounds = {
            s: (np.array([r["start"] for r in rs]), np.array([r["end"] for r in rs]))
            for s, rs in self.rows.items()
        }

    def overlapping(self, source_id: int, start: int, end: int) -> list:
        if source_id not in self.bounds:
            return []
        starts, ends = self.bounds[source_id]
        hits = np.nonzero((starts < end) & (ends > start))[0]
        return [self.rows[source_id][i] for i in hits]

    def first(self, source_id: int, start: int, end: int):
        found = self.overlapping(source_id, start, end)
        return found[0] if found else None


TURN_COLUMNS = ("id", "source_id", "position", "start", "end", "speaker", "role", "case")
SEGMENT_COLUMNS = ("id", "source_id", "turn_id", "position", "start", "end")
_NULL = np.iinfo(np.int64).min  # a missing number (a segment without a turn)
_BATCH = 65536  # rows read into a compact table at a time


class Spans:
    """Turns or segments held compactly (a large project has hundreds of thousands): a numpy
    column per number, each distinct text (``texts``: speaker, role, case) once. A row, a dict
    of ``columns`` as the store gives it, is made only when asked for. Rows are by source id
    and position; :meth:`overlapping` and :meth:`first` answer as :class:`SpanLocator` does."""

    def __init__(self, rows, columns: tuple[str, ...], texts: tuple[str, ...] = ()):
        self.columns = columns
        names = [c for c in columns if c not in texts]
        parts: dict[str, list[np.ndarray]] = {c: [] for c in names}
        codes = {c: array("i") for c in texts}
        known: dict[str, dict] = {c: {} for c in texts}
        take, rows = itemgetter(*names), iter(rows)
        while True:  # a batch of rows at a time, each column narrowed, to keep the peak low
            numbers = array("q")
            for row in itertools.islice(rows, _BATCH):
                values = take(row)
                numbers.extend(values if None not in values else [_NULL if v is None else v for v in values])
                for c in texts:
                    codes[c].append(known[c].setdefault(row[c], len(known[c])))
            if not numbers and parts[names[0]]:
                break
            batch = np.frombuffer(numbers, np.int64).reshape(-1, len(names))
            for i, c in enumerate(names):
                parts[c].append(_narrow(batch[:, i]))
            if len(batch) < _BATCH:
                break
        self.numbers = {c: np.concatenate(parts.pop(c)) for c in names}
        self.codes = {c: np.frombuffer(codes[c], np.int32) for c in texts}
        self.texts = {c: list(known[c]) for c in texts}  # code -> text, in the order first seen
        sources, positions = self.numbers["source_id"], self.numbers["position"]
        same = sources[1:] == sources[:-1]
        if not np.all((sources[1:] > sources[:-1]) | (same & (positions[1:] >= positions[:-1]))):
            order = np.lexsort((positions, sources))
            self.numbers = {c: column[order] for c, column in self.numbers.items()}
            self.codes = {c: column[order] for c, column in self.codes.items()}
        self._sources = self.numbers["source_id"]
        _, firsts, counts = np.unique(self._sources, return_index=True, return_counts=True)
        self._bounds = {
            int(self._sources[f]): (int(f), int(f + n)) for f, n in zip(firsts, counts, strict=True)
        }
        self._by_id = None

    def __len__(self) -> int:
        return len(self._sources)

    def __getitem__(self, i: int) -> dict:
        row = {}
        for c in self.columns:
            if c in self.codes:
                row[c] = self.texts[c][self.codes[c][i]]
            else:
                value = int(self.numbers[c][i])
                row[c] = None if value == _NULL else value
        return row

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def hits(self, source_id: int, start: int, end: int) -> np.ndarray:
        """The positions of the rows of ``source_id`` that overlap ``start``-``end``."""
        lo, hi = self._bounds.get(source_id, (0, 0))
        starts, ends = self.numbers["start"][lo:hi], self.numbers["end"][lo:hi]
        return np.flatnonzero((starts < end) & (ends > start)) + lo

    def overlapping(self, source_id: int, start: int, end: int) -> list[dict]:
        return [self[i] for i in self.hits(source_id, start, end)]

    def first(self, source_id: int, start: int, end: int) -> dict | None:
        found = self.hits(source_id, start, end)
        return self[found[0]] if len(found) else None

    def find(self, row_id: int | None) -> int | None:
        """The position of the row whose ``id`` is ``row_id`` (None when there is none)."""
        if self._by_id is None:
            order = np.argsort(self.numbers["id"], kind="stable")
            self._by_id = (self.numbers["id"][order], order)
        ids, order = self._by_id
        at = int(np.searchsorted(ids, row_id)) if row_id is not None else len(ids)
        return int(order[at]) if at < len(ids) and ids[at] == row_id else None

    def column(self, name: str, source_id: int) -> list:
        """The values of one column in the rows of ``source_id``."""
        lo, hi = self.bounds(source_id)
        if name in self.codes:
            return [self.texts[name][code] for code in self.codes[name][lo:hi].tolist()]
        return [None if value == _NULL else value for value in self.numbers[name][lo:hi].tolist()]

    def bounds(self, source_id: int) -> tuple[int, int]:
        """The positions of the first row of ``source_id`` and after its last."""
        return self._bounds.get(source_id, (0, 0))

    def sizes(self) -> np.ndarray:
        """The number of rows of each source that has any."""
        return np.array([hi - lo for lo, hi in self._bounds.values()], dtype=np.int64)


def _narrow(column: np.ndarray) -> np.ndarray:
    """The column as 32-bit integers when every value fits (half the memory)."""
    small = np.iinfo(np.int32)
    if len(column) and (column.min() < small.min or column.max() > small.max):
        return column
    return column.astype(np.int32)
