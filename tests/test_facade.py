"""The Project facade: each method says what it does, and "the latest suggest run" means one
thing everywhere (the latest finished run, even one that stored no suggestions)."""

from __future__ import annotations

import inspect

import pytest

from qualcode import Project
from tests.conftest import add_suggestions
from tests.test_coding_cli import one_interview_project

PUBLIC = sorted(
    name for name, member in inspect.getmembers(Project) if not name.startswith("_") and callable(member)
)

# A phrase each docstring must hold: it fails when docstrings shift by one method again.
DOCUMENTED_AS = {
    "cooccurrence": "co-occurrence",
    "cmo_configurations": "context-mechanism-outcome",
    "framework_matrix": "cases x codes",
    "evidence_tables": "per mechanism and bottleneck",
    "reviewer": "review operations",
    "add_memo": "memo on",
    "topics": "bertopic",
    "segment": "segments",
    "export": "csv",
    "agreement": "kappa",
}


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_method_has_its_own_docstring(name):
    doc = inspect.getdoc(getattr(Project, name))
    assert doc, name
    others = [n for n in PUBLIC if n != name and inspect.getdoc(getattr(Project, n)) == doc]
    assert others == [], f"{name} shares its docstring with {others}"


@pytest.mark.parametrize(("name", "phrase"), sorted(DOCUMENTED_AS.items()))
def test_docstrings_describe_their_own_method(name, phrase):
    assert phrase in inspect.getdoc(getattr(Project, name)).lower()


@pytest.fixture
def suggested(tmp_path):
    path = one_interview_project(tmp_path)
    with Project.open(path) as project:
        project.suggest("lexical", min_score=0.0)
        yield project


def test_a_suggest_run_without_suggestions_is_the_latest_everywhere(suggested):
    project = suggested
    before = project.reviewer("anna").pending()
    assert before, "the lexical suggester found something to suggest"
    assert project.reviewer("anna").progress() == (0, len(before))
    empty_run = add_suggestions(project, [])
    assert project.runs("suggest")[-1]["id"] == empty_run
    # The review queue, the progress, the suggestions list and "unreviewed" in the findings
    # all follow the latest run, not the latest run that happened to store suggestions.
    assert project.reviewer("anna").pending() == []
    assert project.reviewer("anna").progress() == (0, 0)
    assert project.suggestions() == []
    included = project.evidence_tables(include="all", kinds=("mechanism", "bottleneck", "outcome"))
    assert all(t.unreviewed == 0 for t in included)
    assert f"(run {empty_run})" in project.cooccurrence(include="all").included
    assert "the 0 suggestions" in project.cooccurrence(include="all").included


def test_suggest_again_repeats_the_latest_run(suggested):
    first = suggested.runs("suggest")[-1]
    report = suggested.suggest_again()
    again = suggested.runs("suggest")[-1]
    assert report.run_id == again["id"] != first["id"]
    assert again["config"] == first["config"]
    assert suggested.last_suggester() == "lexical"
    assert again["versions"]["scikit-learn"] and again["versions"]["qualcode"]
