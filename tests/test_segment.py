"""Segmentation: units, the Dutch fixes, other languages, and the offset contract."""

import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode import QualcodeError, QualcodeWarning
from qualcode.ingest import read_transcript
from qualcode.nlp import load_pipeline
from qualcode.segment import TurnSpan, Unit, paragraph_spans, segment_turns


def sentences(nlp, text):
    return [text[s.start : s.end] for s in segment_turns(nlp, [TurnSpan(1, 1, text, 0, len(text))], Unit())]


def test_dutch_false_abbreviations_do_not_glue_sentences(dutch_nlp):
    assert sentences(dutch_nlp, "Niemand hielp me. Ik was alleen. Toen kwam hij pas. Daarna niet.") == [
        "Niemand hielp me.",
        "Ik was alleen.",
        "Toen kwam hij pas.",
        "Daarna niet.",
    ]


def test_ellipsis_ends_a_sentence_only_before_a_capital(dutch_nlp):
    assert sentences(dutch_nlp, "Dat was het… Toen ging ik. En toen… eh… niks.") == [
        "Dat was het…",
        "Toen ging ik.",
        "En toen… eh… niks.",
    ]


def test_opening_quote_starts_the_next_sentence(dutch_nlp):
    assert sentences(dutch_nlp, "Hij zei het. ,,Ik wil een woning.'' Dat was duidelijk.") == [
        "Hij zei het.",
        ",,Ik wil een woning.''",
        "Dat was duidelijk.",
    ]


def test_opening_bracket_starts_the_next_sentence(dutch_nlp):
    assert sentences(dutch_nlp, "Langer dan ik dacht. (lacht) Echt waar.") == [
        "Langer dan ik dacht.",
        "(lacht) Echt waar.",
    ]


def test_lookup_lemmas_are_stored(dutch_nlp):
    text = "De cliënten woonden daar."
    (segment,) = segment_turns(dutch_nlp, [TurnSpan(1, 1, text, 0, len(text))], Unit())
    assert segment.norm == "de cliënten woonden daar ."
    assert segment.lemmas.split()[1:3] == ["cliënt", "wonen"]


def test_blank_fallback_warns_once_with_advice():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_pipeline("nl")
    messages = [str(w.message) for w in caught if issubclass(w.category, QualcodeWarning)]
    assert len(messages) == 1
    assert "no trained spaCy model for 'nl' is installed" in messages[0]
    assert "install nl_core_news_sm" in messages[0]


def test_english_works():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nlp, info = load_pipeline("en")
    assert info.language == "en" and not info.trained
    assert sentences(nlp, "I lost my flat. Then my sister helped me.") == [
        "I lost my flat.",
        "Then my sister helped me.",
    ]


def test_unknown_language_is_a_clear_error():
    with pytest.raises(
        QualcodeError, match="spaCy has no language 'xx_nope'; use a language code such as nl or en"
    ):
        load_pipeline("xx_nope")


TURN = "Eerste zin. Tweede zin.\n\nDerde zin in alinea twee. Vierde zin. Vijfde zin."


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        (Unit("turn"), [TURN]),
        (Unit("paragraph"), ["Eerste zin. Tweede zin.", "Derde zin in alinea twee. Vierde zin. Vijfde zin."]),
        (Unit("window", 2), ["Eerste zin. Tweede zin.", "Derde zin in alinea twee. Vierde zin.", "Vierde zin. Vijfde zin."]),
        (Unit("window", 3, 1), [
            "Eerste zin. Tweede zin.\n\nDerde zin in alinea twee.",
            "Tweede zin.\n\nDerde zin in alinea twee. Vierde zin.",
            "Derde zin in alinea twee. Vierde zin. Vijfde zin.",
        ]),
        (Unit("window", 9), [TURN]),
    ],
)  # fmt: skip
def test_units(dutch_nlp, unit, expected):
    text = "I: Vraag?\n\nR: " + TURN + "\n"
    start = text.index("Eerste")
    segments = list(segment_turns(dutch_nlp, [TurnSpan(1, 1, text, start, start + len(TURN))], unit))
    assert [text[s.start : s.end] for s in segments] == expected


def test_unknown_unit():
    with pytest.raises(
        QualcodeError, match="unknown unit 'word'; choose one of sentence, paragraph, turn, window"
    ):
        Unit("word")


def test_paragraph_spans_trim_and_skip_blank():
    text = "  a b \n \n\n c\n\t\n"
    assert [text[s:e] for s, e in paragraph_spans(text, 0, len(text))] == ["a b", "c"]


# Text made of Dutch words, non-ASCII letters, emoji, odd spaces and CRLF line ends, with
# speaker labels sprinkled in.
_PIECES = st.sampled_from(
    ["Cliënt", "één", "naïef", "Ĳsselmeer", "Zoë", "😀", "👩🏽‍⚕️", "eh…", "…", "me.", "pas.", ",,Ja''",
     "woning.", "Rust!", "Waarom?", "\u00a0", "\t", " ", " ", " ", "\r\n", "\r\n\r\n", "\n", "I: ", "R: ",
     "\nI: ", "\nR: ", "[00:01:02] Ellen: ", "e\u0301", "ﬁ", "ß"]
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pieces=st.lists(_PIECES, min_size=1, max_size=60),
    unit=st.sampled_from(["sentence", "paragraph", "turn", "window"]),
)
def test_offset_contract_holds_for_any_text(tmp_path, dutch_nlp, pieces, unit):
    raw = "".join(pieces)
    if not raw.strip():
        return
    path = tmp_path / "random.txt"
    path.write_bytes(raw.encode("utf-8"))
    transcript = read_transcript(path)
    transcript.check_offsets()
    turns = [TurnSpan(1, i, transcript.text, t.start, t.end) for i, t in enumerate(transcript.turns)]
    for segment in segment_turns(dutch_nlp, turns, Unit(unit, 2, 1)):
        piece = transcript.text[segment.start : segment.end]
        assert piece and piece == piece.strip()
        assert "\r" not in piece
        turn = transcript.turns[segment.turn_id]
        assert turn.start <= segment.start < segment.end <= turn.end
