"""The realist report: one Markdown file laid out along the RAMESES II reporting items for
realist evaluations.

The items the project's data can answer are filled in: the programme theory per version and
its refinements (the CMOC history with each memo), every CMOC with its evidence (supporting
units and quotes with their provenance, counts per case and participant group, disconfirming
quotes), how the evidence was gathered, the codes used, the participants and some cautions
the data shows. The items it cannot answer are written as prompts for the researcher.

The output is deterministic: the same project gives the same bytes. It is dated by its data
(the latest stored data or CMOC change), never by the clock. Text from the project is
escaped (``<``, ``>`` and ``&`` as entities, pipes in tables), so nothing in it is live in
a viewer. The file is written beside its target and moved into place when complete.
"""

from __future__ import annotations

import html
from pathlib import Path

from qualcode.analysis.cmoc_evidence import LEVELS, RULE, cmoc_evidence
from qualcode.analysis.cmocs import ROLES, cmoc_history, cmocs, latest_change
from qualcode.analysis.snapshot import read_snapshot
from qualcode.files import write_text_atomically

# The RAMESES II items in order (in our words): (number, title, what the researcher should
# write). Items 4, 9, 11, 13-17 get the project's data first; every item ends with its prompt.
ITEMS = (
    (1, "Title", "Say in the title that the study is a realist evaluation."),
    (2, "Summary or abstract", "Summarise the setting, aims, methods, main findings and conclusions."),
    (
        3,
        "Rationale for the evaluation",
        "Explain why this programme needed evaluating, for whom, and what was "
        "already known about how it works.",
    ),
    (
        4,
        "Programme theory",
        "Say where the initial programme theory came from (documents, literature, "
        "stakeholders) and how its versions were tested and refined.",
    ),
    (
        5,
        "Evaluation questions, objectives and focus",
        "State the questions in realist form: what works, for "
        "whom, in which circumstances, in what respects and how.",
    ),
    (6, "Ethical approval", "Name the ethics committee and the approval, or why none was needed."),
    (7, "Rationale for a realist approach", "Explain why a realist evaluation suits these questions."),
    (
        8,
        "Setting of the evaluation",
        "Describe the places, organisations and circumstances the programme "
        "ran in, as far as they may shape its mechanisms.",
    ),
    (
        9,
        "The programme evaluated",
        "Describe the programme: its parts, resources, the people who deliver it "
        "and how it was meant to change things.",
    ),
    (10, "Evaluation design", "Describe and justify the design and how it changed during the study."),
    (
        11,
        "Data collection",
        "Describe how data were gathered (interview guides, observation, documents) "
        "and how collection followed the programme theory.",
    ),
    (
        12,
        "Recruitment and sampling",
        "Explain how participants and sites were chosen, and how the sample was meant to test the theory.",
    ),
    (
        13,
        "Data analysis",
        "Explain how the codes were made and applied, how CMOCs were built from the data "
        "and how disconfirming evidence was sought and weighed.",
    ),
    (14, "Details of participants", "Describe who took part, beyond the groups the project records."),
    (
        15,
        "Main findings",
        "Interpret the evidence: which mechanisms fired, in which contexts, with which "
        "outcomes, and why the disconfirming cases differ.",
    ),
    (16, "Summary of findings", "Summarise what the refined programme theory now says."),
    (
        17,
        "Strengths, limitations and future research",
        "Weigh the strengths and limits of the evidence and say what further study should test.",
    ),
    (18, "Comparison with existing literature", "Relate the findings to earlier studies and theories."),
    (
        19,
        "Conclusion and recommendations",
        "Draw the conclusions and the recommendations for policy and practice that the evidence supports.",
    ),
    (20, "Funding and conflicts of interest", "Name the funders and any conflicts of interest."),
)
_LEVEL_LABEL = {"full": "full", "context_in_case": "context in the case", "partial": "partial"}
_PART_LABEL = {
    "context": "context",
    "resource": "mechanism (resource)",
    "reasoning": "mechanism (reasoning)",
    "outcome": "outcome",
}


def export_realist(db, path, include: str = "reviewed", scope: str = "turn", window: int = 3) -> Path:
    """Write the realist report (Markdown) to ``path``; evidence per ``scope`` (turn by default)."""
    with db.reading():
        found = cmocs(db)
        history = cmoc_history(db)
        snapshot = read_snapshot(db, include)
        changed = latest_change(db)
    gathered = cmoc_evidence(snapshot, found, scope, window)
    report = _Report(found, history, snapshot, gathered, max(snapshot.data_date, changed), scope)
    return write_text_atomically(path, report.text())


def _md(text) -> str:
    """One line of Markdown text: HTML escaped, on one line, pipes escaped (for tables)."""
    return html.escape(" ".join(str(text).split()), quote=False).replace("|", "\\|")


def _table(head: tuple, rows: list[tuple]) -> list[str]:
    return [
        "| " + " | ".join(_md(h) for h in head) + " |",
        "|" + "---|" * len(head),
        *("| " + " | ".join(_md(v) for v in row) + " |" for row in rows),
        "",
    ]


class _Report:
    def __init__(self, found, history, snapshot, gathered, date: str, scope: str):
        self.found, self.history, self.snapshot = found, history, snapshot
        self.evidence = {e.key: e for e in gathered}
        self.date, self.scope = date, scope

    def text(self) -> str:
        lines = [
            "# Realist evaluation report (RAMESES II)",
            "",
            f"_Data as of {_md(self.date or 'no data yet')}. {_md(self.snapshot.included)}_",
            "",
            "Laid out along the RAMESES II reporting items for realist evaluations. Where the project's data "
            "answers an item, it is filled in; what only the researcher can write is marked **For the "
            "researcher**.",
            "",
        ]
        answers = {4: self._programme_theory, 9: self._programme, 11: self._collection, 13: self._analysis,
                   14: self._participants, 15: self._findings, 16: self._summary, 17: self._cautions}  # fmt: skip
        for number, title, prompt in ITEMS:
            lines += [f"## {number}. {title}", ""]
            if number in answers:
                lines += answers[number]()
            lines += [f"> **For the researcher:** {prompt}", ""]
        lines += ["## Items for the researcher", ""]
        lines += [f"- [ ] {number}. {title}: {prompt}" for number, title, prompt in ITEMS]
        return "\n".join(lines) + "\n"

    # -- items the data answers ---------------------------------------------------------------

    def _programme_theory(self) -> list[str]:
        if not self.found:
            return [
                "No CMOCs recorded yet; add them with: qualcode cmoc add PROJECT --statement ... --by NAME",
                "",
            ]
        lines = []
        for version in sorted({c.theory_version for c in self.found}, key=_version_key):
            lines += [f"### Programme theory version {_md(version)}", ""]
            for c in (c for c in self.found if c.theory_version == version):
                lines.append(f"- **{_md(c.key)}** ({c.status}, confidence {c.confidence or 'not set'}): "
                             f"{_md(c.statement)}")  # fmt: skip
            lines.append("")
        lines += [
            "### Refinements",
            "",
            "Every change to a CMOC, oldest first, with the memo that explains it.",
            "",
        ]
        for change in self.history:
            status = (
                f"{change.from_status} → {change.to_status}"
                if change.from_status
                else f"made ({change.to_status})"
            )
            fields = "; ".join(
                f"{name}: {_value(before)} → {_value(after)}"
                for name, (before, after) in sorted(change.changes.items())
                if change.action == "revise" and name != "status"
            )
            lines.append(f"- {_md(change.at)} **{_md(change.key)}** {change.action} by {_md(change.by)}: {status}"
                         + (f"; {_md(fields)}" if fields else ""))  # fmt: skip
            if change.memo:
                lines.append(f"  - memo: {_md(change.memo)}")
        return [*lines, ""]

    def _programme(self) -> list[str]:
        named = sorted({(c.intervention, c.actor) for c in self.found if c.intervention or c.actor})
        if not named:
            return ["No CMOC names an intervention or an actor.", ""]
        rows = [(i or "-", a or "-", ", ".join(c.key for c in self.found if (c.intervention, c.actor) == (i, a)))
                for i, a in named]  # fmt: skip
        return [
            "Interventions and actors named in the CMOCs:",
            "",
            *_table(("intervention", "actor", "CMOCs"), rows),
        ]

    def _collection(self) -> list[str]:
        turns = self.snapshot.turns
        sources = {t["source_id"] for t in turns}
        coders = sorted({o.coder for o in self.snapshot.occurrences})
        return [
            f"The project holds {len(sources)} interviews with {len(turns)} turns; codings by "
            f"{_md(', '.join(coders) or 'nobody yet')}.",
            "",
        ]

    def _analysis(self) -> list[str]:
        scope = {"turn": "turn", "segment": "segment", "window": "window of segments"}[self.scope]
        lines = [f"Evidence was gathered per {scope}. {_md(RULE)}", ""]
        used: dict[str, set[str]] = {}
        for c in self.found:
            for code, part in c.part_of().items():
                used.setdefault(code, set()).add(_PART_LABEL[part])
        if not used:
            return lines
        known = {r["name"]: r for r in self.snapshot.codes}
        rows = []
        for code in [r["name"] for r in self.snapshot.codes if r["name"] in used] + sorted(
            set(used) - set(known)
        ):
            row = known.get(code)
            rows.append((code, row["kind"] if row else "-", ", ".join(sorted(used[code])),
                         row["description"] if row else "(no longer in the codebook)"))  # fmt: skip
        return [*lines, "The codes the CMOCs use:", "", *_table(("code", "kind", "part", "definition"), rows)]

    def _participants(self) -> list[str]:
        groups: dict[str, list[str]] = {}
        for row in self.snapshot.case_roles:
            if row["case"]:
                groups.setdefault(row["role"] or "(no role)", []).append(row["case"])
        if not groups:
            return ["The project records no cases (load a participants file to link speakers to cases).", ""]
        rows = [
            (role, len(set(cases)), ", ".join(sorted(set(cases)))) for role, cases in sorted(groups.items())
        ]
        lines = ["Cases per participant group:", "", *_table(("group", "cases", "which"), rows)]
        attributes: dict[str, list[str]] = {}
        for row in self.snapshot.case_attributes:
            attributes.setdefault(row["case"], []).append(f"{row['attribute']}: {row['value']}")
        if attributes:
            lines += _table(
                ("case", "attributes"), [(c, "; ".join(a)) for c, a in sorted(attributes.items())]
            )
        return lines

    def _findings(self) -> list[str]:
        lines = []
        for c in self.found:
            lines += self._cmoc(c, self.evidence[c.key])
        return lines or ["No CMOCs recorded yet.", ""]

    def _cmoc(self, c, e) -> list[str]:
        lines = [f"### {_md(c.key)}: {_md(c.statement)}", ""]
        lines.append(f"- status: {c.status}; confidence: {c.confidence or 'not set'}"
                     + (f" ({_md(c.confidence_reason)})" if c.confidence_reason else "")
                     + f"; programme theory version {_md(c.theory_version)}")  # fmt: skip
        lines += [f"- {label}: {_md(value)}" for label, value in (("intervention", c.intervention),
                  ("actor", c.actor)) if value]  # fmt: skip
        lines += [
            f"- {_PART_LABEL[role]}: {_md(', '.join(getattr(c, role)))}" for role in ROLES if getattr(c, role)
        ]
        t = e.totals
        lines.append(
            f"- evidence per {self.scope}: {t['full']} full, {t['context_in_case']} with the context in the "
            f"case, {t['partial']} partial, in {len(e.supporting_cases())} cases; {t['disconfirming']} "
            "disconfirming quotes" + (f"; {e.unreviewed} units only with unreviewed suggestions" if e.unreviewed else "")
        )  # fmt: skip
        if e.note:
            lines.append(f"- note: {_md(e.note)}")
        lines.append("")
        head = ("full", "context in case", "partial", "disconfirming")
        for title, counts in (("case", e.per_case), ("participant group", e.per_group)):
            if counts:
                lines += [f"Counts per {title}:", ""]
                lines += _table((title, *head), [(name, *n.values()) for name, n in counts.items()])
        lines += ["#### Supporting evidence", ""]
        for unit in e.units:
            flag = "" if unit.reviewed else " (not reviewed)"
            lines.append(f"- **{_LEVEL_LABEL[unit.level]}**{flag}: {_md(unit.source)} {unit.start}–{unit.end}, "
                         f"case {_md(', '.join(unit.cases))}, {_md(', '.join(unit.roles))}")  # fmt: skip
            lines += [f"  {_quote(q)}" for q in unit.quotes]
        if not e.units:
            lines.append("- none found")
        lines += ["", "#### Disconfirming evidence", ""]
        lines += [_quote(q) for q in e.disconfirming] or [
            "- none marked (mark a coding as counter-evidence with: qualcode code ... --counter)"
        ]
        return [*lines, ""]

    def _summary(self) -> list[str]:
        if not self.found:
            return []
        rows = []
        for c in self.found:
            t = self.evidence[c.key].totals
            rows.append((c.key, c.status, c.confidence or "-", c.theory_version,
                         *(t[level] for level in LEVELS), t["disconfirming"]))  # fmt: skip
        head = (
            "CMOC",
            "status",
            "confidence",
            "version",
            "full",
            "context in case",
            "partial",
            "disconfirming",
        )
        return _table(head, rows)

    def _cautions(self) -> list[str]:
        notes = []
        for c in self.found:
            e = self.evidence[c.key]
            if not e.complete:
                notes.append(f"{c.key} names no mechanism or no outcome code, so no unit can support it.")
            elif not e.units:
                notes.append(f"{c.key} has no supporting unit in the coded data.")
            if c.status == "confirmed" and e.disconfirming:
                notes.append(f"{c.key} is confirmed and has {len(e.disconfirming)} disconfirming quotes: "
                             "say how they were weighed.")  # fmt: skip
            if c.confidence is None:
                notes.append(f"{c.key} has no confidence yet.")
            if e.unreviewed:
                notes.append(
                    f"{c.key}: {e.unreviewed} supporting units hold only thanks to unreviewed suggestions."
                )
        if not notes:
            return ["The data shows no caution about the CMOCs.", ""]
        return ["What the data shows to be careful about:", "", *(f"- {_md(n)}" for n in notes), ""]


def _quote(q) -> str:
    who = ", ".join(p for p in (q.speaker, q.role, q.case) if p)
    parts = ", ".join(f"{code} ({part})" for code, part in zip(q.codes, q.parts, strict=True))
    flag = ", NOT REVIEWED" if not q.reviewed else ""
    return (f"- “{_md(q.text)}” [{_md(parts)}] {_md(who)} · {_md(q.source)} {q.start}–{q.end} · "
            f"{_md(q.provenance)}{flag}")  # fmt: skip


def _value(value) -> str:
    if isinstance(value, list):
        return ", ".join(value) or "(none)"
    return "(none)" if value in (None, "") else str(value)


def _version_key(version: str):
    return (0, int(version), "") if version.isdigit() else (1, 0, version)
