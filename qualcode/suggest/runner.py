"""Running a suggester on a project: gather its inputs, run it, store what it suggests."""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.coding.blind import refuse_when_blind
from qualcode.errors import NO_CODEBOOK, NO_SEGMENTS, ConflictError
from qualcode.store import codes as code_store
from qualcode.store import codings as coding_store
from qualcode.store import decisions as decision_store
from qualcode.store import runs as run_store
from qualcode.store import segments as segment_store
from qualcode.store import settings as setting_store
from qualcode.store import suggestions as suggestion_store
from qualcode.suggest import corpus, make_suggester
from qualcode.suggest.base import CodeProfile, Labels, Suggester
from qualcode.suggest.corpus import fit_corpus, segment_batches, segment_data


@dataclass
class SuggestReport:
    run_id: int
    suggester: str
    suggestions: int
    segments: int
    codes_learned: int  # codes with a supervised model (enough coded examples)
    new: int = 0  # suggestions that were in no reviewing coder's queue before
    withdrawn: int = 0  # queued suggestions the new run no longer makes (kept as withdrawn)
    threshold: float = 0.0  # the score from which suggestions were shown
    expected_precision: float | None = None  # the share of shown ones expected right (learned)


def pipeline_for(conn):
    """The spaCy pipeline the project's segments were made with (to lemmatise code texts)."""
    from qualcode.nlp import load_pipeline

    config = run_store.last_run_config(conn, "segment")
    model = config.get("model")
    return load_pipeline(config.get("language", "nl"), None if model in (None, "blank") else model)[0]


def with_language(conn, suggester: str, options: dict) -> dict:
    """Suggesters that read text in a language get the one the segments were made in."""
    from qualcode.suggest import SUGGESTERS

    if "language" in SUGGESTERS[suggester].__init__.__code__.co_varnames and "language" not in options:
        return dict(options, language=run_store.last_run_config(conn, "segment").get("language", "nl"))
    return options


def code_profiles(codebook, nlp) -> list[CodeProfile]:
    def lemmatise(texts: list[str]) -> list[str]:
        return [
            " ".join((t.lemma_ or t.text).lower() for t in doc if not t.is_space) for doc in nlp.pipe(texts)
        ]

    parents = {code.parent for code in codebook.codes if code.parent}
    profiles = []
    for code in codebook.codes:
        definition = ". ".join(p for p in [code.name, code.description, *code.inclusion] if p)
        lemmas = lemmatise([definition, *code.examples])
        profiles.append(
            CodeProfile(
                name=code.name,
                kind=code.kind,
                definition=definition,
                definition_lemmas=lemmas[0],
                examples=tuple(code.examples),
                example_lemmas=tuple(lemmas[1:]),
                keywords=tuple(
                    tuple(t.lower_ for t in nlp.make_doc(k) if not t.is_space) for k in code.keywords
                ),
                keyword_texts=tuple(code.keywords),
                lemma_patterns=tuple(tuple(w.lower() for w in p.split()) for p in code.lemmas),
                parent=code.parent,
                group=code.name in parents,
            )
        )
    return profiles


def labels(conn, unit: str, coder: str | None) -> Labels:
    """What is known of the segments: everyone's codings and rejections (``coder`` None), or
    one coder's plus the codings of the shared training coders."""
    coded = coding_store.coded_segments(conn, unit, coder)
    if coder is not None:
        for shared in setting_store.shared_coders(conn):
            for segment_id, codes in coding_store.coded_segments(conn, unit, shared).items():
                coded[segment_id] = coded.get(segment_id, set()) | codes
    return Labels(coded=coded, rejected=suggestion_store.rejected_segments(conn, unit, coder))


_PROFILES = "code_profiles"  # project_meta key: the lemmatised codebook, with what it was made from


def cached_profiles(db, codebook) -> list[CodeProfile]:
    """The codebook as the suggesters read it. Lemmatising needs the spaCy pipeline, slow to
    load; the result is kept in the project (see :func:`keep_profiles`) until the codebook or
    the segmenting changes."""
    import json

    stored = json.loads(setting_store.get_setting(db.connection, _PROFILES) or "{}")
    if stored.get("key") == _profiles_key(db.connection, codebook):
        return [_profile(p) for p in stored["profiles"]]
    return keep_profiles(db, codebook)


def keep_profiles(db, codebook=None, nlp=None) -> list[CodeProfile]:
    """Lemmatise the codebook (with ``nlp``, else the pipeline the segments were made with)
    and keep the result in the project, so that suggesting need not load spaCy. Called after
    segmenting and after loading a codebook, when both exist; nothing is kept read-only."""
    import dataclasses
    import json

    conn = db.connection
    codebook = codebook if codebook is not None else code_store.current_codebook(conn)
    if not codebook.codes or not run_store.last_run_config(conn, "segment"):
        return []
    profiles = code_profiles(codebook, nlp if nlp is not None else pipeline_for(conn))
    if not db.read_only:
        key = _profiles_key(conn, codebook)
        value = json.dumps({"key": key, "profiles": [dataclasses.asdict(p) for p in profiles]})
        with db.transaction() as conn:
            setting_store.set_setting(conn, _PROFILES, value)
    return profiles


def _profiles_key(conn, codebook) -> str:
    """What the lemmatised codebook was made from: its codes and the segmenting pipeline."""
    import dataclasses
    import hashlib
    import json

    made_from = {
        "codes": [dataclasses.asdict(c) for c in codebook.codes],
        "segment": run_store.last_run_config(conn, "segment"),
    }
    return hashlib.sha256(json.dumps(made_from, sort_keys=True, default=str).encode()).hexdigest()


def _profile(stored: dict) -> CodeProfile:
    def tuples(value):
        return tuple(tuples(v) for v in value) if isinstance(value, list) else value

    return CodeProfile(**{k: tuples(v) for k, v in stored.items()})


def prepare(db, unit: str | None, coder: str | None, sample: bool = False):
    """Codes, segments and labels of the project, or a clear error saying what is missing.
    With ``sample``, what to fit on: at most about ``corpus.FIT_LABELLED`` labelled segments
    (:meth:`Labels.sampled`) and the segments of :func:`fit_corpus`; else everything."""
    conn = db.connection
    unit = unit or setting_store.active_unit(conn)
    if unit is None:
        raise ConflictError(NO_SEGMENTS)
    codebook = code_store.current_codebook(conn)
    if not codebook.codes:
        raise ConflictError(NO_CODEBOOK)
    known = labels(conn, unit, coder)
    if sample:
        known = known.sampled(corpus.FIT_LABELLED)
    segments = fit_corpus(conn, unit, known) if sample else segment_data(conn, unit)
    return unit, cached_profiles(db, codebook), segments, known


STAGES = ("reading the project", "fitting", "suggesting", "recording the run")


class Steps:
    """``progress(done, total, stage)`` over one total: reading and fitting count one step
    each, every segment scored one, recording the run one (a bar moves while suggesting)."""

    def __init__(self, progress, segments: int):
        self.progress, self.total = progress, segments + 3

    @classmethod
    def of_unit(cls, db, unit: str | None, progress) -> Steps:
        """Steps over the segments of ``unit`` (the active one if None); counted only when
        someone is told."""
        unit = unit or setting_store.active_unit(db.connection)
        return cls(progress, segment_store.segment_count(db.connection, unit) if progress and unit else 0)

    def stage(self, index: int, segments_done: int = 0) -> None:
        if self.progress:
            done = min(index, 2) + segments_done
            self.progress(self.total if index >= len(STAGES) else done, self.total,
                          STAGES[index] if index < len(STAGES) else "done")  # fmt: skip


def run_suggestions(
    db, suggester: str, options: dict, min_score: float | None, coder: str | None, unit: str | None,
    progress=None,
) -> SuggestReport:  # fmt: skip
    """Fit ``suggester`` on the project (learning from ``coder``'s decisions, or everyone's)
    and store what it suggests as a new run: shown from ``min_score``, or (None) from the
    threshold the suggester chose from the decisions. ``progress``, if given, is called with
    ``(done, total, stage)`` over one total (see :class:`Steps`) as each of the :data:`STAGES`
    starts and as segments are scored, and ``(total, total, "done")`` at the end."""
    if coder is None and decision_store.coders(db.connection):
        refuse_when_blind(db, "a suggestion run learning from every coder (give --coder)")
    steps = Steps.of_unit(db, unit, progress)
    steps.stage(0)
    unit, codes, segments, known = prepare(db, unit, coder, sample=True)
    steps.stage(1)
    model = make_suggester(suggester, **with_language(db.connection, suggester, options)).fit(
        codes, segments, known
    )
    # The fitted sample; scoring reads the project again, batch by batch. A sample of the
    # labels holds every decision (only segments coded with no code are left out).
    del segments
    config = {
        "suggester": suggester,
        "options": model.config(),
        "min_score": min_score,
        "coder": coder,
        "unit": unit,
    }
    return score_and_store(db, model, config, known, steps)


OTHER_CANDIDATES = 3  # ranked codes kept below the threshold on a segment with a shown one


def score_and_store(
    db, model: Suggester, config: dict, known: Labels, steps: Steps | None = None
) -> SuggestReport:
    """Score every segment of the run's unit with a fitted ``model``, batch by batch, and store
    the run: per segment its codes ranked by score (not those the learning coder already
    decided for the segment), shown from the run's threshold, and on segments with a shown one
    the next few as candidates to offer. Each batch is stored in its own short transaction
    (a coder's decisions are never kept waiting for long); the run counts only once it is
    finished. A suggestion waiting in a reviewing coder's queue that the run no longer shows
    is recorded as withdrawn, with the score it fell to, so retraining never drops unseen work."""
    conn = db.connection
    steps = steps or Steps(None, 0)
    threshold = config["min_score"] if config.get("min_score") is not None else model.threshold()
    config = dict(config, threshold=round(threshold, 4))
    if getattr(model, "expected_precision_", None) is not None and config.get("min_score") is None:
        config["expected_precision"] = round(model.expected_precision_, 3)
    code_ids = code_store.code_ids(conn)
    source_ids = dict((name, i) for i, name in segment_store.sources_in_order(conn, config["unit"]))
    reviewers = [config["coder"]] if config["coder"] else decision_store.coders(conn)
    queued = {
        _key(item) for reviewer in reviewers for item in suggestion_store.pending_suggestions(conn, reviewer)
    }
    with db.transaction() as conn:
        run_id = run_store.start_run(conn, "suggest", config, run_store.library_versions(["scikit-learn"]))
    made, new, done = 0, 0, 0
    made_queued: set[tuple] = set()  # queued suggestions this run shows again
    fell_to: dict[tuple, float] = {}  # queued suggestions' scores in this run
    for batch in segment_batches(conn, config["unit"]):
        steps.stage(2, done)
        scored = model.suggest(batch)
        rows = []
        for segment, per_code in zip(batch, scored, strict=True):
            source_id = source_ids[segment.source]
            for code, result in per_code.items():
                key = (source_id, segment.start, segment.end, code_ids[code])
                if key in queued:
                    fell_to[key] = round(result.score, 4)
            rows += _ranked(model, run_id, source_id, segment, per_code, known, threshold, code_ids)
        for row in rows:
            if row[-1]:
                key = (row[1], row[2], row[3], row[5])
                made += 1
                if key in queued:
                    made_queued.add(key)
                else:
                    new += 1
        with db.transaction() as conn:
            suggestion_store.insert_suggestions(conn, rows)
        done += len(batch)
    steps.stage(3, done)
    withdrawn = 0
    with db.transaction() as conn:
        for reviewer in reviewers:  # read again: decisions made while scoring count
            gone = []
            for item in suggestion_store.pending_suggestions(conn, reviewer):
                key = _key(item)
                if key in made_queued or item["code"] in known.decided(item["segment_id"]):
                    continue
                if key not in queued and suggestion_store.shown_in_run(conn, run_id, *key):
                    continue  # queued while this run was scoring, and shown by it too
                gone.append((item["id"], fell_to.get(key, 0.0)))
            suggestion_store.insert_withdrawals(conn, reviewer, run_id, gone)
            withdrawn += len(gone)
        summary = {"suggestions": made, "segments": done, "new": new, "withdrawn": withdrawn}
        run_store.finish_run(conn, run_id, summary)
    steps.stage(len(STAGES))
    return SuggestReport(
        run_id, model.name, made, done, _learned(model), new, withdrawn, threshold,
        config.get("expected_precision"),
    )  # fmt: skip


def _key(item) -> tuple:
    return (item["source_id"], item["start"], item["end"], item["code_id"])


def _ranked(model, run_id, source_id, segment, per_code, known, threshold, code_ids) -> list[tuple]:
    """A segment's suggestion rows: its codes by score, shown from ``threshold``, and a few
    more as candidates (none on a segment with nothing shown)."""
    already = known.decided(segment.id)
    ranked = sorted(
        ((code, result) for code, result in per_code.items() if code not in already),
        key=lambda pair: -pair[1].score,
    )
    shown = sum(1 for _, result in ranked if result.score >= threshold)
    return [
        (run_id, source_id, segment.start, segment.end, segment.id, code_ids[code], model.name, model.version,
         round(result.score, 4), result.rationale, rank, int(rank <= shown))
        for rank, (code, result) in enumerate(ranked[: shown + OTHER_CANDIDATES] if shown else [], start=1)
    ]  # fmt: skip


def rerun_last(db, progress=None) -> SuggestReport | None:
    """Suggest again with the settings of the latest suggest run (after new decisions);
    ``progress`` as for :func:`run_suggestions`."""
    config = run_store.last_run_config(db.connection, "suggest")
    if not config:
        return None
    options = made_with(config["suggester"], config["options"])
    return run_suggestions(
        db, config["suggester"], options, config["min_score"], config["coder"], config["unit"], progress
    )


def made_with(suggester: str, options: dict) -> dict:
    """The stored options of a run that its suggester still takes (a later version may have
    dropped some), to make the same suggester again."""
    import inspect

    from qualcode.suggest import SUGGESTERS

    accepted = inspect.signature(SUGGESTERS[suggester].__init__).parameters
    return {k: v for k, v in options.items() if k in accepted and k != "self"}


def last_suggester(db) -> str | None:
    """The suggester of the latest suggest run (None before the first)."""
    return run_store.last_run_config(db.connection, "suggest").get("suggester")


def _learned(model: Suggester) -> int:
    return len(getattr(model, "models_", {}))


def export_suggestions(db, path, run_id: int | None = None) -> int:
    """Write the suggestions of a run (the latest by default) as CSV; returns how many. Text
    that a spreadsheet would run as a formula gets a leading ``'`` (csv_safe), and the file is
    moved into place only when complete."""
    import csv
    import io

    from qualcode.files import csv_safe, write_text_atomically

    rows = suggestion_store.suggestions_of_run(db.connection, run_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("source", "start", "end", "code", "score", "suggester", "rationale"))
    writer.writerows(
        map(
            csv_safe,
            (
                r["source"],
                r["start"],
                r["end"],
                r["code"],
                r["score"],
                f"{r['suggester']}/{r['suggester_version']}",
                r["rationale"],
            ),
        )
        for r in rows
    )
    write_text_atomically(path, out.getvalue())
    return len(rows)


def suggestions_of_run(db, run_id: int | None = None) -> list[dict]:
    return [dict(r) for r in suggestion_store.suggestions_of_run(db.connection, run_id)]
