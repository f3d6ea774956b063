"""Hostile and broken inputs: size limits, YAML alias bombs, characters XML cannot hold.

Each test fails when its protection is taken away; the YAML bombs run in a subprocess with a
timeout, so a regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode import InputError
from qualcode.codebook.yamlfile import read_yaml
from qualcode.ingest import limits, plaintext, read_transcript
from qualcode.ingest.decode import decode, normalise
from qualcode.ingest.speakers import match_label
from qualcode.study import load_study
from tests.conftest import REPO, make_docx, write

GOOD = "I: Hoe gaat het met u?\nR: Goed. Ik woon hier al tien jaar.\nI: En de buren?\nR: Die helpen me.\n"


def _stored(project) -> tuple:
    status = project.status()
    return status["counts"], status["sources"], project.runs()


@pytest.fixture
def imported(project, tmp_path):
    """A project holding one good transcript, and what it holds."""
    project.import_transcripts([write(tmp_path / "eerste.txt", GOOD)])
    return project, _stored(project)


# -- size limits ---------------------------------------------------------------------------------


def test_a_transcript_with_too_many_turns_is_refused_and_nothing_is_stored(imported, tmp_path):
    project, before = imported
    turns = "".join(f"{'I' if i % 2 else 'R'}: antwoord {i}\n" for i in range(200_001))
    big = write(tmp_path / "groot.txt", turns)
    other = write(tmp_path / "tweede.txt", GOOD.replace("tien", "twintig"))
    with pytest.raises(InputError, match=r"groot\.txt: .*more than 100,000 speaker turns.*split it"):
        project.import_transcripts([other, big])
    assert _stored(project) == before  # the good file beside it was not stored either


def test_a_word_file_of_paragraph_turns_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_TURNS_PER_SOURCE", 50)
    path = make_docx(tmp_path / "bom.docx", [[(f"{'I' if i % 2 else 'R'}: ja", False)] for i in range(500)])
    with pytest.raises(InputError, match=r"bom\.docx: .*more than 50 speaker turns"):
        read_transcript(path)


def test_too_many_turns_are_refused_before_every_line_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_TURNS_PER_SOURCE", 50)
    read_lines = []
    monkeypatch.setattr(plaintext, "match_label", lambda line: read_lines.append(line) or match_label(line))
    path = write(tmp_path / "bom.txt", "".join(f"{'I' if i % 2 else 'R'}: ja {i}\n" for i in range(10_000)))
    with pytest.raises(InputError, match="more than 50 speaker turns"):
        read_transcript(path)
    assert len(read_lines) <= 2 * 50 + 1  # not all 10,000: memory stays bounded by the limit


def test_the_turn_limit_is_exact(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_TURNS_PER_SOURCE", 50)
    path = write(tmp_path / "vijftig.txt", "".join(f"{'I' if i % 2 else 'R'}: ja {i}\n" for i in range(50)))
    assert len(read_transcript(path).turns) == 50
    write(path, path.read_text() + "I: nog een\n")
    with pytest.raises(InputError, match="more than 50 speaker turns"):
        read_transcript(path)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("beurten.csv", "speaker,text\n" + "".join(f"{'I' if i % 2 else 'R'},ja {i}\n" for i in range(60))),
        (
            "film.srt",
            "".join(
                f"{i + 1}\n00:00:{i:02d},000 --> 00:00:{i:02d},500\n{'AB'[i % 2]}: ja\n\n" for i in range(60)
            ),
        ),
    ],
)
def test_structured_formats_are_refused_past_the_turn_limit(tmp_path, monkeypatch, name, content):
    monkeypatch.setattr(limits, "MAX_TURNS_PER_SOURCE", 50)
    with pytest.raises(InputError, match=rf"{name}: .*more than 50 speaker turns"):
        read_transcript(write(tmp_path / name, content))


def test_a_too_long_source_is_refused_and_nothing_is_stored(imported, tmp_path, monkeypatch):
    project, before = imported
    monkeypatch.setattr(limits, "MAX_SOURCE_CHARACTERS", 1_000)
    path = write(tmp_path / "lang.txt", "R: " + "bla " * 500 + "\n")
    with pytest.raises(
        InputError, match=r"lang\.txt: the text has 2,004 characters; .*at most 1,000 per source"
    ):
        project.import_transcripts([path])
    assert _stored(project) == before


def test_a_text_file_too_big_to_fit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_SOURCE_CHARACTERS", 100)
    path = write(tmp_path / "groot.txt", "R: " + "x" * 500 + "\n")
    with pytest.raises(InputError, match=r"groot\.txt: the file has 504 bytes, more than 100 characters"):
        read_transcript(path)


def test_a_too_long_word_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_SOURCE_CHARACTERS", 1_000)
    path = make_docx(tmp_path / "lang.docx", [[("R: " + "bla " * 500, False)]])
    with pytest.raises(InputError, match=r"lang\.docx: the text has .* characters"):
        read_transcript(path)


def test_a_too_long_answer_in_a_units_file_is_refused_and_nothing_is_stored(imported, tmp_path, monkeypatch):
    project, before = imported
    monkeypatch.setattr(limits, "MAX_SOURCE_CHARACTERS", 100)
    path = write(tmp_path / "antwoorden.csv", f"id,text,anna\na1,kort antwoord,X\na2,{'lang ' * 40},X\n")
    with pytest.raises(InputError, match=r"antwoorden\.csv, line 3: the text has 199 characters"):
        project.import_units(path, "id", "text", ["anna"], add_missing_codes=True)
    assert _stored(project) == before


def test_a_csv_field_past_the_csv_modules_limit_is_an_input_error(tmp_path):
    path = write(tmp_path / "beurten.csv", f'speaker,text\nR,kort\nI,"{"x" * 200_000}"\n')
    with pytest.raises(InputError, match=r"beurten\.csv, line 3: cannot read this row"):
        read_transcript(path)


# -- YAML alias bombs ------------------------------------------------------------------------------

# 9 levels of 9: a few hundred bytes that stand for 9**9 (387 million) values.
BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{b}: &{b} [{','.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


def _refused_in_a_subprocess(reader: str, path) -> str:
    """Run ``reader(path)`` in a fresh Python with a timeout; the error message it raised."""
    script = textwrap.dedent(
        f"""
        import sys, time
        from qualcode.codebook.yamlfile import read_yaml
        from qualcode.errors import InputError
        from qualcode.study import load_study
        started = time.perf_counter()
        try:
            {reader}(sys.argv[1])
        except InputError as exc:
            print(f"{{time.perf_counter() - started:.3f}} {{exc}}")
        else:
            print("accepted")
        """
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, str(path)],
            capture_output=True,
            text=True,
            timeout=30,
            cwd=REPO,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{reader} did not refuse the alias bomb within 30 seconds")
    assert done.returncode == 0, done.stderr[-2000:]
    seconds, _, message = done.stdout.strip().partition(" ")
    assert float(seconds) < 0.5, f"took {seconds} s to refuse"
    return message


def test_an_alias_bomb_codebook_is_refused_quickly(tmp_path):
    path = write(tmp_path / "codes.yaml", BOMB + "codes: *i\n")
    assert len(path.read_bytes()) < 400
    message = _refused_in_a_subprocess("read_yaml", path)
    assert message.startswith(
        f"{path}, line 7: the aliases (*name) in this file stand for more than 1,000,000"
    )


def test_an_alias_bomb_study_file_is_refused_quickly(tmp_path):
    path = write(tmp_path / "study.yaml", "project: p.qc\ntranscripts: [t]\n" + BOMB + "model: *i\n")
    message = _refused_in_a_subprocess("load_study", path)
    assert message.startswith(
        f"{path}, line 9: the aliases (*name) in this file stand for more than 1,000,000"
    )


def test_too_many_aliases_are_refused_with_their_number(tmp_path):
    items = "".join(f"  - name: code {i}\n    description: *d\n" for i in range(150))
    path = write(tmp_path / "codes.yaml", "over: &d een gedeelde beschrijving\ncodes:\n" + items)
    with pytest.raises(
        InputError, match=r"codes\.yaml, line 204: uses 150 aliases \(\*name\); qualcode reads at most 100"
    ):
        read_yaml(path)


def test_a_few_aliases_still_work(tmp_path):
    path = write(
        tmp_path / "codes.yaml",
        "over: &d gedeeld\ncodes:\n  - name: A\n    description: *d\n  - name: B\n    description: *d\n",
    )
    assert [c.description for c in read_yaml(path).codes] == ["gedeeld", "gedeeld"]


def test_an_alias_inside_its_own_value_is_refused(tmp_path):
    path = write(tmp_path / "study.yaml", "project: &p [p.qc, *p]\ntranscripts: [t]\n")
    with pytest.raises(InputError, match=r"study\.yaml, line 1: alias \*p is used inside the value it names"):
        load_study(path)


def test_deep_nesting_is_refused(tmp_path):
    path = write(tmp_path / "codes.yaml", "codes: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(InputError, match=r"codes\.yaml, line 1: values are nested more than 100 levels deep"):
        read_yaml(path)


@pytest.mark.parametrize("reader", [read_yaml, load_study])
def test_python_objects_stay_refused(tmp_path, reader):
    path = write(tmp_path / "x.yaml", "project: !!python/object/apply:os.system ['echo hi']\ncodes: []\n")
    with pytest.raises(
        InputError, match=r"x\.yaml, line 1: not valid YAML: could not determine a constructor"
    ):
        reader(path)


def test_a_control_character_in_yaml_is_an_input_error(tmp_path):
    path = write(tmp_path / "codes.yaml", "codes:\n  - name: A\x0b\n")
    with pytest.raises(InputError, match=r"codes\.yaml, line 2: not valid YAML: special characters"):
        read_yaml(path)


# -- characters XML 1.0 forbids --------------------------------------------------------------------

FORBIDDEN = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF)]


def test_normalise_removes_what_xml_cannot_hold_and_keeps_the_rest():
    kept = "\t\n a é \x7f\x85\u2028\ufffd\U0001f600"
    assert normalise("".join(FORBIDDEN) + kept) == "\n\n" + kept  # vertical tab, form feed: newlines
    assert normalise("einde pagina.\x0cVolgende: tekst") == "einde pagina.\nVolgende: tekst"
    assert normalise("a\x01\x02b\ud800") == "ab"
    assert normalise("e\x01\u0301") == "\u00e9"  # NFC even where a removed character stood


@pytest.mark.filterwarnings("ignore::qualcode.QualcodeWarning")  # no trained spaCy model installed
def test_a_transcript_with_control_characters_imports_without_them_and_warns(project, tmp_path):
    raw = "I: Hoe gaat\x0bhet met u?\x0c\nR: Goed.\x01 Ik woon hier al tien jaar.\nI: En de buren?\nR: Die helpen me.\n"
    path = write(tmp_path / "stuur.txt", raw)
    report = project.import_transcripts([path])
    text = project.source_text("stuur")
    assert not any(ch in text for ch in FORBIDDEN)
    assert "Hoe gaat\nhet met u?\n\nR: Goed. Ik woon" in text
    assert [w for w in report.warnings if "control" in w] == [
        f"{path}: removed 3 control characters (vertical tab, form feed, U+0001) that other programs "
        "cannot store; vertical tabs and form feeds became line breaks"
    ]
    project.segment(unit="sentence")
    segments = list(project.segments())
    assert segments
    for s in segments:
        assert project.source_text(s.source)[s.start : s.end] == s.text


def test_a_units_file_with_control_characters_warns(project, tmp_path):
    path = write(tmp_path / "antwoorden.csv", "id,text,anna\na1,ja\x07 zeker,X\n")
    report = project.import_units(path, "id", "text", ["anna"], add_missing_codes=True)
    assert project.source_text("a1") == "ja zeker\n"
    assert any("antwoorden.csv: removed 1 control character (U+0007)" in w for w in report.warnings)


def test_decode_warns_only_when_something_was_removed():
    assert decode(b"R: gewoon\n", "t.txt")[2] == []
    text, _, warnings = decode("R: \x0c\x0c\x1b".encode("utf-16"), "t.txt")
    assert text == "R: \n\n"
    assert warnings == [
        "t.txt: removed 3 control characters (form feed \u00d72, escape) that other programs cannot store; "
        "form feeds became line breaks"
    ]


def _xml_clean(text: str) -> str:
    """What normalise should do with the forbidden characters, written out independently."""
    return "".join("\n" if ch in "\x0b\x0c" else "" if ch in FORBIDDEN else ch for ch in text)


TEXT = st.text(
    alphabet=st.sampled_from(
        ["a", "é", "e", "\u0301", "\u1100", "\u1161", "\r", "\n", "\t", "\ufeff", *FORBIDDEN]
    )
    | st.characters(codec="utf-8"),
    max_size=30,
)


@given(TEXT, TEXT)
def test_normalising_piece_by_piece_equals_normalising_the_whole(a, b):
    """What ``refi.positions.normalise_with_map`` relies on: where the pieces meet there is no CR,
    no leading BOM and no composition (after the characters that go are gone)."""
    if a.endswith("\r") or b.startswith("\ufeff"):
        return
    left, first = _xml_clean(a.replace("\r", "\n")), _xml_clean(b.replace("\r", "\n"))[:1]
    if first and unicodedata.combining(first):
        return  # a combining mark would be reordered with, or composed onto, the piece before
    if unicodedata.normalize("NFC", left + first) != unicodedata.normalize("NFC", left) + first:
        return  # the last letter of one piece composes with the first of the next
    assert normalise(a + b) == normalise(a) + normalise(b)


@given(TEXT)
def test_normalised_text_holds_only_what_xml_can_and_stays_as_it_is(text):
    once = normalise(text)
    assert not any(ch in once for ch in FORBIDDEN)
    assert normalise(once) == once
    assert once == unicodedata.normalize(
        "NFC", _xml_clean(text.replace("\r\n", "\n").replace("\r", "\n")).lstrip("\ufeff")
    )
