"""Measuring detection: precision and recall per entity type against an annotated set
(``benchmarks/pseudonymise.py``, tests/test_privacy.py).

What is measured is what applying a plan would replace: the detectors' findings made into a
plan (all decisions ``keep``), and every occurrence of the plan's texts in the texts
(:mod:`qualcode.privacy.matching`), not only the positions a detector reported.

- **recall** of a type: the share of annotated entities of that type that are wholly covered
  by spans the plan replaces *as that type*; ``covered`` also counts spans of another type
  (what matters for privacy: the text is gone, if under a wrong label);
- **precision** of a type: the share of replaced spans of that type that overlap an
  annotated entity of that type. Spans over text marked ``ignore`` (pets, countries) count
  neither way.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from qualcode.privacy import detect
from qualcode.privacy.matching import Matcher
from qualcode.privacy.people import Person
from qualcode.privacy.plan import make_plan

SCORED = ("person", "place", "organisation", "phone", "email", "postcode", "bsn", "date")
CONTACT = ("phone", "email", "postcode", "bsn")
_MARK = re.compile(r"\{(\w+):([^{}]+)\}")


@dataclass(frozen=True)
class Span:
    source: str
    start: int
    end: int
    type: str


@dataclass
class Score:
    gold: int = 0
    found: int = 0  # gold wholly covered as its type
    covered: int = 0  # gold wholly covered by any type
    predicted: int = 0
    correct: int = 0  # predicted overlapping gold of its type

    @property
    def recall(self) -> float | None:
        return self.found / self.gold if self.gold else None

    @property
    def covered_recall(self) -> float | None:
        return self.covered / self.gold if self.gold else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.predicted if self.predicted else None


def read_entity_list(path: str | Path) -> list[tuple[str, str]]:
    """An entity list ``type,text``: every whole-word, case-sensitive occurrence is one."""
    with Path(path).open(encoding="utf-8", newline="") as f:
        return [(row["type"], row["text"]) for row in csv.DictReader(f)]


def gold_from_list(texts: dict[str, str], entries: Iterable[tuple[str, str]]) -> list[Span]:
    entries = sorted(entries, key=lambda e: -len(e[1]))
    body = "|".join(re.escape(text) for _, text in entries)
    kinds = {text: kind for kind, text in entries}
    pattern = re.compile(rf"(?<![^\W_])(?:{body})(?![^\W_])")
    return [
        Span(s, m.start(), m.end(), kinds[m.group(0)]) for s, t in texts.items() for m in pattern.finditer(t)
    ]


def read_marked(path: str | Path, prefix: str = "zin") -> tuple[dict[str, str], list[Span]]:
    """Marked sentences (``{type:text}``), one a line: the plain texts and their entities."""
    texts, gold = {}, []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        source = f"{prefix}{number:03d}"
        plain, position = [], 0
        length = 0
        for m in _MARK.finditer(line):
            plain.append(line[position : m.start()])
            length += m.start() - position
            gold.append(Span(source, length, length + len(m.group(2)), m.group(1)))
            plain.append(m.group(2))
            length += len(m.group(2))
            position = m.end()
        plain.append(line[position:])
        texts[source] = "".join(plain)
    return texts, gold


def predicted(
    texts: dict[str, str],
    people: list[Person] = (),
    detectors=detect.DEFAULT_DETECTORS,
    word_list=(),
    nlp=None,
) -> list[Span]:
    """The spans a plan made by ``detectors`` would replace, with the plan's types."""
    findings = detect.detect(texts, people, word_list, detectors, nlp=nlp)
    plan = make_plan(texts, findings, people, word_list)
    matcher = Matcher((e.text, e.type) for e in plan.replacing())
    return [
        Span(source, m.start, m.end, matcher.types[m.key])
        for source, text in texts.items()
        for m in matcher.finditer(text)
    ]


def score(gold: list[Span], spans: list[Span], texts: dict[str, str] | None = None) -> dict[str, Score]:
    """Per scored type (and ``all``): counts for precision and recall (``texts``: white
    space between two spans counts as covered)."""
    scores = {kind: Score() for kind in (*SCORED, "all")}
    spans = [s for s in spans if s.type in SCORED]
    texts = texts or {}
    by_source: dict[str, list[Span]] = {}
    for s in spans:
        by_source.setdefault(s.source, []).append(s)
    gold_by_source: dict[str, list[Span]] = {}
    for g in gold:
        gold_by_source.setdefault(g.source, []).append(g)
    for g in gold:
        if g.type not in scores:
            continue
        mine = [s for s in by_source.get(g.source, ()) if s.start < g.end and s.end > g.start]
        for key in (g.type, "all"):
            scores[key].gold += 1
            scores[key].found += _covers([s for s in mine if s.type == g.type], g, texts.get(g.source, ""))
            scores[key].covered += _covers(mine, g, texts.get(g.source, ""))
    for s in spans:
        hits = [g for g in gold_by_source.get(s.source, ()) if g.start < s.end and g.end > s.start]
        if any(g.type not in scores for g in hits):  # over ignored text
            continue
        for key in (s.type, "all"):
            scores[key].predicted += 1
            scores[key].correct += any(g.type == s.type for g in hits)
    return scores


def _covers(spans: list[Span], g: Span, text: str) -> bool:
    """Whether ``spans`` together cover every letter of ``g``."""
    position = g.start
    for s in sorted(spans, key=lambda s: s.start):
        while position < s.start and position < len(text) and text[position].isspace():
            position += 1
        if s.start > position:
            break
        position = max(position, s.end)
    return position >= g.end
