"""Topics: BERTopic over the segments, with an offline default backend, stored as runs.

The model (modes ``quick`` and ``exploratory``, embeddings, clustering, the topic words) is
in :mod:`qualcode.analysis.topic_model`. A run is stored as a ``runs`` row (kind
``topics``) with its ``topics`` (words, size, spread by role, case and source) and the
topic of every segment it fitted (``topic_segments``; ``probability`` is the segment's
cosine similarity to its topic's centroid; three representative quotes per topic). Here:
choosing what to fit on, running and storing, the overview of a run, and promoting a topic
to a draft code.

Topics are about what people say, so by default:

* they are fitted on the respondents' segments: the interviewer's are left out (the role
  ``interviewer``, or where no role is declared the speaker who asks, as
  :func:`qualcode.suggest.context.turn_context` finds them); ``include_interviewer`` keeps
  them, when the segments were made with them;
* the names the project knows are no topic word and no part of the embeddings: every word of
  a speaker's or participant's label and of a case's name, the words with a capital in the
  text attributes of the cases (places and organisations: "Amsterdam", "netwerk Marco"),
  the words the text writes as proper nouns (:func:`qualcode.embed.stopwords.proper_nouns`;
  ``exclude_proper_nouns=False`` keeps them) and the researcher's ``exclude_words``; with
  the language's stop words and fillers. They are stored with the run (config ``excluded``);
* a segment is placed with its neighbours in the same source (``context=False``: alone), as
  :func:`qualcode.analysis.topic_model.in_context` says.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from qualcode.analysis.topic_model import OUTLIERS, TOPIC_PACKAGES, fit_topics, spread
from qualcode.codebook.model import Code
from qualcode.embed.stopwords import capitalised_words, capitals, name_words
from qualcode.errors import ConflictError, InputError
from qualcode.store import cases as case_store
from qualcode.store import codes as code_store
from qualcode.store import runs as run_store
from qualcode.store import segments as segment_store
from qualcode.store import sources as source_store
from qualcode.store import topics as topic_store
from qualcode.suggest.context import ASKS, turn_context

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
    segments: int  # fitted (the interviewer's left out)
    outliers: int
    seconds: float
    topics: list[TopicRow]
    interviewer_segments: int = 0  # left out of the fit
    excluded: dict[str, list[str]] = field(default_factory=dict)  # words left out, by why


def run_topics(
    db,
    mode: str = "quick",
    n_topics: int = 8,
    seed: int = 1,
    embedder: str = "tfidf",
    model: str | None = None,
    unit: str | None = None,
    include_interviewer: bool = False,
    exclude_words=(),
    exclude_proper_nouns: bool = True,
    context: bool = True,
    progress=None,
) -> TopicReport:
    """Find topics in the respondents' segments of ``unit`` (default: the active unit) and
    store the run; see the module's docstring for what is left out. ``progress``, if given,
    is called with ``(done, total, stage)`` as each of the :data:`STAGES` starts, and
    ``(total, total, "done")`` at the end."""
    started = time.perf_counter()
    if mode not in MODES:
        raise InputError(f"unknown topic mode {mode!r}; choose one of: {', '.join(MODES)}")
    if mode == "quick" and (isinstance(n_topics, bool) or not isinstance(n_topics, int) or n_topics < 2):
        raise InputError(f"--n-topics must be a whole number of at least 2, not {n_topics!r}")
    if isinstance(exclude_words, str):
        exclude_words = exclude_words.split(",")
    conn = db.connection
    _stage(progress, 0)
    unit, rows = segment_store.segments_of_unit(conn, unit)
    rows = [dict(r) for r in rows]
    turns = source_store.turn_texts(conn)
    kept = rows if include_interviewer else respondent_segments(turns, rows)
    if not kept:
        raise ConflictError(
            f"every {unit} segment is an interviewer's; to find topics in them: include_interviewer=True "
            "(qualcode topics --include-interviewer)"
        )
    language = run_store.last_run_config(conn, "segment").get("language", "nl")
    _stage(progress, 1)
    excluded = excluded_words(conn, turns, kept, exclude_words, exclude_proper_nouns)
    lemmas = lemma_forms(kept, set().union(*excluded.values()))
    _stage(progress, 2)
    fit = fit_topics(kept, mode, n_topics, seed, embedder, model, language, frozenset(lemmas), context)
    config = {
        "mode": mode,
        "n_topics": n_topics if mode == "quick" else None,
        "seed": seed,
        "embedder": embedder,
        "model": model,
        "unit": unit,
        "language": language,
        "include_interviewer": include_interviewer,
        "exclude_words": sorted(excluded["exclude_words"]),
        "exclude_proper_nouns": exclude_proper_nouns,
        "excluded": {why: sorted(words) for why, words in excluded.items()},
        "embedder_options": fit.embedder_config,
        **fit.settings,
    }
    seconds = round(time.perf_counter() - started, 2)
    _stage(progress, 3)
    with db.transaction() as tx:
        versions = run_store.library_versions(TOPIC_PACKAGES)
        run_id = run_store.start_run(tx, "topics", config, versions)
        topic_store.insert_topics(tx, run_id, fit.topics)
        topic_store.insert_topic_segments(tx, run_id, fit.segments)
        summary = {
            "topics": sum(1 for t in fit.topics if t[0] != OUTLIERS),
            "segments": len(kept),
            "interviewer_segments": len(rows) - len(kept),
            "outliers": fit.outliers,
            "seconds": seconds,
        }
        run_store.finish_run(tx, run_id, summary)
    overview = topic_overview(db, run_id)
    _stage(progress, 4)
    return TopicReport(
        run_id, mode, unit, len(kept), fit.outliers, seconds, overview, len(rows) - len(kept),
        config["excluded"],
    )  # fmt: skip


STAGES = ("reading the segments", "leaving out names", "fitting topics", "storing the topics")


def _stage(progress, index: int) -> None:
    """Tell ``progress`` (if any) that stage ``index`` of :data:`STAGES` starts (or all are done)."""
    if progress:
        progress(index, len(STAGES), STAGES[index] if index < len(STAGES) else "done")


def respondent_segments(turns, rows: list[dict]) -> list[dict]:
    """The segments not spoken by an interviewer: by declared role, else by who asks
    (``turns`` as :func:`qualcode.store.sources.turn_texts` gives them)."""
    kinds = {turn: kind for turn, (kind, _) in turn_context(turns).items()}
    return [r for r in rows if kinds.get(r["turn_id"], "") not in INTERVIEWER_KINDS]


INTERVIEWER_KINDS = ("interviewer", ASKS)


def excluded_words(conn, turns, rows: list[dict], extra, proper: bool) -> dict[str, set[str]]:
    """The words that are no topic word, lower-cased, by why: ``names`` (of speakers,
    participants and cases), ``attributes`` (capitalised words of text attributes: places and
    organisations), ``proper_nouns`` (written so in ``rows``) and ``exclude_words``. A name
    or attribute word the segments write in lower case at least as often is a common noun
    (a speaker labelled "Begeleider") and stays; words of one letter are never topic words."""
    names: set[str] = set()
    for label in case_store.participant_labels(conn) | {t["speaker"] for t in turns}:
        names |= name_words(label)
    for case in case_store.cases(conn):
        names |= name_words(case["name"])
    places: set[str] = set()
    for value in case_store.case_values(conn):
        if value["type"] == "text":
            places |= capitalised_words(value["value"])
    written = capitals(r["text"] for r in rows)
    common = written.common(names | places)
    found = {
        "names": names - common,
        "attributes": places - names - common,
        "proper_nouns": written.proper_nouns() - names - places if proper else set(),
        "exclude_words": {w for word in extra for w in name_words(word)},
    }
    return {why: {w for w in words if len(w) > 1} for why, words in found.items()}


def lemma_forms(rows: list[dict], words: set[str]) -> set[str]:
    """``words`` (as written, lower-cased) and the lemmas they take in ``rows`` where the
    word is most of the lemma's occurrences (the lookup lemmatizer makes "ellen" "el", a
    name of an old measure; a lemma mostly from other words is kept)."""
    lemma_of: dict[str, Counter] = defaultdict(Counter)
    total: Counter = Counter()
    for row in rows:
        tokens, lemmas = (row["norm"] or "").split(), (row["lemmas"] or "").split()
        if len(tokens) != len(lemmas):
            continue
        for token, lemma in zip(tokens, lemmas, strict=True):
            total[lemma] += 1
            if token in words:
                lemma_of[token][lemma] += 1
    forms = set(words)
    for counts in lemma_of.values():
        forms |= {lemma for lemma, n in counts.items() if 2 * n >= total[lemma]}
    return forms


def topic_overview(db, run_id: int | None = None) -> list[TopicRow]:
    """The topics of a run (default: the latest), outliers last, with their representative
    quotes and their spread by role, case and source."""
    conn = db.connection
    run = _run(conn, run_id)
    examples: dict[int, list[Representative]] = {}
    for r in topic_store.representatives(conn, run["id"]):
        examples.setdefault(r["topic"], []).append(
            Representative(r["segment_id"], r["source"], r["speaker"], r["role"], r["text"])
        )
    rows = topic_store.topics_of_run(conn, run["id"])
    spreads = {r["topic"]: json.loads(r["spread"]) for r in rows}
    if any("case" not in counts for counts in spreads.values()):  # a run stored before cases were counted
        members: dict[int, list] = defaultdict(list)
        for member in topic_store.topic_members(conn, run["id"]):
            members[member["topic"]].append(member)
        spreads = {topic: spread(members[topic]) for topic in spreads}
    return [
        TopicRow(
            topic=r["topic"],
            label=r["label"],
            words=[(word, weight) for word, weight in json.loads(r["words"])],
            size=r["size"],
            spread=spreads[r["topic"]],
            representatives=examples.get(r["topic"], []),
            promoted_code=r["promoted_code"],
        )
        for r in rows
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


def topic_assignments(db, run_id: int | None = None) -> dict[int, int]:
    """The topic of every segment a run placed (outliers: -1), by segment id."""
    run = _run(db.connection, run_id)
    return topic_store.segment_topics(db.connection, run["id"])
