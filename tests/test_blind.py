"""Blind mode for agreement studies: nothing shows or uses several coders' work until the
owner reveals it, and agreement says afterwards which decisions were made blind."""

from __future__ import annotations

import pytest

from qualcode import ConflictError, Project
from tests.test_cli import run
from tests.test_review_queue import project  # noqa: F401  (fixture)


def test_blind_mode_refuses_what_would_show_other_coders(project, tmp_path):  # noqa: F811
    project.blind(True)
    for coder in ("anna", "bob"):
        reviewer = project.reviewer(coder)
        for item in reviewer.pending(order="source")[:5]:
            reviewer.accept(item.id)
    refused = [
        lambda: project.export("xlsx", tmp_path / "f.xlsx"),
        lambda: project.export("qdpx", tmp_path / "p.qdpx"),
        lambda: project.evidence_tables(),
        lambda: project.cooccurrence(),
        lambda: project.agreement(["anna", "bob"]),
        lambda: project.export_codings(tmp_path / "all.csv"),
        lambda: project.suggest("ensemble"),
        lambda: project.coder_model("anna", learn_from="all"),
    ]
    for call in refused:
        with pytest.raises(ConflictError, match="blind mode"):
            call()
    # A coder's own work stays available: their codings, their queue, their retraining.
    assert project.export_codings(tmp_path / "anna.csv", coder="anna") == 5
    project.coder_model("anna").retrain()
    assert project.blind()["decisions"] == {"anna": (5, 5), "bob": (5, 5)}
    project.blind(False)
    report = project.agreement(["anna", "bob"])
    assert report.blind == {"anna": (5, 5), "bob": (5, 5)}
    assert "decided in blind mode: anna 5 of 5 decisions, bob 5 of 5 decisions" in report.to_text()


def test_decisions_before_blind_mode_are_not_counted_as_blind(project):  # noqa: F811
    anna = project.reviewer("anna")
    items = anna.pending(order="source")
    anna.accept(items[0].id)
    project.blind(True)
    anna.accept(items[1].id)
    project.blind(False)
    assert project.blind()["decisions"] == {"anna": (1, 2)}


def test_blind_command(project, tmp_path):  # noqa: F811
    assert run("blind", project.path).output.startswith("blind mode is off")
    assert run("blind", project.path, "on").output.startswith("blind mode is on")
    result = run("export", project.path, "--format", "xlsx", "-o", tmp_path / "blind.xlsx", ok=False)
    assert "blind mode" in result.output and "qualcode blind off" in result.output
    with Project.open(project.path) as again:
        assert again.blind()["blind"]
