"""Precision and recall of pseudonymisation's detection, per entity type, on the annotated
Dutch set in tests/data/privacy/: the nine example interviews (their names, places and
organisations listed in example_entities.csv) and 300 sentences of our own with contact
details and dates (sentences.txt).

    python benchmarks/pseudonymise.py

Compared: deduce alone, the participants file alone, qualcode's own patterns alone, and the
combination (participants, patterns, deduce, and spaCy entities when a trained model is
installed; no word list). Measured on what applying the plan would replace (see
qualcode/privacy/evaluate.py). Exits 0 with a message when deduce is not installed.
"""

from __future__ import annotations

import sys
import tempfile
import time
import warnings
from pathlib import Path

from qualcode import Project
from qualcode.privacy import evaluate

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data" / "privacy"
TRANSCRIPTS = REPO / "qualcode" / "example" / "transcripts"
TARGETS = "targets (combination): person recall >= 0.98, contact details recall 1.00, precision >= 0.90"

SETUPS = {
    "deduce": ["deduce"],
    "participants": ["participants"],
    "patterns": ["patterns"],
    "combination": ["participants", "patterns", "deduce", "spacy"],
}


def example_set(folder: Path):
    with Project.create(folder / "example.qc") as project:
        project.import_transcripts([TRANSCRIPTS], participants=TRANSCRIPTS / "participants.csv")
        texts, people = project.privacy_inputs()
    return (
        texts,
        people,
        evaluate.gold_from_list(texts, evaluate.read_entity_list(DATA / "example_entities.csv")),
    )


def fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:.2f}"


def report(name: str, scores: dict) -> None:
    print(f"\n  {name}")
    print(f"    {'type':<13}{'gold':>6}{'recall':>8}{'covered':>9}{'found':>7}{'precision':>11}")
    for kind, s in scores.items():
        if s.gold or s.predicted:
            print(
                f"    {kind:<13}{s.gold:>6}{fmt(s.recall):>8}{fmt(s.covered_recall):>9}"
                f"{s.predicted:>7}{fmt(s.precision):>11}"
            )


def missed(gold, spans, texts) -> list[str]:
    """The annotated entities the spans do not cover, with their type."""
    out = []
    for g in gold:
        if g.type not in evaluate.SCORED:
            continue
        if not evaluate.score([g], spans, texts)[g.type].found:
            out.append(f"{g.type}: {texts[g.source][g.start : g.end]}")
    return sorted(set(out))


def main() -> int:
    try:
        import deduce  # noqa: F401
    except ImportError:
        print("deduce is not installed: pip install deduce (then run this again); nothing measured")
        return 0
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as folder:
        example_texts, people, example_gold = example_set(Path(folder))
    sentence_texts, sentence_gold = evaluate.read_marked(DATA / "sentences.txt")
    sets = {
        "example interviews": (example_texts, people, example_gold),
        "sentences": (sentence_texts, [], sentence_gold),
    }
    texts_all = {**example_texts, **sentence_texts}
    gold_all = example_gold + sentence_gold
    print(
        "Pseudonymisation: detection on tests/data/privacy (recall: as the right type; covered: as any type)"
    )
    for setup, detectors in SETUPS.items():
        started = time.perf_counter()
        spans_all = []
        print(f"\n== {setup} ({', '.join(detectors)})")
        for name, (texts, who, gold) in sets.items():
            spans = evaluate.predicted(texts, who, detectors)
            spans_all += spans
            report(name, evaluate.score(gold, spans, texts))
        report("both sets", evaluate.score(gold_all, spans_all, texts_all))
        print(f"  ({time.perf_counter() - started:.1f} s)")
        if setup == "combination":
            combined = evaluate.score(gold_all, spans_all, texts_all)
            contact = [combined[k] for k in evaluate.CONTACT]
            contact_recall = sum(s.found for s in contact) / max(1, sum(s.gold for s in contact))
            print(f"\n  {TARGETS}")
            person, every = combined["person"], combined["all"]
            print(
                f"  measured: person recall {person.recall:.3f} ({person.found}/{person.gold}), contact details "
                f"recall {contact_recall:.3f}, precision {every.precision:.3f} ({every.correct}/{every.predicted})"
            )
            print("  still missed: " + "; ".join(missed(gold_all, spans_all, texts_all)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
