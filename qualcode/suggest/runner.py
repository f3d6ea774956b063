"""Running a suggester on a project: gather its inputs, run it, store what it suggests."""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.errors import NO_CODEBOOK, NO_SEGMENTS, ConflictError
from qualcode.store import codes as code_store
from qualcode.store import codings as coding_store
from qualcode.store import runs as run_store
from qualcode.store import segments as segment_store
from qualcode.store import settings as setting_store
from qualcode.store import suggestions as suggestion_store
from qualcode.suggest import make_suggester
from qualcode.suggest.base import CodeProfile, Labels, SegmentData, Suggester


@dataclass
class SuggestReport:
    run_id: int
    suggester: str
    suggestions: int
    segments: int
    codes_learned: int  # codes with a supervised model (enough coded examples)


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
            )
        )
    return profiles


def segment_data(conn, unit: str) -> list[SegmentData]:
    return [
        SegmentData(r["id"], r["source"], r["text"], r["norm"], r["lemmas"])
        for r in segment_store.iter_segments(conn, unit)
    ]


def labels(conn, unit: str, coder: str | None) -> Labels:
    return Labels(
        coded=coding_store.coded_segments(conn, unit, coder),
        rejected=suggestion_store.rejected_segments(conn, unit, coder),
    )


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
        code_profiles(codebook, pipeline_for(conn)),
        segment_data(conn, unit),
        labels(conn, unit, coder),
    )


def run_suggestions(
    db, suggester: str, options: dict, min_score: float, coder: str | None, unit: str | None
) -> SuggestReport:
    unit, codes, segments, known = prepare(db, unit, coder)
    model = make_suggester(suggester, **with_language(db.connection, suggester, options)).fit(
        codes, segments, known
    )
    scored = model.suggest(segments)
    code_ids = code_store.code_ids(db.connection)
    spans = {
        r["id"]: (r["source_id"], r["start"], r["end"])
        for r in segment_store.segment_spans(db.connection, unit)
    }
    rows = []
    for segment, per_code in zip(segments, scored, strict=True):
        already = known.coded.get(segment.id, set()) | known.rejected.get(segment.id, set())
        for code, result in per_code.items():
            if result.score >= min_score and code not in already:
                source_id, start, end = spans[segment.id]
                rows.append(
                    (
                        source_id,
                        start,
                        end,
                        segment.id,
                        code_ids[code],
                        model.name,
                        model.version,
                        round(result.score, 4),
                        result.rationale,
                    )
                )
    config = {
        "suggester": suggester,
        "options": model.config(),
        "min_score": min_score,
        "coder": coder,
        "unit": unit,
    }
    with db.transaction() as conn:
        run_id = run_store.start_run(conn, "suggest", config, run_store.library_versions(["scikit-learn"]))
        suggestion_store.insert_suggestions(conn, [(run_id, *row) for row in rows])
        run_store.finish_run(conn, run_id, {"suggestions": len(rows), "segments": len(segments)})
    return SuggestReport(run_id, model.name, len(rows), len(segments), _learned(model))


def rerun_last(db) -> SuggestReport | None:
    """Suggest again with the settings of the latest suggest run (after new decisions)."""
    config = run_store.last_run_config(db.connection, "suggest")
    if not config:
        return None
    options = {k: v for k, v in config["options"].items() if k in ("embedder", "model", "language")}
    return run_suggestions(
        db, config["suggester"], options, config["min_score"], config["coder"], config["unit"]
    )


def last_suggester(db) -> str | None:
    """The suggester of the latest suggest run (None before the first)."""
    return run_store.last_run_config(db.connection, "suggest").get("suggester")


def _learned(model: Suggester) -> int:
    supervised = getattr(model, "supervised_", model)
    return len(getattr(supervised, "models_", {}))


def export_suggestions(db, path, run_id: int | None = None) -> int:
    import csv
    from pathlib import Path

    rows = suggestion_store.suggestions_of_run(db.connection, run_id)
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("source", "start", "end", "code", "score", "suggester", "rationale"))
        writer.writerows(
            (
                r["source"],
                r["start"],
                r["end"],
                r["code"],
                r["score"],
                f"{r['suggester']}/{r['suggester_version']}",
                r["rationale"],
            )
            for r in rows
        )
    return len(rows)


def suggestions_of_run(db, run_id: int | None = None) -> list[dict]:
    return [dict(r) for r in suggestion_store.suggestions_of_run(db.connection, run_id)]
