"""Evidence for the researcher's CMOCs (:mod:`qualcode.analysis.cmocs`), gathered from the
coded segments of a :class:`~qualcode.analysis.snapshot.Snapshot` without further queries.

The rule. The units are the turns (the default), the segments of the snapshot's unit, or
every run of ``window`` consecutive segments of one source (see
:func:`qualcode.analysis.mechanisms.units`). A part of a CMOC (context; mechanism, meaning
its resource and reasoning codes together; outcome) is present in a unit when a coding of
one of the part's codes overlaps the unit: one code of a part is enough. A coding its coder
marked as counter-evidence never makes a part present. A unit supports the CMOC when a
mechanism and an outcome are both present in it, at one of three levels:

- ``full``: a context of the CMOC is present in the unit too, or the CMOC names no context;
- ``context_in_case``: no context in the unit, but a coding of a context of the CMOC
  elsewhere in the same case (for a unit without a case: in the same interview);
- ``partial``: mechanism and outcome, and no context of the CMOC anywhere in that case.

A CMOC that names no mechanism or no outcome gathers no supporting units (``complete`` is
False and ``note`` says what to add); its disconfirming evidence is still gathered.

Disconfirming evidence: the codings of the CMOC's codes that their coder marked as
counter-evidence (the coding flag, ``qualcode code --counter``; the codebook has no code
kind for it). A rejected suggestion says the machine was wrong, not that the mechanism
failed, so it is never disconfirming. Codings of one span by one coder are one quote.

Counts, per case and per participant group (role): the supporting units of each level (a
unit counts once for each case it belongs to, "(no case)" when none, and once for each role
of the speakers of the turns it spans) and the disconfirming quotes (by the case and role
of their turn). Every case and role of the project is listed, with zeros where nothing was
found. With ``include="all"`` unreviewed suggestions count too: a unit that holds its level
only thanks to one is marked ``reviewed=False``, and every quote says how it came about.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace

from qualcode.analysis.cmocs import Cmoc, cmoc, cmocs
from qualcode.analysis.mechanisms import NO_CASE, NO_ROLE, Unit, units
from qualcode.analysis.snapshot import Occurrence, Snapshot, SpanLocator, read_snapshot

LEVELS = ("full", "context_in_case", "partial")
COUNTED = (*LEVELS, "disconfirming")
RULE = (
    "A unit supports a CMOC when one of its mechanism codes (resource or reasoning) and one of its "
    "outcome codes occur in it: fully when one of its context codes occurs there too (or it names no "
    "context), with the context in the case when a context code occurs elsewhere in the same case "
    "(the same interview for a unit without a case), partially otherwise. Codings marked as "
    "counter-evidence never support; they are the disconfirming evidence. Rejected suggestions are "
    "not evidence."
)
_PART = {"context": "context", "resource": "mechanism", "reasoning": "mechanism", "outcome": "outcome"}


@dataclass(frozen=True)
class CmocQuote:
    """A coded passage: which of the CMOC's codes (and parts) it carries, and who coded it."""

    source: str
    start: int
    end: int
    text: str
    codes: tuple[str, ...]
    parts: tuple[str, ...]  # context, resource, reasoning, outcome
    speaker: str | None
    role: str | None
    case: str | None
    coder: str
    reviewed: bool  # False: an unreviewed suggestion (include="all")
    provenance: str  # how the coding came about, e.g. "coded by hand by anna"


@dataclass(frozen=True)
class SupportingUnit:
    level: str  # one of LEVELS
    source: str
    start: int
    end: int
    cases: tuple[str, ...]
    roles: tuple[str, ...]
    reviewed: bool  # the level holds on reviewed codings alone
    quotes: tuple[CmocQuote, ...]


@dataclass
class CmocEvidence:
    """The evidence for one CMOC (see the module for the rule)."""

    key: str
    scope: str
    window: int | None
    complete: bool  # names a mechanism and an outcome, so units can support it
    note: str
    units: list[SupportingUnit]
    disconfirming: list[CmocQuote]
    per_case: dict[str, dict[str, int]]  # case -> {level or "disconfirming": count}
    per_group: dict[str, dict[str, int]]  # role -> {level or "disconfirming": count}
    included: str
    rule: str = RULE
    totals: dict[str, int] = field(default_factory=dict)  # level or "disconfirming" -> count

    @property
    def unreviewed(self) -> int:
        """Supporting units that hold their level only thanks to unreviewed suggestions."""
        return sum(not u.reviewed for u in self.units)

    def supporting_cases(self) -> list[str]:
        """The cases with at least one supporting unit."""
        return [c for c, n in self.per_case.items() if c != NO_CASE and any(n[level] for level in LEVELS)]

    def as_dict(self) -> dict:
        return {**asdict(self), "unreviewed": self.unreviewed}


def evidence(db, key: str | None = None, scope: str = "turn", window: int = 3, include: str = "reviewed"):
    """The evidence of one CMOC (``key``), or a list for every CMOC, from one read."""
    with db.reading():
        found = [cmoc(db, key)] if key is not None else cmocs(db)
        snapshot = read_snapshot(db, include)
    gathered = cmoc_evidence(snapshot, found, scope, window)
    return gathered[0] if key is not None else gathered


def cmoc_evidence(
    snapshot: Snapshot, found: list[Cmoc], scope: str = "turn", window: int = 3
) -> list[CmocEvidence]:
    """The evidence of each CMOC of ``found`` in the snapshot (the units are made once)."""
    bounds = units(replace(snapshot, occurrences=[]), scope, window)  # spans and cases only
    locate = SpanLocator(
        {"source_id": u.source_id, "start": u.start, "end": u.end, "index": i} for i, u in enumerate(bounds)
    )
    turns = SpanLocator(snapshot.turns)
    cases = sorted({r["case"] for r in snapshot.case_roles if r["case"]})
    roles = sorted({r["role"] for r in snapshot.case_roles if r["role"]})
    return [_gather(snapshot, c, scope, window, bounds, locate, turns, cases, roles) for c in found]


def _gather(snapshot, c: Cmoc, scope, window, bounds, locate, turns, cases, roles) -> CmocEvidence:
    part_of = c.part_of()
    mine = [o for o in snapshot.occurrences if o.code in part_of]
    complete = bool(c.mechanism) and bool(c.outcome)
    found: list[SupportingUnit] = []
    if complete:
        in_unit: dict[int, list[Occurrence]] = defaultdict(list)
        for o in mine:
            if not o.counter:
                for hit in locate.overlapping(o.source_id, o.start, o.end):
                    in_unit[hit["index"]].append(o)
        every = _context_places([o for o in mine if not o.counter and part_of[o.code] == "context"])
        reviewed = _context_places(
            [o for o in mine if not o.counter and o.reviewed and part_of[o.code] == "context"]
        )
        for index in sorted(in_unit, key=lambda i: (in_unit[i][0].source, bounds[i].start)):
            unit, here = bounds[index], in_unit[index]
            level = _level(c, part_of, here, unit, every)
            if level is None:
                continue
            spoken = {t["role"] or NO_ROLE for t in turns.overlapping(unit.source_id, unit.start, unit.end)}
            found.append(
                SupportingUnit(
                    level, here[0].source, unit.start, unit.end, tuple(sorted(unit.cases)) or (NO_CASE,),
                    tuple(sorted(spoken)) or (NO_ROLE,),
                    _level(c, part_of, [o for o in here if o.reviewed], unit, reviewed) == level,
                    tuple(_quotes(here, part_of)),
                )
            )  # fmt: skip
    disconfirming = _quotes([o for o in mine if o.counter], part_of)
    return CmocEvidence(
        c.key, scope, window if scope == "window" else None, complete, _note(c),
        found, disconfirming,
        _counts(found, disconfirming, cases, lambda x: x.cases, lambda q: q.case or NO_CASE),
        _counts(found, disconfirming, roles, lambda x: x.roles, lambda q: q.role or NO_ROLE),
        snapshot.included,
        totals={**{level: sum(u.level == level for u in found) for level in LEVELS},
                "disconfirming": len(disconfirming)},
    )  # fmt: skip


def _context_places(contexts: list[Occurrence]) -> tuple[set[str], set[int]]:
    """The cases, and the sources, in which a context of the CMOC is coded."""
    return {o.case for o in contexts if o.case}, {o.source_id for o in contexts}


def _level(c: Cmoc, part_of: dict, here: list[Occurrence], unit: Unit, places) -> str | None:
    present = {_PART[part_of[o.code]] for o in here}
    if not {"mechanism", "outcome"} <= present:
        return None
    if not c.context or "context" in present:
        return "full"
    cases, sources = places
    in_case = bool(unit.cases & cases) if unit.cases else unit.source_id in sources
    return "context_in_case" if in_case else "partial"


def _quotes(found: list[Occurrence], part_of: dict) -> list[CmocQuote]:
    """One quote per coded span and coder, with every code of the CMOC on it."""
    grouped: dict[tuple, list[Occurrence]] = {}
    for o in found:
        grouped.setdefault((o.source, o.start, o.end, o.coder, o.reviewed, o.provenance), []).append(o)
    order = list(part_of)
    quotes = []
    for (source, start, end, coder, reviewed, provenance), group in sorted(grouped.items()):
        codes = sorted({o.code for o in group}, key=order.index)
        first = group[0]
        quotes.append(
            CmocQuote(
                source, start, end, first.text, tuple(codes), tuple(part_of[code] for code in codes),
                first.speaker, first.role, first.case, coder, reviewed, provenance,
            )
        )  # fmt: skip
    return quotes


def _counts(found, disconfirming, names, places_of, place_of) -> dict[str, dict[str, int]]:
    counts = {name: dict.fromkeys(COUNTED, 0) for name in names}
    for unit in found:
        for place in places_of(unit):
            counts.setdefault(place, dict.fromkeys(COUNTED, 0))[unit.level] += 1
    for quote in disconfirming:
        counts.setdefault(place_of(quote), dict.fromkeys(COUNTED, 0))["disconfirming"] += 1
    return dict(sorted(counts.items()))


def _note(c: Cmoc) -> str:
    missing = [part for part, codes in (("mechanism", c.mechanism), ("outcome", c.outcome)) if not codes]
    notes = []
    if missing:
        option = {"mechanism": "--resource CODE or --reasoning CODE", "outcome": "--outcome CODE"}
        notes.append(
            f"CMOC {c.key} names no {' and no '.join(missing)} code, so no unit can support it yet; add "
            + " and ".join(option[m] for m in missing)
            + f" (qualcode cmoc revise PROJECT {c.key} ...)"
        )
    if c.retired:
        notes.append(
            f"no longer in the codebook: {', '.join(c.retired)} (their codings still count; revise the CMOC "
            "to use current codes)"
        )
    return "; ".join(notes)
