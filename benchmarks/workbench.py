"""Workbench speed through its HTTP interface, on a project the size of a real coding day.

    python benchmarks/workbench.py [--repeat 20] [--check]

Builds a project with one 4,000-word Dutch transcript (the example interviews joined), 500
codings by one coder and at least 1,000 pending suggestions for another, and a second
project with a 250-code codebook; serves each with the workbench (uvicorn on 127.0.0.1, as
``qualcode open`` does) and times, over real HTTP requests from another thread:

- the document page (``GET /document/<source>``) with its codings and suggestions;
- an accept and a reject in the review queue (``POST /api/review/...``), stored and answered
  (with retraining between batches switched off here: suggest_speed.py measures that);
- the codebook panel of 250 codes (``GET /codebook``).

Beside each figure, in the same run: the floor of the same server answering a static file
(what any page costs at least), and the library call alone (the page's work without HTTP).
Targets: document under 300 ms, a decision under 50 ms (medians).
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCUMENT_MS, DECISION_MS = 300.0, 50.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    from qualcode import Project, QualcodeWarning

    warnings.simplefilter("ignore", QualcodeWarning)
    with tempfile.TemporaryDirectory(prefix="qualcode-workbench-") as tmp:
        work = Path(tmp)
        path, source, words = build_coding_day(Project, work)
        tree_path = build_big_codebook(Project, work)
        with Project.open(path) as project:
            pending = project.reviewer("bob").counts()["pending"]
            codings = len(project.codings("anna"))
            library_document = timed(lambda: project.workbench().document(source, "bob"), args.repeat)
        with serving(path) as client:
            floor = timed(lambda: client.get("/static/base.css"), args.repeat)
            document = timed(lambda: ok(client.get(f"/document/{source}")), args.repeat)
            decisions = time_decisions(client, args.repeat)
        with Project.open(path) as project:
            reviewer = project.reviewer("carl")
            queue = reviewer.pending()[: args.repeat]
            library_decision = [timed_once(lambda i=item: reviewer.accept(i.id)) for item in queue]
        with serving(tree_path) as client:
            tree = timed(lambda: ok(client.get("/codebook")), args.repeat)
    print(f"workbench speed ({args.repeat} requests each; medians, p95 in brackets)")
    print(f"  project: one transcript of {words:,} words, {codings} codings, {pending:,} pending suggestions")
    print(f"  static file (the server's floor): {fmt(floor)}")
    print(f"  document page: {fmt(document)}; the library's document() alone: {fmt(library_document)}")
    print(
        f"  accept or reject, stored and answered: {fmt(decisions)}; Reviewer.accept alone: {fmt(library_decision)}"
    )
    print(f"  codebook panel, 250 codes: {fmt(tree)}")
    missed = []
    if statistics.median(document) >= DOCUMENT_MS:
        missed.append(f"document page {statistics.median(document):.0f} ms >= {DOCUMENT_MS:.0f}")
    if statistics.median(decisions) >= DECISION_MS:
        missed.append(f"decision {statistics.median(decisions):.0f} ms >= {DECISION_MS:.0f}")
    print("targets: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed and args.check else 0


def build_coding_day(project_class, work: Path) -> tuple[Path, str, int]:
    """One transcript of about 4,000 words, 500 codings by anna, suggestions for everyone."""
    said = [
        line
        for path in sorted((REPO / "transcripts").glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith(("I: ", "R: "))
    ]
    turns, words = [], 0
    while words < 4000:  # the example's I/R turns, again from the start if they run out
        line = said[len(turns) % len(said)]
        turns.append(line)
        words += len(line.split()) - 1
    transcript = work / "dag.txt"
    transcript.write_text("\n\n".join(turns) + "\n", encoding="utf-8")
    path = work / "day.qc"
    with project_class.create(path) as project:
        project.import_transcripts([transcript])
        project.segment("sentence")
        project.load_codebook(REPO / "codebooks" / "netwerkondersteuning.yaml")
        leaves = [c.name for c in project.codebook().codes if c.parent]
        segments = list(project.segments())
        rng = random.Random(1)
        table = work / "codings.csv"
        with table.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(("source", "start", "end", "code", "coder"))
            for _ in range(500):
                seg = rng.choice(segments)
                writer.writerow((seg.source, seg.start, seg.end, rng.choice(leaves), "anna"))
        project.import_codings(table)
        project.suggest(min_score=0.0)  # every ranked candidate shown: a long queue
    return path, "dag", words


def build_big_codebook(project_class, work: Path) -> Path:
    """A project with a codebook of 25 groups of 9 codes (250 codes)."""
    lines = ["name: groot", "codes:"]
    for g in range(25):
        lines += [f"  - name: Groep {g}", f"    description: Groep {g} van codes.", "    children:"]
        lines += [
            f"      - name: Code {g}.{c}\n        description: Code {c} in groep {g}." for c in range(9)
        ]
    book = work / "groot.yaml"
    book.write_text("\n".join(lines) + "\n", encoding="utf-8")
    transcript = work / "kort.txt"
    transcript.write_text("I: Hoe gaat het?\n\nR: Goed, dank je.\n", encoding="utf-8")
    path = work / "tree.qc"
    with project_class.create(path) as project:
        project.import_transcripts([transcript])
        project.segment("sentence")
        project.load_codebook(book)
    return path


def time_decisions(client, repeat: int) -> list[float]:
    """Accept and reject the queue's first suggestions in turn, as bob."""
    seconds = []
    for i in range(repeat):
        item = ok(client.get("/api/review/item")).json()
        current = item["item"]
        action = "accept" if i % 2 else "reject"
        started = time.perf_counter()
        ok(client.post(f"/api/review/{action}", json={"id": current.get("id")}))
        seconds.append((time.perf_counter() - started) * 1000)
    return seconds


class serving:
    """The workbench for a project on a free loopback port, and an HTTP client holding the
    token, the CSRF value and the coder name ``bob``, like a browser."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        import httpx
        import uvicorn

        from qualcode.web import CODER_COOKIE, create_app
        from qualcode.web.security import TOKEN_COOKIE
        from qualcode.web.server import free_port

        app = create_app(self.path)
        # No background retraining while decisions are timed (suggest_speed.py measures it).
        app.state.review_batch = 10**9
        port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        self.client = httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            cookies={TOKEN_COOKIE: app.state.token, CODER_COOKIE: "bob"},
            headers={"X-CSRF-Token": app.state.csrf},
            timeout=30,
        )
        return self.client

    def __exit__(self, *exc):
        self.client.close()
        self.server.should_exit = True
        self.thread.join(10)


def ok(response):
    if response.status_code != 200:
        raise RuntimeError(
            f"{response.request.method} {response.request.url}: {response.status_code} {response.text[:200]}"
        )
    return response


def timed_once(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def timed(call, repeat: int) -> list[float]:
    call()  # the first request warms caches (templates, imports); not counted
    return [timed_once(call) for _ in range(repeat)]


def fmt(milliseconds: list[float]) -> str:
    ordered = sorted(milliseconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):.1f} ms ({p95:.1f})"


if __name__ == "__main__":
    sys.exit(main())
