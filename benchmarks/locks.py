"""How long a coder's decision waits while another command writes the same project.

A child process imports a folder of transcripts, then segments the whole corpus; meanwhile
this process stores one review decision every 0.1 s and times each. The baseline is the same
decisions with nothing else running. Prints the median and the worst wait per phase.

    python benchmarks/locks.py [--copies 40]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40, help="copies of the example transcripts to import")
    args = parser.parse_args()
    from qualcode import Project

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        project_path = tmp / "study.qc"
        with Project.create(project_path) as project:
            project.import_transcripts(
                [REPO / "transcripts"], participants=REPO / "transcripts/participants.csv"
            )
            project.segment()
            project.load_codebook(REPO / "codebooks/netwerkondersteuning.yaml")
            project.suggest("lexical", min_score=0.0)
        corpus = tmp / "corpus"
        corpus.mkdir()
        originals = [
            p for p in (REPO / "transcripts").iterdir() if p.suffix in (".txt", ".docx", ".vtt", ".srt")
        ]
        for copy in range(args.copies):
            for original in originals:
                shutil.copyfile(original, corpus / f"c{copy:03d}-{original.name}")
        files = len(list(corpus.iterdir()))
        with Project.open(project_path) as project:
            reviewer = project.reviewer("timer")
            pending = iter(reviewer.pending(order="source"))
            quiet = _decide_while(reviewer, pending, None, 3.0)
            script = (
                "import sys\nfrom qualcode import Project\n"
                "with Project.open(sys.argv[1]) as p:\n"
                "    t = __import__('time').perf_counter(); p.import_transcripts([sys.argv[2]])\n"
                "    print('import', round(__import__('time').perf_counter() - t, 2), flush=True)\n"
                "    t = __import__('time').perf_counter(); p.segment()\n"
                "    print('segment', round(__import__('time').perf_counter() - t, 2), flush=True)\n"
            )
            writer = subprocess.Popen(
                [sys.executable, "-c", script, str(project_path), str(corpus)],
                stdout=subprocess.PIPE,
                text=True,
            )
            busy = _decide_while(reviewer, pending, writer, None)
            phases = writer.stdout.read().split()
    print(f"import of {files} files and segmentation of the corpus, in another process: {' '.join(phases)} s")
    for label, waits in (("nothing else running (baseline)", quiet), ("during import + segmentation", busy)):
        print(
            f"{label}: {len(waits)} decisions, median {statistics.median(waits) * 1000:.1f} ms, "
            f"worst {max(waits) * 1000:.1f} ms"
        )
    return 0


def _decide_while(reviewer, pending, writer, seconds: float | None) -> list[float]:
    """Accept one suggestion every 0.1 s until ``writer`` ends (or ``seconds`` pass)."""
    waits = []
    started = time.perf_counter()
    while (writer is not None and writer.poll() is None) or (
        seconds and time.perf_counter() - started < seconds
    ):
        item = next(pending)
        began = time.perf_counter()
        reviewer.accept(item.id)
        waits.append(time.perf_counter() - began)
        time.sleep(0.1)
    return waits


if __name__ == "__main__":
    sys.exit(main())
