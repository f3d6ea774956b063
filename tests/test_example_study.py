"""The bundled example study imports cleanly: formats, speakers, roles, cases, sizes."""

import re
import warnings

import pytest

from qualcode import Project
from qualcode.ingest import read_transcript
from tests.conftest import TRANSCRIPTS

FORMATS = {".txt", ".docx", ".vtt", ".srt", ".md", ".odt"}
FILES = sorted(p for p in TRANSCRIPTS.iterdir() if p.suffix in FORMATS and p.stem != "README")


def test_at_least_eight_interviews_in_mixed_formats():
    assert len(FILES) >= 8
    assert {".txt", ".docx", ".vtt"} <= {p.suffix for p in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_interview_has_two_speakers_and_a_realistic_length(path):
    transcript = read_transcript(path)
    speakers = {t.speaker for t in transcript.turns}
    assert len(speakers) == 2 and None not in speakers, speakers
    words = sum(len(t.text.split()) for t in transcript.turns)
    assert 1500 <= words <= 4000, words


def test_readme_marks_them_fictional():
    assert "fictional" in (TRANSCRIPTS / "README.md").read_text(encoding="utf-8").lower()


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    path = tmp_path_factory.mktemp("example") / "example.qc"
    with Project.create(path) as proj:
        proj.import_transcripts([TRANSCRIPTS], participants=TRANSCRIPTS / "participants.csv")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            proj.segment("sentence")
        yield proj


def test_every_speaker_has_a_role_and_every_respondent_a_case(example):
    status = example.status()
    assert "(no role)" not in status["roles"]
    assert status["roles"]["interviewer"] == len(FILES)
    rows = list(example.segments())
    assert rows and all(r.case for r in rows)
    assert {r.role for r in rows} == {"professional", "client", "naaste", "ervaringsdeskundige"}


def test_sentences_are_not_glued_at_false_abbreviations(example):
    glued = [r.text for r in example.segments() if re.search(r"\b(me|pas|al|u)\. [A-Z]", r.text)]
    assert glued == []
