"""Suggesting for a corpus too large to hold: fitting on a sample (the labelled segments, their
neighbours and a fixed share of the rest, at most so many labelled ones with the uncoded
weighted up), and scoring and storing batch by batch. The limits are lowered here so that the
bundled example is "large"."""

from __future__ import annotations

import shutil
from contextlib import closing

import numpy as np
import pytest

from qualcode import Project
from qualcode.store import segments as segment_store
from qualcode.store.db import Database
from qualcode.suggest import Labels, corpus, runner
from qualcode.suggest.ensemble import best_threshold
from tests.conftest import REPO

EXAMPLE = REPO / "qualcode" / "example"
SOURCES = ("ams_client_marco", "ams_professional_fatima", "hlm_naaste_henk", "ams_naaste_ellen")


@pytest.fixture
def example(tmp_path):
    """Four of the example's interviews, segmented, with the Dutch codebook and the fictional
    coder's codings on three of them."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in SOURCES:
        shutil.copy(EXAMPLE / "transcripts" / f"{name}.txt", folder)
    codings = tmp_path / "codings.csv"
    lines = (EXAMPLE / "codings" / "noor-fictief.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    codings.write_text(
        "".join(line for line in lines if not line.startswith("hlm_professional_karim")), "utf-8"
    )
    with pytest.warns(Warning), Project.create(tmp_path / "p.qc") as project:
        project.import_transcripts([folder], participants=EXAMPLE / "transcripts" / "participants.csv")
        project.segment("sentence")
        project.load_codebook(EXAMPLE / "codebooks" / "netwerkondersteuning.yaml")
        project.import_codings(codings)
    return tmp_path / "p.qc"


def _run(project, run_id=None) -> list[tuple]:
    return sorted(
        (r["source"], r["start"], r["end"], r["code"], r["score"]) for r in project.suggestions(run_id)
    )


def test_labels_sampled_keep_every_decision_and_weight_the_uncoded_they_sample():
    coded = {i: set() for i in range(100)} | {100: {"A"}, 101: {"B"}, 102: set()}
    labels = Labels(coded=coded, rejected={102: {"A"}, 200: {"B"}})
    assert labels.sampled(1000) is labels  # small enough already
    sampled = labels.sampled(24)
    empty = [s for s, codes in sampled.coded.items() if not codes and s not in labels.rejected]
    assert {100, 101, 102} <= set(sampled.coded) and sampled.rejected == labels.rejected
    assert len(empty) == 24 - 4  # room left by the four decided segments
    assert sampled.empty_weight == pytest.approx(100 / 20)
    assert (
        sampled.weight(empty[0]) == pytest.approx(5.0) and sampled.weight(100) == sampled.weight(102) == 1.0
    )
    assert sampled.sampled(24).coded.keys() == sampled.coded.keys()  # the same sample again
    # The weighted total stands for the whole: 20 sampled x 5 = the 100 uncoded segments.
    assert sum(sampled.weight(s) for s in sampled.coded if s not in labels.rejected) == pytest.approx(102)


def test_the_threshold_counts_each_row_as_often_as_it_stands_for():
    probability = np.array([0.9, 0.8, 0.6, 0.4])
    truth = np.array([1.0, 0.0, 1.0, 0.0])
    # Unweighted, showing from 0.6 gives F1 = 2*2/(3+2) = 0.8; with the 0.8 row standing for
    # ten such rows showing only the 0.9 one is best (F1 2/(1+2) = 0.67 against 4/14).
    assert best_threshold(probability, truth)[0] == 0.6
    threshold, precision = best_threshold(probability, truth, np.array([1.0, 10.0, 1.0, 1.0]))
    assert threshold == 0.9 and precision == 1.0


def test_a_large_project_is_fitted_on_its_labelled_segments_their_neighbours_and_a_share(
    example, monkeypatch
):
    monkeypatch.setattr(corpus, "FIT_SEGMENTS", 300)
    with closing(Database.open(example)) as db:
        unit, _, sample, known = runner.prepare(db, None, None, sample=True)
        total = segment_store.segment_count(db.connection, unit)
        ids = {s.id for s in sample}
        labelled = set(known.coded) | set(known.rejected)
        assert labelled <= ids and len(labelled) < len(ids) < total
        again = {s.id for s in runner.prepare(db, None, None, sample=True)[2]}
        assert again == ids  # a fixed sample, not a new one each run
        everything = runner.segment_data(db.connection, unit)
        by_place = {(s.source, s.order): s.id for s in everything}
        for s in everything:
            if s.id in labelled:
                neighbours = {by_place.get((s.source, s.order + d)) for d in (-1, 1)} - {None}
                assert neighbours <= ids
        # The uncoded interview is fitted on a share of its segments only.
        ellen = [s for s in everything if s.source == "ams_naaste_ellen"]
        kept = [s for s in ellen if s.id in ids]
        assert 0 < len(kept) < len(ellen)


def test_scoring_batch_by_batch_stores_what_scoring_at_once_stores(example, monkeypatch):
    with Project.open(example) as project:
        whole = project.suggest()
        monkeypatch.setattr(corpus, "BATCH_SEGMENTS", 37)
        batched = project.suggest()
        assert batched.segments == whole.segments == project.status()["segments"]["sentence"]
        assert _run(project, batched.run_id) == _run(project, whole.run_id)
        assert batched.withdrawn == 0 and batched.new == whole.suggestions  # nobody reviews yet


def test_a_sampled_fit_still_scores_and_stores_every_segment(example, monkeypatch):
    monkeypatch.setattr(corpus, "FIT_SEGMENTS", 300)
    monkeypatch.setattr(corpus, "FIT_LABELLED", 400)
    monkeypatch.setattr(corpus, "BATCH_SEGMENTS", 200)
    with closing(Database.open(example)) as db:
        sample = {s.id for s in runner.prepare(db, None, None, sample=True)[2]}
    with Project.open(example) as project, closing(Database.open(example)) as db:
        report = project.suggest()
        assert report.segments == project.status()["segments"]["sentence"]
        suggested = {r["segment_id"] for r in db.connection.execute("SELECT segment_id FROM suggestions")}
        assert suggested - sample, "segments outside the fitted sample get suggestions too"
        assert report.codes_learned > 10 and report.suggestions > 0
        # Nothing a coder was shown disappears: a second run shows it again or withdraws it.
        reviewer = project.reviewer("tess")
        shown = reviewer.pending()
        reviewer.accept(shown[0].id)
        project.suggest()
        still = {(p.source, p.start, p.end, p.code) for p in reviewer.pending()}
        withdrawn = {(p.source, p.start, p.end, p.code) for p in reviewer.withdrawn()}
        for p in shown[1:]:
            assert (p.source, p.start, p.end, p.code) in still | withdrawn


def test_next_weighs_every_segment_and_tells_its_progress(example, monkeypatch):
    monkeypatch.setattr(corpus, "BATCH_SEGMENTS", 200)
    with Project.open(example) as project:
        calls = []
        ranked = project.most_informative(limit=5, progress=lambda *call: calls.append(call))
        total = project.status()["segments"]["sentence"]
    assert len(ranked) == 5
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True)
    assert {c[1] for c in calls} == {total} and calls[-1] == (total, total, "done")
    done = [c[0] for c in calls]
    assert done == sorted(done) and len(calls) > 3  # moved batch by batch
