"""Segmenting in worker processes: spaCy on the other cores while this process stores.

For a large project ``qualcode segment`` hands the turns, a few sources at a time, to worker
processes that each load the same pipeline and return only the segments' offsets, norms and
lemmas (small next to spaCy's documents: spaCy's own ``n_process`` sends whole documents
back, which on two cores made it slower than one process). The results come back in the
order the turns were read, so the segments, their positions and their ids are the same as
in one process.

Workers are started with ``spawn`` (a forked copy of an open database connection or a
thread's lock is not safe) and ignore Ctrl-C: the interrupted main process stops them.
"""

from __future__ import annotations

import collections
import itertools
import os
import signal
import sys
import sysconfig
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

from qualcode.errors import QualcodeError
from qualcode.sentences import TurnSpan, Unit, turn_pieces, word_forms

MAX_WORKERS = 4  # past this the storing process is the bottleneck
# Below this many characters of turns, starting workers (a second or two each: Python,
# spaCy and the tokenizer rules) costs more than it saves (benchmarks/scale.py).
PARALLEL_MIN_CHARS = 20_000_000
CHUNK_CHARS = 500_000  # turn text handed to a worker at a time (whole sources)
_IN_FLIGHT = 2  # chunks waiting per worker, so that no worker waits for the next

_worker: dict = {}  # in a worker process: its pipeline and word-form memo


def worker_count(requested: int | None, text_chars: int) -> int:
    """How many worker processes to segment with: ``requested`` if given (1: none), else one
    per available core (at most :data:`MAX_WORKERS`) for a large project, none for a small one
    or on one core."""
    if requested is not None:
        if requested < 1:
            raise QualcodeError("--workers must be at least 1 (1: segment in this process)")
        return requested
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if cores < 2 or text_chars < PARALLEL_MIN_CHARS or not _main_is_guarded():
        return 1
    return min(cores, MAX_WORKERS)


def _main_is_guarded() -> bool:
    """Whether a spawned worker may import this program's ``__main__`` again: nothing to import
    (a notebook, the REPL, ``python -c``), a module run with ``-m``, or an installed command
    (pip writes them with ``if __name__ == "__main__":``). A script of the user's may lack that
    guard, and a worker would run it again; it gets workers only when it asks."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None or getattr(main, "__spec__", None) is not None:
        return True
    commands = {sysconfig.get_path("scripts"), sysconfig.get_path("scripts", f"{os.name}_user")}
    return Path(path).resolve().parent in {Path(folder).resolve() for folder in commands}


def parallel_pieces(
    turns: Iterable[TurnSpan], unit: Unit, load: tuple[str, str | None], pipeline: dict, workers: int
) -> Iterator[tuple[TurnSpan, list[tuple]]]:
    """What :func:`qualcode.sentences.turn_pieces` yields, worked out by ``workers`` processes
    that load the pipeline with ``load_pipeline(*load)``; ``pipeline`` is what this process
    loaded (``PipelineInfo.as_dict()``), and a worker that loads anything else stops with an
    error. Results come in the order of ``turns``."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(load, pipeline),
    )
    chunks = _chunks(turns, CHUNK_CHARS)
    pending: collections.deque = collections.deque()
    try:
        for chunk in itertools.islice(chunks, workers * _IN_FLIGHT):
            pending.append((chunk, pool.submit(_chunk_pieces, chunk, unit)))
        while pending:
            chunk, future = pending.popleft()
            try:
                done = future.result()
            except BrokenProcessPool as error:
                raise QualcodeError(
                    "a segmenting worker process stopped (see the error above: a script that "
                    'segments with workers needs if __name__ == "__main__":); segment in one '
                    "process with --workers 1 (workers=1)"
                ) from error
            following = next(chunks, None)
            if following is not None:
                pending.append((following, pool.submit(_chunk_pieces, following, unit)))
            for index, pieces in done:
                yield chunk[index], pieces
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _chunks(turns: Iterable[TurnSpan], size: int) -> Iterator[list[TurnSpan]]:
    """Lists of turns of whole sources, each with about ``size`` characters of turn text."""
    chunk: list[TurnSpan] = []
    chars = 0
    for turn in turns:
        if chars >= size and turn.source_id != chunk[-1].source_id:
            yield chunk
            chunk, chars = [], 0
        chunk.append(turn)
        chars += turn.end - turn.start
    if chunk:
        yield chunk


def _start_worker(load: tuple[str, str | None], expected: dict) -> None:
    from qualcode.errors import QualcodeWarning
    from qualcode.nlp import load_pipeline

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warnings.simplefilter("ignore", QualcodeWarning)  # the main process has said it
    nlp, info = load_pipeline(*load)
    if info.as_dict() != expected:
        raise QualcodeError(
            f"a segmenting worker loaded {info.as_dict()}, not the pipeline of this process "
            f"({expected}); segment with --workers 1"
        )
    _worker.update(nlp=nlp, words=word_forms(nlp))


def _chunk_pieces(turns: list[TurnSpan], unit: Unit) -> list[tuple[int, list[tuple]]]:
    """``(index of the turn in turns, its pieces)`` for each turn with text."""
    index = {id(turn): i for i, turn in enumerate(turns)}
    return [
        (index[id(turn)], pieces)
        for turn, pieces in turn_pieces(_worker["nlp"], turns, unit, words=_worker["words"])
    ]
