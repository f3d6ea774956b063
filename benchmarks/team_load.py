"""Nothing lost under load: many coders on the team server at once, then a kill -9 mid-run.

Starts a PostgreSQL of its own (``tests/pg_support.py``), pushes a project made from the
example transcripts to it (segmented, with the codebook and lexical suggestions), makes the
team server's database with N coders of that project, runs ``qualcode serve`` as a child
process on a free loopback port and logs every coder in over HTTP. Then the coders work at
once (one thread and HTTP client each): D decisions each (coding a span by hand, accepting
or rejecting one of the suggestions), a think time of 0-50 ms before each, and now and then
a switch to another transcript (its page opened). Every decision the server acknowledged
(a 2xx answer with its id) must be in the project's decisions log afterwards.

Phase 2 does the same again and kills the server process (``kill -9``) halfway, then starts
it again, as systemd's ``Restart=on-failure`` would. A request that got no answer is
*unknown*, not acknowledged: the coder tries it again once the server is back. Afterwards
still no acknowledged decision may be missing (and the log holds no more decisions than
were acknowledged or unknown).

    python benchmarks/team_load.py [--coders 20] [--decisions 500] [--seed 15]

Prints p50/p95 latency of a decision and of opening a transcript, throughput and every error
by status. Exit status 1 when an acknowledged decision is missing, an answer was a 5xx or
a request timed out (no answer within --timeout seconds while the server was up: a deadlock).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # tests.pg_support starts the PostgreSQL

PASSWORD = "load-test-password"
CSRF = re.compile(r'name="csrf" (?:content|value)="([^"]+)"')
WORD = re.compile(r"\w+")
SUGGESTION_SHARE = 0.4  # of the decisions: accept or reject a suggestion (else code by hand)
SWITCH_SHARE = 0.05  # before a decision: go to (open) another transcript
RECOVERY = 90.0  # seconds a coder keeps trying while the server is down


class Record:
    """What the server acknowledged, per coder, over every phase (only grows)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.spans: dict[str, Counter] = defaultdict(Counter)  # coder -> (source, start, end, code)
        self.decided: dict[str, set[int]] = defaultdict(set)  # coder -> suggestions accepted or rejected
        self.acked: Counter = Counter()
        self.unknown: Counter = Counter()  # decisions sent without an answer (maybe stored)


class Figures:
    """One phase's timings and troubles."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.refused: Counter = Counter()  # (kind, status) of every answer that was not a 2xx
        self.timeouts: Counter = Counter()
        self.unknown: Counter = Counter()
        self.landed = 0  # unknown suggestion decisions a retry found stored already
        self.down_refusals = 0  # connections refused while the server was down
        self.acked = 0
        self.broken: list[str] = []  # a coder's thread that ended with an exception

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latency[kind].append(seconds)


class Coder:
    """One simulated coder: an HTTP client with its session, working in one transcript at a time."""

    def __init__(self, name: str, base: str, timeout: float, rng: random.Random, world: dict):
        import httpx

        self.name, self.rng, self.world = name, rng, world
        self.client = httpx.Client(base_url=base, timeout=timeout)
        self.suggestions = {
            source: rng.sample(items, len(items)) for source, items in world["pending"].items()
        }
        self.source = rng.choice(world["sources"])

    def log_in(self) -> None:
        form = self.client.get("/login")
        data = {"name": self.name, "password": PASSWORD, "csrf": CSRF.search(form.text).group(1)}
        answer = self.client.post("/login", data=data)
        if answer.status_code != 303:
            raise RuntimeError(f"{self.name} could not log in: {answer.status_code} {answer.text[:200]}")
        self.client.headers["X-CSRF-Token"] = CSRF.search(self.client.get("/projects").text).group(1)

    def send(self, kind: str, figures: Figures, method: str, path: str, body=None):
        """(answer or None, how many tries got no answer). No answer within the timeout is a
        failure; a refused connection (the server is down) or a dropped one is tried again."""
        import httpx

        deadline, unanswered = time.monotonic() + RECOVERY, 0
        while True:
            started = time.perf_counter()
            try:
                answer = self.client.request(method, path, json=body)
            except httpx.TimeoutException:
                with figures.lock:
                    figures.timeouts[kind] += 1
                return None, unanswered + 1
            except httpx.ConnectError:
                with figures.lock:
                    figures.down_refusals += 1
            except httpx.TransportError:  # sent, and the connection dropped: maybe stored
                unanswered += 1
                with figures.lock:
                    figures.unknown[kind] += 1
            else:
                figures.add(kind, time.perf_counter() - started)
                return answer, unanswered
            if time.monotonic() > deadline:
                return None, unanswered
            time.sleep(0.1)

    def open_transcript(self, figures: Figures) -> None:
        self.source = self.rng.choice(self.world["sources"])
        answer, _ = self.send("open", figures, "GET", f"/document/{self.source}")
        if answer is not None and answer.status_code != 200:
            with figures.lock:
                figures.refused[("open", answer.status_code)] += 1

    def decide(self, figures: Figures, record: Record) -> None:
        queue = self.suggestions[self.source]
        if queue and self.rng.random() < SUGGESTION_SHARE:
            suggestion, action = queue.pop(), self.rng.choice(("accept", "reject"))
            kind, path, body, span = action, f"/api/document/suggestions/{suggestion.id}/{action}", {}, None
        else:
            suggestion, kind, path = None, "add", "/api/codings"
            span = self.span()
            body = dict(zip(("source", "start", "end", "code"), span, strict=True))
        answer, unanswered = self.send(kind, figures, "POST", path, body)
        with record.lock:
            record.unknown[self.name] += unanswered
        if answer is None:
            return
        if answer.status_code == 200:
            stored = answer.json()
            with record.lock, figures.lock:
                if suggestion is None:
                    record.spans[self.name][(span[0], stored["start"], stored["end"], span[3])] += 1
                else:
                    record.decided[self.name].add(suggestion.id)
                    if action == "accept":
                        record.spans[self.name][(suggestion.source, suggestion.start, suggestion.end,
                                                 suggestion.code)] += 1  # fmt: skip
                record.acked[self.name] += 1
                figures.acked += 1
        elif unanswered and suggestion is not None and "already decided" in answer.text:
            with figures.lock:
                figures.landed += 1  # the try without an answer was stored after all
        else:
            with figures.lock:
                figures.refused[(kind, answer.status_code)] += 1

    def span(self) -> tuple[str, int, int, str]:
        """A random sentence of the current transcript, or a run of its words, and a code."""
        start, end, text = self.rng.choice(self.world["segments"][self.source])
        words = [(m.start(), m.end()) for m in WORD.finditer(text)]
        if words and self.rng.random() < 0.5:
            first = self.rng.randrange(len(words))
            last = self.rng.randrange(first, min(len(words), first + 8))
            start, end = start + words[first][0], start + words[last][1]
        return self.source, start, end, self.rng.choice(self.world["codes"])

    def work(self, decisions: int, think: float, figures: Figures, record: Record) -> None:
        try:
            self.open_transcript(figures)
            for _ in range(decisions):
                time.sleep(self.rng.uniform(0, think))
                if self.rng.random() < SWITCH_SHARE:
                    self.open_transcript(figures)
                self.decide(figures, record)
        except Exception as error:  # counted as a failure, not left unseen in a thread
            with figures.lock:
                figures.broken.append(f"{self.name}: {type(error).__name__}: {error}")


class ServerProcess:
    """``qualcode serve`` as a child process, started again after a kill."""

    def __init__(self, database: str, port: int, log: Path):
        self.database, self.port, self.log = database, port, log
        self.process = None

    def start(self) -> float:
        """Start it and wait until it answers; the seconds that took."""
        import httpx

        started = time.perf_counter()
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "qualcode.cli", "serve", "--database", self.database,
                 "--port", str(self.port)],
                stdout=log, stderr=log, env={**os.environ, "HF_HUB_OFFLINE": "1"},
            )  # fmt: skip
        while time.perf_counter() - started < 60:
            if self.process.poll() is not None:
                raise RuntimeError(f"qualcode serve ended at once; see {self.log}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/login", timeout=2).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError(f"qualcode serve did not answer within 60 s; see {self.log}")

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def make_world(folder: Path, project_url: str, server_url: str, coders: list[str]) -> dict:
    """The project (made as a file, pushed to the server) and the team; what the coders need."""
    from qualcode import Project
    from qualcode.team import ADMIN, TeamServer

    local = folder / "study.qc"
    with Project.create(local) as project:
        project.import_transcripts([REPO / "transcripts"], participants=REPO / "transcripts/participants.csv")
        project.segment()
        project.load_codebook(REPO / "codebooks/netwerkondersteuning.yaml")
        project.suggest("lexical", min_score=0.0)
        segments, pending = defaultdict(list), defaultdict(list)
        for segment in project.segments():
            segments[segment.source].append((segment.start, segment.end, segment.text))
        for item in project.reviewer("nobody-yet").pending():
            pending[item.source].append(item)
        codes = [code.name for code in project.codebook().codes]
        project.copy_to(project_url)
    with TeamServer.create(server_url) as team:
        team.add_user("owner", PASSWORD)
        team.add_project("study", project_url, "owner")
        for name in coders:  # each accepts an invitation as a new account
            team.accept(team.invite("study", "coder", by=ADMIN)["token"], name=name, password=PASSWORD)
    sources = sorted(segments)
    return {"segments": segments, "pending": {s: pending.get(s, []) for s in sources}, "codes": codes,
            "sources": sources}  # fmt: skip


def run_phase(coders: list[Coder], decisions: int, think: float, record: Record, crash=None) -> tuple:
    """Every coder's work at once; ``crash(figures, working)`` runs meanwhile (the kill and
    restart; ``working()``: whether any coder is still at work)."""
    figures = Figures()
    threads = [
        threading.Thread(target=c.work, args=(decisions, think, figures, record), daemon=True) for c in coders
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    crashed = crash(figures, lambda: any(t.is_alive() for t in threads)) if crash else None
    for thread in threads:
        thread.join()
    return figures, time.perf_counter() - started, crashed


def check(project_url: str, record: Record) -> tuple[int, int, int, list[str]]:
    """(acknowledged, in the log, missing, problems), read through the Project API."""
    from qualcode import Project

    problems, missing, logged = [], 0, 0
    with Project.open(project_url, read_only=True) as project:
        per_coder = project.blind()["decisions"]  # coder -> (blind decisions, decisions)
        total = project.decision_count()
        for coder, acked in sorted(record.acked.items()):
            found = per_coder.get(coder, (0, 0))[1]
            logged += found
            coded = Counter((c["source"], c["start"], c["end"], c["code"]) for c in project.codings(coder))
            lost_codings = sum((record.spans[coder] - coded).values())
            waiting = {p.id for p in project.reviewer(coder).pending()}
            lost_decisions = len(record.decided[coder] & waiting)
            short = max(acked - found, lost_codings + lost_decisions)
            missing += short
            if short:
                problems.append(f"{coder}: {acked} acknowledged, {found} in the log, {lost_codings} codings and "
                                f"{lost_decisions} suggestion decisions missing")  # fmt: skip
            if found > acked + record.unknown[coder]:
                problems.append(f"{coder}: {found} in the log, more than {acked} acknowledged + "
                                f"{record.unknown[coder]} unknown")  # fmt: skip
    if total != logged:
        problems.append(f"the log holds {total} decisions, the coders {logged}")
    return sum(record.acked.values()), logged, missing, problems


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "n/a"
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return f"p50 {cuts[49] * 1000:.0f} ms, p95 {cuts[94] * 1000:.0f} ms (max {max(values) * 1000:.0f} ms)"


def report(title: str, figures: Figures, seconds: float, checked: tuple) -> bool:
    """Print one phase; whether it passed."""
    decisions = [s for kind in ("add", "accept", "reject") for s in figures.latency[kind]]
    print(f"\n{title}")
    print(f"  decisions: {figures.acked} acknowledged in {seconds:.1f} s ({figures.acked / seconds:.0f}/s); "
          f"{percentiles(decisions)}")  # fmt: skip
    for kind in ("add", "accept", "reject"):
        print(f"    {kind:<7}{len(figures.latency[kind]):>6} answers; {percentiles(figures.latency[kind])}")
    print(f"  transcript opens: {len(figures.latency['open'])}; {percentiles(figures.latency['open'])}")
    refused = ", ".join(f"{kind} {status}: {n}" for (kind, status), n in sorted(figures.refused.items()))
    print(f"  answers not 2xx: {refused or 'none'}; timeouts: {sum(figures.timeouts.values())}")
    if figures.unknown or figures.down_refusals:
        print(f"  no answer (unknown, tried again): {dict(figures.unknown)}; of these found stored on retry: "
              f"{figures.landed}; connections refused while down: {figures.down_refusals}")  # fmt: skip
    acked, logged, missing, problems = checked
    print(f"  log: {acked} acknowledged decisions so far, {logged} in the log, {missing} missing")
    for problem in problems + figures.broken:
        print(f"  PROBLEM: {problem}")
    fives = sum(n for (_, status), n in figures.refused.items() if status >= 500)
    return not (problems or missing or fives or figures.timeouts or figures.broken)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coders", type=int, default=20, help="simulated coders working at once")
    parser.add_argument("--decisions", type=int, default=500, help="decisions per coder and phase")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--think-ms", type=float, default=50.0, help="largest think time before a decision")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds a request may take (else: failed)"
    )
    parser.add_argument("--no-crash", action="store_true", help="skip phase 2 (the kill -9)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import warnings

    from qualcode.web.server import free_port
    from tests.pg_support import start_server, stop_server

    warnings.simplefilter("ignore")  # the blank-pipeline notice
    pg, why = start_server()
    if pg is None:
        print(f"no PostgreSQL: {why}", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="qualcode-load-"))
    names = [f"coder{i:02d}" for i in range(1, args.coders + 1)]
    server, passed = None, False
    try:
        project_url, server_url = pg.new_url("study"), pg.new_url("server")
        world = make_world(folder, project_url, server_url, names)
        server = ServerProcess(server_url, free_port(), folder / "serve.log")
        print(
            f"qualcode serve started in {server.start():.1f} s on port {server.port}; PostgreSQL on {pg.port}"
        )
        base, rng = f"http://127.0.0.1:{server.port}", random.Random(args.seed)
        coders = [Coder(n, base, args.timeout, random.Random(rng.random()), world) for n in names]
        started = time.perf_counter()
        for coder in coders:
            coder.log_in()
        print(
            f"{len(coders)} coders logged in in {time.perf_counter() - started:.1f} s (argon2id, one by one)"
        )
        print(f"{sum(len(s) for s in world['segments'].values())} segments in {len(world['sources'])} "
              f"transcripts, {sum(len(p) for p in world['pending'].values())} suggestions, "
              f"{len(world['codes'])} codes")  # fmt: skip
        record, think = Record(), args.think_ms / 1000
        figures, seconds, _ = run_phase(coders, args.decisions, think, record)
        title = (
            f"phase 1: {args.coders} coders x {args.decisions} decisions, think time 0-{args.think_ms:.0f} ms"
        )
        passed = report(title, figures, seconds, check(project_url, record))
        if not args.no_crash:
            half = args.coders * args.decisions // 2

            def crash(phase: Figures, working) -> dict:
                while phase.acked < half and working():
                    time.sleep(0.01)
                acked_at_kill = phase.acked
                server.kill()
                return {"at": acked_at_kill, "back_after": server.start()}

            figures, seconds, crashed = run_phase(coders, args.decisions, think, record, crash)
            title = (f"phase 2: the same, with kill -9 of the server after {crashed['at']} acknowledged "
                     f"decisions; it answered again {crashed['back_after']:.1f} s later")  # fmt: skip
            passed = report(title, figures, seconds, check(project_url, record)) and passed
        print("\nPASSED: nothing acknowledged is missing" if passed else f"\nFAILED (see above; {folder})")
        return 0 if passed else 1
    finally:
        if server is not None:
            server.stop()
        stop_server(pg)
        if passed:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
