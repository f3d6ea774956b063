"""Findings: everything the exports show, computed from one snapshot of the project.

:func:`collect` reads one :class:`~qualcode.analysis.snapshot.Snapshot` and computes every
table from it: the codebook, the codings, the evidence per mechanism and bottleneck,
co-occurrence, the framework matrix, CMO configurations, code frequencies and (with two or
more human coders) agreement, which is read inside the same read transaction. So an export
taken while coders are reviewing describes one state of the project.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

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
from qualcode.analysis.snapshot import Occurrence, Snapshot, read_snapshot
from qualcode.errors import QualcodeError
from qualcode.version import __version__

COOCCURRENCE_SCOPES = (("segment", 3), ("turn", 3), ("window", 3))


@dataclass
class Findings:
    include: str
    about: list[tuple[str, str]]
    codebook: list[dict]
    codings: list[Occurrence]
    evidence: list[EvidenceTable]
    cooccurrence: dict[str, Cooccurrence]  # scope -> result
    framework: FrameworkMatrix
    cmo: CmoConfigurations
    frequencies: object  # pandas DataFrame, codes x roles
    agreement: object | None = None  # agreement.AgreementReport
    topics: list[dict] = field(default_factory=list)
    date: str = ""


def collect(db, include: str = "reviewed") -> Findings:
    """Everything the exports show, from one read of the project."""
    with db.reading():
        snapshot = read_snapshot(db, include)
        agreement = _agreement(db, snapshot)
    return _findings(snapshot, agreement)


def _findings(snapshot: Snapshot, agreement) -> Findings:
    """Every table of a snapshot of the active unit, with the agreement report (or None)."""
    co = {}
    for scope, window in COOCCURRENCE_SCOPES:
        if scope != "turn" and snapshot.active_unit is None:
            continue  # no segments yet: only turns
        co[scope] = cooccurrence(snapshot, scope=scope, window=window)
    return Findings(
        include=snapshot.include,
        about=_about(snapshot),
        codebook=codebook_rows(snapshot),
        codings=snapshot.occurrences,
        evidence=evidence_tables(snapshot),
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
    )


def _agreement(db, snapshot: Snapshot):
    """Agreement between the human coders, when two or more coded and there are segments."""
    human = sorted({o.coder for o in snapshot.occurrences if o.reviewed})
    if len(human) < 2 or not snapshot.active_unit:
        return None
    from qualcode.analysis.agreement import agreement

    try:
        return agreement(db, human)
    except QualcodeError:
        return None


def _about(snapshot: Snapshot) -> list[tuple[str, str]]:
    return [
        ("included", snapshot.included),
        ("counter-evidence", COUNTER_EVIDENCE),
        ("framework matrix", "Cases x codes: the number of codings in the case's speakers' turns."),
        ("co-occurrence", "Units where both codes occur; Jaccard = both / either."),
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
