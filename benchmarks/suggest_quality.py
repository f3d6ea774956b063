"""Suggestion quality on real coded data (English), against a keyword-search baseline.

    python benchmarks/suggest_quality.py [--shared PATH] [--seeds 1 2 3] [--min-score 0.3] [--check]

For each coded set in ../shared/data/coded (serdif-usability: 17 think-aloud sessions,
22 tags; games-as-art: 90 coded survey answers, 31 codes) a project is built through the public
API, and every suggester learns from the original coder's codings on half of the sources
(split by seed) and is scored on the other half, sentence by sentence. Prints figures only;
with --check, a missed target (serdif: ensemble F1 at least twice the keyword baseline's, at
equal or better precision, for every seed) makes it exit 1.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import datasets  # noqa: E402  (beside this script)

REPO = Path(__file__).resolve().parent.parent
SUGGESTERS = ("lexical", "semantic", "supervised", "ensemble")
BUILDERS = {"serdif-usability": datasets.serdif_usability, "games-as-art": datasets.games_as_art}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--min-score", type=float, default=0.3)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if not (args.shared / "data" / "coded").is_dir():
        print(f"suggestion quality benchmark skipped: no {args.shared}/data/coded")
        return 0
    from qualcode import QualcodeWarning, __version__

    warnings.simplefilter("ignore", QualcodeWarning)
    print(f"suggestion quality (qualcode {__version__}; split by source 0.5; score >= {args.min_score})")
    missed = []
    for name, build in BUILDERS.items():
        with tempfile.TemporaryDirectory(prefix="qualcode-quality-") as tmp:
            project = build(args.shared, Path(tmp))
            status = project.status()
            print(
                f"\n{name}: {status['counts']['sources']} sources, {status['segments']['sentence']} sentences, "
                f"{status['counts']['codes']} codes, {status['counts']['codings']} codings"
            )
            print(
                f"  {'seed':>4} {'system':<16}{'micro P':>8}{'R':>7}{'F1':>7}{'macro F1':>9}{'R@3':>7}{'seconds':>8}"
            )
            for seed in args.seeds:
                rows = evaluate_all(project, seed, args.min_score)
                for system, figures in rows.items():
                    print(
                        f"  {seed:>4} {system:<16}"
                        + "".join(f"{v:>{w}.3f}" for v, w in zip(figures, (8, 7, 7, 9, 7, 8), strict=True))
                    )
                if name == "serdif-usability":
                    missed += check_target(seed, rows)
            project.close()
    print("\ntarget (serdif-usability): ensemble F1 >= 2 x keyword baseline F1 at >= its precision")
    print("targets: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed and args.check else 0


def evaluate_all(project, seed: int, min_score: float) -> dict[str, tuple]:
    rows = {}
    for suggester in SUGGESTERS:
        started = time.perf_counter()
        result = project.evaluate(datasets.CODER, 0.5, seed, suggester, min_score)
        seconds = time.perf_counter() - started
        for scores in result.systems:
            p, r, f = scores.micro()
            figures = (p, r, f, scores.macro()[2], scores.recall_at(3), seconds)
            if scores.system == suggester:
                rows[suggester] = figures
            else:
                rows["keyword baseline"] = figures[:5] + (0.0,)
    return rows


def check_target(seed: int, rows: dict[str, tuple]) -> list[str]:
    ensemble, baseline = rows["ensemble"], rows["keyword baseline"]
    if ensemble[2] >= 2 * baseline[2] and ensemble[0] >= baseline[0]:
        return []
    return [
        f"seed {seed}: ensemble F1 {ensemble[2]:.3f} P {ensemble[0]:.3f} vs baseline F1 {baseline[2]:.3f} P {baseline[0]:.3f}"
    ]


if __name__ == "__main__":
    sys.exit(main())
