"""Corpus scale: the whole chain on 50, 200 and 1,000 varied interviews of about 10,000 words.

    python benchmarks/scale.py [--sizes 50,200,1000] [--words 10000] [--shared PATH] [--check]

Each interview alternates interviewer questions and answers. The answers' lengths (in words)
are drawn from the answer turns of real interviews (the bundled example study, and the
pdpilot interviews in ``../shared/data`` when it is there); they are filled with sentences
drawn at random from those interviews and from ParlaMint-NL's Dutch parliamentary speech, so
no two interviews are alike. A simulated coder codes 10% of the interviews: every sentence
with one of a code's keywords gets that code (a stand-in for a person, good enough to give the
suggesters something to learn from).

Every step runs as the command a researcher types, in its own process, and is timed end to
end with the process's peak memory (RSS): ``qualcode init``, ``qualcode import`` (with a participants file),
``qualcode segment``, ``qualcode codebook load`` + ``qualcode codings import``,
``qualcode suggest`` (the default suggester) and ``qualcode export --format xlsx``. Memory is
what the process and its children (segment's worker processes) held together at most; the
largest single process is given too. The baselines for segmenting, in the same run: a bare
``nlp.pipe`` of the same pipeline over the same answer paragraphs (no project, nothing stored;
pipeline loading not timed), the same with spaCy's own ``n_process=2``, and ``qualcode
segment --workers 1`` (all in one process) on the same imported project.

The suggest step is set beside the simplest suggester, keyword matching alone
(``--suggester lexical``), run on the same project afterwards.

Targets: the chain for 1,000 interviews under 5 minutes; segment end to end at least 50% of
the bare pipe's words/s on 1,000 interviews; peak memory of every step under 2 GB, and no
step's largest process at the largest size over 1.5x the same at the smallest. Prints figures; with ``--check`` a missed
target exits 1.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "qualcode" / "example"
CODEBOOK = EXAMPLE / "codebooks" / "netwerkondersteuning.yaml"
CHAIN_SECONDS, SEGMENT_RATIO, PEAK_MB, FLAT_RATIO = 300.0, 0.5, 2048.0, 1.5
CODED_SHARE = 0.10
ROLES = ("client", "naaste", "professional", "ervaringsdeskundige")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-Z\"'(„“])")

# Run one command in this process and print, as JSON on the last line, its seconds and peak
# memory: the most the process and its children (segment's workers) held together, sampled
# every 50 ms, and the largest single process's high-water mark (VmHWM; ru_maxrss would
# carry over the benchmark's own size from before the exec).
_STAGE_RUNNER = """
import json, os, re, sys, threading, time

def rss_kb(pid, field="VmRSS"):
    try:
        with open(f"/proc/{pid}/status") as status:
            found = re.search(field + r":\\s+(\\d+)", status.read())
    except OSError:
        return 0
    return int(found.group(1)) if found else 0

def children(pid):
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as stat:
                    fields = stat.read().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(name))
    return found

peaks = {"tree": 0, "single": 0, "processes": 1}
def sample():
    me = os.getpid()
    while True:
        kids = children(me)
        sizes = [rss_kb(me)] + [rss_kb(kid, "VmHWM") for kid in kids]
        peaks["tree"] = max(peaks["tree"], sum(sizes))
        peaks["single"] = max(peaks["single"], *sizes)
        peaks["processes"] = max(peaks["processes"], 1 + len(kids))
        time.sleep(0.05)

threading.Thread(target=sample, daemon=True).start()
started = time.perf_counter()
from qualcode.cli import main
try:
    main(sys.argv[1:], prog_name="qualcode")
    code = 0
except SystemExit as exit:
    code = exit.code or 0
seconds = time.perf_counter() - started
own = rss_kb(os.getpid(), "VmHWM")
print(json.dumps({
    "seconds": seconds, "code": code, "processes": peaks["processes"],
    "peak_mb": max(own, peaks["tree"]) / 1024, "single_mb": max(own, peaks["single"]) / 1024,
}))
"""


_WARM_UP = (
    "from qualcode.nlp import load_pipeline; import qualcode.cli, sklearn, openpyxl; load_pipeline('nl')"
)


@dataclass
class Pool:
    """What interviews are made of: questions, answer sentences and answer lengths."""

    questions: list[str]
    sentences: list[str]
    answer_words: list[int]
    origins: list[str] = field(default_factory=list)


@dataclass
class Step:
    name: str
    seconds: float
    peak_mb: float  # the process and its children together
    single_mb: float = 0.0  # the largest single process
    processes: int = 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,200,1000", help="numbers of interviews, comma separated")
    parser.add_argument("--words", type=int, default=10_000, help="words per interview (about)")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared data folder")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--keep", type=Path, help="build the projects in this folder and keep them")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.sizes.split(",")]
    pool = read_pool(args.shared)
    print(
        f"corpus: {len(pool.sentences):,} answer sentences and {len(pool.questions):,} questions from "
        f"{', '.join(pool.origins)}; answer lengths from {len(pool.answer_words):,} real answers "
        f"(median {sorted(pool.answer_words)[len(pool.answer_words) // 2]} words)"
    )
    # One throwaway process loads spaCy and the pipeline first, so that the first step timed
    # does not also pay for reading the libraries from disk.
    subprocess.run([sys.executable, "-W", "ignore", "-c", _WARM_UP], check=True, cwd=REPO)
    results = {}
    with tempfile.TemporaryDirectory(prefix="qualcode-scale-") as tmp:
        root = args.keep or Path(tmp)
        for n in sizes:
            work = root / f"n{n}"
            work.mkdir(parents=True, exist_ok=True)
            words = write_corpus(pool, work, n, args.words)
            steps = run_chain(work)
            bare = bare_pipe_seconds(work / "interviews")
            bare_parallel = bare_pipe_seconds(work / "interviews", processes=2)
            alone = run_stage(["segment", str(work / "imported.qc"), "--workers", "1"])
            keywords = run_stage(["suggest", str(work / "scale.qc"), "--suggester", "lexical"])
            results[n] = (words, steps, bare)
            report(n, words, steps, Baselines(bare, bare_parallel, alone, keywords))
    missed = targets(results)
    print("targets: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed and args.check else 0


# -- the corpus -------------------------------------------------------------------------------


def read_pool(shared: Path) -> Pool:
    from qualcode.ingest import read_transcript

    warnings.simplefilter("ignore")
    files = sorted(
        p for p in (EXAMPLE / "transcripts").iterdir() if p.suffix in {".txt", ".docx", ".vtt", ".srt"}
    )
    origins = [f"the example study ({len(files)} interviews)"]
    pdpilot = shared / "data" / "coded" / "pdpilot-interviews" / "transcripts"
    if pdpilot.is_dir():
        found = sorted(pdpilot.glob("*.txt"))
        files += found
        origins.append(f"pdpilot ({len(found)} interviews)")
    questions, sentences, lengths = [], [], []
    for path in files:
        turns = [t for t in read_transcript(path).turns if t.text.strip()]
        for turn in turns:
            text = " ".join(turn.text.split())
            if text.endswith("?") and len(text.split()) < 60:
                questions.append(text)
            else:
                lengths.append(len(text.split()))
                sentences += [s for s in _SENTENCE_END.split(text) if len(s.split()) >= 2]
    parlamint = shared / "data" / "parlamint-nl"
    if parlamint.is_dir():
        speech = 0
        for path in sorted(parlamint.glob("*.txt")):
            for line in path.read_text(encoding="utf-8").splitlines():
                _, _, said = line.partition(": ")
                if len(said.split()) > 5:
                    parts = [s for s in _SENTENCE_END.split(said) if len(s.split()) >= 2]
                    sentences += parts
                    speech += len(parts)
        origins.append(f"ParlaMint-NL ({speech:,} sentences)")
    return Pool(questions, sentences, lengths, origins)


def write_corpus(pool: Pool, work: Path, n: int, words_each: int) -> int:
    """``n`` interviews as I:/R: text files, a participants CSV and a simulated coder's
    codings CSV; returns the number of words written."""
    from qualcode.codebook import read_codebook

    rng = random.Random(n)
    folder = work / "interviews"
    folder.mkdir(exist_ok=True)
    keywords = [
        (code.name, re.compile(r"\b(" + "|".join(map(re.escape, code.keywords)) + r")\b", re.I))
        for code in read_codebook(CODEBOOK).codes
        if code.keywords
    ]
    coded_sources = set(rng.sample(range(n), max(1, round(n * CODED_SHARE))))
    total = 0
    with (
        (work / "participants.csv").open("w", encoding="utf-8", newline="") as people_file,
        (work / "codings.csv").open("w", encoding="utf-8", newline="") as codings_file,
    ):
        people, codings = csv.writer(people_file), csv.writer(codings_file)
        people.writerow(("speaker", "source", "case", "role"))
        codings.writerow(("source", "start", "end", "code", "coder"))
        for k in range(n):
            name = f"interview_{k:04d}"
            people.writerow(("I", name, "", "interviewer"))
            people.writerow(("R", name, f"C{k // 4:03d}", ROLES[k % len(ROLES)]))
            parts, offset, words = [], 0, 0
            while words < words_each:
                question = "I: " + rng.choice(pool.questions)
                parts.append(question)
                offset += len(question) + 2
                answer, length = [], rng.choice(pool.answer_words)
                start = offset + 3
                while sum(len(s.split()) for s in answer) < length:
                    answer.append(rng.choice(pool.sentences))
                position = start
                for sentence in answer:
                    if k in coded_sources:
                        for code, pattern in keywords:
                            if pattern.search(sentence):
                                codings.writerow((name, position, position + len(sentence), code, "sim"))
                    position += len(sentence) + 1
                text = "R: " + " ".join(answer)
                parts.append(text)
                offset += len(text) + 2
                words += len(question.split()) + len(text.split()) - 2
            (folder / f"{name}.txt").write_text("\n\n".join(parts) + "\n", encoding="utf-8")
            total += words
    return total


# -- measuring --------------------------------------------------------------------------------


def run_chain(work: Path) -> list[Step]:
    project = str(work / "scale.qc")
    Path(project).unlink(missing_ok=True)
    commands = [
        ("init", ["init", project]),
        (
            "import",
            ["import", project, str(work / "interviews"), "--participants", str(work / "participants.csv")],
        ),
        ("segment", ["segment", project]),
        ("codebook + codings", None),
        ("suggest", ["suggest", project]),
        ("export xlsx", ["export", project, "--format", "xlsx", "-o", str(work / "findings.xlsx")]),
    ]
    steps = []
    for name, command in commands:
        if command is None:
            first = run_stage(["codebook", "load", project, str(CODEBOOK)])
            second = run_stage(["codings", "import", project, str(work / "codings.csv")])
            steps.append(
                Step(
                    name,
                    first.seconds + second.seconds,
                    max(first.peak_mb, second.peak_mb),
                    max(first.single_mb, second.single_mb),
                    max(first.processes, second.processes),
                )
            )
        else:
            steps.append(dataclasses.replace(run_stage(command), name=name))
        if name == "import":  # the same project, for segmenting in one process afterwards
            shutil.copyfile(project, work / "imported.qc")
    return steps


def run_stage(arguments: list[str]) -> Step:
    done = subprocess.run(
        [sys.executable, "-c", _STAGE_RUNNER, *arguments], capture_output=True, text=True, cwd=REPO
    )
    lines = done.stdout.strip().splitlines()
    figures = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else None
    if done.returncode or not figures or figures["code"]:
        raise SystemExit(
            f"qualcode {' '.join(arguments)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
        )
    return Step(
        arguments[0], figures["seconds"], figures["peak_mb"], figures["single_mb"], figures["processes"]
    )


def bare_pipe_seconds(folder: Path, processes: int = 1) -> float:
    """A bare ``nlp.pipe`` of qualcode's own pipeline over the answer paragraphs that
    ``qualcode segment`` reads (interviewer turns are not segmented by default), in one
    process or with spaCy's own ``n_process``."""
    from qualcode.ingest import read_transcript
    from qualcode.nlp import load_pipeline

    nlp, _ = load_pipeline("nl")
    paragraphs = [
        turn.text
        for path in sorted(folder.glob("*.txt"))
        for turn in read_transcript(path).turns
        if turn.speaker == "R"
    ]
    started = time.perf_counter()
    for _ in nlp.pipe(paragraphs, batch_size=256, n_process=processes):
        pass
    return time.perf_counter() - started


@dataclass
class Baselines:
    bare: float  # seconds of a bare nlp.pipe in one process
    bare_parallel: float  # the same with spaCy's n_process=2
    alone: Step  # qualcode segment --workers 1: in one process
    keywords: Step  # qualcode suggest --suggester lexical


def report(n: int, words: int, steps: list[Step], baselines: Baselines) -> None:
    chain = sum(s.seconds for s in steps)
    print(f"\n{n:,} interviews, {words:,} words: the chain in {chain:.1f} s ({words / chain:,.0f} words/s)")
    for step in steps:
        processes = (
            f" in {step.processes} processes, largest {step.single_mb:.0f} MB" if step.processes > 1 else ""
        )
        print(
            f"  {step.name:<20} {step.seconds:7.1f} s  {words / step.seconds:>10,.0f} words/s  "
            f"peak {step.peak_mb:6.0f} MB{processes}"
        )
    segment = next(s for s in steps if s.name == "segment")
    bare, alone = baselines.bare, baselines.alone
    print(
        f"  bare nlp.pipe (same pipeline, same answers) {bare:.1f} s ({words / bare:,.0f} words/s); "
        f"segment end to end / bare = {bare / segment.seconds:.2f}"
    )
    print(
        f"  bare nlp.pipe with spaCy's n_process=2 {baselines.bare_parallel:.1f} s; "
        f"segment / that = {baselines.bare_parallel / segment.seconds:.2f}"
    )
    print(
        f"  segment in one process (--workers 1) {alone.seconds:.1f} s, peak {alone.peak_mb:.0f} MB; "
        f"/ bare = {bare / alone.seconds:.2f}"
    )
    print(
        f"  baseline for suggest: keyword matching alone (--suggester lexical) {baselines.keywords.seconds:.1f} s, "
        f"peak {baselines.keywords.peak_mb:.0f} MB"
    )


def targets(results: dict) -> list[str]:
    missed = []
    sizes = sorted(results)
    for n in sizes:
        words, steps, bare = results[n]
        segment = next(s for s in steps if s.name == "segment")
        # The ratio is a target on the large corpus, where start-up no longer counts.
        if n >= 1000 and bare / segment.seconds < SEGMENT_RATIO:
            missed.append(f"{n}: segment at {bare / segment.seconds:.2f} of bare nlp.pipe < {SEGMENT_RATIO}")
        for step in steps:
            if step.peak_mb > PEAK_MB:
                missed.append(f"{n}: {step.name} peak {step.peak_mb:.0f} MB > {PEAK_MB:.0f}")
    largest, smallest = results[sizes[-1]], results[sizes[0]]
    if sizes[-1] >= 1000:
        chain = sum(s.seconds for s in largest[1])
        if chain > CHAIN_SECONDS:
            missed.append(f"{sizes[-1]}: chain {chain:.0f} s > {CHAIN_SECONDS:.0f}")
    if len(sizes) > 1:
        # Flat: no process grows with the corpus. A step that runs in more processes on a
        # large corpus (segment's workers) holds more in all, by the number of cores.
        for big, small in zip(largest[1], smallest[1], strict=True):
            if big.single_mb > FLAT_RATIO * small.single_mb:
                missed.append(
                    f"{big.name} peak {big.single_mb:.0f} MB at {sizes[-1]} > {FLAT_RATIO}x "
                    f"{small.single_mb:.0f} MB at {sizes[0]}"
                )
    return missed


if __name__ == "__main__":
    sys.exit(main())
