"""Mechanisms: code co-occurrence, context-mechanism-outcome configurations, a framework
matrix and evidence tables, from the project's codings.

Which codings count is chosen by ``include``:

- ``"reviewed"`` (the default): the current codings only, that is imported codings, codings
  made by hand, and suggestions a coder accepted or edited;
- ``"all"``: those, plus the suggestions of the latest suggestion run on which no coder has
  decided yet. These are marked "not reviewed" wherever they appear.

Every result carries ``included``, a sentence saying which codings counted, for the outputs.

A coding belongs to the speaker (and so the role and case) of the turn in which it starts.
It occurs in a unit (a segment, a turn, or a window of consecutive segments) when its span
overlaps the unit. Counter-evidence for a code is (a) every suggestion of the code that a
coder rejected, and (b) for a mechanism code, every segment where it co-occurs with a
bottleneck code (the mechanism is at work, yet something blocks it).
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

import numpy as np

from qualcode.errors import NO_SEGMENTS, ConflictError, InputError, no_segments_of
from qualcode.store import cases as case_store
from qualcode.store import codes as code_store
from qualcode.store import codings as coding_store
from qualcode.store import segments as segment_store
from qualcode.store import settings as setting_store
from qualcode.store import sources as source_store
from qualcode.store import suggestions as suggestion_store

INCLUDES = ("reviewed", "all")
SCOPES = ("segment", "turn", "window")
NO_CASE = "(no case)"
NO_ROLE = "(no role)"


# -- what counts ------------------------------------------------------------------------------


@dataclass(frozen=True)
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


@dataclass
class _Data:
    codes: list  # rows of the active codebook, in order
    occurrences: list[Occurrence]
    turns: list
    included: str


def _provenance(row, short: bool = False) -> str:
    """How a coding came about, as a phrase; ``short`` leaves out the score (for totals)."""
    if row["origin"] == "import":
        return f"imported ({row['coder']})"
    if row["origin"] == "manual":
        return f"coded by hand by {row['coder']}"
    if row["suggester"] is None:
        return f"edited by {row['coder']}"
    suggested = f"suggested by {row['suggester']}/{row['suggester_version']}"
    if not short:
        suggested += f" (score {row['score']:.2f})"
    verb = {"suggestion": "accepted", "edit": "edited"}.get(row["origin"])
    return f"{suggested}, not reviewed" if verb is None else f"{suggested}, {verb} by {row['coder']}"


# Within ``reading_once()`` (an export computing many tables from unchanged data) the codings
# are read and located once per ``include`` instead of once per table.
_SHARED: ContextVar[dict | None] = ContextVar("qualcode_mechanisms_shared", default=None)


@contextlib.contextmanager
def reading_once() -> Iterator[None]:
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _load(db, include: str) -> _Data:
    if include not in INCLUDES:
        raise InputError(f"unknown include {include!r}; choose 'reviewed' or 'all'")
    shared = _SHARED.get()
    if shared is None:
        return _read(db, include)
    key = (id(db), include)
    if key not in shared:
        shared[key] = _read(db, include)
    return shared[key]


def _read(db, include: str) -> _Data:
    conn = db.connection
    rows = [(r, True) for r in coding_store.reviewed_codings(conn)]
    coders = sorted({r["coder"] for r, _ in rows})
    included = (
        f"Only reviewed codings count: imported codings, codings made by hand and suggestions a "
        f"coder accepted or edited ({len(rows)} codings by {', '.join(coders) or 'nobody yet'})."
    )
    if include == "all":
        extra = suggestion_store.unreviewed_suggestions(conn)
        rows += [(r, False) for r in extra]
        run = suggestion_store.latest_run_id(conn)
        included = (
            included[:-1].replace("Only reviewed codings count", "Reviewed codings count")
            + f"; so do the {len(extra)} suggestions of the latest suggestion run"
            + (f" (run {run})" if run is not None else "")
            + " that nobody has reviewed yet, marked 'not reviewed'."
        )
    turns = source_store.all_turns(conn)
    locate = _Locator(turns)
    occurrences = []
    for row, reviewed in rows:
        turn = locate.first(row["source_id"], row["start"], row["end"])
        occurrences.append(
            Occurrence(
                row["source"], row["source_id"], row["start"], row["end"], row["code"], row["kind"],
                row["coder"], reviewed, _provenance(row), row["text"],
                turn["speaker"] if turn else None, turn["role"] if turn else None,
                turn["case"] if turn else None,
            )
        )  # fmt: skip
    return _Data(code_store.active_codes(conn), occurrences, turns, included)


class _Locator:
    """Which spans (turns, segments) of a source overlap a given span."""

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


# -- units ------------------------------------------------------------------------------------


@dataclass
class _Unit:
    source_id: int
    start: int
    end: int
    cases: set[str] = field(default_factory=set)
    codes: dict[str, bool] = field(default_factory=dict)  # code -> occurs by a reviewed coding


def _mark(unit: _Unit, occurrence: Occurrence) -> None:
    unit.codes[occurrence.code] = unit.codes.get(occurrence.code, False) or occurrence.reviewed


def _units(db, data: _Data, scope: str, window: int = 3, unit: str | None = None) -> list[_Unit]:
    if scope not in SCOPES:
        raise InputError(f"unknown scope {scope!r}; choose segment, turn or window")
    if scope == "turn":
        units = [_Unit(t["source_id"], t["start"], t["end"], {t["case"]} - {None}) for t in data.turns]
        _assign(units, data.occurrences)
        return units
    conn = db.connection
    unit = unit or setting_store.active_unit(conn)
    if unit is None:
        raise ConflictError(NO_SEGMENTS)
    rows = segment_store.segment_spans(conn, unit)
    if not rows:
        raise ConflictError(no_segments_of(unit))
    case_of_turn = {t["id"]: t["case"] for t in data.turns}
    segments = [
        _Unit(s["source_id"], s["start"], s["end"], {case_of_turn.get(s["turn_id"])} - {None}) for s in rows
    ]
    _assign(segments, data.occurrences)
    if scope == "segment":
        return segments
    if window < 1:
        raise InputError("the window must be at least 1 segment (--window N)")
    units = []
    for _, group in itertools.groupby(segments, key=lambda u: u.source_id):
        group = list(group)
        for first in range(max(1, len(group) - window + 1)):
            parts = group[first : first + window]
            merged = _Unit(parts[0].source_id, parts[0].start, parts[-1].end)
            for part in parts:
                merged.cases |= part.cases
                for code, reviewed in part.codes.items():
                    merged.codes[code] = merged.codes.get(code, False) or reviewed
            units.append(merged)
    return units


def _assign(units: list[_Unit], occurrences: list[Occurrence]) -> None:
    locate = _Locator({"source_id": u.source_id, "start": u.start, "end": u.end, "unit": u} for u in units)
    for occurrence in occurrences:
        for hit in locate.overlapping(occurrence.source_id, occurrence.start, occurrence.end):
            _mark(hit["unit"], occurrence)


def _code_order(data: _Data, present) -> list[str]:
    order = [c["name"] for c in data.codes]
    known = set(order)
    return [c for c in order if c in present] + sorted(set(present) - known)


# -- co-occurrence ----------------------------------------------------------------------------


@dataclass
class Cooccurrence:
    """``counts``: units where both codes occur (diagonal: units with the code);
    ``jaccard``: both / either (1.0 on the diagonal)."""

    scope: str
    window: int | None
    unit: str | None
    units: int
    counts: object  # pandas.DataFrame, codes x codes
    jaccard: object  # pandas.DataFrame
    included: str

    def pairs(self) -> list[tuple[str, str, int, float]]:
        """(code, code, units, jaccard) for every pair that co-occurs, the diagonal left out."""
        codes = list(self.counts.index)
        return [
            (a, b, int(self.counts.loc[a, b]), float(self.jaccard.loc[a, b]))
            for i, a in enumerate(codes)
            for b in codes[i + 1 :]
            if self.counts.loc[a, b] > 0
        ]


def cooccurrence(db, scope: str = "segment", window: int = 3, unit: str | None = None,
                 include: str = "reviewed") -> Cooccurrence:  # fmt: skip
    """How often codes occur in the same unit: a segment of ``unit`` (default: the active
    unit), a turn, or a sliding window of ``window`` consecutive segments of one source."""
    import pandas as pd

    data = _load(db, include)
    units = _units(db, data, scope, window, unit)
    codes = _code_order(data, {c for u in units for c in u.codes})
    index = {c: i for i, c in enumerate(codes)}
    matrix = np.zeros((len(codes), len(codes)), dtype=int)
    for u in units:
        present = sorted(index[c] for c in u.codes)
        for i in present:
            matrix[i, present] += 1
    diagonal = np.diag(matrix)
    either = diagonal[:, None] + diagonal[None, :] - matrix
    with np.errstate(invalid="ignore", divide="ignore"):
        jaccard = np.where(either > 0, matrix / np.maximum(either, 1), 0.0)
    counts = pd.DataFrame(matrix, index=codes, columns=codes)
    return Cooccurrence(
        scope,
        window if scope == "window" else None,
        None if scope == "turn" else (unit or setting_store.active_unit(db.connection)),
        len(units),
        counts,
        pd.DataFrame(jaccard.round(6), index=codes, columns=codes),
        data.included,
    )


# -- context, mechanism, outcome --------------------------------------------------------------


@dataclass
class CmoConfiguration:
    context: str
    mechanism: str
    outcome: str
    units: int  # units where all three occur
    cases: dict[str, int]  # case -> units
    unreviewed_units: int = 0  # units where the triple holds only thanks to unreviewed suggestions

    @property
    def n_cases(self) -> int:
        return len(self.cases)

    def support(self) -> str:
        return "; ".join(f"{case}: {n}" for case, n in self.cases.items())


class CmoConfigurations(list):
    """A list of :class:`CmoConfiguration`, with ``included`` and the scope."""

    def __init__(self, items=(), scope: str = "turn", included: str = ""):
        list.__init__(self, items)
        self.scope = scope
        self.included = included


def cmo_configurations(
    db, scope: str = "turn", window: int = 3, include: str = "reviewed"
) -> CmoConfigurations:
    """Triples of a context, a mechanism and an outcome code occurring together in a unit of
    ``scope``, with their support per case, most supported first."""
    data = _load(db, include)
    units = _units(db, data, scope, window)
    kind = {c["name"]: c["kind"] for c in data.codes}
    found: dict[tuple[str, str, str], CmoConfiguration] = {}
    for u in units:
        by_kind = defaultdict(list)
        for code in u.codes:
            by_kind[kind.get(code)].append(code)
        for triple in itertools.product(*(sorted(by_kind[k]) for k in ("context", "mechanism", "outcome"))):
            config = found.setdefault(triple, CmoConfiguration(*triple, units=0, cases={}))
            config.units += 1
            if not all(u.codes[c] for c in triple):
                config.unreviewed_units += 1
            for case in u.cases:
                config.cases[case] = config.cases.get(case, 0) + 1
    for config in found.values():
        config.cases = dict(sorted(config.cases.items()))
    ordered = sorted(found.values(), key=lambda c: (-c.units, -c.n_cases, c.context, c.mechanism, c.outcome))
    return CmoConfigurations(ordered, scope, data.included)


# -- framework matrix -------------------------------------------------------------------------


@dataclass
class FrameworkMatrix:
    """``counts``: cases x codes, the number of codings; ``quotes``: up to two short quotes
    per cell; ``cases``: per case its role(s) and attributes."""

    counts: object  # pandas.DataFrame
    quotes: object  # pandas.DataFrame of str
    cases: object  # pandas.DataFrame, index case
    included: str


def framework_matrix(db, include: str = "reviewed", quotes: int = 2, width: int = 160) -> FrameworkMatrix:
    import pandas as pd

    data = _load(db, include)
    conn = db.connection
    roles: dict[str, list[str]] = defaultdict(list)
    for row in case_store.case_roles(conn):
        if row["role"]:
            roles[row["case"]].append(row["role"])
    attributes: dict[str, dict[str, str]] = defaultdict(dict)
    for row in case_store.case_attributes(conn):
        attributes[row["case"]][row["attribute"]] = row["value"]
    names = sorted(set(roles) | set(attributes) | {o.case for o in data.occurrences if o.case})
    if any(o.case is None for o in data.occurrences):
        names.append(NO_CASE)
    codes = _code_order(data, {o.code for o in data.occurrences})
    counts = pd.DataFrame(0, index=names, columns=codes, dtype=int)
    cells = pd.DataFrame("", index=names, columns=codes, dtype=object)
    for o in data.occurrences:
        case = o.case or NO_CASE
        counts.loc[case, o.code] += 1
        if counts.loc[case, o.code] <= quotes:
            quote = _short(o.text, width) + ("" if o.reviewed else " [not reviewed]")
            cells.loc[case, o.code] = (cells.loc[case, o.code] + "\n" if cells.loc[case, o.code] else "") + (
                f"“{quote}” ({o.source} {o.start}-{o.end})"
            )
    columns = ["role", *sorted({a for v in attributes.values() for a in v})]
    table = pd.DataFrame(
        [[", ".join(roles.get(n, [])), *(attributes[n].get(a, "") for a in columns[1:])] for n in names],
        index=names,
        columns=columns,
    )
    counts.index.name = cells.index.name = table.index.name = "case"
    return FrameworkMatrix(counts, cells, table, data.included)


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# -- evidence tables --------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    source: str
    speaker: str | None
    role: str | None
    case: str | None
    start: int
    end: int
    text: str
    provenance: str
    reviewed: bool


@dataclass(frozen=True)
class CounterEvidence:
    kind: str  # "rejected suggestion" or "with bottleneck"
    source: str
    start: int
    end: int
    text: str
    detail: str


@dataclass
class EvidenceTable:
    code: str
    kind: str
    definition: str
    segments: int  # segments of the active unit the code's codings overlap
    interviews: int  # sources with a coding
    codings: int
    unreviewed: int  # of which unreviewed suggestions (include="all")
    cases_per_group: dict[str, int]  # role -> number of cases
    quotes: list[Quote]
    counter_evidence: list[CounterEvidence]
    provenance: dict[str, int]  # how the codings came about -> how many
    included: str

    def groups(self) -> str:
        return "; ".join(f"{role}: {n}" for role, n in self.cases_per_group.items())


COUNTER_EVIDENCE = (
    "Counter-evidence: suggestions of the code that a coder rejected, and, for a mechanism, the "
    "segments where it occurs together with a bottleneck code."
)


def evidence_tables(db, kinds=("mechanism", "bottleneck"), quotes: int = 3,
                    include: str = "reviewed") -> list[EvidenceTable]:  # fmt: skip
    """One table per code of ``kinds`` that has codings (codebook order)."""
    data = _load(db, include)
    conn = db.connection
    unit = setting_store.active_unit(conn)
    segments = _units(db, data, "segment") if unit and segment_store.segment_spans(conn, unit) else []
    seg_locator = _Locator(
        {"source_id": s.source_id, "start": s.start, "end": s.end, "unit": s} for s in segments
    )
    kind_of = {c["name"]: c["kind"] for c in data.codes}
    rejected = defaultdict(list)
    for row in suggestion_store.rejected_suggestions(conn):
        rejected[row["code"]].append(row)
    by_code = defaultdict(list)
    for o in data.occurrences:
        by_code[o.code].append(o)
    source_name = {o.source_id: o.source for o in data.occurrences}
    tables = []
    for code in data.codes:
        found = by_code.get(code["name"], [])
        if code["kind"] not in kinds or not found:
            continue
        hit = {
            (h["source_id"], h["start"])
            for o in found
            for h in seg_locator.overlapping(o.source_id, o.start, o.end)
        }
        groups: dict[str, set[str]] = defaultdict(set)
        for o in found:
            if o.case:
                groups[o.role or NO_ROLE].add(o.case)
        counter = [
            CounterEvidence(
                "rejected suggestion", r["source"], r["start"], r["end"], r["text"],
                f"suggested by {r['suggester']}/{r['suggester_version']} (score {r['score']:.2f}), "
                f"rejected by {r['coder']}",
            )
            for r in rejected.get(code["name"], [])
        ]  # fmt: skip
        if code["kind"] == "mechanism":
            for s in segments:
                if code["name"] in s.codes:
                    blocks = sorted(c for c in s.codes if kind_of.get(c) == "bottleneck")
                    if blocks:
                        text = store_slice(found, s) or ""
                        counter.append(
                            CounterEvidence(
                                "with bottleneck", source_name.get(s.source_id, ""), s.start, s.end, text,
                                f"occurs with {', '.join(blocks)}",
                            )
                        )  # fmt: skip
        tables.append(
            EvidenceTable(
                code=code["name"],
                kind=code["kind"],
                definition=code["description"],
                segments=len(hit),
                interviews=len({o.source for o in found}),
                codings=len(found),
                unreviewed=sum(not o.reviewed for o in found),
                cases_per_group={r: len(cs) for r, cs in sorted(groups.items())},
                quotes=_pick_quotes(found, quotes),
                counter_evidence=counter,
                provenance=dict(sorted(Counter(_short_provenance(o) for o in found).items())),
                included=data.included,
            )
        )
    return tables


def store_slice(found: list[Occurrence], segment: _Unit) -> str | None:
    """The segment's text, cut from a coding of the same source that covers it (no query)."""
    for o in found:
        if o.source_id == segment.source_id and o.start <= segment.start and segment.end <= o.end:
            return o.text[segment.start - o.start : segment.end - o.start]
    for o in found:  # a coding inside the segment: show the coded part
        if o.source_id == segment.source_id and o.start < segment.end and segment.start < o.end:
            return o.text
    return None


def _short_provenance(o: Occurrence) -> str:
    text = o.provenance
    if "(score " in text:
        head, _, tail = text.partition(" (score ")
        text = head + tail[tail.index(")") + 1 :]
    return text


def _pick_quotes(found: list[Occurrence], n: int) -> list[Quote]:
    """Quotes that cover different sources and groups: reviewed first, then each round takes
    the codings that add a new source and a new role, then a new source, then any."""
    pool = sorted(found, key=lambda o: (not o.reviewed, o.source, o.start, o.end, o.coder))
    chosen: list[Occurrence] = []
    seen_spans = set()
    for test in (
        lambda o, s, r: o.source not in s and (o.role or NO_ROLE) not in r,
        lambda o, s, r: o.source not in s,
        lambda o, s, r: (o.role or NO_ROLE) not in r,
        lambda o, s, r: True,
    ):
        for o in pool:
            if len(chosen) >= n:
                break
            sources = {c.source for c in chosen}
            roles = {c.role or NO_ROLE for c in chosen}
            span = (o.source, o.start, o.end)
            if span not in seen_spans and test(o, sources, roles):
                chosen.append(o)
                seen_spans.add(span)
    chosen.sort(key=lambda o: (o.source, o.start))
    return [
        Quote(o.source, o.speaker, o.role, o.case, o.start, o.end, o.text, o.provenance, o.reviewed)
        for o in chosen
    ]


def code_frequencies(db, include: str = "reviewed"):
    """Codings per code and participant group (role), as a pandas DataFrame (codes x roles)."""
    import pandas as pd

    data = _load(db, include)
    counts = Counter((o.code, o.role or NO_ROLE) for o in data.occurrences)
    codes = _code_order(data, {c for c, _ in counts})
    roles = sorted({r for _, r in counts})
    frame = pd.DataFrame(
        [[counts.get((c, r), 0) for r in roles] for c in codes], index=codes, columns=roles, dtype=int
    )
    frame.index.name = "code"
    return frame


def codebook_rows(db) -> list[dict]:
    """The active codebook as plain rows (code, description, parent, kind, label, keywords)."""
    return [
        {
            "code": r["name"],
            "description": r["description"],
            "parent": r["parent"] or "",
            "kind": r["kind"],
            "label": r["label"] or "",
            "keywords": "; ".join(json.loads(r["details"]).get("keywords", [])),
        }
        for r in code_store.active_codes(db.connection)
    ]


def included_sentence(db, include: str = "reviewed") -> str:
    return _load(db, include).included


def occurrences(db, include: str = "reviewed") -> list[Occurrence]:
    """Every coding that counts, with its speaker, role, case and provenance."""
    return _load(db, include).occurrences
