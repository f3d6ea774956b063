"""Segmentation benchmark: sentence boundaries, throughput and memory on real Dutch text.

    python benchmarks/segmentation.py [--shared PATH] [--words N] [--model NAME_OR_PATH] [--check]

(a) Sentence-boundary precision, recall and F1 on UD Dutch Alpino (dev + test): the gold
    sentences are joined with one space into running text, and every sentence start after
    the first is a boundary. Scored for the fallback pipeline, a bare ``spacy.blank("nl")``
    with a sentencizer (reference), ``--model`` and any installed ``nl_core_news_*``.
(b) Throughput on ParlaMint-NL speaker turns copied up to ``--words`` words: end-to-end
    (create a project, import, segment into sentences) against bare ``nlp.pipe`` over the
    same paragraphs. Bare runs first, then end-to-end. qualcode caches loaded pipelines per
    process, so neither figure includes loading; a cold load is timed on its own.
(c) Peak memory of the end-to-end run for ``--words / 4`` and ``--words`` words, each in a
    fresh subprocess (this script with the hidden ``--_memory-run N``).

The data comes from ``../shared/data`` beside the repo; without it the script says so and
exits 0. It prints figures only; with ``--check`` a missed target makes it exit 1.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parent.parent
ALPINO_FILES = ("nl_alpino-ud-dev.conllu", "nl_alpino-ud-test.conllu")
TRAINED_DUTCH = ("nl_core_news_sm", "nl_core_news_md", "nl_core_news_lg", "nl_core_news_trf")
BATCH_SIZE = 256  # what segment_turns uses inside Project.segment
F1_TARGET = 0.95
THROUGHPUT_RATIO_TARGET = 0.5
MEMORY_RATIO_TARGET = 1.5
WARM_UP_TEXT = "De heer Jansen: Dank u, voorzitter. Ik heb twee vragen... Eén: waarom nu?"


@dataclass(frozen=True)
class BoundaryScore:
    pipeline: str
    predicted: int
    precision: float
    recall: float
    f1: float
    seconds: float


@dataclass(frozen=True)
class Throughput:
    words: int
    end_to_end_seconds: float
    bare_seconds: float
    load_seconds: float
    segments: int
    sentences: int

    @property
    def end_to_end_rate(self) -> float:
        return self.words / self.end_to_end_seconds

    @property
    def bare_rate(self) -> float:
        return self.words / self.bare_seconds

    @property
    def ratio(self) -> float:
        return self.end_to_end_rate / self.bare_rate


# -- arguments and data ----------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared folder")
    parser.add_argument(
        "--words",
        type=int,
        default=250_000,
        help="corpus size for (b) and (c), rounded up to whole copies of the ParlaMint files",
    )
    parser.add_argument("--model", help="also score this spaCy model (package name or folder)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--_memory-run", dest="memory_run", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.words < 1:
        parser.error("--words must be at least 1")
    return args


def data_folders(shared: Path) -> tuple[Path, Path] | None:
    """The Alpino and ParlaMint folders, or None when any of the data is missing."""
    alpino = shared / "data" / "ud-dutch-alpino"
    parlamint = shared / "data" / "parlamint-nl"
    complete = all((alpino / name).is_file() for name in ALPINO_FILES) and any(
        parlamint.glob("ParlaMint-NL_*.txt")
    )
    return (alpino, parlamint) if complete else None


# -- pipelines -------------------------------------------------------------------------------


def load_quietly(notes: list[str], model: str | None = None, fallback: bool = False):
    """``load_pipeline("nl", model)``, keeping its warnings as notes to print once."""
    from qualcode import QualcodeWarning, nlp

    # Hiding installed trained models scores the fallback even where one is installed.
    hidden = {"nl": ()} if fallback and trained_dutch_installed() else {}
    with warnings.catch_warnings(record=True) as caught, mock.patch.dict(nlp.TRAINED_MODELS, hidden):
        warnings.simplefilter("always", QualcodeWarning)
        loaded = nlp.load_pipeline("nl", model)
    notes.extend(str(w.message) for w in caught if str(w.message) not in notes)
    return loaded


def trained_dutch_installed() -> list[str]:
    import spacy

    return [name for name in TRAINED_DUTCH if spacy.util.is_package(name)]


def bare_sentencizer():
    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    return nlp


def warm_up(nlp) -> None:
    for doc in nlp.pipe([WARM_UP_TEXT] * 4):
        list(doc.sents)


def rss_kib(field: str = "VmRSS") -> int:
    """A memory figure from /proc/self/status in KiB (Linux only; 0 elsewhere)."""
    status = Path("/proc/self/status")
    if not status.is_file():
        return 0
    line = next(x for x in status.read_text().splitlines() if x.startswith(field + ":"))
    return int(line.split()[1])


def peak_rss_kib() -> int:
    """This process's peak RSS in KiB.

    Linux carries the parent's peak into ``ru_maxrss`` of a child started with vfork/exec
    (as subprocess does), so the per-process high-water mark VmHWM is used where it exists.
    """
    own_peak = rss_kib("VmHWM")
    if own_peak:
        return own_peak
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS reports bytes


# -- (a) sentence boundaries -----------------------------------------------------------------


def alpino_sentences(alpino: Path) -> list[str]:
    prefix = "# text = "
    return [
        line[len(prefix) :]
        for name in ALPINO_FILES
        for line in (alpino / name).read_text(encoding="utf-8").splitlines()
        if line.startswith(prefix)
    ]


def running_text(sentences: list[str]) -> tuple[str, set[int]]:
    """The sentences joined with one space, and where each one after the first starts."""
    starts, position = set(), 0
    for sentence in sentences:
        starts.add(position)
        position += len(sentence) + 1
    return " ".join(sentences), starts - {0}


def score_boundaries(name: str, nlp, text: str, gold: set[int]) -> BoundaryScore:
    nlp.max_length = max(nlp.max_length, len(text) + 1)
    started = time.perf_counter()
    predicted = {sent.start_char for sent in nlp(text).sents} - {0}
    seconds = time.perf_counter() - started
    hits = len(predicted & gold)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return BoundaryScore(name, len(predicted), precision, recall, f1, seconds)


def extra_models(model: str | None) -> list[str]:
    return ([model] if model else []) + [name for name in trained_dutch_installed() if name != model]


def boundary_scores(text: str, gold: set[int], model: str | None, notes: list[str]) -> list[BoundaryScore]:
    scores = [
        score_boundaries("fallback", load_quietly(notes, fallback=True)[0], text, gold),
        score_boundaries("blank+sentencizer", bare_sentencizer(), text, gold),
    ]
    for name in extra_models(model):
        scores.append(score_boundaries(name, load_quietly(notes, name)[0], text, gold))
    return scores


def print_boundary_table(scores: list[BoundaryScore], gold: int, characters: int) -> None:
    print(
        f"\n(a) sentence boundaries, UD Dutch Alpino dev+test: {gold:,} gold boundaries, {characters:,} chars"
    )
    print(f"    {'pipeline':<22} {'predicted':>9} {'precision':>9} {'recall':>7} {'F1':>6} {'seconds':>7}")
    for s in scores:
        print(
            f"    {s.pipeline:<22} {s.predicted:>9} {s.precision:>9.3f} {s.recall:>7.3f} "
            f"{s.f1:>6.3f} {s.seconds:>7.2f}"
        )


# -- (b) throughput --------------------------------------------------------------------------


def build_corpus(parlamint: Path, folder: Path, words: int) -> int:
    """Copies of the ParlaMint transcripts until at least ``words``; returns the word count."""
    originals = [
        (p.name, p.read_text(encoding="utf-8")) for p in sorted(parlamint.glob("ParlaMint-NL_*.txt"))
    ]
    folder.mkdir(parents=True, exist_ok=True)
    total, copy = 0, 0
    while total < words:
        copy += 1
        for name, text in originals:
            # The copy number keeps every file's hash distinct; it is not a turn.
            content = f"# kopie {copy}\n{text}"
            (folder / f"copy_{copy:03d}_{name}").write_text(content, encoding="utf-8")
            total += len(content.split())
    return total


def corpus_paragraphs(folder: Path) -> list[str]:
    from qualcode.segment import paragraph_spans

    paragraphs = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        paragraphs.extend(text[start:end] for start, end in paragraph_spans(text, 0, len(text)))
    return paragraphs


def run_end_to_end(folder: Path, workdir: Path) -> int:
    """Create a project, import the folder and segment it; returns the number of segments."""
    from qualcode import Project, QualcodeWarning

    project = Project.create(workdir / "bench.qc")
    try:
        project.import_transcripts([folder])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", QualcodeWarning)  # already shown as a note
            return project.segment(unit="sentence").segments
    finally:
        project.close()


def time_bare(nlp, paragraphs: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    sentences = sum(sum(1 for _ in doc.sents) for doc in nlp.pipe(paragraphs, batch_size=BATCH_SIZE))
    return time.perf_counter() - started, sentences


def time_cold_load(notes: list[str]) -> float:
    """One load with qualcode's pipeline cache emptied: what a single CLI call pays once."""
    from qualcode import nlp

    nlp._load_cached.cache_clear()
    started = time.perf_counter()
    load_quietly(notes)
    return time.perf_counter() - started


def measure_throughput(parlamint: Path, words: int, nlp, notes: list[str]) -> Throughput:
    with tempfile.TemporaryDirectory(prefix="qualcode-bench-") as tmp:
        folder = Path(tmp) / "transcripts"
        total = build_corpus(parlamint, folder, words)
        bare_seconds, sentences = time_bare(nlp, corpus_paragraphs(folder))
        started = time.perf_counter()
        segments = run_end_to_end(folder, Path(tmp))
        end_to_end_seconds = time.perf_counter() - started
    return Throughput(total, end_to_end_seconds, bare_seconds, time_cold_load(notes), segments, sentences)


def print_throughput(t: Throughput) -> None:
    print(f"\n(b) throughput, ParlaMint-NL copies: {t.words:,} words (bare nlp.pipe first, then end-to-end)")
    print(
        f"    bare nlp.pipe:  {t.bare_seconds:6.2f} s  {t.bare_rate:>9,.0f} words/s  "
        f"{t.sentences:,} sentences (paragraphs include titles and speaker labels)"
    )
    print(
        f"    end-to-end:     {t.end_to_end_seconds:6.2f} s  {t.end_to_end_rate:>9,.0f} words/s  "
        f"{t.segments:,} segments (create + import + segment)"
    )
    print(f"    ratio end-to-end / bare: {t.ratio:.2f} (target >= {THROUGHPUT_RATIO_TARGET:.2f})")
    print(f"    loading the pipeline (cold, in neither figure): {t.load_seconds:.2f} s")


# -- (c) memory ------------------------------------------------------------------------------


def memory_run(parlamint: Path, words: int) -> None:
    """In a fresh process: the end-to-end job (or, for 0 words, only loading the pipeline);
    prints RSS before it, after it and at the peak, as JSON."""
    import spacy  # noqa: F401  (imports count in the start figure, not in the growth)

    import qualcode.nlp  # noqa: F401

    with tempfile.TemporaryDirectory(prefix="qualcode-bench-") as tmp:
        folder = Path(tmp) / "transcripts"
        total = build_corpus(parlamint, folder, words) if words else 0
        start = rss_kib()
        if words:
            run_end_to_end(folder, Path(tmp))
        else:
            warm_up(load_quietly([])[0])
        end = rss_kib()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures = {"words": total, "start_kib": start, "end_kib": end, "peak_kib": peak_rss_kib()}
    print(json.dumps(dict(figures, ru_maxrss_kib=maxrss)))


def measure_memory(shared: Path, words: int) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--shared", str(shared), "--_memory-run"]
    result = subprocess.run(command + [str(words)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"memory run for {words} words failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def print_memory(pipeline_only: dict, runs: list[dict]) -> float:
    print("\n(c) peak memory (RSS), each in a fresh process; start = after importing spaCy and qualcode")
    print(
        f"    pipeline only: start {mib(pipeline_only['start_kib']):.1f} MiB, after loading "
        f"{mib(pipeline_only['end_kib']):.1f} MiB, peak {mib(pipeline_only['peak_kib']):.1f} MiB"
    )
    for run in runs:
        growth = run["peak_kib"] - run["start_kib"]
        beyond = run["peak_kib"] - pipeline_only["peak_kib"]
        print(
            f"    {run['words']:>9,} words: peak {mib(run['peak_kib']):.1f} MiB, growth over start "
            f"{mib(growth):.1f} MiB, beyond the pipeline-only peak {mib(beyond):+.1f} MiB"
        )
    ratio = runs[1]["peak_kib"] / runs[0]["peak_kib"]
    print(f"    ratio of peaks: {ratio:.2f} (target < {MEMORY_RATIO_TARGET})")
    return ratio


def mib(kib: int) -> float:
    return kib / 1024


# -- summary ---------------------------------------------------------------------------------


def missed_targets(scores: list[BoundaryScore], throughput: Throughput, memory_ratio: float) -> list[str]:
    fallback = scores[0].f1
    missed = []
    if fallback < F1_TARGET:
        missed.append(f"fallback Alpino boundary F1 {fallback:.3f} < {F1_TARGET}")
    if throughput.ratio < THROUGHPUT_RATIO_TARGET:
        missed.append(f"throughput ratio {throughput.ratio:.2f} < {THROUGHPUT_RATIO_TARGET}")
    if memory_ratio >= MEMORY_RATIO_TARGET:
        missed.append(f"peak memory ratio {memory_ratio:.2f} >= {MEMORY_RATIO_TARGET}")
    return missed


def print_summary(
    header: str, scores: list[BoundaryScore], throughput: Throughput, runs: list[dict], memory_ratio: float
) -> None:
    others = ", ".join(f"{s.pipeline} {s.f1:.3f}" for s in scores[1:])
    print(f"\n{header}")
    print(f"alpino boundary F1: fallback {scores[0].f1:.3f} (target >= {F1_TARGET}), {others}")
    print(
        f"throughput: end-to-end {throughput.end_to_end_rate:,.0f} words/s, bare nlp.pipe "
        f"{throughput.bare_rate:,.0f} words/s, ratio {throughput.ratio:.2f} "
        f"(target >= {THROUGHPUT_RATIO_TARGET:.2f})"
    )
    small, large = runs
    print(
        f"peak memory: {small['words']:,} words {mib(small['peak_kib']):.1f} MiB, "
        f"{large['words']:,} words {mib(large['peak_kib']):.1f} MiB, ratio {memory_ratio:.2f} "
        f"(target < {MEMORY_RATIO_TARGET})"
    )


def run_benchmark(args: argparse.Namespace, alpino: Path, parlamint: Path) -> int:
    import spacy

    import qualcode

    notes: list[str] = []
    text, gold = running_text(alpino_sentences(alpino))
    scores = boundary_scores(text, gold, args.model, notes)
    print_boundary_table(scores, len(gold), len(text))

    nlp, info = load_quietly(notes)
    warm_up(nlp)
    throughput = measure_throughput(parlamint, args.words, nlp, notes)
    print_throughput(throughput)

    pipeline_only = measure_memory(args.shared, 0)
    runs = [measure_memory(args.shared, args.words // 4), measure_memory(args.shared, args.words)]
    memory_ratio = print_memory(pipeline_only, runs)

    for note in notes:
        print(f"\nnote: {note}")
    versions = f"qualcode {qualcode.__version__}, spaCy {spacy.__version__}, pipeline {info.name}"
    header = f"segmentation benchmark ({versions})"
    print_summary(header, scores, throughput, runs, memory_ratio)
    missed = missed_targets(scores, throughput, memory_ratio)
    print("targets: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed and args.check else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    folders = data_folders(args.shared)
    if folders is None:
        print(
            f"segmentation benchmark skipped: no test data under {args.shared}/data "
            f"(ud-dutch-alpino and parlamint-nl); pass --shared PATH to point at it"
        )
        return 0
    if args.memory_run is not None:
        memory_run(folders[1], args.memory_run)
        return 0
    from qualcode import QualcodeError

    try:
        return run_benchmark(args, *folders)
    except QualcodeError as exc:  # e.g. a --model that cannot be loaded
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
