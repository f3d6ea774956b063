"""Topics against the coders' themes: qualcode's default topics next to k-means on TF-IDF.

    python benchmarks/topics_quality.py [--shared PATH] [--sets NAME ...] [--seeds 1 2 3 4 5]
                                        [--k-factors 1 2] [--no-example]

The sets: every coded set of <shared>/data/coded that benchmarks/suggest_quality.py finds
(neutral-layout interview folders by turn; serdif-usability and games-as-art by sentence),
each built once through the public API (benchmarks/datasets.py) in a temporary folder.

What is measured: the agreement between the topic of a segment and the coders' top-level
code of it (a code's top-level code is the code at the root of its branch of the codebook;
in a flat codebook, the code), as normalised mutual information (scikit-learn's
``normalized_mutual_info_score``, arithmetic mean) and adjusted mutual information (which
corrects for chance, and so for the number of topics). Columns "one": the coded segments
whose codes all lie under one top-level code, the measure the issue names; a segment with
codes under two or more top-level codes has no single theme to agree with and is left out
there. Columns "all": every coded segment, one with n top-level codes counted n times, once
with each (no topic can agree with all n, so these are lower). Segments without a code are
never counted. A segment qualcode leaves out of the fit (an interviewer's turn) or makes an
outlier counts as one more topic, -1: leaving out what the coders coded costs qualcode.

The systems, each with k topics for k = the number of top-level codes times each
--k-factor, over the seeds:

* qualcode: ``Project.topics(mode="quick", n_topics=k, seed=seed)`` with every default
  (respondents' segments, names, places, fillers and numbers left out, TF-IDF/LSA
  embeddings, each segment placed with its neighbours);
* the same with ``context=False`` (each segment placed alone), to show what the context does;
* k-means on TF-IDF: scikit-learn's TfidfVectorizer (the language's stop words, words in at
  least two segments, sublinear tf) on the text of every segment, and KMeans (n_init 10,
  seeded) with the same k: what a researcher would try first;
* the same k-means on TF-IDF fitted on the segments qualcode fitted (respondents' only), to
  tell the effect of leaving out the interviewer from the rest of the method;
* that k-means with each segment's TF-IDF vector plus its neighbours' (qualcode's context
  weights): the strongest simple baseline, given the idea that helps qualcode most.

Also printed: the check on the example study (qualcode/example/transcripts, quick mode, 8
topics, seed 1): every topic word that is a participant's name (any capitalised word of
participants.csv, or the last part of a source file's name, as in ams_client_marco) or a
filler. Exits 0 with a message when
../shared is missing (the example check still runs).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import suggest_quality  # noqa: E402  (beside this script: it finds the sets, datasets.py builds them)

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "qualcode" / "example" / "transcripts"
LEFT_OUT = -1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--sets", nargs="+", metavar="NAME", help="only these sets of <shared>/data/coded")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--k-factors", type=float, nargs="+", default=[1.0, 2.0],
                        help="k = number of top-level codes x each factor")  # fmt: skip
    parser.add_argument("--no-example", action="store_true", help="skip the example study's check")
    args = parser.parse_args(argv)
    from qualcode import QualcodeWarning, __version__

    warnings.simplefilter("ignore", QualcodeWarning)
    started = time.perf_counter()
    print(f"topic quality (qualcode {__version__}; quick mode; seeds {' '.join(map(str, args.seeds))})")
    if not args.no_example:
        example_check()
    sets = suggest_quality.find_sets(args.shared / "data" / "coded", [], args.sets)
    if not sets:
        print(f"\ntopics against codes skipped: no coded sets in {args.shared}/data/coded")
        return 0
    for coded in sets:
        measure_set(coded, args.seeds, args.k_factors)
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    return 0


QUALCODE = "qualcode default topics"
ALONE = "qualcode, segments placed alone"
BASELINE = "k-means on TF-IDF (all segments)"
BASELINE_FITTED = "k-means on TF-IDF (qualcode's segments)"
BASELINE_CONTEXT = "k-means on TF-IDF, with neighbours"


def measure_set(coded, seeds: list[int], factors: list[float]) -> None:
    from qualcode import Project
    from qualcode.analysis.topics import topic_assignments
    from qualcode.store.db import Database
    from qualcode.suggest.evaluate import read_material

    with tempfile.TemporaryDirectory(prefix="qualcode-topics-") as tmp:
        built = time.perf_counter()
        project, coder = coded.build(Path(tmp))
        project.close()
        path = Path(tmp) / "bench.qc"
        db = Database.open(path)
        material = read_material(db, coder, coded.unit)
        db.close()
        gold, multi = top_level_labels(material)
        n_top = len({code for codes in gold.values() for code in codes})
        single = sum(1 for codes in gold.values() if len(codes) == 1)
        ks = sorted({max(2, round(n_top * f)) for f in factors})
        print(
            f"\n{coded.name}: {len(material.segments)} {coded.unit}s, {len(gold)} coded, {n_top} top-level "
            f"codes; {single} segments with one top-level code, {multi} with two or more "
            f"(built in {time.perf_counter() - built:.1f} s)"
        )
        results: dict[tuple[str, int], list[dict]] = {}
        seconds, left, fitted = [], [], 0
        with Project.open(path) as proj:
            for k in ks:
                for seed in seeds:
                    runs = {}
                    for name, context in ((QUALCODE, True), (ALONE, False)):
                        report = proj.topics(mode="quick", n_topics=k, seed=seed, context=context)
                        runs[name] = report.run_id
                        seconds.append(report.seconds)
                    db = Database.open(path, read_only=True)
                    assigned = {name: topic_assignments(db, run) for name, run in runs.items()}
                    db.close()
                    fitted = len(assigned[QUALCODE])
                    left.append(sum(1 for i in gold if assigned[QUALCODE].get(i, LEFT_OUT) == LEFT_OUT))
                    assigned[BASELINE] = kmeans_tfidf(material, k, seed, None)
                    assigned[BASELINE_FITTED] = kmeans_tfidf(material, k, seed, set(assigned[QUALCODE]))
                    assigned[BASELINE_CONTEXT] = kmeans_tfidf(
                        material, k, seed, set(assigned[QUALCODE]), True
                    )
                    for name, topics in assigned.items():
                        results.setdefault((name, k), []).append(score(gold, topics))
        print(
            f"  qualcode fitted {fitted} of {len(material.segments)} segments"
            f"{' (the rest are the interviewer' + chr(39) + 's)' if fitted < len(material.segments) else ''}; "
            f"of the coded segments it left out or made outliers {statistics.fmean(left):.0f} (topic -1); "
            f"{statistics.fmean(seconds):.1f} s a fit"
        )
        print_results(results, ks)


def top_level_labels(material) -> tuple[dict[int, set[str]], int]:
    """Per coded segment, the top-level codes of its codes; and how many segments have two or
    more (scored in the "all coded" columns only)."""
    parents = {code.name: code.parent for code in material.codes}

    def top(name: str) -> str:
        seen = set()
        while parents.get(name) and name not in seen:
            seen.add(name)
            name = parents[name]
        return name

    gold = {s: {top(c) for c in codes} for s, codes in material.labels.coded.items() if codes}
    return gold, sum(1 for codes in gold.values() if len(codes) > 1)


def kmeans_tfidf(material, k: int, seed: int, only: set[int] | None, context: bool = False) -> dict[int, int]:
    """k-means on TF-IDF; with ``context``, each segment's vector gets its neighbours' as
    qualcode's do (``topic_model.in_context``, the same weights): the baseline given the
    one idea that helps qualcode most, so the comparison does not only flatter."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    from qualcode.analysis.topic_model import in_context
    from qualcode.embed.stopwords import DUTCH_STOP_WORDS

    segments = [s for s in material.segments if only is None or s.id in only]
    language = material.options.get("lexical", {}).get("language", "en")
    stop_words = sorted(DUTCH_STOP_WORDS) if language == "nl" else "english"
    texts = [s.text for s in segments]
    for min_df in (2, 1):
        try:
            matrix = TfidfVectorizer(stop_words=stop_words, min_df=min_df, sublinear_tf=True).fit_transform(
                texts
            )
            break
        except ValueError:
            continue
    if context:
        rows = [{"source": s.source} for s in segments]  # material.segments are in document order
        matrix = in_context(matrix.toarray(), rows)
    labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(matrix)
    return {s.id: int(label) for s, label in zip(segments, labels, strict=True)}


def score(gold: dict[int, set[str]], assigned: dict[int, int]) -> dict[str, float]:
    """NMI and AMI over the segments with one top-level code ("one"), and over every coded
    segment, one with n top-level codes counted n times, once with each ("all")."""
    from sklearn.metrics import adjusted_mutual_info_score, normalized_mutual_info_score

    out = {}
    for part in ("one", "all"):
        pairs = [
            (code, assigned.get(i, LEFT_OUT))
            for i in sorted(gold)
            if part == "all" or len(gold[i]) == 1
            for code in sorted(gold[i])
        ]
        truth, found = [p[0] for p in pairs], [p[1] for p in pairs]
        out[f"NMI {part}"] = normalized_mutual_info_score(truth, found)
        out[f"AMI {part}"] = adjusted_mutual_info_score(truth, found)
    return out


MEASURES = ("NMI one", "AMI one", "NMI all", "AMI all")


def print_results(results: dict, ks: list[int]) -> None:
    print(f"  {'system':<42}{'k':>4}" + "".join(f"{m:>14}" for m in MEASURES))
    for k in ks:
        for (name, kk), scores in results.items():
            if kk == k:
                cells = "".join(f"{_mean_sd([s[m] for s in scores]):>14}" for m in MEASURES)
                print(f"  {name:<42}{k:>4}{cells}")
    print(
        "  (mean ± sd over the seeds; one: segments with one top-level code; all: every coded segment,"
        " once per top-level code)"
    )
    for k in ks:
        ours = statistics.fmean(s["NMI one"] for s in results[(QUALCODE, k)])
        for name in (BASELINE, BASELINE_CONTEXT):
            base = statistics.fmean(s["NMI one"] for s in results[(name, k)])
            verdict = "better than" if ours > base else "NOT better than"
            print(f"  k={k}: qualcode NMI {ours:.3f} is {verdict} {name}: {base:.3f}")


def _mean_sd(values: list[float]) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.fmean(values):.3f}±{sd:.3f}"


def example_check() -> None:
    """Fit the example study's default topics and list topic words that are names or fillers."""
    import csv
    import re

    from qualcode import Project
    from qualcode.embed.stopwords import fillers

    with tempfile.TemporaryDirectory(prefix="qualcode-example-") as tmp:
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            project = Project.create(Path(tmp) / "example.qc")
            project.import_transcripts([EXAMPLE], participants=EXAMPLE / "participants.csv")
            project.segment("sentence")
        report = project.topics(mode="quick", n_topics=8, seed=1)
        project.close()
    names = set()
    with (EXAMPLE / "participants.csv").open(encoding="utf-8") as handle:
        for row in csv.reader(handle):
            names |= {w.lower() for cell in row for w in re.findall(r"\b[A-Z][a-z]+\b", cell)}
    for path in EXAMPLE.iterdir():  # ams_client_marco.txt: the respondent's name last
        if path.suffix != ".csv" and "_" in path.stem:
            names.add(path.stem.rsplit("_", 1)[-1].lower())
    filler_words = fillers("nl")
    words = [w for t in report.topics if t.topic >= 0 for w in t.top_words]
    named = sorted({w for w in words if set(w.split()) & names})
    filled = sorted({w for w in words if set(w.split()) & filler_words})
    print(
        f"\nexample study: {report.segments} sentence segments, "
        f"{sum(1 for t in report.topics if t.topic >= 0)} topics ({time.perf_counter() - started:.0f} s)"
    )
    for topic in report.topics:
        if topic.topic >= 0:
            roles = Counter(topic.spread.get("role", {})).most_common(2)
            print(f"  {topic.topic:>2} {topic.size:>4}  {', '.join(topic.top_words)}  ({roles})")
    print(f"  topic words that are participants' names: {', '.join(named) or 'none'}")
    print(f"  topic words that are fillers: {', '.join(filled) or 'none'}")


if __name__ == "__main__":
    sys.exit(main())
