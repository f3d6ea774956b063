"""An honest check of the suggestions against one coder's codings, on sources held out.

The scoring rule (``benchmarks/suggest_quality.py`` uses the same functions):

- The sources the coder has coded are split in two by a seed. Every system learns from the
  coder's labels in the training sources only and suggests on the test sources' segments;
  gold is the coder's codings (spans) in the test sources.
- A suggestion (a segment and a code) is correct when it overlaps a gold coding of the same
  code by at least half of the shorter of the two spans. Micro precision = correct
  suggestions / suggestions; recall = gold codings matched by at least one suggestion / gold
  codings; F1 is their harmonic mean.
- recall@k (k = 1, 3, 5) counts the gold codings of learnable codes only (3 or more codings
  in the training sources): the share whose code is among the k best-scored codes (score > 0)
  of some test segment that overlaps the coding by the same half rule.
- Cohen's kappa per code, over the test segments: the person says yes where a gold coding of
  the code overlaps the segment by the half rule, the machine where it shows the code. Codes
  with a gold coding in the test sources count; one whose expected agreement is 1 has no
  kappa and is left out. Reported as the median and the share of codes with kappa >= 0.6.
- Each system decides what it shows: a suggester the codes scoring at least ``min_score``
  (default: its own ``threshold()``); the keyword search every code it finds; the pattern
  baseline (NVivo's "autocode from existing patterns": TF-IDF of words and word pairs and a
  class-balanced logistic regression per code) its best code when p >= 0.5, or in the
  "top-5" row up to five codes with p >= 0.5; its ranking by p gives its recall@k.
"""

from __future__ import annotations

import csv
import io
import math
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qualcode import defaults
from qualcode.errors import ConflictError
from qualcode.files import csv_safe, write_text_atomically
from qualcode.store.codings import codings_table
from qualcode.suggest import SUGGESTERS, make_suggester
from qualcode.suggest.base import CodeProfile, Labels, SegmentData
from qualcode.suggest.runner import prepare, with_language
from qualcode.suggest.scoring import (
    BASELINE,
    GOOD_KAPPA,
    KS,
    LEARNABLE,
    PATTERN,
    PATTERN_TOP5,
    Coding,
    Scores,
    Truth,
    keyword_baseline,
    make_truth,
    pattern_baseline,
    ranking,
    score_system,
    shown_from,
)


def split_sources(sources: Sequence[str], fraction: float, seed: int) -> tuple[list[str], list[str]]:
    shuffled = sorted(sources)
    random.Random(seed).shuffle(shuffled)
    n_train = min(max(round(fraction * len(shuffled)), 1), len(shuffled) - 1)
    return sorted(shuffled[:n_train]), sorted(shuffled[n_train:])


@dataclass
class Material:
    """What an evaluation reads from the project, once (the benchmark reuses it over seeds)."""

    unit: str
    codes: list[CodeProfile]
    segments: list[SegmentData]
    labels: Labels
    codings: list[Coding]
    options: dict[str, dict]  # per suggester, the options the project implies (its language)


@dataclass
class Split:
    train: list[str]
    test: list[str]
    learn: Labels  # the labels of the training sources' segments only
    train_segments: list[SegmentData]  # in document order
    test_segments: list[SegmentData]
    train_codings: list[Coding]
    truth: Truth


def read_material(db, coder: str, unit: str | None = None) -> Material:
    unit, codes, segments, labels = prepare(db, unit, coder)
    codings = [
        Coding(r["source"], r["start"], r["end"], r["code"]) for r in codings_table(db.connection, coder)
    ]
    options = {name: with_language(db.connection, name, {}) for name in SUGGESTERS}
    return Material(unit, codes, segments, labels, codings, options)


def split_material(material: Material, fraction: float, seed: int, coder: str = "") -> Split:
    coded = sorted({c.source for c in material.codings})
    if len(coded) < 2:
        raise ConflictError(
            f"coder {coder!r} has coded {len(coded)} source(s); evaluating needs codings in at least two"
        )
    train, test = split_sources(coded, fraction, seed)
    in_train, in_test = set(train), set(test)
    ordered = sorted(material.segments, key=lambda s: (s.source, s.start, s.end))
    train_segments = [s for s in ordered if s.source in in_train]
    ids = {s.id for s in train_segments}
    learn = Labels(
        coded={s: c for s, c in material.labels.coded.items() if s in ids},
        rejected={s: c for s, c in material.labels.rejected.items() if s in ids},
    )
    train_codings = [c for c in material.codings if c.source in in_train]
    counts = Counter(c.code for c in train_codings)
    truth = make_truth(
        test_segments := [s for s in ordered if s.source in in_test],
        [c for c in material.codings if c.source in in_test],
        {code for code, n in counts.items() if n >= LEARNABLE},
    )
    return Split(train, test, learn, train_segments, test_segments, train_codings, truth)


def learning_share(labels: Labels, train_segments: Sequence[SegmentData], train_codings: Sequence[Coding],
                   share: float) -> Labels:  # fmt: skip
    """The labels a coder part way through would have: those of the training segments (in
    document order) up to where ``share`` of the training codings is reached; the segments
    after the cut are unlabelled (left out, not negatives)."""
    if share >= 1:
        return labels
    ordered = sorted(train_codings, key=lambda c: (c.source, c.start, c.end))
    reached = math.ceil(share * len(ordered))
    if not reached:
        return Labels()
    last = ordered[reached - 1]
    keep = {s.id for s in train_segments if (s.source, s.start) < (last.source, last.end)}
    return Labels(
        coded={s: c for s, c in labels.coded.items() if s in keep},
        rejected={s: c for s, c in labels.rejected.items() if s in keep},
    )


def suggester_scores(material: Material, part: Split, name: str, min_score: float | None = None,
                     options: dict | None = None, learn: Labels | None = None) -> Scores:  # fmt: skip
    """Fit a suggester on the training labels (or ``learn``), suggest on the test segments
    and score what it shows: codes from ``min_score``, else from its own threshold."""
    started = time.perf_counter()
    model = make_suggester(name, **{**material.options.get(name, {}), **(options or {})})
    model.fit(material.codes, material.segments, part.learn if learn is None else learn)
    scored = [{c: r.score for c, r in row.items()} for row in model.suggest(part.test_segments)]
    threshold = model.threshold() if min_score is None else min_score
    scores = score_system(name, shown_from(scored, threshold), ranking(scored), part.truth)
    scores.threshold, scores.seconds = threshold, time.perf_counter() - started
    return scores


def pattern_scores(material: Material, part: Split, learn: Labels | None = None) -> list[Scores]:
    """The pattern baseline's two rows: top-1 and top-5, both from p >= 0.5."""
    started = time.perf_counter()
    probabilities = pattern_baseline(
        material.segments, part.learn if learn is None else learn, part.test_segments
    )
    seconds = time.perf_counter() - started
    rows = []
    for name, top in ((PATTERN, 1), (PATTERN_TOP5, 5)):
        scores = score_system(name, shown_from(probabilities, 0.5, top), ranking(probabilities), part.truth)
        scores.threshold, scores.seconds = 0.5, seconds
        rows.append(scores)
    return rows


def keyword_scores(material: Material, part: Split) -> Scores:
    started = time.perf_counter()
    found = keyword_baseline(material.codes, part.test_segments)
    scores = score_system(BASELINE, shown_from(found, 1.0), ranking(found), part.truth)
    scores.seconds = time.perf_counter() - started
    return scores


@dataclass
class Evaluation:
    coder: str
    seed: int
    train_sources: list[str]
    test_sources: list[str]
    test_segments: int
    systems: list[Scores]  # the suggester first, then the baselines
    train_codings: dict[str, int]  # code -> codings in the training sources
    test_gold: dict[str, int]  # code -> codings in the test sources

    def system(self, name: str) -> Scores:
        return next(s for s in self.systems if s.system == name)

    def summary_rows(self) -> list[dict]:
        rows = []
        for s in self.systems:
            p, r, f = s.micro()
            row = {"system": s.system, "micro_p": p, "micro_r": r, "micro_f1": f, "macro_f1": s.macro_f1()}
            row.update({f"recall@{k}": s.recall_at(k) for k in KS})
            row.update(kappa_median=s.kappa_median(), kappa_share=s.kappa_share())
            row.update(shown_per_segment=s.shown_per_segment(), seconds=s.seconds)
            rows.append(row)
        return rows

    def code_rows(self) -> list[dict]:
        """Per code (coded or shown): the suggester's and the pattern baseline's figures."""
        compared = (self.systems[0], self.system(PATTERN))
        shown = {c for s in compared for c, n in s.per_code.items() if n[0]}
        rows = []
        for code in sorted(set(self.test_gold) | shown, key=lambda c: (-self.test_gold.get(c, 0), c)):
            row = {
                "code": code,
                "train": self.train_codings.get(code, 0),
                "support": self.test_gold.get(code, 0),
            }
            for s in compared:
                p, r, f = s.code_figures(code)
                row.update({f"{s.system} p": p, f"{s.system} r": r, f"{s.system} f1": f})
                row[f"{s.system} kappa"] = s.kappas.get(code, math.nan)
            rows.append(row)
        return rows

    def verdict(self) -> str:
        """In plain words: where the machine helps already, where not yet and why."""
        main, pattern = self.systems[0], self.system(PATTERN)
        tested = sorted(c for c, n in self.test_gold.items() if n)
        helps = [
            c for c in tested
            if self.test_gold[c] >= 2 and (main.kappas.get(c, -1) >= GOOD_KAPPA or main.code_figures(c)[2] >= 0.5)
        ]  # fmt: skip
        few = [c for c in tested if c not in helps and self.train_codings.get(c, 0) < LEARNABLE]
        rest = [c for c in tested if c not in helps and c not in few]
        poor, single = [c for c in rest if self.test_gold[c] >= 2], [c for c in rest if self.test_gold[c] < 2]
        if helps:
            text = (f"The machine can help with {_count(helps, 'code')} of the {len(tested)} coded in the "
                    f"test sources already (kappa >= {GOOD_KAPPA} or F1 >= 0.5 on 2 or more codings): {_names(helps)}.")  # fmt: skip
        else:
            text = f"The machine cannot help reliably with any of the {len(tested)} codes coded in the test sources yet."
        reasons = []
        if few:
            reasons.append(
                f"{_count(few, 'code')} with fewer than {LEARNABLE} coded examples to learn from (code more of them)"
            )
        if poor:
            reasons.append(f"{_count(poor, 'code')} with coded examples but poor results ({_names(poor)})")
        if reasons:
            text += " It cannot help yet with " + " and ".join(reasons) + "."
        if single:
            text += f" {_count(single, 'more code')} had a single test coding, too few to judge."
        ours, theirs = main.micro()[2], pattern.micro()[2]
        beats = "beats" if ours > theirs else "matches" if ours == theirs else "does not beat"
        return text + f" It {beats} the pattern baseline (F1 {ours:.2f} against {theirs:.2f})."

    def to_text(self) -> str:
        main = self.systems[0]
        lines = [
            f"evaluation for coder {self.coder!r}, seed {self.seed}: learned from {len(self.train_sources)} sources, "
            f"scored on {len(self.test_sources)} ({self.test_segments} segments); {main.system} shows codes "
            f"scoring >= {main.threshold:.2f}",
            "",
            f"{'system':<16}{'micro P':>8}{'R':>6}{'F1':>6}{'R@1':>6}{'R@3':>6}{'R@5':>6}"
            f"{'kappa med':>10}{'kappa>=0.6':>11}{'shown/seg':>10}",
        ]
        for row in self.summary_rows():
            figures = [row[k] for k in ("micro_p", "micro_r", "micro_f1", "recall@1", "recall@3", "recall@5")]
            lines.append(
                f"{row['system']:<16}" + "".join(_cell(v, w) for v, w in zip(figures, (8, 6, 6, 6, 6, 6), strict=True))
                + _cell(row["kappa_median"], 10) + _cell(row["kappa_share"], 11) + f"{row['shown_per_segment']:>10.2f}"
            )  # fmt: skip
        lines.append(
            f"R@k over {main.learnable_gold} gold codings of codes with >= {LEARNABLE} training codings; "
            f"kappa over {len(main.kappas)} codes coded in the test sources"
        )
        names = [s.system for s in (main, self.system(PATTERN))]
        lines += [
            "",
            " " * 51 + "".join(f"  {n[:24]:<24}" for n in names),
            f"{'code':<40}{'train':>6}{'test':>5}" + f"  {'P':>5}{'R':>6}{'F1':>6}{'kappa':>7}" * 2,
        ]
        for row in self.code_rows():
            cells = "".join(
                "".join(_cell(row[f"{n} {m}"], w) for m, w in (("p", 7), ("r", 6), ("f1", 6), ("kappa", 7)))
                for n in names
            )
            lines.append(f"{_fit(row['code'], 39):<40}{row['train']:>6}{row['support']:>5}{cells}")
        return "\n".join(line.rstrip() for line in [*lines, "", self.verdict()])

    def write_csv(self, path: str | Path) -> None:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["table", "name", "measure", "value"])
        for table, key, rows in (
            ("overall", "system", self.summary_rows()),
            ("code", "code", self.code_rows()),
        ):
            for row in rows:
                for measure, value in row.items():
                    if measure != key:
                        cell = value if isinstance(value, int) else f"{value:.4f}"
                        writer.writerow(map(csv_safe, (table, row[key], measure, cell)))
        write_text_atomically(path, out.getvalue())


def evaluate(db, coder: str, split: float = 0.5, seed: int = 1, suggester: str = defaults.SUGGESTER,
             min_score: float | None = None, unit: str | None = None, options: dict | None = None) -> Evaluation:  # fmt: skip
    """Learn from ``coder``'s labels in a share ``split`` of their coded sources, suggest on the
    rest and score the suggester next to the keyword search and the pattern baseline."""
    material = read_material(db, coder, unit)
    part = split_material(material, split, seed, coder)
    systems = [
        suggester_scores(material, part, suggester, min_score, options),
        keyword_scores(material, part),
        *pattern_scores(material, part),
    ]
    return Evaluation(
        coder, seed, part.train, part.test, len(part.test_segments), systems,
        dict(Counter(c.code for c in part.train_codings)), dict(Counter(c.code for c in part.truth.gold)),
    )  # fmt: skip


def _cell(value: float, width: int) -> str:
    return f"{'-':>{width}}" if math.isnan(value) else f"{value:>{width}.2f}"


def _count(codes: Sequence[str], noun: str) -> str:
    return f"{len(codes)} {noun}{'' if len(codes) == 1 else 's'}"


def _names(codes: Sequence[str], limit: int = 5) -> str:
    named = ", ".join(codes[:limit])
    return named + (f" and {len(codes) - limit} more" if len(codes) > limit else "")


def _fit(name: str, width: int) -> str:
    """A code name cut to ``width`` from the left: the end of a "Group > Code" path tells
    siblings apart."""
    return name if len(name) <= width else "…" + name[-(width - 1) :]
