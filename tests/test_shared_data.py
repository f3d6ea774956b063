"""Checks against the real data in ../shared/data (skipped when it is not there)."""

import csv
import warnings

from qualcode.ingest import read_transcript
from qualcode.nlp import load_pipeline
from tests.conftest import SHARED, needs_shared

PARLAMINT = SHARED / "data" / "parlamint-nl"
ALPINO = SHARED / "data" / "ud-dutch-alpino"


@needs_shared
def test_parlamint_speakers_match_the_corpus_speaker_list():
    expected: dict[str, set[str]] = {}
    with (PARLAMINT / "speakers.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            expected.setdefault(row["file"], set()).add(row["speaker_label"])
    for name, labels in expected.items():
        transcript = read_transcript(PARLAMINT / name)
        transcript.check_offsets()
        assert {t.speaker for t in transcript.turns} == labels, name


@needs_shared
def test_fallback_sentence_boundaries_on_alpino_reach_f1_095():
    sentences = [
        line[len("# text = ") :].rstrip("\n")
        for name in ("nl_alpino-ud-dev.conllu", "nl_alpino-ud-test.conllu")
        for line in (ALPINO / name).open(encoding="utf-8")
        if line.startswith("# text = ")
    ]
    text, gold = "", set()
    for sentence in sentences:
        if text:
            text += " "
            gold.add(len(text))
        text += sentence
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nlp, _ = load_pipeline("nl")
    predicted = {s.start_char for s in nlp(text).sents if s.start_char > 0}
    hits = len(predicted & gold)
    precision, recall = hits / len(predicted), hits / len(gold)
    assert 2 * precision * recall / (precision + recall) >= 0.95
