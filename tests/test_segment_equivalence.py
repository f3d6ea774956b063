"""The fast paths of segmenting give what the plain spaCy API gives, on both engines.

``reference_segments`` is segmenting written the obvious way (``doc.sents``, Token objects,
the whole pipeline on every paragraph); ``segment_turns`` reads attribute arrays, looks the
lookup lemmas up itself and leaves the lemmatizer out of ``nlp.pipe``. The two must agree on
every offset and string, for every unit and pipeline.
"""

import itertools
import sqlite3
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode import Project, ProjectError, sentences
from qualcode import segment as segment_module
from qualcode.ingest import read_transcript
from qualcode.nlp import load_pipeline
from qualcode.segment import Segment, TurnSpan, Unit, paragraph_spans, segment_turns
from qualcode.store import segments as segment_store

EXAMPLE = Path(segment_module.__file__).parent / "example" / "transcripts"
UNITS = [
    Unit("sentence"),
    Unit("paragraph"),
    Unit("turn"),
    Unit("window"),
    Unit("window", 2, 1),
    Unit("window", 4, 3),
]


def reference_segments(nlp, turns, unit):
    for turn in turns:
        sentences = []
        for index, (p_start, p_end) in enumerate(paragraph_spans(turn.text, turn.start, turn.end)):
            doc = nlp(turn.text[p_start:p_end])
            for sent in doc.sents:
                start, end = p_start + sent.start_char, p_start + sent.end_char
                while start < end and turn.text[start].isspace():
                    start += 1
                while end > start and turn.text[end - 1].isspace():
                    end -= 1
                if start < end:
                    tokens = [
                        (t.lower_, t.lemma_.lower() if t.lemma else t.lower_) for t in sent if not t.is_space
                    ]
                    sentences.append((start, end, index, tokens))
        if not sentences:
            continue
        if unit.name == "sentence":
            groups = [[s] for s in sentences]
        elif unit.name == "paragraph":
            groups = [list(g) for _, g in itertools.groupby(sentences, key=lambda s: s[2])]
        elif unit.name == "turn":
            groups = [sentences]
        else:
            last = max(len(sentences) - unit.size, 0)
            starts = sorted(set(range(0, last + 1, unit.step)) | {last})
            groups = [sentences[i : i + unit.size] for i in starts]
        for group in groups:
            tokens = [t for s in group for t in s[3]]
            yield Segment(
                turn.source_id,
                turn.turn_id,
                group[0][0],
                group[-1][1],
                " ".join(t[0] for t in tokens),
                " ".join(t[1] for t in tokens),
            )


def example_turns() -> list[TurnSpan]:
    turns = []
    for source_id, path in enumerate(sorted(EXAMPLE.glob("*.txt"))):
        transcript = read_transcript(path)
        turns += [
            TurnSpan(source_id, i, transcript.text, t.start, t.end) for i, t in enumerate(transcript.turns)
        ]
    assert len(turns) > 100
    return turns


def odd_turn() -> TurnSpan:
    """One turn with every kind of awkward text: white-space tokens inside sentences, quotes,
    brackets, ellipses, emoji, paragraphs of only spaces."""
    text = (
        "  Hij zei: ,,Ik wil een woning.'' \t En toen… eh… niks.\u00a0\u00a0Echt\n waar!  \n \n\n"
        "(lacht) [stilte]  'Zo' \"nee\" ... Dat was het… Toen ging ik.  😀 👩🏽‍⚕️ Zoë\t\tzei e\u0301 ﬁets.\n\n \t \n\n"
        "DET aux ROOT İstanbul ΟΔΟΣ Straße. Niemand hielp me. Ik was alleen. Toen kwam hij pas. Daarna niet."
    )
    return TurnSpan(7, 7, text, 0, len(text))


@pytest.fixture(scope="module")
def pipelines(dutch_nlp):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        english = load_pipeline("en")[0]  # spaCy's lemmatizer: lemmas read from the doc
        unlemmatised = load_pipeline("xx")[0]  # no lemmatizer: lemmas are the lower-case forms
    return {"nl": dutch_nlp, "en": english, "xx": unlemmatised}


@pytest.mark.parametrize("language", ["nl", "en", "xx"])
def test_segments_are_what_the_spacy_api_gives(pipelines, language):
    nlp = pipelines[language]
    turns = [*example_turns(), odd_turn()]
    for unit in UNITS:
        ours = list(segment_turns(nlp, turns, unit))
        assert ours == list(reference_segments(nlp, turns, unit)), unit
        assert len(ours) > 200


def test_dutch_lemmas_are_looked_up_without_the_lemmatizer_component(dutch_nlp, monkeypatch):
    """The lemmatizer is left out of nlp.pipe, and the lemmas still come out."""
    ran = []
    lemmatizer = dutch_nlp.get_pipe("lemmatizer")
    monkeypatch.setattr(type(lemmatizer), "__call__", lambda self, doc: ran.append(doc) or doc)
    text = "De cliënten woonden daar."
    (segment,) = segment_turns(dutch_nlp, [TurnSpan(1, 1, text, 0, len(text))], Unit())
    assert segment.lemmas == "de cliënt wonen daar ."
    assert ran == []


def test_a_lemma_in_capitals_is_lower_cased_as_read_from_the_doc():
    """The table has only lower-case lemmas; one that had not would still come out as the
    doc's lemma, lower-cased (which is what segments store)."""
    import spacy

    from qualcode import nlp as nlp_module

    nlp = nlp_module._blank_pipeline(spacy, "nl")
    nlp.get_pipe("lemmatizer").table["woonden"] = "WONEN"
    text = "De cliënten woonden daar."
    turns = [TurnSpan(1, 1, text, 0, len(text))]
    assert [t.lemma_ for t in nlp(text)][2] == "WONEN"
    (segment,) = segment_turns(nlp, turns, Unit())
    assert segment.lemmas == "de cliënt wonen daar ."
    assert [segment] == list(reference_segments(nlp, turns, Unit()))


_PIECES = st.sampled_from(
    ["Cliënt", "één", "Zoë", "😀", "eh…", "…", "...", "me.", "pas.", ",,Ja''", "(lacht)", "[", "'", '"',
     "woning.", "Rust!", "Waarom?", "\u00a0", "\t", " ", "  ", "\r\n", "\n\n", "\n", " \n \n", "I: ", "R: ",
     "DET", "e\u0301", "ﬁ", "ß", "İ", "Dat", "Toen"]
)  # fmt: skip


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pieces=st.lists(_PIECES, min_size=1, max_size=80),
    unit=st.sampled_from(UNITS),
    language=st.sampled_from(["nl", "en"]),
)
def test_segments_are_what_the_spacy_api_gives_for_any_text(pipelines, pieces, unit, language):
    text = "".join(pieces)
    turns = [TurnSpan(1, 1, text, 0, len(text))]
    nlp = pipelines[language]
    assert list(segment_turns(nlp, turns, unit)) == list(reference_segments(nlp, turns, unit))


def test_batches_of_any_size_give_the_same_segments(dutch_nlp):
    """Paragraphs are read a batch at a time; a turn cut by a batch's end is joined again."""
    turns = [*example_turns()[:60], odd_turn(), *example_turns()[60:90]]
    for unit in (Unit("sentence"), Unit("paragraph"), Unit("window", 2, 1)):
        expected = list(reference_segments(dutch_nlp, turns, unit))
        for size in (1, 2, 3, 7, 64):
            assert list(segment_turns(dutch_nlp, turns, unit, batch_size=size)) == expected, (unit, size)


def outcome(segmenting, *args):
    try:
        return list(segmenting(*args))
    except ValueError as error:
        return type(error), str(error)[:12]


def test_a_pipeline_that_sets_no_sentences_fails_as_doc_sents_does():
    """Without a sentencizer or parser spaCy's doc.sents raises its error E030 for a doc of
    several tokens (a one-token doc is a sentence); segmenting does the same, also when such a
    doc is in a batch with others."""
    import spacy

    nlp = spacy.blank("nl")
    for texts in (["Ja"], ["Ik woon hier. Echt."], ["Ja", "Nee", "Ik woon hier."]):
        turns = [TurnSpan(1, i, text, 0, len(text)) for i, text in enumerate(texts)]
        ours = outcome(segment_turns, nlp, turns, Unit())
        assert ours == outcome(reference_segments, nlp, turns, Unit()), texts
    assert ours[0] is ValueError and "E030" in ours[1]


def test_a_pipeline_with_its_own_sentence_hook():
    """A pipeline whose sentences come from a hook (doc.user_hooks) goes through doc.sents."""
    import spacy
    from spacy.language import Language

    if "test_halves" not in Language.factories:

        @Language.component("test_halves")
        def halves(doc):
            doc.user_hooks["sents"] = lambda d: [d[: len(d) // 2], d[len(d) // 2 :]] if len(d) > 1 else [d[:]]
            return doc

    nlp = spacy.blank("nl")
    nlp.add_pipe("test_halves")
    turns = [*example_turns()[:40], odd_turn()]
    for unit in UNITS:
        assert list(segment_turns(nlp, turns, unit)) == list(reference_segments(nlp, turns, unit))


def test_the_word_memo_starts_afresh_when_full(dutch_nlp, monkeypatch):
    turns = example_turns()[:80]
    expected = list(segment_turns(dutch_nlp, turns, Unit()))
    monkeypatch.setattr(sentences.WordForms, "LIMIT", 50)
    cleared = []
    real = sentences.WordForms.clear

    def counted(self):
        cleared.append(1)
        real(self)

    monkeypatch.setattr(sentences.WordForms, "clear", counted)
    # The memo is looked at after each batch of paragraphs.
    assert list(segment_turns(dutch_nlp, turns, Unit(), batch_size=8)) == expected
    assert len(cleared) > 5


# -- storing -------------------------------------------------------------------------------------


def stored(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            'SELECT id, source_id, turn_id, run_id, unit, position, start, "end", norm, lemmas FROM segments ORDER BY id'
        ).fetchall()


def make_project(tmp_path, name: str) -> Path:
    path = tmp_path / f"{name}.qc"
    with Project.create(path) as proj:
        proj.import_transcripts(sorted(EXAMPLE.glob("*.txt")))
    return path


def test_a_failure_while_storing_leaves_each_source_whole(tmp_path, monkeypatch):
    """The error is raised; the sources stored before it have their whole new segmentation, the
    others none (their segments of other units are kept), and the run is not finished."""
    path = make_project(tmp_path, "failing")
    with Project.open(path) as proj:
        proj.segment(unit="turn")
        proj.backup(tmp_path / "whole.qc")
    with Project.open(tmp_path / "whole.qc") as proj:
        proj.segment(unit="sentence")
    turns_before = [r for r in stored(path) if r[4] == "turn"]

    def sentences_by_source(where):
        found = {}
        for row in stored(where):
            if row[4] == "sentence":
                found.setdefault(row[1], []).append(row[5:])
        return found

    whole = sentences_by_source(tmp_path / "whole.qc")
    monkeypatch.setattr(segment_module, "_INSERT_BATCH", 100)
    real_insert = segment_store.insert_segments
    calls = []

    def failing(conn, rows):
        calls.append(1)
        if len(calls) == 3:
            raise sqlite3.OperationalError("disk I/O error")
        real_insert(conn, rows)

    monkeypatch.setattr(segment_store, "insert_segments", failing)
    with Project.open(path) as proj, pytest.raises(ProjectError, match="disk I/O error"):
        proj.segment(unit="sentence")
    assert [r for r in stored(path) if r[4] == "turn"] == turns_before
    partial = sentences_by_source(path)
    assert partial and len(partial) < len(whole)
    assert all(rows == whole[source] for source, rows in partial.items())  # never a source half done
    with sqlite3.connect(path) as conn:
        (finished,) = conn.execute(
            "SELECT finished_at FROM runs WHERE kind = 'segment' ORDER BY id DESC"
        ).fetchone()
    assert finished is None


def test_segmenting_a_project_on_postgresql_stores_what_sqlite_stores(tmp_path, pg_server):
    local = make_project(tmp_path, "local")
    url = pg_server.new_url("segment")
    with Project.create(url) as proj:
        proj.import_transcripts(sorted(EXAMPLE.glob("*.txt")))
    for target in (local, url):
        with Project.open(target) as proj:
            proj.segment(unit="window", window=2, stride=1)
            proj.segment(unit="window", window=2, stride=1)  # again: the old ones replaced
    with Project.open(local) as a, Project.open(url) as b:
        ours = [(r.source, r.unit, r.start, r.end, r.text, r.lemmas) for r in a.segments()]
        theirs = [(r.source, r.unit, r.start, r.end, r.text, r.lemmas) for r in b.segments()]
    assert len(ours) > 500 and ours == theirs


@pytest.mark.parametrize("count", [0, 1, 99, 100, 250])
def test_segments_are_inserted_in_their_order(tmp_path, count):
    """SQLite gets a hundred rows a statement; the rows and their ids come out as given."""
    path = make_project(tmp_path, "insert")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    run_id = conn.execute(
        "INSERT INTO runs (kind, config, versions, started_at) VALUES ('segment', '{}', '{}', 'now')"
    ).lastrowid
    source_id, turn_id = conn.execute("SELECT source_id, id FROM turns ORDER BY id").fetchone()
    rows = [
        (
            source_id,
            None if i % 7 == 0 else turn_id,
            run_id,
            "sentence",
            i,
            i,
            i + 1 + i % 3,
            f"w{i} één",
            f"l{i} 😀",
        )
        for i in range(count)
    ]
    conn.execute("BEGIN")
    segment_store.insert_segments(conn, rows)
    conn.execute("COMMIT")
    got = conn.execute(
        'SELECT id, source_id, turn_id, run_id, unit, position, start, "end", norm, lemmas FROM segments ORDER BY id'
    ).fetchall()
    conn.close()
    assert [g[1:] for g in got] == rows
    assert [g[0] for g in got] == list(range(1, count + 1))
