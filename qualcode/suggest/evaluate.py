"""An honest check of the suggestions against a person's codings.

The sources one coder has coded are split in two (by a seed): the suggester learns from the
codings in the first part and suggests on the second, where it is scored against that
coder's codings, segment by segment. A keyword search (code names and keywords as plain
text, the way QDA tools autocode) is scored on the same segments for comparison.
"""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qualcode import defaults
from qualcode.embed.stopwords import DUTCH_STOP_WORDS
from qualcode.errors import ConflictError
from qualcode.suggest import make_suggester
from qualcode.suggest.base import CodeProfile, Labels, SegmentData
from qualcode.suggest.runner import prepare, with_language

BASELINE = "keyword search"


@dataclass
class Scores:
    """Counts and figures for one system."""

    system: str
    per_code: dict[str, list[int]] = field(default_factory=dict)  # code -> [tp, fp, fn]
    hits_at: dict[int, int] = field(default_factory=dict)  # k -> gold codes found in the top k
    gold_total: int = 0

    def micro(self) -> tuple[float, float, float]:
        tp, fp, fn = (sum(c[i] for c in self.per_code.values()) for i in range(3))
        return _prf(tp, fp, fn)

    def macro(self) -> tuple[float, float, float]:
        """Averaged over the codes that occur in the test part's gold codings."""
        supported = [c for c in self.per_code.values() if c[0] + c[2] > 0]
        if not supported:
            return 0.0, 0.0, 0.0
        figures = [_prf(*c) for c in supported]
        return tuple(sum(f[i] for f in figures) / len(figures) for i in range(3))

    def recall_at(self, k: int) -> float:
        return self.hits_at.get(k, 0) / self.gold_total if self.gold_total else 0.0


@dataclass
class Evaluation:
    coder: str
    seed: int
    train_sources: list[str]
    test_sources: list[str]
    test_segments: int
    min_score: float
    ks: tuple[int, ...]
    systems: list[Scores]

    def summary_rows(self) -> list[dict]:
        rows = []
        for s in self.systems:
            (mp, mr, mf), (ap, ar, af) = s.micro(), s.macro()
            row = {"system": s.system, "micro_p": mp, "micro_r": mr, "micro_f1": mf}
            row.update({"macro_p": ap, "macro_r": ar, "macro_f1": af})
            row.update({f"recall@{k}": s.recall_at(k) for k in self.ks})
            rows.append(row)
        return rows

    def code_rows(self) -> list[dict]:
        codes = sorted({c for s in self.systems for c in s.per_code})
        rows = []
        for code in codes:
            row = {
                "code": code,
                "support": self.systems[0].per_code.get(code, [0, 0, 0])[0]
                + self.systems[0].per_code.get(code, [0, 0, 0])[2],
            }
            for s in self.systems:
                p, r, f = _prf(*s.per_code.get(code, [0, 0, 0]))
                row.update({f"{s.system} p": p, f"{s.system} r": r, f"{s.system} f1": f})
            rows.append(row)
        return rows

    def to_text(self) -> str:
        lines = [
            f"evaluation for coder {self.coder!r}, seed {self.seed}: learned from {len(self.train_sources)} "
            f"sources, scored on {len(self.test_sources)} ({self.test_segments} segments), score >= {self.min_score}",
            "",
            f"{'system':<22}{'micro P':>8}{'R':>7}{'F1':>7}{'macro P':>9}{'R':>7}{'F1':>7}"
            + "".join(f"{'R@' + str(k):>7}" for k in self.ks),
        ]
        for row in self.summary_rows():
            figures = [row[k] for k in ("micro_p", "micro_r", "micro_f1", "macro_p", "macro_r", "macro_f1")]
            lines.append(
                f"{row['system']:<22}"
                + "".join(f"{v:>{w}.3f}" for v, w in zip(figures, (8, 7, 7, 9, 7, 7), strict=True))
                + "".join(f"{row[f'recall@{k}']:>7.3f}" for k in self.ks)
            )
        lines += [
            "",
            f"{'code':<34}{'n':>5}" + "".join(f"{s.system[:14]:>16}" for s in self.systems) + "   (F1)",
        ]
        for row in self.code_rows():
            lines.append(
                f"{row['code'][:33]:<34}{row['support']:>5}"
                + "".join(f"{row[f'{s.system} f1']:>16.3f}" for s in self.systems)
            )
        return "\n".join(lines)

    def write_csv(self, path: str | Path) -> None:
        with Path(path).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["table", "name", "measure", "value"])
            for row in self.summary_rows():
                for measure, value in row.items():
                    if measure != "system":
                        writer.writerow(["overall", row["system"], measure, f"{value:.4f}"])
            for row in self.code_rows():
                for measure, value in row.items():
                    if measure != "code":
                        writer.writerow(
                            ["code", row["code"], measure, value if measure == "support" else f"{value:.4f}"]
                        )


def evaluate(
    db,
    coder: str,
    split: float = 0.5,
    seed: int = 1,
    suggester: str = defaults.SUGGESTER,
    min_score: float = defaults.MIN_SCORE,
    unit: str | None = None,
    ks: tuple[int, ...] = (1, 3),
    options: dict | None = None,
) -> Evaluation:
    unit, codes, segments, labels = prepare(db, unit, coder)
    by_source: dict[str, list[SegmentData]] = {}
    for segment in segments:
        by_source.setdefault(segment.source, []).append(segment)
    coded_sources = sorted({s.source for s in segments if s.id in labels.coded})
    if len(coded_sources) < 2:
        raise ConflictError(
            f"coder {coder!r} has coded {len(coded_sources)} source(s); evaluating needs codings in at least two"
        )
    train, test = split_sources(coded_sources, split, seed)
    train_ids = {s.id for name in train for s in by_source[name]}
    learn = Labels(
        coded={s: c for s, c in labels.coded.items() if s in train_ids},
        rejected={s: c for s, c in labels.rejected.items() if s in train_ids},
    )
    test_segments = [s for name in test for s in by_source[name]]
    gold = [labels.coded.get(s.id, set()) for s in test_segments]
    options = with_language(db.connection, suggester, options or {})
    model = make_suggester(suggester, **options).fit(codes, segments, learn)
    predicted = [{code: r.score for code, r in scored.items()} for scored in model.suggest(test_segments)]
    systems = [
        score_system(suggester, predicted, gold, min_score, ks),
        score_system(BASELINE, keyword_baseline(codes, test_segments), gold, 1.0, ks),
    ]
    return Evaluation(coder, seed, train, test, len(test_segments), min_score, ks, systems)


def split_sources(sources: Sequence[str], fraction: float, seed: int) -> tuple[list[str], list[str]]:
    shuffled = sorted(sources)
    random.Random(seed).shuffle(shuffled)
    n_train = min(max(round(fraction * len(shuffled)), 1), len(shuffled) - 1)
    return sorted(shuffled[:n_train]), sorted(shuffled[n_train:])


def score_system(
    name: str, predicted: list[dict[str, float]], gold: list[set[str]], threshold: float, ks
) -> Scores:
    scores = Scores(name)
    for scored, truth in zip(predicted, gold, strict=True):
        chosen = {c for c, s in scored.items() if s >= threshold}
        for code in chosen | truth:
            counts = scores.per_code.setdefault(code, [0, 0, 0])
            counts[0 if code in chosen and code in truth else 1 if code in chosen else 2] += 1
        ranked = [c for c, s in sorted(scored.items(), key=lambda kv: -kv[1]) if s > 0]
        scores.gold_total += len(truth)
        for k in ks:
            scores.hits_at[k] = scores.hits_at.get(k, 0) + len(truth & set(ranked[:k]))
    return scores


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


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)
