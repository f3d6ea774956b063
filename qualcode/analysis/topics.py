"""Topics: BERTopic over the segments, with an offline default backend, stored as runs.

The model (modes ``quick`` and ``exploratory``, embeddings, clustering, the topic words) is
in :mod:`qualcode.analysis.topic_model`. A run is stored as a ``runs`` row (kind
``topics``) with its ``topics`` and the topic of every segment (``topic_segments``;
``probability`` is the segment's cosine similarity to its topic's centroid). Here: running
and storing, the overview of a run, and promoting a topic to a draft code.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from qualcode.analysis.topic_model import OUTLIERS, TOPIC_PACKAGES, fit_topics
from qualcode.codebook.model import Code
from qualcode.errors import ConflictError, InputError
from qualcode.store import codes as code_store
from qualcode.store import runs as run_store
from qualcode.store import segments as segment_store
from qualcode.store import topics as topic_store

MODES = ("quick", "exploratory")
KEYWORDS = 5


@dataclass
class Representative:
    segment_id: int
    source: str
    speaker: str | None
    role: str | None
    text: str


@dataclass
class TopicRow:
    topic: int
    label: str
    words: list[tuple[str, float]]
    size: int
    spread: dict[str, dict[str, int]]
    representatives: list[Representative] = field(default_factory=list)
    promoted_code: str | None = None

    @property
    def top_words(self) -> list[str]:
        return [word for word, _ in self.words]


@dataclass
class TopicReport:
    run_id: int
    mode: str
    unit: str
    segments: int
    outliers: int
    seconds: float
    topics: list[TopicRow]


def run_topics(
    db,
    mode: str = "quick",
    n_topics: int = 8,
    seed: int = 1,
    embedder: str = "tfidf",
    model: str | None = None,
    unit: str | None = None,
) -> TopicReport:
    """Find topics in the segments of ``unit`` (default: the active unit) and store the run."""
    started = time.perf_counter()
    if mode not in MODES:
        raise InputError(f"unknown topic mode {mode!r}; choose one of: {', '.join(MODES)}")
    if mode == "quick" and (isinstance(n_topics, bool) or not isinstance(n_topics, int) or n_topics < 2):
        raise InputError(f"--n-topics must be a whole number of at least 2, not {n_topics!r}")
    conn = db.connection
    unit, rows = segment_store.segments_of_unit(conn, unit)
    language = run_store.last_run_config(conn, "segment").get("language", "nl")
    fit = fit_topics(rows, mode, n_topics, seed, embedder, model, language)
    config = {
        "mode": mode,
        "n_topics": n_topics if mode == "quick" else None,
        "seed": seed,
        "embedder": embedder,
        "model": model,
        "unit": unit,
        "language": language,
        "embedder_options": fit.embedder_config,
        **fit.settings,
    }
    seconds = round(time.perf_counter() - started, 2)
    with db.transaction() as tx:
        versions = run_store.library_versions(TOPIC_PACKAGES)
        run_id = run_store.start_run(tx, "topics", config, versions)
        topic_store.insert_topics(tx, run_id, fit.topics)
        topic_store.insert_topic_segments(tx, run_id, fit.segments)
        summary = {
            "topics": sum(1 for t in fit.topics if t[0] != OUTLIERS),
            "segments": len(rows),
            "outliers": fit.outliers,
            "seconds": seconds,
        }
        run_store.finish_run(tx, run_id, summary)
    return TopicReport(run_id, mode, unit, len(rows), fit.outliers, seconds, topic_overview(db, run_id))


def topic_overview(db, run_id: int | None = None) -> list[TopicRow]:
    """The topics of a run (default: the latest), outliers last, with their representatives."""
    conn = db.connection
    run = _run(conn, run_id)
    examples: dict[int, list[Representative]] = {}
    for r in topic_store.representatives(conn, run["id"]):
        examples.setdefault(r["topic"], []).append(
            Representative(r["segment_id"], r["source"], r["speaker"], r["role"], r["text"])
        )
    return [
        TopicRow(
            topic=r["topic"],
            label=r["label"],
            words=[(word, weight) for word, weight in json.loads(r["words"])],
            size=r["size"],
            spread=json.loads(r["spread"]),
            representatives=examples.get(r["topic"], []),
            promoted_code=r["promoted_code"],
        )
        for r in topic_store.topics_of_run(conn, run["id"])
    ]


def promote_topic(db, topic: int, name: str, run_id: int | None = None) -> str:
    """Add a draft code (kind ``theme``) made from a topic to the codebook, as a new version.

    Its examples are the topic's representative segments and its keywords the topic's top
    words. Returns the code's name.
    """
    conn = db.connection
    run = _run(conn, run_id)
    name = name.strip()
    if not name:
        raise InputError("give the new code a name: --name NAME")
    row = topic_store.topic_row(conn, run["id"], topic)
    if row is None:
        known = ", ".join(str(t) for t in _topic_numbers(conn, run["id"]))
        raise InputError(f"topics run {run['id']} has no topic {topic}; its topics are: {known}")
    if topic == OUTLIERS:
        raise InputError("topic -1 holds the outliers (segments that fit no topic); promote a real topic")
    if row["promoted_code"] is not None:
        raise ConflictError(
            f"topic {topic} of run {run['id']} was already promoted to the code {row['promoted_code']!r}"
        )
    if code_store.code_name_taken(conn, name):
        raise ConflictError(f"the project already has a code named {name!r}; choose another --name")
    words = [word for word, _ in json.loads(row["words"])]
    code = Code(
        name=name,
        kind="theme",
        description=f"Draft from topic {topic}: {', '.join(words[:KEYWORDS])}",
        examples=[r["text"] for r in topic_store.representatives(conn, run["id"], topic)],
        keywords=words[:KEYWORDS],
    )
    codebook = code_store.current_codebook(conn)
    codebook.codes.append(code)
    codebook.name = codebook.name or "topics"
    codebook.validate()
    with db.transaction() as tx:
        code_store.apply_codebook(tx, codebook, origin=f"topics run {run['id']}, topic {topic}")
        topic_store.set_promoted(tx, run["id"], topic, name)
    return name


def _run(conn, run_id: int | None):
    run = topic_store.topic_run(conn, run_id)
    if run is not None:
        return run
    if run_id is None:
        raise ConflictError("the project has no topic run yet; run: qualcode topics PROJECT")
    known = ", ".join(str(i) for i in topic_store.topic_run_ids(conn)) or "none"
    raise InputError(f"no topics run {run_id}; the topic runs are: {known}")


def _topic_numbers(conn, run_id: int) -> list[int]:
    return [r["topic"] for r in topic_store.topics_of_run(conn, run_id)]
