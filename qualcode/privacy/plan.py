"""The pseudonymisation plan: every distinct finding, for the researcher to review, as a CSV.

Columns: ``text,type,pseudonym,decision,count,sources,detectors,context``. One line per
distinct text (texts that differ only in case or spacing are one). The researcher decides per
line:

- ``keep`` (the default): replace the text by the proposed pseudonym;
- ``change``: replace it by the pseudonym as edited in the ``pseudonym`` column;
- ``not personal``: leave the text as it is.

Lines may be added (a name the detectors missed: text, type and pseudonym) or removed (the
same as ``not personal``). ``count`` is how often applying the plan replaces the text (its
possessives and inflections included); ``context`` shows its first occurrence between « ».

The plan holds the personal data in the clear: keep it with the original project, never
with the pseudonymised copy.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.errors import InputError
from qualcode.privacy.detect import TYPE_AUTHORITY, TYPES, Finding, WordListEntry
from qualcode.privacy.matching import Matcher, key_of
from qualcode.privacy.people import Person
from qualcode.privacy.pseudonyms import propose

COLUMNS = ("text", "type", "pseudonym", "decision", "count", "sources", "detectors", "context")
REQUIRED = ("text", "type", "pseudonym", "decision")
DECISIONS = ("keep", "change", "not personal")
_DECISION_SPELLINGS = {
    "": "keep", "keep": "keep", "change": "change", "changed": "change",
    "not personal": "not personal", "not-personal": "not personal", "not_personal": "not personal",
    "niet persoonlijk": "not personal",
}  # fmt: skip
_TYPE_ORDER = {t: i for i, t in enumerate(TYPES)}


@dataclass
class PlanEntry:
    text: str
    type: str
    pseudonym: str
    decision: str = "keep"
    count: int = 0
    sources: str = ""
    detectors: str = ""
    context: str = ""
    line: int | None = None  # in the plan file it was read from

    @property
    def replaces(self) -> bool:
        return self.decision != "not personal"


@dataclass
class Plan:
    entries: list[PlanEntry] = field(default_factory=list)

    def replacing(self) -> list[PlanEntry]:
        return [e for e in self.entries if e.replaces]


def make_plan(
    texts: dict[str, str],
    findings: Iterable[Finding],
    people: Iterable[Person] = (),
    word_list: Iterable[WordListEntry] = (),
    style: str = "role",
) -> Plan:
    """The plan for ``findings`` in ``texts``: one entry per distinct text, with its type
    (the most trusted detector's), a proposed pseudonym (``style``), its count, sources,
    detectors and a context snippet; texts that would replace nothing are left out."""
    surfaces: dict[str, Counter] = defaultdict(Counter)
    votes: dict[str, Counter] = defaultdict(Counter)
    detectors: dict[str, set[str]] = defaultdict(set)
    first: dict[str, tuple[int, str, int]] = {}
    order = {name: i for i, name in enumerate(texts)}
    for f in findings:
        key = key_of(f.text)
        surfaces[key][f.text] += 1
        votes[key][(TYPE_AUTHORITY.index(f.detector), f.type)] += 1
        detectors[key].add(f.detector)
        first[key] = min(first.get(key, (len(order), "", 0)), (order[f.source], f.source, f.start))
    words = list(word_list)
    pinned = {}
    for entry in words:
        key = key_of(entry.text)
        surfaces[key][entry.text] += 1000  # the researcher's spelling wins
        votes[key][(-1, entry.type)] += 1
        detectors[key].add("wordlist")
        pinned[key] = entry.pseudonym
    rows = [(_surface(surfaces[k]), _type(votes[k])) for k in surfaces]
    counts, places, contexts = _occurrences(texts, rows)
    rows = [r for r in rows if counts.get(key_of(r[0])) or key_of(r[0]) in pinned]
    rows.sort(key=lambda r: places.get(key_of(r[0]), first.get(key_of(r[0]), (len(order), "", 0))))
    avoid = {w for text in texts.values() for w in re.findall(r"[^\W\d_]+", text)}
    proposed = propose(rows, people, style, avoid)
    entries = []
    for text, kind in rows:
        key = key_of(text)
        entries.append(
            PlanEntry(
                text, kind, pinned.get(key) or proposed[key], "keep", counts.get(key, 0),
                ";".join(sorted(contexts.get(key, {}).get("sources", ()))),
                ";".join(sorted(detectors[key])), contexts.get(key, {}).get("context", ""),
            )
        )  # fmt: skip
    entries.sort(key=lambda e: (_TYPE_ORDER.get(e.type, 99), -e.count, e.text.casefold()))
    return Plan(entries)


def _surface(counter: Counter) -> str:
    """The spelling to show: the most frequent, a capitalised one before one in capitals."""
    return max(counter, key=lambda s: (counter[s], not s.isupper(), s))


def _type(votes: Counter) -> str:
    best = min(authority for authority, _ in votes)
    return Counter({k: n for (a, k), n in votes.items() if a == best}).most_common(1)[0][0]


def _occurrences(texts: dict[str, str], rows: list[tuple[str, str]]):
    """How often applying the rows replaces each text, where first, and a context snippet."""
    matcher = Matcher(rows)
    counts: Counter = Counter()
    places: dict[str, tuple[int, str, int]] = {}
    contexts: dict[str, dict] = {}
    for index, (source, text) in enumerate(texts.items()):
        for m in matcher.finditer(text):
            counts[m.key] += 1
            places.setdefault(m.key, (index, source, m.start))
            info = contexts.setdefault(m.key, {"sources": set()})
            info["sources"].add(source)
            if "context" not in info:
                info["context"] = snippet(text, m.start, m.end)
    return counts, places, contexts


def snippet(text: str, start: int, end: int, width: int = 40) -> str:
    """``text[start:end]`` between « » with up to ``width`` characters either side, on one line."""
    before = text[max(0, start - width) : start]
    after = text[end : end + width]
    return " ".join(
        f"{'…' if start > width else ''}{before}«{text[start:end]}»{after}{'…' if end + width < len(text) else ''}".split()
    )


def write_plan(plan: Plan, path: str | Path) -> Path:
    """Write the plan as CSV (UTF-8, a header line, one line per entry)."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for e in plan.entries:
            writer.writerow(
                [e.text, e.type, e.pseudonym, e.decision, e.count, e.sources, e.detectors, e.context]
            )
    return path


def read_plan(path: str | Path) -> Plan:
    """Read a reviewed plan; a line that cannot be applied is an error naming the file, the
    line and the field, and saying what to write instead."""
    path = Path(path)
    name = str(path)
    try:
        content = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read the plan: {exc.strerror}", name) from exc
    except UnicodeDecodeError as exc:
        raise InputError("the plan is not UTF-8 text; save it as CSV UTF-8", name) from exc
    reader = csv.DictReader(content.splitlines())
    header = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            f"the plan has no column {missing[0]!r}; its first line must name the columns "
            f"{','.join(REQUIRED)} (write one with: qualcode pseudonymise PROJECT --plan plan.csv)",
            name, 1,
        )  # fmt: skip
    entries, seen = [], {}
    for number, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()) or row["text"].startswith("#"):
            continue
        entries.append(_entry(row, name, number, seen))
    _check_pseudonyms(entries, name)
    return Plan(entries)


def _entry(row: dict, name: str, number: int, seen: dict[str, int]) -> PlanEntry:
    text, kind = row["text"], row["type"].casefold()
    if not text:
        raise InputError("field text is empty; write the text to replace, or delete the line", name, number)
    key = key_of(text)
    if key in seen:
        raise InputError(
            f"field text: {text!r} is on line {seen[key]} already; keep one line per text", name, number
        )
    seen[key] = number
    if kind not in TYPES:
        raise InputError(
            f"field type: {row['type']!r} is not a type; write one of {', '.join(TYPES)}", name, number
        )
    decision = _DECISION_SPELLINGS.get(" ".join(row["decision"].casefold().split()))
    if decision is None:
        raise InputError(
            f"field decision: {row['decision']!r} is not a decision; write keep, change or not personal",
            name, number,
        )  # fmt: skip
    pseudonym = row["pseudonym"]
    if decision != "not personal" and not pseudonym:
        raise InputError(
            f"field pseudonym is empty for {text!r}; write a pseudonym, or decide not personal", name, number
        )
    count = row.get("count", "")
    return PlanEntry(
        text, kind, pseudonym, decision, int(count) if count.isdigit() else 0,
        row.get("sources", ""), row.get("detectors", ""), row.get("context", ""), number,
    )  # fmt: skip


def _check_pseudonyms(entries: list[PlanEntry], name: str) -> None:
    """A pseudonym may not hold a text the plan replaces (it would bring the name back)."""
    replacing = [e for e in entries if e.replaces]
    matcher = Matcher((e.text, e.type) for e in replacing)
    line_of = {key_of(e.text): e.line for e in replacing}
    for e in replacing:
        for m in matcher.finditer(e.pseudonym):
            same = m.key == key_of(e.text)
            advice = "decide not personal to leave it" if same else "choose another pseudonym"
            raise InputError(
                f"field pseudonym: {e.pseudonym!r} holds {m.core!r}, which the plan replaces "
                f"(line {line_of[m.key]}); {advice}",
                name, e.line,
            )  # fmt: skip
