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
from qualcode.store import sources as source_store
from qualcode.store import suggestions as suggestion_store
from qualcode.suggest import make_suggester
from qualcode.suggest.base import CodeProfile, Labels, SegmentData, Suggester
from qualcode.suggest.context import turn_context


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


def segment_data(conn, unit: str) -> list[SegmentData]:
    """The segments of ``unit`` with where they are, who speaks and what was asked before."""
    rows = list(segment_store.iter_segments(conn, unit))
    context = turn_context(source_store.turn_texts(conn))
    last = {}
    for r in rows:
        last[r["source"]] = max(last.get(r["source"], 0), r["position"])
    out = []
    for r in rows:
        speaker, question = context.get(r["turn_id"], ("", ""))
        out.append(
            SegmentData(
                r["id"], r["source"], r["text"], r["norm"], r["lemmas"], r["start"], r["end"],
                r["position"] / last[r["source"]] if last[r["source"]] else 0.0, speaker, question,
            )
        )  # fmt: skip
    return out


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


def prepare(db, unit: str | None, coder: str | None):
    """Codes, segments and labels of the project, or a clear error saying what is missing."""
    conn = db.connection
    unit = unit or setting_store.active_unit(conn)
    if unit is None:
        raise ConflictError(NO_SEGMENTS)
    codebook = code_store.current_codebook(conn)
    if not codebook.codes:
        raise ConflictError(NO_CODEBOOK)
    return (
        unit,
        cached_profiles(db, codebook),
        segment_data(conn, unit),
        labels(conn, unit, coder),
    )


STAGES = ("reading the project", "fitting", "suggesting", "storing the suggestions")


def run_suggestions(
    db, suggester: str, options: dict, min_score: float | None, coder: str | None, unit: str | None,
    progress=None,
) -> SuggestReport:  # fmt: skip
    """Fit ``suggester`` on the project (learning from ``coder``'s decisions, or everyone's)
    and store what it suggests as a new run: shown from ``min_score``, or (None) from the
    threshold the suggester chose from the decisions. ``progress``, if given, is called with
    ``(done, total, stage)`` as each of the :data:`STAGES` starts, and ``(total, total, "done")``."""
    if coder is None and decision_store.coders(db.connection):
        refuse_when_blind(db, "a suggestion run learning from every coder (give --coder)")
    _stage(progress, 0)
    unit, codes, segments, known = prepare(db, unit, coder)
    _stage(progress, 1)
    model = make_suggester(suggester, **with_language(db.connection, suggester, options)).fit(
        codes, segments, known
    )
    config = {
        "suggester": suggester,
        "options": model.config(),
        "min_score": min_score,
        "coder": coder,
        "unit": unit,
    }
    _stage(progress, 2)
    scored = model.suggest(segments)
    _stage(progress, 3)
    report = store_run(db, model, config, segments, scored, known)
    _stage(progress, 4)
    return report


def _stage(progress, index: int) -> None:
    """Tell ``progress`` (if any) that stage ``index`` of :data:`STAGES` starts (or all are done)."""
    if progress:
        progress(index, len(STAGES), STAGES[index] if index < len(STAGES) else "done")


OTHER_CANDIDATES = 3  # ranked codes kept below the threshold on a segment with a shown one


def store_run(db, model: Suggester, config: dict, segments, scored, known: Labels) -> SuggestReport:
    """Store a run's suggestions: per segment its codes ranked by score (not those the learning
    coder already decided for the segment), shown from the run's threshold, and on segments
    with a shown one the next few as candidates to offer. A suggestion waiting in a reviewing
    coder's queue that the run no longer shows is recorded as withdrawn, with the score it
    fell to, so retraining never drops unseen work."""
    conn = db.connection
    threshold = config["min_score"] if config.get("min_score") is not None else model.threshold()
    config = dict(config, threshold=round(threshold, 4))
    if getattr(model, "expected_precision_", None) is not None and config.get("min_score") is None:
        config["expected_precision"] = round(model.expected_precision_, 3)
    code_ids = code_store.code_ids(conn)
    spans = {
        r["id"]: (r["source_id"], r["start"], r["end"])
        for r in segment_store.segment_spans(conn, config["unit"])
    }
    scores = {segment.id: per_code for segment, per_code in zip(segments, scored, strict=True)}
    rows = []
    for segment in segments:
        already = known.coded.get(segment.id, set()) | known.rejected.get(segment.id, set())
        ranked = sorted(
            ((code, result) for code, result in scores[segment.id].items() if code not in already),
            key=lambda pair: -pair[1].score,
        )
        shown = sum(1 for _, result in ranked if result.score >= threshold)
        for rank, (code, result) in enumerate(ranked[: shown + OTHER_CANDIDATES] if shown else [], start=1):
            rows.append(
                (*spans[segment.id], segment.id, code_ids[code], model.name, model.version,
                 round(result.score, 4), result.rationale, rank, int(rank <= shown))
            )  # fmt: skip
    made = {(r[0], r[1], r[2], r[4]) for r in rows if r[-1]}
    with db.transaction() as conn:
        reviewers = [config["coder"]] if config["coder"] else decision_store.coders(conn)
        queues = {c: suggestion_store.pending_suggestions(conn, c) for c in reviewers}
        run_id = run_store.start_run(conn, "suggest", config, run_store.library_versions(["scikit-learn"]))
        suggestion_store.insert_suggestions(conn, [(run_id, *row) for row in rows])
        queued, withdrawn = set(), 0
        for reviewer, queue in queues.items():
            gone = []
            for item in queue:
                key = (item["source_id"], item["start"], item["end"], item["code_id"])
                queued.add(key)
                covered = item["code"] in known.coded.get(item["segment_id"], set()) | known.rejected.get(
                    item["segment_id"], set()
                )
                if key not in made and not covered:
                    found = scores.get(item["segment_id"], {}).get(item["code"])
                    gone.append((item["id"], round(found.score, 4) if found else 0.0))
            suggestion_store.insert_withdrawals(conn, reviewer, run_id, gone)
            withdrawn += len(gone)
        new = len(made - queued) if queues else len(made)
        summary = {"suggestions": len(made), "segments": len(segments), "new": new, "withdrawn": withdrawn}
        run_store.finish_run(conn, run_id, summary)
    return SuggestReport(
        run_id, model.name, len(made), len(segments), _learned(model), new, withdrawn, threshold,
        config.get("expected_precision"),
    )  # fmt: skip


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
