"""Intercoder agreement on a project: who coded what, segment by segment, and the figures.

Each code is a yes/no variable per segment and coder: yes when one of the coder's codings
overlaps the segment. A coder who has not coded a source at all is *missing* for its
segments (not "no"), which Krippendorff's alpha allows for. The suggestions of the latest
run count as the coder ``machine``, for human-vs-machine agreement. Figures are given over
all segments and over the segments at least one coder coded, since agreement on "not coded"
inflates kappa over long, sparsely coded transcripts. A rare code also pulls kappa and alpha
down at high raw agreement, so Gwet's AC1, PABAK and the prevalence of "yes" are given too,
with a note in the text when kappa is low because of prevalence.

:func:`consensus` applies the same rule the other way round: the codes every coder who judged
a source gave a segment of it (the agreed codings the exports can count), and the
disagreements.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field

from qualcode import defaults
from qualcode.analysis.statistics import AgreementFigures, figures
from qualcode.coding.blind import blind_decisions, refuse_when_blind
from qualcode.errors import InputError
from qualcode.store import codings as coding_store
from qualcode.store import segments as segment_store
from qualcode.store import sources as source_store
from qualcode.store import suggestions as suggestion_store

MACHINE = "machine"
SCOPES = ("all segments", "coded segments")
YES_NO = (False, True)  # the categories of a code: AC1 and PABAK use q = 2 even if one is unused
# to_text notes that kappa (alpha for three or more coders) is low because of prevalence when
# "yes" is rarer than RARE (or commoner than 1 - RARE) while raw agreement is high.
RARE, HIGH_AGREEMENT, LOW_KAPPA = 0.1, 0.9, 0.5


@dataclass
class Disagreement:
    source: str
    start: int
    end: int
    text: str
    code: str
    yes: list[str]
    no: list[str]


@dataclass
class AgreementReport:
    coders: list[str]
    unit: str
    segments: int
    overall: dict[str, AgreementFigures] = field(default_factory=dict)  # scope -> figures
    per_code: dict[str, dict[str, AgreementFigures]] = field(default_factory=dict)  # scope -> code ->
    disagreements: list[Disagreement] = field(default_factory=list)
    blind: dict[str, tuple[int, int]] = field(default_factory=dict)  # coder -> (blind, all) decisions

    def to_json(self) -> str:
        return json.dumps(_plain(asdict(self)), ensure_ascii=False, indent=2)

    def to_csv(self, spreadsheet_safe: bool = True) -> str:
        """The figures per scope and code as CSV. Safe for a spreadsheet by default: a code
        that begins like a formula gets a leading ``'`` (:func:`qualcode.files.csv_safe`);
        ``spreadsheet_safe=False`` gives the plain text, for writers that protect it themselves."""
        from qualcode.files import csv_safe

        cell = csv_safe if spreadsheet_safe else (lambda value: value)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            (
                "scope",
                "code",
                "units",
                "pairable_units",
                "percent_agreement",
                "cohen_kappa",
                "krippendorff_alpha",
                "gwet_ac1",
                "pabak",
                "prevalence",
            )
        )
        for scope in SCOPES:
            rows = [("(all codes)", self.overall[scope]), *sorted(self.per_code[scope].items())]
            for code, f in rows:
                row = (scope, code, f.units, f.pairable_units, _fmt(f.percent), _fmt(f.kappa), _fmt(f.alpha))
                row += (_fmt(f.ac1), _fmt(f.pabak), _fmt(f.prevalence))
                writer.writerow(map(cell, row))
        return out.getvalue()

    def to_text(self, show: int = 20) -> str:
        kappa = len(self.coders) == 2
        lines = [f"agreement between {', '.join(self.coders)} on {self.segments} {self.unit} segments"]
        if self.blind:
            lines.append(
                "decided in blind mode: "
                + ", ".join(f"{c} {b} of {n} decisions" for c, (b, n) in sorted(self.blind.items()))
            )
        for scope in SCOPES:
            lines += [
                "",
                f"{scope}:",
                f"  {'code':<36}{'units':>7}{'agree':>8}"
                + (f"{'kappa':>8}" if kappa else "")
                + f"{'alpha':>8}{'AC1':>8}{'PABAK':>8}{'prev':>8}",
            ]
            rows = [("(all codes)", self.overall[scope]), *sorted(self.per_code[scope].items())]
            for i, (code, f) in enumerate(rows):
                lines.append(
                    f"  {code[:35]:<36}{f.pairable_units:>7}{_fmt(f.percent):>8}"
                    + (f"{_fmt(f.kappa):>8}" if kappa else "")
                    + f"{_fmt(f.alpha):>8}{_fmt(f.ac1):>8}{_fmt(f.pabak):>8}{_fmt(f.prevalence):>8}"
                )
                note = _prevalence_note(f, kappa, "the codes are" if i == 0 else "the code is")
                if note:
                    lines.append(f"    note: {note}")
        lines += ["", "prev: share of the ratings that are yes; AC1 and PABAK hold up on rare codes"]
        lines += [
            "",
            f"disagreements: {len(self.disagreements)}"
            + (f" (first {show})" if len(self.disagreements) > show else ""),
        ]
        for d in self.disagreements[:show]:
            lines.append(
                f"  {d.source} {d.start}-{d.end} {d.code}: yes {', '.join(d.yes)}; no {', '.join(d.no)}"
            )
            quote = " ".join(d.text.split())[:160]
            lines.append(f'    "{quote}"')
        return "\n".join(lines)


def agreement(db, coders: list[str], unit: str | None = None) -> AgreementReport:
    if len(coders) < 2 or len(set(coders)) != len(coders):
        raise InputError("agreement needs at least two different coders (--coders A,B)")
    refuse_when_blind(db, "agreement")
    unit, segments, judged = _judge(db.connection, coders, unit)
    all_codes = sorted({c for per in judged.values() for codes in per.values() for c in codes})
    coded = [s for s in segments if any(judged[c].get(s["id"]) for c in coders)]
    report = AgreementReport(coders, unit, len(segments))
    for scope, rows in zip(SCOPES, (segments, coded), strict=True):
        pooled, report.per_code[scope] = [], {}
        for code in all_codes:
            table = [[_value(judged[c], s["id"], code) for c in coders] for s in rows]
            report.per_code[scope][code] = figures(table, coders, categories=YES_NO)
            pooled += table
        report.overall[scope] = figures(pooled, coders, categories=YES_NO)
    report.disagreements = _disagreements(coded, all_codes, judged, coders)[1]
    report.blind = {c: n for c, n in blind_decisions(db, [c for c in coders if c != MACHINE]).items() if n[1]}
    return report


@dataclass
class Agreed:
    """A code on a segment that every coder who judged the segment's source gave it."""

    source: str
    source_id: int
    start: int
    end: int
    text: str
    code: str
    coders: list[str]
    speaker: str | None = None  # of the segment's turn
    role: str | None = None
    case: str | None = None


@dataclass
class Consensus:
    coders: list[str]
    unit: str
    agreed: list[Agreed]
    disagreements: list[Disagreement]
    single: list[str]  # sources only one of the coders judged (nothing there can be agreed)


def consensus(db, coders: list[str] | None = None, unit: str | None = None) -> Consensus:
    """The codings the coders agree on, by the rule of :func:`agreement`: per segment of
    ``unit`` (default: the active unit) and code, a coder says yes when one of their codings of
    the code overlaps the segment, no when they judged the segment's source (coded it, or were
    imported as its judge) without such a coding, and nothing otherwise. A code on a segment is
    *agreed* when at least two coders judged the source and every one of them says yes; it is
    a *disagreement* when some say yes and others no (the same list as the agreement report's).
    ``coders``: the human coders (default: everyone with codings); at least two."""
    conn = db.connection
    if coders is None:  # the people, not the owner's agreed codings made from theirs
        coders = [c for c in coding_store.coders(conn) if c != defaults.AGREED_CODER]
    coders = sorted(coders)
    if len(coders) < 2:
        raise InputError(
            "agreed codings (--consensus) need codings by two or more coders; the project has: "
            + (", ".join(coders) or "none yet")
        )
    refuse_when_blind(db, "agreed codings")
    unit, segments, judged = _judge(conn, coders, unit)
    all_codes = sorted({c for per in judged.values() for codes in per.values() for c in codes})
    coded = [s for s in segments if any(judged[c].get(s["id"]) for c in coders)]
    agreed, disagreements = _disagreements(coded, all_codes, judged, coders)
    judges: dict[str, set[str]] = {}
    for s in segments:
        judges.setdefault(s["source"], set()).update(c for c in coders if s["id"] in judged[c])
    return Consensus(
        coders, unit, agreed, disagreements, sorted(name for name, who in judges.items() if len(who) == 1)
    )


def _judge(conn, coders: list[str], unit: str | None):
    """The unit, its segments, and per coder the codes of every segment of a source they judged."""
    unit, segments = segment_store.segments_of_unit(conn, unit)
    judged: dict[str, dict[int, set[str]]] = {}  # coder -> segment -> codes, for judged segments only
    for coder in coders:
        codes, sources = _machine_codes(conn, unit) if coder == MACHINE else _coder_codes(conn, unit, coder)
        if not sources:
            known = ", ".join(coding_store.coders(conn)) or "none yet"
            raise InputError(f"coder {coder!r} has no codings in the project (coders: {known}; or {MACHINE})")
        judged[coder] = {s["id"]: codes.get(s["id"], set()) for s in segments if s["source_id"] in sources}
    return unit, segments, judged


def _disagreements(coded, all_codes, judged, coders) -> tuple[list[Agreed], list[Disagreement]]:
    """Per coded segment and code: agreed (two or more judges, all yes) or a disagreement."""
    agreed, disagreements = [], []
    for s in coded:
        for code in all_codes:
            values = {c: _value(judged[c], s["id"], code) for c in coders}
            present = {c: v for c, v in values.items() if v is not None}
            yes = [c for c, v in present.items() if v]
            no = [c for c, v in present.items() if not v]
            if yes and no:
                disagreements.append(
                    Disagreement(s["source"], s["start"], s["end"], s["text"], code, yes, no)
                )
            elif len(yes) >= 2:
                agreed.append(
                    Agreed(s["source"], s["source_id"], s["start"], s["end"], s["text"], code, yes,
                           s["speaker"], s["role"], s["case"])
                )  # fmt: skip
    return agreed, disagreements


def _coder_codes(conn, unit: str, coder: str) -> tuple[dict[int, set[str]], set[int]]:
    """Segment -> codes from the coder's current codings, and the sources the coder judged:
    those with a coding by them, and those imported as judged by them (units)."""
    sources = set(coding_store.coded_sources(conn, coder)) | source_store.judged_by(conn, coder)
    return _group(coding_store.codes_on_segments(conn, unit, coder)), sources


def _machine_codes(conn, unit: str) -> tuple[dict[int, set[str]], set[int]]:
    """The latest suggestion run as a coder: it judged every source it ran on."""
    if suggestion_store.latest_run_id(conn) is None:
        return {}, set()
    codes = _group(suggestion_store.machine_codes_on_segments(conn, unit))
    return codes, segment_store.sources_with_segments(conn, unit)


def _group(rows) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for segment_id, code in rows:
        out.setdefault(segment_id, set()).add(code)
    return out


def _value(judged: dict[int, set[str]], segment_id: int, code: str) -> bool | None:
    codes = judged.get(segment_id)
    return None if codes is None else code in codes


def _prevalence_note(f: AgreementFigures, two_coders: bool, subject: str) -> str | None:
    """Why kappa (alpha) is low when the codes are rare or nearly universal, or None."""
    name, chance = ("kappa", f.kappa) if two_coders else ("alpha", f.alpha)
    if f.prevalence is None or chance is None or not (f.percent >= HIGH_AGREEMENT and chance < LOW_KAPPA):
        return None  # NaN compares False, so an undefined figure never gets a note
    if f.prevalence < RARE:
        why = "rare"
    elif f.prevalence > 1 - RARE:
        why = "nearly always applied"
    else:
        return None
    return f"{name} is low because {subject} {why} (prevalence {f.prevalence:.3f}); see AC1/PABAK"


def _fmt(value) -> str:
    return "" if value is None or value != value else f"{value:.3f}"  # None or NaN: blank


def _plain(value):
    """JSON has no NaN: undefined figures become null."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
