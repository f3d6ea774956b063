"""Suggestion quality on real coded data (English), next to the baselines a researcher has.

    python benchmarks/suggest_quality.py [--shared PATH] [--sets NAME ...] [--folder PATH ...]
                                         [--seeds 1 2 3 4 5] [--fast] [--check]

The sets: every folder of <shared>/data/coded in the neutral layout (transcripts/*.txt,
codebook.csv, codings.csv; pdpilot-interviews: 7 interviews, 83 codes, 236 codings), segmented
by turn; serdif-usability (17 think-aloud sessions, 22 tags) and games-as-art (90 survey
answers, 31 codes) by sentence; and any neutral-layout folder given with --folder. Each
project is built once, through the public API, in a temporary folder.

Scoring, as ``qualcode evaluate`` does it (qualcode/suggest/evaluate.py): the coded sources
are split in half by a seed; every system learns from the coder's labels in one half and
suggests on the other, where the coder's codings are the gold. A suggestion is right when it
overlaps a gold coding of its code by at least half of the shorter span; precision counts
right suggestions, recall the gold codings found by some suggestion. recall@k: of the gold
codings of codes with 3 or more training codings, the share whose code is among the k best
scored codes of a segment the coding overlaps (same half rule). Kappa: Cohen's kappa per code
over the test segments (the person says yes where a gold coding overlaps by the half rule, the
machine where it shows the code); the median over the codes with gold, and the share >= 0.6.
Each suggester shows what scores at least its own threshold(); the keyword search shows every
code it finds; the pattern baseline (NVivo's "autocode from existing patterns": TF-IDF and a
logistic regression per code) shows its best code at p >= 0.5 (top-5: up to five).

Printed per set: the systems (mean ± sd over the seeds, seconds to fit and suggest); a learning
curve (after 25, 50 and 100% of the training codings, in document order); and an active-
learning simulation: a simulated coder labels the training sources' segments with their true
codes, one per decision, in document order or least-certain first (the supervised models'
informativeness, refitted every 10 decisions), and the default suggester is fitted on what was
decided after 50, 100 and 200 decisions. Targets, on every interview set (neutral layout):
default F1 at least twice the pattern top-1 F1, and default R@5 at least 0.60; with --check a
missed target makes the script exit 1. --fast leaves out the curve and the simulation.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import datasets  # noqa: E402  (beside this script)

REPO = Path(__file__).resolve().parent.parent
ALONE = ("lexical", "semantic", "supervised")
SHARES = (0.25, 0.5, 1.0)
DECISIONS = (50, 100, 200)
REFIT_EVERY = 10
BUILDERS = {"serdif-usability": datasets.serdif_usability, "games-as-art": datasets.games_as_art}
MEASURES = ("P", "R", "F1", "R@1", "R@3", "R@5", "kappa med", "kappa>=.6", "seconds")


@dataclass
class CodedSet:
    name: str
    build: object  # work folder -> (project, coder)
    unit: str
    interviews: bool  # a neutral-layout set: the targets apply


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--sets", nargs="+", metavar="NAME", help="only these sets of <shared>/data/coded")
    parser.add_argument("--folder", type=Path, nargs="+", default=[], help="more neutral-layout folders")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--fast", action="store_true", help="skip the learning curve and the simulation")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    sets = find_sets(args.shared / "data" / "coded", args.folder, args.sets)
    if not sets:
        print(
            f"suggestion quality benchmark skipped: no coded sets in {args.shared}/data/coded (or --folder)"
        )
        return 0
    from qualcode import QualcodeWarning, __version__, defaults

    warnings.simplefilter("ignore", QualcodeWarning)
    started = time.perf_counter()
    print(
        f"suggestion quality (qualcode {__version__}; split by source 0.5; seeds {' '.join(map(str, args.seeds))})"
    )
    missed, met = [], []
    for coded in sets:
        material, coder = read_set(coded)
        default = f"qualcode default ({defaults.SUGGESTER})"
        runs = [run_seed(material, seed, coder, default, args.fast) for seed in args.seeds]
        print_systems(runs)
        if not args.fast:
            print_curve(runs, default)
            print_active(runs)
        if coded.interviews:
            gaps = check(coded.name, runs, default)
            (missed if gaps else met).append(coded.name)
            for gap in gaps:
                print(f"  target missed: {gap}")
    print("\ntargets (interview sets): default F1 >= 2 x pattern top-1 F1, and default R@5 >= 0.60 (means)")
    if missed:
        print("targets: MISSED on " + ", ".join(missed))
    else:
        print(f"targets: {'all met on ' + ', '.join(met) if met else 'no interview set in this run'}")
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    return 1 if missed and args.check else 0


def find_sets(coded: Path, folders: list[Path], wanted: list[str] | None) -> list[CodedSet]:
    found = []
    if coded.is_dir():
        for folder in sorted(p for p in coded.iterdir() if p.is_dir()):
            if datasets.is_neutral_layout(folder):
                found.append(CodedSet(folder.name, _neutral(folder), "turn", True))
            elif folder.name in BUILDERS:
                build = BUILDERS[folder.name]
                found.append(CodedSet(folder.name, _shared(build, coded.parent.parent), "sentence", False))
    if wanted:
        unknown = set(wanted) - {s.name for s in found}
        if unknown:
            raise SystemExit(
                f"unknown sets: {', '.join(sorted(unknown))}; found {', '.join(s.name for s in found)}"
            )
        found = [s for s in found if s.name in wanted]
    for folder in folders:
        if not datasets.is_neutral_layout(folder):
            raise SystemExit(f"{folder}: not in the neutral layout (transcripts/, codebook.csv, codings.csv)")
        found.append(CodedSet(folder.name, _neutral(folder), "turn", True))
    return found


def _neutral(folder: Path):
    return lambda work: datasets.neutral_layout(folder, work, unit="turn")


def _shared(build, shared: Path):
    return lambda work: (build(shared, work, unit="sentence"), datasets.CODER)


def read_set(coded: CodedSet):
    """Build the project once and read what every seed needs from it (the project is then gone)."""
    from qualcode.store.db import Database
    from qualcode.suggest.evaluate import read_material

    with tempfile.TemporaryDirectory(prefix="qualcode-quality-") as tmp:
        built = time.perf_counter()
        project, coder = coded.build(Path(tmp))
        status = project.status()
        project.close()
        db = Database.open(Path(tmp) / "bench.qc")  # the suggesters' inputs, as qualcode evaluate reads them
        material = read_material(db, coder, coded.unit)
        db.close()
    counts = status["counts"]
    print(
        f"\n{coded.name}: {counts['sources']} sources, {status['segments'][coded.unit]} {coded.unit}s, "
        f"{counts['codes']} codes, {counts['codings']} codings by {coder!r} (built in {time.perf_counter() - built:.1f} s)"
    )
    return material, coder


def run_seed(material, seed: int, coder: str, default: str, fast: bool) -> dict:
    from qualcode import defaults
    from qualcode.suggest.evaluate import keyword_scores, pattern_scores, split_material, suggester_scores

    part = split_material(material, 0.5, seed, coder)
    systems = {default: suggester_scores(material, part, defaults.SUGGESTER)}
    systems.update((name, suggester_scores(material, part, name)) for name in ALONE)
    systems["keyword baseline"] = keyword_scores(material, part)
    top1, top5 = pattern_scores(material, part)
    systems.update({"pattern baseline top-1": top1, "pattern top-5": top5})
    run = {"systems": systems, "pool": len(part.train_segments)}
    if not fast:
        run["curve"] = learning_curve(material, part, systems[default], top1)
        run["active"] = {order: simulate(material, part, order) for order in ("document", "active")}
    return run


def learning_curve(material, part, default_full, pattern_full) -> dict:
    from qualcode import defaults
    from qualcode.suggest.evaluate import learning_share, pattern_scores, suggester_scores

    curve = {}
    for share in SHARES:
        if share >= 1:
            curve[share] = (default_full, pattern_full)  # the full run above
            continue
        learn = learning_share(part.learn, part.train_segments, part.train_codings, share)
        curve[share] = (
            suggester_scores(material, part, defaults.SUGGESTER, learn=learn),
            pattern_scores(material, part, learn)[0],
        )
    return curve


def simulate(material, part, order: str) -> dict:
    """A simulated coder labels pool segments with their true codes, one per decision; after
    each checkpoint the default suggester is fitted on the decided segments and scored."""
    import numpy as np

    from qualcode import defaults
    from qualcode.suggest import Labels
    from qualcode.suggest.evaluate import suggester_scores
    from qualcode.suggest.supervised import SupervisedSuggester

    pool, truth = part.train_segments, part.learn.coded
    goals = {n: min(n, len(pool)) for n in DECISIONS}
    ranker = None
    if order == "active":  # features once; refit() retrains the per-code models only
        ranker = SupervisedSuggester().fit(material.codes, material.segments, Labels())
    decided: dict[int, set[str]] = {}
    out = {}
    while len(out) < len(goals):
        todo = [s for s in pool if s.id not in decided]
        if ranker is not None and decided:
            ranker.refit(material.codes, Labels(coded=dict(decided)))
            if ranker.models_:  # before any code is learnable: document order
                todo = [todo[i] for i in np.argsort(-ranker.informativeness(todo), kind="stable")]
        for segment in todo[:REFIT_EVERY]:
            decided[segment.id] = truth.get(segment.id, set())
        for n, goal in goals.items():
            if n not in out and len(decided) >= goal:
                out[n] = suggester_scores(
                    material, part, defaults.SUGGESTER, learn=Labels(coded=dict(decided))
                )
    return out


def figures(scores) -> tuple[float, ...]:
    p, r, f = scores.micro()
    return (p, r, f, scores.recall_at(1), scores.recall_at(3), scores.recall_at(5),
            scores.kappa_median(), scores.kappa_share(), scores.seconds)  # fmt: skip


def mean_sd(values) -> tuple[float, float]:
    values = [v for v in values if not math.isnan(v)]
    if not values:
        return math.nan, math.nan
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def print_systems(runs: list[dict]) -> None:
    print(f"  {'system':<30}" + "".join(f"{m:>12}" for m in MEASURES))
    for name in runs[0]["systems"]:
        per_seed = [figures(run["systems"][name]) for run in runs]
        cells = []
        for column in zip(*per_seed, strict=True):
            mean, sd = mean_sd(column)
            cells.append(f"{'-':>12}" if math.isnan(mean) else f"{f'{mean:.2f}±{sd:.2f}':>12}")
        print(f"  {name:<30}" + "".join(cells))
    print("  (mean ± sd over the seeds; R@k on codes with >= 3 training codings; seconds to fit and suggest)")


def print_curve(runs: list[dict], default: str) -> None:
    print("\n  learning curve: labels up to 25/50/100% of the training codings, in document order (means)")
    head = "".join(f"{f'F1 {s:.0%}':>9}" for s in SHARES) + "".join(f"{f'R@5 {s:.0%}':>10}" for s in SHARES)
    print(f"  {'system':<30}{head}")
    for index, name in enumerate((default, "pattern baseline top-1")):
        f1 = [statistics.fmean(run["curve"][s][index].micro()[2] for run in runs) for s in SHARES]
        r5 = [statistics.fmean(run["curve"][s][index].recall_at(5) for run in runs) for s in SHARES]
        print(f"  {name:<30}" + "".join(f"{v:>9.2f}" for v in f1) + "".join(f"{v:>10.2f}" for v in r5))


def print_active(runs: list[dict]) -> None:
    pool = statistics.fmean(run["pool"] for run in runs)
    print(
        f"\n  active learning: a simulated coder labels pool segments (about {pool:.0f} in the training sources), "
        f"one per decision; the default fitted on them (means)"
    )
    print(
        f"  {'decisions':>9}{'document F1':>13}{'R@5':>7}{'active F1':>11}{'R@5':>7}{'active - document F1':>22}"
    )
    verdicts: dict[str, list[tuple[int, float]]] = {}
    for n in DECISIONS:
        doc_f1, doc_r5, act_f1, act_r5 = (
            statistics.fmean(getter(run["active"][order][n]) for run in runs)
            for order in ("document", "active")
            for getter in (lambda s: s.micro()[2], lambda s: s.recall_at(5))
        )
        gap = act_f1 - doc_f1
        print(f"  {n:>9}{doc_f1:>13.2f}{doc_r5:>7.2f}{act_f1:>11.2f}{act_r5:>7.2f}{gap:>+22.2f}")
        verdict = "level" if abs(gap) < 0.005 else "active order ahead" if gap > 0 else "document order ahead"
        verdicts.setdefault(verdict, []).append((n, gap))
    said = []
    for verdict, points in verdicts.items():
        numbers = [str(n) for n, _ in points]
        at = ", ".join(numbers[:-1]) + " and " + numbers[-1] if len(numbers) > 1 else numbers[0]
        by = "" if verdict == "level" else f" (by up to {max(abs(g) for _, g in points):.2f} F1)"
        said.append(f"{verdict} at {at} decisions{by}")
    smallest = min(run["pool"] for run in runs)
    if smallest < DECISIONS[-1]:
        said.append(f"a pool of {smallest} segments is all labelled before {DECISIONS[-1]} decisions")
    print("  -> " + "; ".join(said))


def check(name: str, runs: list[dict], default: str) -> list[str]:
    f1 = statistics.fmean(run["systems"][default].micro()[2] for run in runs)
    pattern = statistics.fmean(run["systems"]["pattern baseline top-1"].micro()[2] for run in runs)
    r5 = statistics.fmean(run["systems"][default].recall_at(5) for run in runs)
    gaps = []
    if f1 < 2 * pattern:
        gaps.append(f"{name}: default F1 {f1:.3f} < 2 x pattern top-1 F1 {pattern:.3f}")
    if r5 < 0.60:
        gaps.append(f"{name}: default R@5 {r5:.3f} < 0.60")
    print(f"  targets: F1 {f1:.2f} vs 2 x {pattern:.2f}; R@5 {r5:.2f} vs 0.60: {'missed' if gaps else 'met'}")
    return gaps


if __name__ == "__main__":
    sys.exit(main())
