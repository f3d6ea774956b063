"""Evidence tables: per mechanism and bottleneck code, its numbers, the groups that support
it, quotes with their provenance and counter-evidence, from a
:class:`~qualcode.analysis.snapshot.Snapshot`.

Counter-evidence for a code is what people mark: (a) the codings of it a coder marked as
counter-evidence (the mechanism failed, or worked otherwise, there), and (b) for a mechanism
code, every segment where it co-occurs with a bottleneck code (the mechanism is at work, yet
something blocks it). A rejected suggestion says the machine was wrong, not that the
mechanism failed: it is counted apart (``rejected_suggestions``), as a figure of the machine.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from qualcode.analysis.mechanisms import NO_ROLE, Unit, coded_units
from qualcode.analysis.snapshot import Occurrence, Snapshot, SpanLocator

COUNTER_EVIDENCE = (
    "Counter-evidence: codings a coder marked as evidence against the code, and, for a mechanism, "
    "the segments where it occurs together with a bottleneck code. Rejected suggestions are not "
    "evidence (the machine was wrong); they are counted apart."
)


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
    kind: str  # "marked" (by a coder) or "with bottleneck"
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
    segments: int  # segments of the snapshot's unit its supporting (not counter-marked) codings overlap
    interviews: int  # sources with a coding
    codings: int
    unreviewed: int  # of which unreviewed suggestions (include="all")
    cases_per_group: dict[str, int]  # role -> number of cases
    quotes: list[Quote]
    counter_evidence: list[CounterEvidence]
    provenance: dict[str, int]  # how the codings came about -> how many
    rejected_suggestions: int  # the machine's wrong suggestions of the code (not evidence)
    included: str
    cases: int = 0  # cases with a supporting coding (in any group)

    def groups(self) -> str:
        return "; ".join(f"{role}: {n}" for role, n in self.cases_per_group.items())


def evidence_tables(
    snapshot: Snapshot, kinds=("mechanism", "bottleneck"), quotes: int = 3
) -> list[EvidenceTable]:
    """One table per code of ``kinds`` that has codings (codebook order)."""
    segments = coded_units(snapshot, "segment")[1] if snapshot.segments else []
    locate = SpanLocator(
        {"source_id": s.source_id, "start": s.start, "end": s.end, "unit": s} for s in segments
    )
    rejected = defaultdict(list)
    for row in snapshot.rejected:
        rejected[row["code"]].append(row)
    by_code = defaultdict(list)
    for o in snapshot.occurrences:
        by_code[o.code].append(o)
    return [
        _table(snapshot, code, by_code[code["name"]], locate, rejected[code["name"]], quotes)
        for code in snapshot.codes
        if code["kind"] in kinds and by_code.get(code["name"])
    ]


def _table(snapshot: Snapshot, code, occurring: list[Occurrence], locate: SpanLocator, rejected: list,
           quotes: int) -> EvidenceTable:  # fmt: skip
    found = [o for o in occurring if not o.counter]  # what supports the code
    marked = [o for o in occurring if o.counter]
    # The segments a supporting coding overlaps: a counter-marked coding supports nothing.
    supported = {
        id(h["unit"]): h["unit"] for o in found for h in locate.overlapping(o.source_id, o.start, o.end)
    }
    hit = sorted(supported.values(), key=lambda s: (s.source_id, s.start))
    groups: dict[str, set[str]] = defaultdict(set)
    for o in found:
        if o.case:
            groups[o.role or NO_ROLE].add(o.case)
    counter = [_marked(o) for o in marked]
    if code["kind"] == "mechanism":
        counter += _with_bottleneck(snapshot, code["name"], found, hit)
    return EvidenceTable(
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
        included=snapshot.included,
        rejected_suggestions=len(rejected),
        cases=len({o.case for o in found if o.case}),
    )


def _marked(o: Occurrence) -> CounterEvidence:
    who = ", ".join(p for p in (o.speaker, o.role, o.case) if p)
    return CounterEvidence(
        "marked", o.source, o.start, o.end, o.text,
        f"marked as counter-evidence by {o.coder}" + (f" ({who})" if who else ""),
    )  # fmt: skip


def _with_bottleneck(snapshot: Snapshot, code: str, found: list[Occurrence], segments: list[Unit]):
    """Those of the ``segments`` (where the mechanism ``code`` has support) in which a bottleneck
    code occurs too."""
    kind_of = {c["name"]: c["kind"] for c in snapshot.codes}
    source_name = {o.source_id: o.source for o in snapshot.occurrences}
    counter = []
    for s in segments:
        if code in s.codes:
            blocks = sorted(c for c in s.codes if kind_of.get(c) == "bottleneck")
            if blocks:
                text = segment_text(found, s) or ""
                counter.append(
                    CounterEvidence(
                        "with bottleneck", source_name.get(s.source_id, ""), s.start, s.end, text,
                        f"occurs with {', '.join(blocks)}",
                    )
                )  # fmt: skip
    return counter


def segment_text(found: list[Occurrence], segment: Unit) -> str | None:
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
