"""Topics: BERTopic over the segments, stored runs, promotion to a draft code, the CLI."""

from __future__ import annotations

import random
import sys
import warnings
from collections import Counter

import pytest
from click.testing import CliRunner

from qualcode import Project
from qualcode.cli.topics import topics as topics_cli
from qualcode.errors import ConflictError, InputError, MissingDependencyError
from tests.conftest import REPO, TRANSCRIPTS, read_only, write
from tests.test_embed import tiny_model  # noqa: F401

THEMES = {
    "woning": [
        "De wachtlijst voor een woning is lang",
        "Ik wil graag een eigen huis met een voordeur",
        "De woning van de corporatie was te duur",
        "Op de wachtlijst staan duizenden mensen voor een huis",
        "Een sociale huurwoning vinden duurt jaren, de wachtlijst is lang",
        "Het huis had een kleine keuken en een slaapkamer",
        "De woningcorporatie belde over een woning",
        "Mijn huis is eindelijk van mij, na de wachtlijst",
    ],
    "steungroep": [
        "De steungroep kwam elke maand bij elkaar",
        "Mijn familie zit ook in de steungroep",
        "Mijn zus en mijn broer steunen mij, de familie helpt",
        "De familie wilde eerst geen contact",
        "In de steungroep zitten mijn moeder en mijn zus",
        "Mijn vader belde de steungroep op",
        "De familie kwam samen met de steungroep",
        "Met mijn broer en zus gaat het contact in de familie weer beter",
    ],
    "werk": [
        "Ik werk drie dagen per week in de dagbesteding",
        "De dagbesteding geeft mij structuur en werk",
        "Bij de fietsenmaker heb ik werk gevonden, naast de dagbesteding",
        "Werk geeft mij een reden om op te staan",
        "Op de dagbesteding maak ik meubels in de werkplaats",
        "Mijn baas op het werk is tevreden",
        "De werkplaats van de dagbesteding is open op maandag",
        "Betaald werk vinden is lastig zonder diploma",
    ],
}
TAILS = ["", ", zei ze", " en dat vond ik fijn", ", vertelde hij vorige week", " in die tijd"]
SPEAKERS = {"Anna": "client", "Bert": "professional", "Carla": "naaste"}
WORDS = {"woning": {"woning", "wachtlijst", "huis"}, "steungroep": {"steungroep", "familie", "zus", "broer"},
         "werk": {"werk", "dagbesteding", "werkplaats"}}  # fmt: skip


def _corpus(tails=TAILS) -> list[list[tuple[str, str]]]:
    """Three interviews, each talking about the three themes in turn (in another order), in
    stretches of shuffled sentences, as people do."""
    rng = random.Random(0)
    by_theme = {}
    for theme, cores in THEMES.items():
        sentences = [(theme, f"{core}{tail}.") for core in cores for tail in tails]
        rng.shuffle(sentences)
        by_theme[theme] = [sentences[n::3] for n in range(3)]
    themes = list(THEMES)
    return [[s for t in themes[n:] + themes[:n] for s in by_theme[t][n]] for n in range(3)]


@pytest.fixture(scope="module")
def corpus_project(tmp_path_factory):
    """Three interviews with 120 sentences on three themes, one sentence per turn."""
    root = tmp_path_factory.mktemp("topics")
    folder = root / "interviews"
    folder.mkdir()
    interviews = _corpus()
    speakers = list(SPEAKERS)
    for n, part in enumerate(interviews):
        text = "".join(f"{speakers[(n + i) % 3]}: {s}\n" for i, (_, s) in enumerate(part))
        write(folder / f"int{n}.txt", text)
    participants = write(
        root / "participants.csv",
        "speaker,case,role\n" + "".join(f"{s},{s},{r}\n" for s, r in SPEAKERS.items()),
    )
    path = root / "study.qc"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Project.create(path) as project:
            project.import_transcripts([folder], participants=participants)
            project.segment("sentence")
    return path, {s: theme for part in interviews for theme, s in part}


@pytest.fixture
def study(corpus_project, tmp_path):
    """A fresh copy of the corpus project per test."""
    source, themes = corpus_project
    with Project.open(source) as project:
        copy = project.backup(tmp_path / "study.qc")
    with Project.open(copy) as project:
        yield project, themes


def _assignments(project, run_id: int) -> dict[int, int]:
    rows = read_only(project).execute(
        "SELECT segment_id, topic FROM topic_segments WHERE run_id = ?", (run_id,)
    )
    return dict(rows.fetchall())


def test_quick_mode_finds_the_three_themes(study):
    pytest.importorskip("bertopic")
    project, themes = study
    report = project.topics(mode="quick", n_topics=3, seed=1)
    assert report.segments == 120 and report.outliers == 0
    assert [t.topic for t in report.topics] == [0, 1, 2]
    texts = {s.id: s.text for s in project.segments()}
    members: dict[int, list[str]] = {}
    for segment_id, topic in _assignments(project, report.run_id).items():
        members.setdefault(topic, []).append(themes[texts[segment_id]])
    found = set()
    for row in report.topics:
        theme, count = Counter(members[row.topic]).most_common(1)[0]
        assert count / len(members[row.topic]) >= 0.9, (row.label, Counter(members[row.topic]))
        assert WORDS[theme] & set(row.top_words[:5]), (theme, row.words)
        assert len(row.words) <= 10 and row.label == " · ".join(row.top_words[:3])
        assert row.size == len(members[row.topic])
        assert len(row.representatives) == 3
        assert len({r.source for r in row.representatives}) == 3  # one quote per interview
        assert all(themes[r.text] == theme for r in row.representatives)
        found.add(theme)
    assert found == set(THEMES)


def test_the_same_seed_gives_the_same_topics(study):
    pytest.importorskip("bertopic")
    project, _ = study
    first = project.topics(n_topics=3, seed=7)
    second = project.topics(n_topics=3, seed=7)
    assert second.run_id != first.run_id
    assert [(t.label, t.size, t.words) for t in first.topics] == [
        (t.label, t.size, t.words) for t in second.topics
    ]
    assert list(_assignments(project, first.run_id).items()) == list(
        _assignments(project, second.run_id).items()
    )


def test_the_run_is_stored_with_its_settings(study):
    pytest.importorskip("bertopic")
    project, _ = study
    report = project.topics(mode="quick", n_topics=3, seed=2)
    run = read_only(project).execute("SELECT * FROM runs WHERE id = ?", (report.run_id,)).fetchone()
    assert run["kind"] == "topics" and run["finished_at"]
    import json

    config, versions = json.loads(run["config"]), json.loads(run["versions"])
    assert {k: config[k] for k in ("mode", "n_topics", "seed", "embedder", "model", "unit")} == {
        "mode": "quick", "n_topics": 3, "seed": 2, "embedder": "tfidf", "model": None, "unit": "sentence",
    }  # fmt: skip
    assert {"bertopic", "umap-learn", "hdbscan", "qualcode"} <= set(versions)
    assert json.loads(run["summary"])["segments"] == 120
    stored = (
        read_only(project)
        .execute(
            "SELECT COUNT(*), SUM(representative) FROM topic_segments WHERE run_id = ?", (report.run_id,)
        )
        .fetchone()
    )
    assert stored[0] == 120 and stored[1] == 9  # three quotes per topic
    assert config["include_interviewer"] is False and config["context"] == [0.5, 0.25, 0.125]
    assert config["excluded"]["names"] == ["anna", "bert", "carla"]


def test_spread_counts_match_the_roles_cases_and_sources(study):
    pytest.importorskip("bertopic")
    project, _ = study
    report = project.topics(n_topics=3)
    segments = {s.id: s for s in project.segments()}
    for row in report.topics:
        ids = [i for i, t in _assignments(project, report.run_id).items() if t == row.topic]
        assert row.spread["role"] == dict(Counter(segments[i].role for i in ids))
        assert row.spread["case"] == dict(Counter(segments[i].case for i in ids))
        assert row.spread["source"] == dict(Counter(segments[i].source for i in ids))
    total = {"role": Counter(), "case": Counter()}
    for row in report.topics:
        for by in total:
            total[by].update(row.spread[by])
    # Speakers take turns, so each of the three speaks 40 of the 120 sentences.
    assert total["role"] == {"client": 40, "professional": 40, "naaste": 40}
    assert total["case"] == {"Anna": 40, "Bert": 40, "Carla": 40}
    assert [t.spread for t in project.topic_overview()] == [t.spread for t in report.topics]


def test_without_context_segments_are_placed_alone(study):
    pytest.importorskip("bertopic")
    project, themes = study
    report = project.topics(n_topics=3, context=False)
    run = read_only(project).execute("SELECT config FROM runs WHERE id = ?", (report.run_id,)).fetchone()
    import json

    assert json.loads(run["config"])["context"] == []
    texts = {s.id: s.text for s in project.segments()}
    for topic in {t for t in _assignments(project, report.run_id).values()}:
        members = [themes[texts[i]] for i, t in _assignments(project, report.run_id).items() if t == topic]
        assert Counter(members).most_common(1)[0][1] / len(members) >= 0.9


# -- what topics are about: respondents' words, no names, places or fillers ---------------------

NAMED_TAILS = {  # each theme's sentences name a person, a place or an organisation, with fillers
    "woning": [" in Zwolle", ", eh, in Zwolle", ", nou, in Deventer", ", weet je", ""],
    "steungroep": [", zei Marloes", " met Marloes", ", zeg maar", ", eh, met Kooistra", ""],
    "werk": [" bij De Brug", " bij Veenstra", ", nou ja, zei mijn begeleider", ", ehm, bij De Brug", ""],
}
QUESTIONS = {
    "woning": "Hoe ging het met de woning en de wachtlijst?",
    "steungroep": "Wat deed de familie, de steungroep?",
    "werk": "En het werk, de dagbesteding?",
}
NAMED_PARTICIPANTS = """speaker,source,case,role,city,organisation,function
Iris,,,interviewer,,,
Anna,int0,Kooistra,client,Zwolle,De Brug,
Bert,int1,Veenstra,professional,Deventer,,Begeleider
Carla,int2,Kooistra,naaste,Zwolle,,
"""
# Dan, who asks in int2, is in no participants file: he is found as the one who asks.
INTERVIEWS = [("Iris", "Anna"), ("Iris", "Bert"), ("Dan", "Carla")]
NAMES = {"anna", "bert", "carla", "iris", "dan", "kooistra", "veenstra"}
PLACES = {"zwolle", "deventer", "brug"}
DECLARED = NAMES | PLACES


@pytest.fixture(scope="module")
def named_project(tmp_path_factory):
    """Three interviews: a question per theme, answered in turns of two sentences that name
    people, places and an organisation; the interviewer's turns segmented too."""
    root = tmp_path_factory.mktemp("named")
    folder = root / "interviews"
    folder.mkdir()
    rng = random.Random(1)
    questions = 0
    for n, (asker, respondent) in enumerate(INTERVIEWS):
        lines = []
        for theme in list(THEMES)[n:] + list(THEMES)[:n]:
            sentences = [f"{core}{tail}." for core in THEMES[theme] for tail in NAMED_TAILS[theme]]
            rng.shuffle(sentences)
            lines.append(f"{asker}: {QUESTIONS[theme]}")
            questions += 1
            for i in range(0, len(sentences), 2):
                lines.append(f"{respondent}: {' '.join(sentences[i : i + 2])}")
                if i % 8 == 6:
                    lines.append(f"{asker}: En toen?")
                    questions += 1
        write(folder / f"int{n}.txt", "\n\n".join(lines) + "\n")
    participants = write(root / "participants.csv", NAMED_PARTICIPANTS)
    path = root / "named.qc"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Project.create(path) as project:
            project.import_transcripts([folder], participants=participants)
            project.segment("sentence", include_interviewer=True)
    return path, questions


@pytest.fixture
def named(named_project, tmp_path):
    source, questions = named_project
    with Project.open(source) as project:
        copy = project.backup(tmp_path / "named.qc")
    with Project.open(copy) as project:
        yield project, questions


def _topic_words(report) -> set[str]:
    return {part for t in report.topics for word in t.top_words for part in word.split()}


def test_names_places_and_fillers_are_no_topic_words(named):
    pytest.importorskip("bertopic")
    from qualcode.embed.stopwords import fillers

    project, _ = named
    report = project.topics(n_topics=3, seed=1)
    words = _topic_words(report)
    assert {"woning", "steungroep", "werk"} <= words
    assert not words & (DECLARED | {"marloes"}), words & (DECLARED | {"marloes"})
    assert not words & fillers("nl")
    assert set(report.excluded["names"]) >= NAMES
    # "Begeleider" (Bert's function) is written "begeleider" in the interviews: a common noun.
    assert set(report.excluded["attributes"]) == PLACES
    assert report.excluded["proper_nouns"] == ["marloes"]  # the one name the project does not know


def test_proper_nouns_stay_when_asked_and_project_words_go(named):
    pytest.importorskip("bertopic")
    project, _ = named
    kept = project.topics(n_topics=3, seed=1, exclude_proper_nouns=False)
    assert "marloes" in _topic_words(kept) and not _topic_words(kept) & DECLARED
    assert kept.excluded["proper_nouns"] == []
    report = project.topics(n_topics=3, seed=1, exclude_words=["Wachtlijst", "dagbesteding"])
    assert not _topic_words(report) & {"wachtlijst", "dagbesteding"}
    assert report.excluded["exclude_words"] == ["dagbesteding", "wachtlijst"]


def test_interviewer_turns_are_left_out_unless_included(named):
    pytest.importorskip("bertopic")
    project, questions = named
    segments = {s.id: s for s in project.segments()}
    asking = {i for i, s in segments.items() if s.speaker in ("Iris", "Dan")}
    assert len(asking) == questions  # one sentence a question, Dan's as well as Iris's
    report = project.topics(n_topics=3)
    assert report.interviewer_segments == questions
    assert report.segments == len(segments) - questions
    assert set(_assignments(project, report.run_id)) == set(segments) - asking
    assert "interviewer" not in {role for t in report.topics for role in t.spread["role"]}
    included = project.topics(n_topics=3, include_interviewer=True)
    assert included.interviewer_segments == 0 and included.segments == len(segments)
    assert set(_assignments(project, included.run_id)) == set(segments)
    roles = Counter()
    for t in included.topics:
        roles.update(t.spread["role"])
    # Dan is in no participants file: his segments have no role, Iris's are the interviewer's.
    iris = sum(1 for i in asking if segments[i].speaker == "Iris")
    assert roles["interviewer"] == iris and roles["(no role)"] == questions - iris


def test_only_interviewer_segments_is_an_error(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "a.txt", "Iris: Hoe gaat het met de woning?\n\nIris: En het werk?\n")
    participants = write(tmp_path / "p.csv", "speaker,case,role\nIris,,interviewer\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Project.create(tmp_path / "q.qc") as project:
            project.import_transcripts([folder], participants=participants)
            project.segment("sentence", include_interviewer=True)
            with pytest.raises(ConflictError, match="every sentence segment is an interviewer's"):
                project.topics(n_topics=2)


def test_three_quotes_from_different_interviews(named):
    pytest.importorskip("bertopic")
    project, _ = named
    for topic in project.topics(n_topics=3).topics:
        assert len(topic.representatives) == 3
        assert len({q.source for q in topic.representatives}) == 3
        assert all(len(q.text.split()) >= 8 for q in topic.representatives)
        assert all(q.speaker in ("Anna", "Bert", "Carla") for q in topic.representatives)


def test_an_older_run_gets_its_spread_by_case_from_the_assignments(study):
    pytest.importorskip("bertopic")
    from qualcode.store import topics as topic_store
    from tests.conftest import second_connection

    project, _ = study
    report = project.topics(n_topics=3)
    old = [(t.topic, t.label, "[]", t.size, '{"role": {}}') for t in report.topics]
    with second_connection(project) as db, db.transaction() as conn:
        from qualcode.store import runs

        run = runs.start_run(conn, "topics", {}, {})
        topic_store.insert_topics(conn, run, old)
        assigned = _assignments(project, report.run_id)
        topic_store.insert_topic_segments(conn, run, [(t, s, None, 0) for s, t in assigned.items()])
        runs.finish_run(conn, run, {})
    assert [t.spread for t in project.topic_overview(run)] == [t.spread for t in report.topics]


def test_word_lists_and_the_proper_noun_rule():
    from qualcode.embed.stopwords import (
        capitalised_words,
        capitals,
        fillers,
        name_words,
        proper_nouns,
        without_phrases,
    )

    assert {"eh", "ja", "nou", "gewoon", "eigenlijk", "inderdaad"} <= fillers("nl")
    assert {"um", "yeah", "like", "actually"} <= fillers("en") and fillers("de") == frozenset()
    assert name_words("meneer De Vries") == {"meneer", "de", "vries"}
    assert capitalised_words("netwerk Marco") == {"marco"}
    assert without_phrases("it kind of work you know", "en").split() == ["it", "work"]
    texts = [
        "Ik ging met Marloes naar Almere. Marloes zei: Dat is goed.",
        "Toen kwam Marloes in Almere, bij De Overloop, via de Resource-methode.",
        "Ze gebruikten PDP en ICE, zei ze, en de overloop was vol.",
        'Ik zei "Nee" tegen haar.',
    ]
    # Marloes twice inside a sentence (once after a full stop: not counted); Overloop once
    # with a capital, once without; abbreviations, a compound ending in a common noun and a
    # word after a quote never count.
    assert proper_nouns(texts) == {"marloes", "almere"}
    assert proper_nouns(texts, min_count=1) == {"marloes", "almere"}
    assert proper_nouns(texts, min_count=1, share=0.5) == {"marloes", "almere", "overloop"}
    written = capitals(texts + ["Mijn Begeleider, zei de begeleider van de begeleider."])
    assert written.common({"marloes", "overloop", "begeleider", "nergens"}) == {"overloop", "begeleider"}


def test_exploratory_mode_runs_and_stores(study):
    pytest.importorskip("bertopic")
    project, themes = study
    report = project.topics(mode="exploratory", seed=1)
    assert report.mode == "exploratory"
    assert sum(t.size for t in report.topics) == 120
    assert any(t.topic >= 0 for t in report.topics)
    assert all(t.label == "outliers" for t in report.topics if t.topic == -1)
    assert len(_assignments(project, report.run_id)) == 120
    assert project.topic_overview()[0].topic == 0


def test_sentence_transformers_from_a_local_folder(study, tiny_model):  # noqa: F811
    pytest.importorskip("bertopic")
    project, _ = study
    report = project.topics(n_topics=3, embedder="sentence-transformers", model=str(tiny_model))
    assert sum(t.size for t in report.topics) == 120
    with pytest.raises(InputError, match="needs a local model: --model PATH"):
        project.topics(embedder="sentence-transformers")


def test_promote_makes_a_draft_code_from_the_representatives(study):
    pytest.importorskip("bertopic")
    project, _ = study
    report = project.topics(n_topics=3)
    versions = len(project.codebook_versions())
    topic = report.topics[1]
    assert project.promote_topic(1, "Herstel van vertrouwen") == "Herstel van vertrouwen"
    code = project.codebook().by_name()["Herstel van vertrouwen"]
    assert code.kind == "theme"
    assert code.examples == [r.text for r in topic.representatives] and len(code.examples) == 3
    assert code.keywords == topic.top_words[:5]
    assert code.description == f"Draft from topic 1: {', '.join(topic.top_words[:5])}"
    assert len(project.codebook_versions()) == versions + 1
    assert project.topic_overview()[1].promoted_code == "Herstel van vertrouwen"
    with pytest.raises(ConflictError, match="already has a code named 'Herstel van vertrouwen'"):
        project.promote_topic(2, "Herstel van vertrouwen")
    with pytest.raises(ConflictError, match="already promoted to the code 'Herstel van vertrouwen'"):
        project.promote_topic(1, "Iets anders")
    with pytest.raises(InputError, match=r"has no topic 9; its topics are: 0, 1, 2"):
        project.promote_topic(9, "Negen")
    with pytest.raises(InputError, match="no topics run 99"):
        project.promote_topic(0, "Nul", run_id=99)


def test_no_topic_run_yet(project):
    with pytest.raises(ConflictError, match="no topic run yet; run: qualcode topics PROJECT"):
        project.promote_topic(0, "Wonen")
    with pytest.raises(ConflictError, match="no topic run yet"):
        project.topic_overview()
    with pytest.raises(ConflictError, match="no segments yet; run: qualcode segment"):
        project.topics()


def test_bad_options(study):
    project, _ = study
    with pytest.raises(InputError, match="unknown topic mode 'fast'; choose one of: quick, exploratory"):
        project.topics(mode="fast")
    with pytest.raises(InputError, match="--n-topics must be a whole number of at least 2, not 1"):
        project.topics(n_topics=1)


def test_missing_bertopic_says_what_to_install(study, monkeypatch):
    project, _ = study
    monkeypatch.setitem(sys.modules, "bertopic", None)
    with pytest.raises(MissingDependencyError, match=r"needs BERTopic: pip install 'qualcode\[topics\]'"):
        project.topics()


def _cli(*args, ok=True):
    result = CliRunner().invoke(topics_cli, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


def test_cli_runs_by_default_and_shows_and_promotes(study):
    pytest.importorskip("bertopic")
    project, _ = study
    path = project.path
    result = _cli(path, "--mode", "quick", "--n-topics", "3")
    assert "topics run" in result.output and "(quick): 3 topics in 120 sentence segments" in result.output
    assert _cli("--n-topics", "3", path).output.startswith("topics run")  # options first work too
    assert _cli("run", path, "--n-topics", "3").output.startswith("topics run")
    shown = _cli("show", path).output
    assert "topic   size  label" in shown and "words:" in shown and "- " in shown
    assert "cases (3): " in shown and shown.count("\n              - ") == 9  # three quotes a topic
    result = _cli("promote", path, "0", "--name", "Wonen")
    assert "added the draft code 'Wonen' (kind theme) from topic 0" in result.output
    assert "promoted to code: Wonen" in _cli("show", path, "--no-examples").output


def test_cli_leaves_out_the_interviewer_and_the_words_asked(named):
    pytest.importorskip("bertopic")
    project, questions = named
    result = _cli(
        project.path, "--n-topics", "3", "--exclude-words", "wachtlijst, huis", "--exclude-words", "werk"
    )
    assert f", {questions} interviewer segments left out," in result.output
    assert "left out (exclude words): huis, wachtlijst, werk\n" in result.output
    assert "left out (proper nouns): marloes\n" in result.output
    table = result.output.split("topic   size")[1]
    assert "words:" in table and "wachtlijst" not in table and "huis" not in table
    result = _cli(
        project.path, "--n-topics", "3", "--include-interviewer", "--keep-proper-nouns", "--no-context"
    )
    assert "interviewer segments left out" not in result.output and "(proper nouns)" not in result.output


def test_cli_errors(project):
    result = _cli("promote", project.path, "0", "--name", "Wonen", ok=False)
    assert result.exit_code == 1
    assert result.output == "Error: the project has no topic run yet; run: qualcode topics PROJECT\n"
    result = _cli(project.path, "--mode", "fast", ok=False)
    assert result.exit_code == 2 and "'fast' is not one of 'quick', 'exploratory'" in result.output
    assert "promote" in _cli("--help").output


def _example_names() -> set[str]:
    """Every name of a participant in the example study: the capitalised words of
    participants.csv and the respondent's name that ends each transcript's file name."""
    import csv
    import re

    names = set()
    with (TRANSCRIPTS / "participants.csv").open(encoding="utf-8") as handle:
        for row in csv.reader(handle):
            names |= {w.lower() for cell in row for w in re.findall(r"\b[A-Z][a-z]+\b", cell)}
    names |= {p.stem.rsplit("_", 1)[-1].lower() for p in TRANSCRIPTS.iterdir() if "_" in p.stem}
    return names


@pytest.mark.slow
def test_quick_mode_on_the_example_study(tmp_path):
    """The example study's topics name no participant and no filler (issue 14)."""
    pytest.importorskip("bertopic")
    from qualcode.embed.stopwords import fillers

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        project = Project.create(tmp_path / "example.qc")
        project.import_transcripts([TRANSCRIPTS], participants=TRANSCRIPTS / "participants.csv")
        project.segment("sentence")
    report = project.topics(mode="quick", n_topics=8, seed=1)
    project.close()
    assert report.segments > 2000 and len([t for t in report.topics if t.topic >= 0]) == 8
    words = _topic_words(report)
    names = _example_names()
    assert {"marco", "ellen", "henk", "fatima", "dewi"} <= names
    assert not words & names, words & names
    assert not words & fillers("nl"), words & fillers("nl")
    assert "marloes" in report.excluded["proper_nouns"]  # named in the interviews, in no file
    assert all(len(t.representatives) == 3 for t in report.topics if t.topic >= 0)
    assert REPO.is_dir()
