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


def _corpus() -> list[tuple[str, str]]:
    sentences = [
        (theme, f"{core}{tail}.") for theme, cores in THEMES.items() for core in cores for tail in TAILS
    ]
    random.Random(0).shuffle(sentences)
    return sentences


@pytest.fixture(scope="module")
def corpus_project(tmp_path_factory):
    """Three interviews with 120 sentences on three themes, one sentence per turn."""
    root = tmp_path_factory.mktemp("topics")
    folder = root / "interviews"
    folder.mkdir()
    sentences = _corpus()
    speakers = list(SPEAKERS)
    for n in range(3):
        part = sentences[n * 40 : (n + 1) * 40]
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
    return path, {s: theme for theme, s in sentences}


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
        assert 1 <= len(row.representatives) <= 5
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
    assert stored[0] == 120 and stored[1] == 15


def test_spread_counts_match_the_roles_and_sources(study):
    pytest.importorskip("bertopic")
    project, _ = study
    report = project.topics(n_topics=3)
    segments = {s.id: s for s in project.segments()}
    for row in report.topics:
        ids = [i for i, t in _assignments(project, report.run_id).items() if t == row.topic]
        assert row.spread["role"] == dict(Counter(segments[i].role for i in ids))
        assert row.spread["source"] == dict(Counter(segments[i].source for i in ids))
    total = Counter()
    for row in report.topics:
        total.update(row.spread["role"])
    assert total == {"client": 40, "professional": 40, "naaste": 40}


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
    assert code.examples == [r.text for r in topic.representatives] and len(code.examples) == 5
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
    result = _cli("promote", path, "0", "--name", "Wonen")
    assert "added the draft code 'Wonen' (kind theme) from topic 0" in result.output
    assert "promoted to code: Wonen" in _cli("show", path, "--no-examples").output


def test_cli_errors(project):
    result = _cli("promote", project.path, "0", "--name", "Wonen", ok=False)
    assert result.exit_code == 1
    assert result.output == "Error: the project has no topic run yet; run: qualcode topics PROJECT\n"
    result = _cli(project.path, "--mode", "fast", ok=False)
    assert result.exit_code == 2 and "'fast' is not one of 'quick', 'exploratory'" in result.output
    assert "promote" in _cli("--help").output


@pytest.mark.slow
def test_quick_mode_on_the_example_study(tmp_path):
    pytest.importorskip("bertopic")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        project = Project.create(tmp_path / "example.qc")
        project.import_transcripts([TRANSCRIPTS], participants=TRANSCRIPTS / "participants.csv")
        project.segment("sentence")
    report = project.topics(mode="quick", n_topics=8, seed=1)
    project.close()
    assert report.segments > 2000 and len([t for t in report.topics if t.topic >= 0]) == 8
    assert REPO.is_dir()
