"""What a project hands the suggesters and keeps from them: who speaks and what was asked
(turn_context), the threshold and ranked candidates a suggest run stores, and the cached
codebook profiles."""

from __future__ import annotations

import shutil

import pytest

from qualcode import Project
from qualcode.store import codes as code_store
from qualcode.store import runs as run_store
from qualcode.store import suggestions as suggestion_store
from qualcode.suggest import runner
from qualcode.suggest.context import turn_context
from tests.conftest import read_only, second_connection, write
from tests.test_cli import run

# Segmenting and lemmatising code texts use the blank Dutch pipeline here, which warns so.
pytestmark = pytest.mark.filterwarnings("ignore::qualcode.QualcodeWarning")


def turns(*rows, source=1, start=1):
    """Turn rows as the store gives them: (speaker, text) or (speaker, role, text)."""
    out = []
    for k, row in enumerate(rows):
        speaker, role, text = row if len(row) == 3 else (row[0], None, row[1])
        out.append({"id": start + k, "source_id": source, "speaker": speaker, "role": role, "text": text})
    return out


LOTTE_ASKS = turns(
    ("Lotte", "Hoe gaat het nu met uw woning?"),
    ("Karim", "Het gaat wel goed met de woning."),
    ("Karim", "En de buren zijn ook heel aardig."),
    ("Lotte", "Right."),
    ("Karim", "Ze helpen me soms met de boodschappen."),
    ("Lotte", "En hoe zit het met uw familie?"),
    ("Karim", "Weet u, mijn zus belt soms nog wel eens?"),
    ("Lotte", "Wanneer heeft u haar voor het laatst gezien?"),
)


def test_the_asker_is_who_asks_most():
    context = turn_context(LOTTE_ASKS)
    assert [context[t["id"]][0] for t in LOTTE_ASKS] == ["asks", "answers", "answers", "asks",
                                                         "answers", "asks", "answers", "asks"]  # fmt: skip


def test_the_question_is_the_last_substantial_turn_of_another_speaker():
    context = turn_context(LOTTE_ASKS)
    question = {t["id"]: context[t["id"]][1] for t in LOTTE_ASKS}
    assert question[1] == ""  # nothing before the first turn
    assert question[2] == question[3] == "Hoe gaat het nu met uw woning?"  # one speaker's turns share it
    assert question[5] == "Hoe gaat het nu met uw woning?"  # "Right." asks nothing new
    assert question[4] == "En de buren zijn ook heel aardig."  # the asker's turns get one too
    assert question[6] == "Ze helpen me soms met de boodschappen."
    assert question[7] == "En hoe zit het met uw familie?"
    assert question[8] == "Weet u, mijn zus belt soms nog wel eens?"


def test_questions_do_not_leak_across_sources():
    second = turns(
        ("Karim", "Goedemorgen, fijn dat u er weer bent."),
        ("Lotte", "Hoe was uw week deze keer?"),
        source=2,
        start=100,
    )
    context = turn_context(LOTTE_ASKS + second)
    assert context[100] == ("answers", "")  # in its own source, nobody asked anything yet
    assert context[101][1] == "Goedemorgen, fijn dat u er weer bent."
    # One question mark in the second source: no asker there, so Lotte does not ask in it.
    assert context[101][0] == "answers"


def test_declared_roles_win_over_question_marks():
    rows = turns(
        ("Henk", "Interviewer", "Vertel maar wat u kwijt wilt."),
        ("Anna", "Respondent", "Wat moet ik dan zeggen?"),
        ("Piet", None, "Zij bedoelt: hoe het ging met het huis."),
        ("Anna", "Respondent", "Wat bedoelt u met het huis?"),
        ("Henk", "Interviewer", "Het huis waar u nu woont."),
    )
    kinds = [kind for kind, _ in (turn_context(rows)[t["id"]] for t in rows)]
    # Anna asks most, but her declared role stands; the undeclared Piet does not ask.
    assert kinds == ["interviewer", "respondent", "answers", "respondent", "interviewer"]


def test_nobody_asks_without_two_questions_and_a_second_speaker():
    once = turns(
        ("A", "Hoe gaat het?"), ("B", "Goed, dank u wel daarvoor."), ("A", "Mooi zo, dat hoor ik graag.")
    )
    assert {kind for kind, _ in turn_context(once).values()} == {"answers"}
    alone = turns(("A", "Wat nu?"), ("A", "En dan?"), ("A", "Wie weet dat nou?"))
    assert {kind for kind, _ in turn_context(alone).values()} == {"answers"}


def test_a_long_question_keeps_its_end():
    rows = turns(("I", "Eerst wat uitleg. " * 40 + "Hoe gaat het nu?"), ("R", "Goed, echt heel goed."))
    question = turn_context(rows)[2][1]
    assert len(question) == 400 and question.endswith("Hoe gaat het nu?")


# -- a suggest run in a project ---------------------------------------------------------------------

BOOK = """\
name: mini
codes:
  - name: Steungroep
    kind: context
    description: Een groep mensen rond de cliënt die steun geeft.
    keywords: [steungroep, groep]
  - name: Woning
    kind: outcome
    description: Een eigen huis als doel.
    keywords: [huis, woning]
  - name: Rust
    kind: outcome
    description: Rust en minder stress in het hoofd.
    keywords: [rust, stress]
"""
SENTENCES = [
    "De groep heeft een eigen doel voor mij.",
    "Rust in mijn hoofd is een eigen doel.",
    "De steungroep helpt mij echt met mijn huis.",
    "Ik wil een eigen huis en wat rust.",
    "De groep geeft mij rust.",
    "Het weer was mooi vandaag.",
    "Mijn woning geeft rust en ook de steungroep.",
    "Ik heb stress over het huis.",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Four interviews segmented, with a codebook of three codes with keywords."""
    folder = tmp_path_factory.mktemp("built")
    paths = []
    for n in range(4):
        text = "".join(
            f"I: Vraag {i} over van alles?\nR: {SENTENCES[(n + i) % len(SENTENCES)]}\n" for i in range(8)
        )
        paths.append(write(folder / f"int{n}.txt", text))
    path = folder / "p.qc"
    run("init", path)
    run("import", path, *paths)
    run("segment", path)
    run("codebook", "load", path, write(folder / "b.yaml", BOOK))
    return path


@pytest.fixture
def proj(built, tmp_path):
    path = shutil.copy(built, tmp_path / "p.qc")
    with Project.open(path) as project:
        yield project


def stored(project, run_id):
    with read_only(project) as conn:
        rows = conn.execute(
            "SELECT g.id, g.segment_id, k.name AS code, g.score, g.rank, g.shown FROM suggestions g "
            "JOIN codes k ON k.id = g.code_id WHERE g.run_id = ? ORDER BY g.segment_id, g.rank",
            (run_id,),
        ).fetchall()
        return [dict(r) for r in rows], run_store.run_config(conn, run_id)


def check_ranked_and_shown(rows, threshold):
    by_segment = {}
    for r in rows:
        by_segment.setdefault(r["segment_id"], []).append(r)
    for ranked in by_segment.values():
        assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
        assert [r["score"] for r in ranked] == sorted((r["score"] for r in ranked), reverse=True)
        assert ranked[0]["shown"] == 1  # only segments with something shown keep candidates
        for r in ranked:  # stored score and threshold are both rounded to 4 places
            assert r["score"] >= threshold if r["shown"] else r["score"] <= threshold, r
    return by_segment


def decide_two_sources(project):
    anna = project.reviewer("anna")
    for item in anna.pending(order="source"):
        if item.source in ("int0", "int1"):
            (anna.accept if item.code in ("Woning", "Rust") else anna.reject)(item.id)
    return anna


def test_a_run_stores_the_threshold_it_used_and_shows_only_from_it(proj):
    report = proj.suggest()
    rows, config = stored(proj, report.run_id)
    assert config["min_score"] is None
    assert config["threshold"] == report.threshold == 0.3  # no decisions yet: the default
    assert "expected_precision" not in config
    with second_connection(proj) as db:
        assert run_store.last_run_config(db.connection, "suggest") == config
    check_ranked_and_shown(rows, 0.3)
    assert {p.id for p in proj.reviewer("anna").pending()} == {r["id"] for r in rows if r["shown"]}

    anna = decide_two_sources(proj)
    report = proj.suggest(coder="anna")
    rows, config = stored(proj, report.run_id)
    assert config["threshold"] == round(report.threshold, 4) != 0.3  # learned from anna's decisions
    assert 0 < config["expected_precision"] <= 1
    with read_only(proj) as conn:
        assert run_store.last_run_config(conn, "suggest") == config
    check_ranked_and_shown(rows, config["threshold"])
    assert {r["shown"] for r in rows} == {0, 1}
    assert {p.id for p in anna.pending()} == {r["id"] for r in rows if r["shown"]}


def test_other_candidates_are_the_segments_next_codes_best_first(proj):
    decide_two_sources(proj)
    report = proj.suggest(coder="anna")
    rows, _ = stored(proj, report.run_id)
    by_segment = check_ranked_and_shown(rows, stored(proj, report.run_id)[1]["threshold"])
    ranked = next(r for r in by_segment.values() if len(r) >= 3 and r[1]["shown"])
    first, second, *rest = ranked
    with read_only(proj) as conn:
        others = suggestion_store.other_candidates(conn, first["id"], "anna")
        assert [o["id"] for o in others] == [second["id"]] + [r["id"] for r in rest]
        assert [o["code"] for o in others] == [second["code"]] + [r["code"] for r in rest]
    proj.reviewer("anna").reject(second["id"])
    with read_only(proj) as conn:
        assert [o["id"] for o in suggestion_store.other_candidates(conn, first["id"], "anna")] == [
            r["id"] for r in rest
        ]
        # Another coder's decisions are their own.
        assert len(suggestion_store.other_candidates(conn, first["id"], "bob")) == len(ranked) - 1


def test_an_explicit_min_score_overrides_the_threshold(proj):
    report = proj.suggest(min_score=0.45)
    rows, config = stored(proj, report.run_id)
    assert config["threshold"] == config["min_score"] == report.threshold == 0.45
    check_ranked_and_shown(rows, 0.45)
    assert {r["shown"] for r in rows} == {0, 1}
    decide_two_sources(proj)
    learned = proj.suggest(coder="anna").threshold
    report = proj.suggest(coder="anna", min_score=0.5)
    rows, config = stored(proj, report.run_id)
    assert learned != 0.5 and config["threshold"] == report.threshold == 0.5
    assert "expected_precision" not in config
    check_ranked_and_shown(rows, 0.5)


class Pipelines:
    """Stands in for ``runner.pipeline_for``: counts the loads, or refuses them."""

    def __init__(self, monkeypatch):
        self.loads, self.refuse, real = 0, False, runner.pipeline_for

        def pipeline_for(conn):
            if self.refuse:
                raise AssertionError("the spaCy pipeline was loaded again")
            self.loads += 1
            return real(conn)

        monkeypatch.setattr(runner, "pipeline_for", pipeline_for)


def woning_keywords(profiles):
    return {p.name: p.keywords for p in profiles}["Woning"]


def test_code_profiles_are_cached_until_the_codebook_changes(proj, tmp_path, monkeypatch):
    import dataclasses

    pipelines = Pipelines(monkeypatch)
    with second_connection(proj) as db:
        _, first, _, _ = runner.prepare(db, None, None)  # lemmatised now, unless kept already
    assert pipelines.loads <= 1
    pipelines.refuse = True
    with second_connection(proj) as db:
        _, again, segments, _ = runner.prepare(db, None, None)
    assert again == first and segments
    assert woning_keywords(again) == (("huis",), ("woning",))

    # A codebook that differs from the kept one is lemmatised again, and then kept.
    pipelines.refuse = False
    with second_connection(proj) as db:
        book = code_store.current_codebook(db.connection)
        book.codes = [dataclasses.replace(c, keywords=[*c.keywords, "dak"]) if c.name == "Woning" else c
                      for c in book.codes]  # fmt: skip
        loads = pipelines.loads
        assert woning_keywords(runner.cached_profiles(db, book)) == (("huis",), ("woning",), ("dak",))
        assert pipelines.loads == loads + 1
        pipelines.refuse = True
        assert woning_keywords(runner.cached_profiles(db, book))[-1] == ("dak",)

    # So is a changed codebook file, whether that happens on loading it or on suggesting.
    pipelines.refuse = False
    loads = pipelines.loads
    proj.load_codebook(
        write(tmp_path / "changed.yaml", BOOK.replace("[huis, woning]", "[huis, woning, tuin]"))
    )
    with second_connection(proj) as db:
        _, changed, _, _ = runner.prepare(db, None, None)
    assert pipelines.loads == loads + 1
    assert woning_keywords(changed) == (("huis",), ("woning",), ("tuin",))
    pipelines.refuse = True
    with second_connection(proj) as db:
        assert runner.prepare(db, None, None)[1] == changed


def test_segments_carry_who_speaks_and_what_was_asked(proj):
    with second_connection(proj) as db:
        segments = runner.segment_data(db.connection, "sentence")
    first = next(s for s in segments if s.source == "int0")
    assert first.text == SENTENCES[0]
    assert first.question == "Vraag 0 over van alles?"
    assert {s.speaker for s in segments} == {"answers"}  # the interviewer's turns are not segmented
