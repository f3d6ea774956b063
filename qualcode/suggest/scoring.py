"""The scoring rule of :mod:`qualcode.suggest.evaluate` (see its docstring), and the two
baselines scored next to the suggesters: a keyword search and NVivo-style pattern autocoding.

Pure functions of segments, spans and what a system shows, so they are tested by hand.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from qualcode.embed.stopwords import DUTCH_STOP_WORDS
from qualcode.suggest.base import CodeProfile, Labels, SegmentData
from qualcode.threads import one_blas_thread

BASELINE = "keyword search"
PATTERN = "pattern top-1"
PATTERN_TOP5 = "pattern top-5"
KS = (1, 3, 5)
LEARNABLE = 3  # training codings a code needs to count for recall@k
GOOD_KAPPA = 0.6


@dataclass(frozen=True)
class Coding:
    source: str
    start: int
    end: int
    code: str


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """The two spans share at least half of the shorter one (touching spans share nothing)."""
    shared = min(a_end, b_end) - max(a_start, b_start)
    return shared > 0 and shared * 2 >= min(a_end - a_start, b_end - b_start)


@dataclass
class Truth:
    """The gold codings of the test sources, and which test segments each one overlaps."""

    gold: list[Coding]
    human: list[set[str]]  # per test segment: codes of the gold codings overlapping it
    covered: list[list[int]]  # per gold coding: the test segments it overlaps
    learnable: set[str]


def make_truth(segments: Sequence[SegmentData], gold: Sequence[Coding], learnable=()) -> Truth:
    by_source = defaultdict(list)
    for g, coding in enumerate(gold):
        by_source[coding.source].append(g)
    human: list[set[str]] = [set() for _ in segments]
    covered: list[list[int]] = [[] for _ in gold]
    for i, segment in enumerate(segments):
        for g in by_source.get(segment.source, ()):
            if overlaps(segment.start, segment.end, gold[g].start, gold[g].end):
                human[i].add(gold[g].code)
                covered[g].append(i)
    return Truth(list(gold), human, covered, set(learnable))


def cohen_kappa(human: Sequence[bool], machine: Sequence[bool]) -> float | None:
    """Cohen's kappa of two yes/no raters; None when expected agreement is 1 (undefined)."""
    n = len(human)
    if not n:
        return None
    observed = sum(h == m for h, m in zip(human, machine, strict=True)) / n
    h_yes, m_yes = sum(human) / n, sum(machine) / n
    expected = h_yes * m_yes + (1 - h_yes) * (1 - m_yes)
    return None if expected >= 1 else (observed - expected) / (1 - expected)


@dataclass
class Scores:
    """What one system showed, counted against the gold codings."""

    system: str
    per_code: dict[str, list[int]] = field(default_factory=dict)  # code -> [shown, correct, gold, found]
    kappas: dict[str, float] = field(default_factory=dict)
    found_at: dict[int, int] = field(default_factory=dict)  # k -> learnable gold codings found in the top k
    learnable_gold: int = 0
    segments: int = 0
    threshold: float | None = None
    seconds: float = 0.0

    def micro(self) -> tuple[float, float, float]:
        shown, correct, gold, found = (sum(c[i] for c in self.per_code.values()) for i in range(4))
        return _prf(correct, shown, found, gold)

    def macro_f1(self) -> float:
        figures = [self.code_figures(code)[2] for code, c in self.per_code.items() if c[2]]
        return sum(figures) / len(figures) if figures else 0.0

    def code_figures(self, code: str) -> tuple[float, float, float]:
        shown, correct, gold, found = self.per_code.get(code, [0, 0, 0, 0])
        return _prf(correct, shown, found, gold)

    def recall_at(self, k: int) -> float:
        return self.found_at.get(k, 0) / self.learnable_gold if self.learnable_gold else 0.0

    def kappa_median(self) -> float:
        return statistics.median(self.kappas.values()) if self.kappas else math.nan

    def kappa_share(self) -> float:
        good = sum(k >= GOOD_KAPPA for k in self.kappas.values())
        return good / len(self.kappas) if self.kappas else math.nan

    def shown_per_segment(self) -> float:
        return sum(c[0] for c in self.per_code.values()) / self.segments if self.segments else 0.0


def score_system(
    name: str, shown: list[set[str]], ranked: list[list[str]], truth: Truth, ks: Sequence[int] = KS
) -> Scores:
    """Score what a system shows (per test segment) and how it ranks codes (best first)."""
    scores = Scores(name, segments=len(shown), found_at={k: 0 for k in ks})
    counts = defaultdict(lambda: [0, 0, 0, 0])
    for i, codes in enumerate(shown):
        for code in codes:
            counts[code][0] += 1
            counts[code][1] += code in truth.human[i]
    for coding, where in zip(truth.gold, truth.covered, strict=True):
        counts[coding.code][2] += 1
        counts[coding.code][3] += any(coding.code in shown[i] for i in where)
        if coding.code in truth.learnable:
            scores.learnable_gold += 1
            for k in ks:
                scores.found_at[k] += any(coding.code in ranked[i][:k] for i in where)
    scores.per_code = dict(counts)
    for code in sorted({c.code for c in truth.gold}):
        kappa = cohen_kappa([code in h for h in truth.human], [code in s for s in shown])
        if kappa is not None:
            scores.kappas[code] = kappa
    return scores


def ranking(scored: Sequence[dict[str, float]]) -> list[list[str]]:
    """Per segment, the codes scoring above 0, best first (ties by name, to be repeatable)."""
    return [[c for c, s in sorted(row.items(), key=lambda kv: (-kv[1], kv[0])) if s > 0] for row in scored]


def shown_from(scored: Sequence[dict[str, float]], floor: float, top: int | None = None) -> list[set[str]]:
    """Per segment, the codes scoring at least ``floor`` (only the ``top`` best, if given)."""
    return [
        {c for c in ranked[:top] if row[c] >= floor}
        for row, ranked in zip(scored, ranking(scored), strict=True)
    ]


def pattern_baseline(corpus: Sequence[SegmentData], labels: Labels,
                     segments: Sequence[SegmentData]) -> list[dict[str, float]]:  # fmt: skip
    """Per segment, p of each code learnable from ``labels`` (a positive and a negative)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    out: list[dict[str, float]] = [{} for _ in segments]
    texts = {s.id: s.text for s in corpus}
    trained = sorted(i for i in labels.coded if i in texts)
    vectorizer = TfidfVectorizer(lowercase=True, ngram_range=(1, 2), sublinear_tf=True)
    try:
        vectorizer.fit(texts.values())
    except ValueError:  # no words at all: nothing to learn from
        return out
    x_train = vectorizer.transform([texts[i] for i in trained])
    x_test = vectorizer.transform([s.text for s in segments])
    with one_blas_thread():
        for code in sorted({c for i in trained for c in labels.coded[i]}):
            y = np.array([code in labels.coded[i] for i in trained])
            if y.all():
                continue
            model = LogisticRegression(class_weight="balanced", solver="liblinear", max_iter=200)
            for row, p in zip(out, model.fit(x_train, y).predict_proba(x_test)[:, 1], strict=True):
                row[code] = float(p)
    return out


def keyword_baseline(codes: Sequence[CodeProfile], segments: Sequence[SegmentData]) -> list[dict[str, float]]:
    """Autocoding as QDA tools offer it: the code's name, the content words of a longer name,
    and its keywords, searched as whole words (any case); score = number of hits."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    stop = DUTCH_STOP_WORDS | ENGLISH_STOP_WORDS
    patterns = {}
    for code in codes:
        words = [w for w in re.findall(r"\w[\w'-]*", code.name.lower()) if len(w) > 3 and w not in stop]
        terms = [code.name.lower(), *words, *(k.lower() for k in code.keyword_texts)]
        alternatives = "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True) if t)
        patterns[code.name] = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    return [
        {code: float(n) for code, pattern in patterns.items() if (n := len(pattern.findall(s.text)))}
        for s in segments
    ]


def _prf(correct: int, shown: int, found: int, gold: int) -> tuple[float, float, float]:
    p = correct / shown if shown else 0.0
    r = found / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)
