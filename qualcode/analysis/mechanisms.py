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
from dataclasses import dataclass, field

import numpy as np

from qualcode.analysis.snapshot import Occurrence, Snapshot, SpanLocator
from qualcode.errors import NO_SEGMENTS, ConflictError, InputError, no_segments_of

SCOPES = ("segment", "turn", "window")
NO_CASE = "(no case)"
NO_ROLE = "(no role)"


# -- units ------------------------------------------------------------------------------------


@dataclass
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
            parts = group[first : first + window]
            merged = Unit(parts[0].source_id, parts[0].start, parts[-1].end)
            for part in parts:
                merged.cases |= part.cases
                for code, reviewed in part.codes.items():
                    merged.codes[code] = merged.codes.get(code, False) or reviewed
            found.append(merged)
    return found


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

    found = units(snapshot, scope, window)
    codes = code_order(snapshot, {c for u in found for c in u.codes})
    index = {c: i for i, c in enumerate(codes)}
    matrix = np.zeros((len(codes), len(codes)), dtype=int)
    for u in found:
        present = sorted(index[c] for c in u.codes)
        for i in present:
            matrix[i, present] += 1
    diagonal = np.diag(matrix)
    either = diagonal[:, None] + diagonal[None, :] - matrix
    with np.errstate(invalid="ignore", divide="ignore"):
        jaccard = np.where(either > 0, matrix / np.maximum(either, 1), 0.0)
    return Cooccurrence(
        scope,
        window if scope == "window" else None,
        None if scope == "turn" else snapshot.unit,
        len(found),
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
    for u in units(snapshot, scope, window):
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
