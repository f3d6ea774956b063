"""Findings: everything the exports show, computed from one snapshot of the project.

:func:`collect` reads one :class:`~qualcode.analysis.snapshot.Snapshot` and computes every
table from it: the codebook, the codings, the evidence per mechanism and bottleneck,
co-occurrence, the framework matrix, CMO configurations, code frequencies and (with two or
more human coders) agreement and the disagreements, the memos, and the text around each
quote, all read inside the same read transaction. So an export taken while coders are
reviewing describes one state of the project.

Every table is made from reviewed codings only: of every coder (the default), of one coder
(``coder``), or the codings the coders agree on (``consensus``, by the rule of
:func:`qualcode.analysis.agreement.consensus`). Unreviewed suggestions (``include="all"``)
count in no table: they are listed apart, as ``suggestions``, under :data:`UNREVIEWED`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace

from qualcode import defaults
from qualcode.analysis.evidence import COUNTER_EVIDENCE, EvidenceTable, evidence_tables
from qualcode.analysis.mechanisms import (
    CmoConfigurations,
    Cooccurrence,
    FrameworkMatrix,
    cmo_configurations,
    code_frequencies,
    codebook_rows,
    cooccurrence,
    framework_matrix,
)
from qualcode.analysis.snapshot import Occurrence, Snapshot, SpanLocator, read_snapshot, reviewed_sentence
from qualcode.errors import InputError, QualcodeError
from qualcode.store import cases as case_store
from qualcode.store import memos as memo_store
from qualcode.store import sources as source_store
from qualcode.version import __version__

COOCCURRENCE_SCOPES = (("segment", 3), ("turn", 3), ("window", 3))
UNREVIEWED = "Unreviewed machine suggestions"
TOP = 5  # mechanisms and bottlenecks in the summary
CONTEXT = 400  # characters of the turn shown on either side of a quote


@dataclass
class Findings:
    include: str
    about: list[tuple[str, str]]
    codebook: list[dict]
    codings: list[Occurrence]  # the codings that count (reviewed; of the selection)
    evidence: list[EvidenceTable]
    cooccurrence: dict[str, Cooccurrence]  # scope -> result
    framework: FrameworkMatrix
    cmo: CmoConfigurations
    frequencies: object  # pandas DataFrame, codes x roles
    agreement: object | None = None  # agreement.AgreementReport
    topics: list[dict] = field(default_factory=list)
    date: str = ""
    selection: str = "all coders"  # whose codings count: all coders, one coder, or the agreed ones
    coders: list[str] = field(default_factory=list)  # the coders whose codings count
    suggestions: list[Occurrence] = field(default_factory=list)  # unreviewed (include="all"), apart
    disagreements: list | None = None  # agreement.Disagreement, with two or more human coders
    memos: list[dict] = field(default_factory=list)  # on, about, quote, author, memo, time
    case_attributes: list = field(default_factory=list)  # (case, attribute, value) rows
    attribute_types: dict[str, str] = field(default_factory=dict)  # attribute -> integer, float, text, ...
    counts: dict[str, int] = field(default_factory=dict)  # interviews, cases, ... (see summary)
    headline: str | None = None  # the agreement in one sentence
    turns: list = field(default_factory=list, repr=False)  # the snapshot's turns
    sources: dict[str, tuple[int, str | None]] = field(default_factory=dict, repr=False)  # name -> (id, text)


@dataclass(frozen=True)
class Context:
    """A quote in its turn (or turns): the text before it, the quote, and the text after it,
    each side cut to :data:`CONTEXT` characters."""

    source: str
    speaker: str | None
    start: int
    end: int
    before: str
    quote: str
    after: str


def collect(
    db,
    include: str = "reviewed",
    coder: str | None = None,
    consensus: bool = False,
    quotes: int = 3,
    compact: bool = False,
) -> Findings:
    """Everything the exports show, from one read of the project: the reviewed codings of every
    coder, of ``coder`` only, or (``consensus``) the codings the coders agree on; ``quotes``
    per evidence table. ``compact``: the same findings from a compact snapshot, without the
    sources' texts (so without :func:`context`), in a fraction of the memory (the workbook)."""
    if coder is not None and consensus:
        raise InputError("choose one: --coder NAME (one coder's findings) or --consensus (agreed codings)")
    with db.reading() as conn:
        snapshot = read_snapshot(db, include, compact=compact)
        agreement = _agreement(db, snapshot)
        agreed = None
        if consensus:
            from qualcode.analysis.agreement import consensus as consensus_of

            agreed = consensus_of(db)
        if compact:
            sources = {
                name: (source_id, None) for name, (source_id, _) in source_store.source_lengths(conn).items()
            }
        else:
            sources = {r["name"]: (r["id"], r["text"]) for r in source_store.sources_with_text(conn)}
        memos = [_memo(r) for r in memo_store.memos_about(conn)]
        types = {r["name"]: r["type"] for r in case_store.attributes(conn)}
    counted, selection, coders = _select(snapshot, coder, agreed)
    if snapshot.include == "all":
        counted = replace(counted, included=counted.included[:-1] + _apart(snapshot))
    disagreements = agreed.disagreements if agreed else agreement.disagreements if agreement else None
    extra = {"include": include, "selection": selection, "coders": coders, "suggestions": snapshot.unreviewed,
             "disagreements": disagreements, "memos": memos, "sources": sources, "attribute_types": types}  # fmt: skip
    return _findings(counted, agreement, quotes, extra)


def _findings(snapshot: Snapshot, agreement, quotes: int, extra: dict) -> Findings:
    """Every table of a snapshot of the active unit, with the agreement report (or None) and
    the ``extra`` fields of :class:`Findings` (what was asked for, memos, sources, ...)."""
    co = {}
    for scope, window in COOCCURRENCE_SCOPES:
        if scope != "turn" and snapshot.active_unit is None:
            continue  # no segments yet: only turns
        co[scope] = cooccurrence(snapshot, scope=scope, window=window)
    found = Findings(
        about=_about(snapshot, extra["selection"]),
        codebook=codebook_rows(snapshot),
        codings=snapshot.occurrences,
        evidence=evidence_tables(snapshot, quotes=quotes),
        cooccurrence=co,
        framework=framework_matrix(snapshot),
        cmo=cmo_configurations(snapshot, scope="turn"),
        frequencies=code_frequencies(snapshot),
        agreement=agreement,
        topics=[
            {"topic": r["topic"], "label": r["label"], "size": r["size"], "words": _words(r["words"])}
            for r in snapshot.topics
        ],
        date=snapshot.data_date,
        case_attributes=snapshot.case_attributes,
        headline=_headline(agreement),
        turns=snapshot.turns,
        **extra,
    )
    occurrences = snapshot.occurrences
    found.counts = {
        "interviews": len(found.sources),
        "interviews with codings": len({o.source for o in occurrences}),
        "cases": len({r["case"] for r in snapshot.case_roles}),
        "cases with codings": len({o.case for o in occurrences if o.case}),
        "coders": len(found.coders),
        "codings": len(occurrences),
        "counter-evidence marked by a coder": sum(o.counter for o in occurrences),
        "mechanism segments with a bottleneck": sum(
            c.kind == "with bottleneck" for t in found.evidence for c in t.counter_evidence
        ),
        "memos": len(found.memos),
    }
    return found


def _select(snapshot: Snapshot, coder: str | None, agreed) -> tuple[Snapshot, str, list[str]]:
    """The reviewed part of the snapshot, narrowed to one coder or to the agreed codings."""
    counted = snapshot.reviewed_only()
    if coder is not None:
        mine = [o for o in counted.occurrences if o.coder == coder]
        if not mine:
            known = ", ".join(sorted({o.coder for o in counted.occurrences})) or "none yet"
            raise InputError(f"coder {coder!r} has no reviewed codings (coders: {known}); check --coder")
        rejected = [r for r in counted.rejected if r["coder"] == coder]
        sentence = reviewed_sentence(mine, f" by {coder}")
        return (
            replace(counted, occurrences=mine, rejected=rejected, included=sentence),
            f"coder {coder}",
            [coder],
        )
    if agreed is None:  # the owner's agreed codings would count the same passages again
        people = [o for o in counted.occurrences if o.coder != defaults.AGREED_CODER]
        if len(people) < len(counted.occurrences):
            left = len(counted.occurrences) - len(people)
            sentence = f"{reviewed_sentence(people)} The {left} agreed codings (an owner's resolutions) are left out here: --coder {defaults.AGREED_CODER} shows them."
            counted = replace(counted, occurrences=people, included=sentence)
        return counted, "all coders", sorted({o.coder for o in people})
    occurrences = _agreed(counted, agreed)
    single = (
        f"; {len(agreed.single)} sources coded by one of them only count for nothing" if agreed.single else ""
    )
    sentence = (
        f"Only agreed codings count: a code counts once on a {agreed.unit} segment when every coder who "
        f"coded the segment's source (of {', '.join(agreed.coders)}; at least two) has a reviewed coding "
        f"of it overlapping the segment, the rule of the agreement figures ({len(occurrences)} agreed "
        f"codings; {len(agreed.disagreements)} disagreements listed apart{single})."
    )
    selection = f"agreed codings of {', '.join(agreed.coders)}"
    return replace(counted, occurrences=occurrences, included=sentence), selection, list(agreed.coders)


def _agreed(counted: Snapshot, agreed) -> list[Occurrence]:
    """One occurrence per agreed code and segment: the segment, marked as counter-evidence
    when one of the agreeing codings is, stored when the last of them was."""
    locate = SpanLocator(
        {"source_id": o.source_id, "start": o.start, "end": o.end, "o": o} for o in counted.occurrences
    )
    position = {c["name"]: i for i, c in enumerate(counted.codes)}
    out = []
    for a in agreed.agreed:
        codings = [h["o"] for h in locate.overlapping(a.source_id, a.start, a.end)]
        codings = [o for o in codings if o.code == a.code and o.coder in a.coders]
        who = ", ".join(a.coders)
        out.append(
            Occurrence(a.source, a.source_id, a.start, a.end, a.code, codings[0].kind, who, True,
                       f"agreed by {who}", a.text, a.speaker, a.role, a.case, any(o.counter for o in codings),
                       max(o.time for o in codings), "agreed")
        )  # fmt: skip
    out.sort(key=lambda o: (o.source, o.start, o.end, position.get(o.code, math.inf), o.code))
    return out


def _apart(snapshot: Snapshot) -> str:
    run = f" (run {snapshot.latest_run})" if snapshot.latest_run is not None else ""
    return (
        f"; the {len(snapshot.unreviewed)} suggestions of the latest suggestion run{run} that nobody has "
        f"reviewed yet count in no table: they are listed apart, under '{UNREVIEWED}'."
    )


def _agreement(db, snapshot: Snapshot):
    """Agreement between the human coders, when two or more coded and there are segments."""
    human = sorted({o.coder for o in snapshot.occurrences if o.reviewed} - {defaults.AGREED_CODER})
    if len(human) < 2 or not snapshot.active_unit:
        return None
    from qualcode.analysis.agreement import agreement

    try:
        return agreement(db, human)
    except QualcodeError:
        return None


def _headline(report) -> str | None:
    """The agreement in one sentence: over the segments any coder coded."""
    if report is None:
        return None
    f = report.overall["coded segments"]
    segments = max((c.units for c in report.per_code["coded segments"].values()), default=0)
    two = len(report.coders) == 2
    chance = f"Cohen's kappa {_figure(f.kappa)}" if two else f"Krippendorff's alpha {_figure(f.alpha)}"
    percent = "n/a" if f.percent is None or f.percent != f.percent else f"{f.percent:.0%}"
    return (
        f"{', '.join(report.coders)} on the {segments} {report.unit} segments that any of them coded: "
        f"{percent} agreement, {chance}, Gwet's AC1 {_figure(f.ac1)} (all codes); "
        f"{len(report.disagreements)} disagreements."
    )


def _figure(value) -> str:
    return "n/a" if value is None or value != value else f"{value:.2f}"


def summary(f: Findings) -> list[tuple[str, object]]:
    """The one-page summary as (label, value) lines: what counted, the numbers, agreement."""
    n = f.counts
    lines = [("what counts", f.about[0][1]), ("findings of", f.selection)]
    lines += [
        (label, n[label])
        for label in ("interviews", "interviews with codings", "cases", "cases with codings")
    ]
    lines += [
        ("coders", n["coders"]),
        ("coder names", ", ".join(f.coders) or "none"),
        ("codings", n["codings"]),
    ]
    lines += [
        (label, n[label])
        for label in ("counter-evidence marked by a coder", "mechanism segments with a bottleneck")
    ]
    lines.append(("agreement", f.headline or "needs codings by two or more human coders, and segments"))
    if f.disagreements is not None:
        lines.append(("disagreements", len(f.disagreements)))
    if f.include == "all":
        lines.append((UNREVIEWED.lower() + " (counted in no table)", len(f.suggestions)))
    lines.append(("memos", n["memos"]))
    return lines


def top(f: Findings, kind: str, n: int = TOP) -> list[EvidenceTable]:
    """The ``n`` codes of ``kind`` with the widest support: most cases, then interviews, codings."""
    tables = [t for t in f.evidence if t.kind == kind]
    return sorted(tables, key=lambda t: (-t.cases, -t.interviews, -t.codings, t.code))[:n]


def context(f: Findings, source: str, start: int, end: int) -> Context:
    """The span in the turn(s) it overlaps (without turns: :data:`CONTEXT` characters around it)."""
    source_id, text = f.sources.get(source, (None, ""))
    if text is None:
        raise ValueError("compact findings hold no source texts: collect them with compact=False")
    turns = [t for t in f.turns if t["source_id"] == source_id and t["start"] < end and start < t["end"]]
    first, last = (turns[0]["start"], turns[-1]["end"]) if turns else (0, len(text))
    before = text[max(first, start - CONTEXT) : start]
    after = text[end : min(last, end + CONTEXT)]
    before = ("…" if start - CONTEXT > first else "") + before
    after += "…" if end + CONTEXT < last else ""
    return Context(source, turns[0]["speaker"] if turns else None, start, end, before, text[start:end], after)


def _memo(row) -> dict:
    """A memo as a row of the exports: on what kind of thing, about which one, its quote."""
    kind = row["target_kind"]
    span = f" {row['start']}-{row['end']}" if row["start"] is not None else ""
    about = {
        "project": "the project",
        "code": row["code"],
        "source": row["source"],
        "segment": row["source"] and f"{row['source']}{span}",
        "coding": row["source"] and f"{row['code']} in {row['source']}{span}",
    }[kind] or f"(a {kind} no longer in the project)"  # e.g. a segment of an earlier segmentation
    return {"on": row["target_kind"], "about": about, "quote": row["quote"] or "", "author": row["author"],
            "memo": row["text"], "time": row["created_at"]}  # fmt: skip


def _about(snapshot: Snapshot, selection: str) -> list[tuple[str, str]]:
    return [
        ("included", snapshot.included),
        ("findings of", selection),
        ("counter-evidence", COUNTER_EVIDENCE),
        ("framework matrix", "Cases x codes: the number of codings in the case's speakers' turns."),
        ("co-occurrence", "Units where both codes occur (pairs of two codes); Jaccard = both / either."),
        ("unit", snapshot.active_unit or "(no segments)"),
        ("qualcode", __version__),
        ("versions", snapshot.versions or "{}"),
        ("data date", snapshot.data_date),
    ]


def _words(raw: str) -> str:
    """A topic's stored words (JSON pairs of word and weight) as "word, word, ..."."""
    try:
        words = json.loads(raw)
    except ValueError:
        return ""
    return ", ".join(w[0] if isinstance(w, list | tuple) else str(w) for w in words)
