"""Mechanisms: code co-occurrence, context-mechanism-outcome configurations, a framework
matrix, code frequencies and the codebook rows, computed from a
:class:`~qualcode.analysis.snapshot.Snapshot` (which says which codings count).

Every result carries ``included``, the snapshot's sentence saying which codings counted.

A coding occurs in a unit (a segment of the snapshot's unit, a turn, or a window of
consecutive segments) when its span overlaps the unit. The evidence tables, which build on
these units, are in :mod:`qualcode.analysis.evidence`.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from qualcode.analysis.snapshot import Occurrence, Snapshot, SpanLocator, Spans
from qualcode.errors import NO_SEGMENTS, ConflictError, InputError, no_segments_of

SCOPES = ("segment", "turn", "window")
NO_CASE = "(no case)"
NO_ROLE = "(no role)"


# -- units ------------------------------------------------------------------------------------


@dataclass(slots=True)  # slots: a large project has tens of thousands
class Unit:
    source_id: int
    start: int
    end: int
    cases: set[str] = field(default_factory=set)
    codes: dict[str, bool] = field(default_factory=dict)  # code -> occurs by a reviewed coding


def units(snapshot: Snapshot, scope: str, window: int = 3) -> list[Unit]:
    """The units of ``scope`` with the codes occurring in each: the turns, the segments of
    the snapshot's unit, or every run of ``window`` consecutive segments of one source."""
    if scope not in SCOPES:
        raise InputError(f"unknown scope {scope!r}; choose segment, turn or window")
    if scope == "turn":
        found = [Unit(t["source_id"], t["start"], t["end"], {t["case"]} - {None}) for t in snapshot.turns]
        _assign(found, snapshot.occurrences)
        return found
    if snapshot.unit is None:
        raise ConflictError(NO_SEGMENTS)
    if not snapshot.segments:
        raise ConflictError(no_segments_of(snapshot.unit))
    case_of_turn = {t["id"]: t["case"] for t in snapshot.turns}
    segments = [
        Unit(s["source_id"], s["start"], s["end"], {case_of_turn.get(s["turn_id"])} - {None})
        for s in snapshot.segments
    ]
    _assign(segments, snapshot.occurrences)
    if scope == "segment":
        return segments
    if window < 1:
        raise InputError("the window must be at least 1 segment (--window N)")
    return _windows(segments, window)


def _windows(segments: list[Unit], window: int) -> list[Unit]:
    found = []
    for _, group in itertools.groupby(segments, key=lambda u: u.source_id):
        group = list(group)
        for first in range(max(1, len(group) - window + 1)):
            found.append(_merged(group[first : first + window]))
    return found


def _merged(parts: list[Unit]) -> Unit:
    merged = Unit(parts[0].source_id, parts[0].start, parts[-1].end)
    for part in parts:
        merged.cases |= part.cases
        for code, reviewed in part.codes.items():
            merged.codes[code] = merged.codes.get(code, False) or reviewed
    return merged


def coded_units(snapshot: Snapshot, scope: str, window: int = 3) -> tuple[int, Iterable[Unit]]:
    """How many units of ``scope`` there are, and those a code occurs in (in the order of
    :func:`units`): the others add nothing to co-occurrence, configurations or evidence. Of a
    compact snapshot (turns and segments as :class:`Spans`) only these units are made, source
    by source as they are iterated."""
    spans = snapshot.turns if scope == "turn" else snapshot.segments
    if scope not in SCOPES or not isinstance(spans, Spans):
        found = units(snapshot, scope, window)
        return len(found), [u for u in found if u.codes]
    turns = snapshot.turns
    if scope == "turn":
        return len(turns), _coded(turns, snapshot.occurrences, lambda t: {t["case"]} - {None})
    if snapshot.unit is None:
        raise ConflictError(NO_SEGMENTS)
    if not spans:
        raise ConflictError(no_segments_of(snapshot.unit))
    if isinstance(turns, Spans):
        cases = _TurnCases(turns)
    else:
        case_of = {t["id"]: t["case"] for t in turns}.get

        def cases(segment) -> set[str]:
            return {case_of(segment["turn_id"])} - {None}

    if scope == "segment":
        return len(spans), _coded(spans, snapshot.occurrences, cases)
    if window < 1:
        raise InputError("the window must be at least 1 segment (--window N)")
    windows = int(np.maximum(1, spans.sizes() - window + 1).sum())
    return windows, _coded(spans, snapshot.occurrences, cases, window)


def _coded(spans: Spans, occurrences: list[Occurrence], cases, window: int | None = None) -> Iterator[Unit]:
    """Source by source, the spans (or, with ``window``, the windows of that many consecutive
    spans) an occurrence overlaps, with their codes as :func:`_assign` gives them."""
    by_source = defaultdict(list)
    for o in occurrences:
        by_source[o.source_id].append(o)
    for source_id in sorted(by_source):
        made: dict[int, Unit] = {}
        for o in by_source[source_id]:
            for i in spans.hits(o.source_id, o.start, o.end).tolist():
                unit = made.get(i)
                if unit is None:
                    unit = made[i] = _unit(spans[i], cases)
                unit.codes[o.code] = unit.codes.get(o.code, False) or o.reviewed
        if window is None:
            yield from (made[i] for i in sorted(made))
            continue
        lo, hi = spans.bounds(source_id)
        last = max(1, hi - lo - window + 1) - 1  # the first span of the source's last window
        firsts = {f for i in made for f in range(max(0, i - lo - window + 1), min(i - lo, last) + 1)}
        for f in sorted(firsts):
            parts = range(lo + f, min(hi, lo + f + window))
            for i in parts:
                if i not in made:  # a span without a code, in a window with one
                    made[i] = _unit(spans[i], cases)
            yield _merged([made[i] for i in parts])


def _unit(row, cases) -> Unit:
    return Unit(row["source_id"], row["start"], row["end"], cases(row))


class _TurnCases:
    """The case of a segment's turn (a set: empty without one), from compact turns, with the
    turns of one source at hand at a time (segments come source by source)."""

    def __init__(self, turns: Spans):
        self.turns, self.source, self.known = turns, None, {}

    def __call__(self, segment) -> set[str]:
        if segment["source_id"] != self.source:
            self.source = segment["source_id"]
            self.known = dict(
                zip(self.turns.column("id", self.source), self.turns.column("case", self.source), strict=True)
            )
        turn_id = segment["turn_id"]
        if turn_id in self.known:
            return {self.known[turn_id]} - {None}
        at = self.turns.find(turn_id)  # a turn of another source
        return {None if at is None else self.turns[at]["case"]} - {None}


def _assign(found: list[Unit], occurrences: list[Occurrence]) -> None:
    locate = SpanLocator({"source_id": u.source_id, "start": u.start, "end": u.end, "unit": u} for u in found)
    for occurrence in occurrences:
        for hit in locate.overlapping(occurrence.source_id, occurrence.start, occurrence.end):
            unit = hit["unit"]
            unit.codes[occurrence.code] = unit.codes.get(occurrence.code, False) or occurrence.reviewed


def code_order(snapshot: Snapshot, present) -> list[str]:
    """The codes of ``present`` in codebook order, codes outside the codebook last."""
    order = [c["name"] for c in snapshot.codes]
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


def cooccurrence(snapshot: Snapshot, scope: str = "segment", window: int = 3) -> Cooccurrence:
    """How often codes occur in the same unit: a segment of the snapshot's unit, a turn, or
    a sliding window of ``window`` consecutive segments of one source."""
    import pandas as pd

    count, found = coded_units(snapshot, scope, window)
    together = Counter(frozenset(u.codes) for u in found)  # the units with the same codes count alike
    codes = code_order(snapshot, {c for present in together for c in present})
    index = {c: i for i, c in enumerate(codes)}
    matrix = np.zeros((len(codes), len(codes)), dtype=int)
    for present, n in together.items():
        present = sorted(index[c] for c in present)
        for i in present:
            matrix[i, present] += n
    diagonal = np.diag(matrix)
    either = diagonal[:, None] + diagonal[None, :] - matrix
    with np.errstate(invalid="ignore", divide="ignore"):
        jaccard = np.where(either > 0, matrix / np.maximum(either, 1), 0.0)
    return Cooccurrence(
        scope,
        window if scope == "window" else None,
        None if scope == "turn" else snapshot.unit,
        count,
        pd.DataFrame(matrix, index=codes, columns=codes),
        pd.DataFrame(jaccard.round(6), index=codes, columns=codes),
        snapshot.included,
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


def cmo_configurations(snapshot: Snapshot, scope: str = "turn", window: int = 3) -> CmoConfigurations:
    """Triples of a context, a mechanism and an outcome code occurring together in a unit of
    ``scope``, with their support per case, most supported first."""
    kind = {c["name"]: c["kind"] for c in snapshot.codes}
    found: dict[tuple[str, str, str], CmoConfiguration] = {}
    for u in coded_units(snapshot, scope, window)[1]:
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
    return CmoConfigurations(ordered, scope, snapshot.included)


# -- framework matrix -------------------------------------------------------------------------


@dataclass
class FrameworkMatrix:
    """``counts``: cases x codes, the number of codings; ``quotes``: up to two short quotes
    per cell; ``cases``: per case its role(s) and attributes."""

    counts: object  # pandas.DataFrame
    quotes: object  # pandas.DataFrame of str
    cases: object  # pandas.DataFrame, index case
    included: str


def framework_matrix(snapshot: Snapshot, quotes: int = 2, width: int = 160) -> FrameworkMatrix:
    import pandas as pd

    roles: dict[str, list[str]] = defaultdict(list)
    for row in snapshot.case_roles:
        if row["role"]:
            roles[row["case"]].append(row["role"])
    attributes: dict[str, dict[str, str]] = defaultdict(dict)
    for row in snapshot.case_attributes:
        attributes[row["case"]][row["attribute"]] = row["value"]
    occurrences = snapshot.occurrences
    names = sorted(set(roles) | set(attributes) | {o.case for o in occurrences if o.case})
    if any(o.case is None for o in occurrences):
        names.append(NO_CASE)
    codes = code_order(snapshot, {o.code for o in occurrences})
    counts = pd.DataFrame(0, index=names, columns=codes, dtype=int)
    cells = pd.DataFrame("", index=names, columns=codes, dtype=object)
    for o in occurrences:
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
    return FrameworkMatrix(counts, cells, table, snapshot.included)


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# -- frequencies and the codebook -------------------------------------------------------------


def code_frequencies(snapshot: Snapshot):
    """Codings per code and participant group (role), as a pandas DataFrame (codes x roles)."""
    import pandas as pd

    counts = Counter((o.code, o.role or NO_ROLE) for o in snapshot.occurrences)
    codes = code_order(snapshot, {c for c, _ in counts})
    roles = sorted({r for _, r in counts})
    frame = pd.DataFrame(
        [[counts.get((c, r), 0) for r in roles] for c in codes], index=codes, columns=roles, dtype=int
    )
    frame.index.name = "code"
    return frame


def codebook_rows(snapshot: Snapshot) -> list[dict]:
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
        for r in snapshot.codes
    ]
