"""The snapshot: one read of the project, in one read transaction, that every analysis and
export computes from; and the facade passing its arguments (window, unit) through."""

from __future__ import annotations

import pytest

from qualcode import InputError
from qualcode.analysis.mechanisms import cmo_configurations, cooccurrence
from qualcode.analysis.snapshot import read_snapshot
from qualcode.store import sources
from tests.conftest import second_connection
from tests.test_mechanisms import SENTENCES, span, study  # noqa: F401  (fixture)


def spans(occurrences):
    return [(o.source, o.start, o.end, o.code, o.coder) for o in occurrences]


def unreviewed(snapshot):
    return [o for o in snapshot.occurrences if not o.reviewed]


def test_a_decision_stored_meanwhile_does_not_show_until_a_fresh_snapshot(study):  # noqa: F811
    (pending,) = study.reviewer("bob").pending()
    with second_connection(study) as db:
        before = read_snapshot(db, "all")
        study.reviewer("bob").reject(pending.id)
        fresh = read_snapshot(db, "all")
    assert spans(unreviewed(before)) == [("int_a", pending.start, pending.end, "Vertrouwen", "machine")]
    assert len(before.rejected) == 1
    assert unreviewed(fresh) == []
    assert len(fresh.rejected) == 2
    assert fresh.occurrences == [o for o in before.occurrences if o.reviewed]


def test_the_snapshot_is_read_in_one_transaction(study, monkeypatch):  # noqa: F811
    """A decision stored by another connection while the snapshot is being read (after the
    codings, before the rejected suggestions) shows in none of its parts."""
    (pending,) = study.reviewer("bob").pending()
    all_turns = sources.all_turns

    def turns_after_a_decision(conn):
        study.reviewer("bob").reject(pending.id)  # the project's own connection: another one
        return all_turns(conn)

    with second_connection(study) as db:
        monkeypatch.setattr(sources, "all_turns", turns_after_a_decision)
        during = read_snapshot(db, "all")
        monkeypatch.setattr(sources, "all_turns", all_turns)
        assert not db.connection.in_transaction
        fresh = read_snapshot(db, "all")
    assert len(unreviewed(during)) == 1 and len(during.rejected) == 1  # as before the decision
    assert len(unreviewed(fresh)) == 0 and len(fresh.rejected) == 2


def test_reading_joins_an_outer_read_transaction(study):  # noqa: F811
    (pending,) = study.reviewer("bob").pending()
    with second_connection(study) as db:
        with db.reading():
            first = read_snapshot(db, "all")
            study.reviewer("bob").accept(pending.id)
            second = read_snapshot(db, "all")
            assert db.connection.in_transaction
        after = read_snapshot(db, "all")
    assert second == first
    assert len(unreviewed(after)) == 0
    assert ("int_a", pending.start, pending.end, "Vertrouwen", "bob") in spans(after.occurrences)


def test_include_all_adds_exactly_the_unreviewed_suggestions(study):  # noqa: F811
    with second_connection(study) as db:
        reviewed = read_snapshot(db)
        everything = read_snapshot(db, "all")
        with pytest.raises(InputError, match="unknown include 'some'; choose 'reviewed' or 'all'"):
            read_snapshot(db, "some")
    n = len(reviewed.occurrences)
    assert n == 9 and all(o.reviewed for o in reviewed.occurrences)
    assert everything.occurrences[:n] == reviewed.occurrences
    extra = everything.occurrences[n:]
    first = SENTENCES["int_a"][0]
    assert spans(extra) == [("int_a", *span(study, "int_a", first), "Vertrouwen", "machine")]
    assert not extra[0].reviewed and extra[0].text == first
    assert extra[0].provenance == "suggested by ensemble/2 (score 0.50), not reviewed"
    assert (extra[0].speaker, extra[0].role, extra[0].case) == ("Fatima", "professional", "P01")
    assert everything.latest_run == reviewed.latest_run is not None
    assert (
        f"the 1 suggestions of the latest suggestion run (run {everything.latest_run})" in everything.included
    )
    assert reviewed.included.startswith("Only reviewed codings count") and "(9 codings by anna, bob)" in (
        reviewed.included
    )
    # everything else is the same read
    assert (everything.codes, everything.turns, everything.segments) == (
        reviewed.codes, reviewed.turns, reviewed.segments,
    )  # fmt: skip
    assert (reviewed.unit, reviewed.active_unit, len(reviewed.segments)) == ("sentence", "sentence", 8)


TRIPLES_OF_FIVE = [
    ("Steungroep", "Vertrouwen", "Rust", 2, {"C01": 1, "P01": 1}),
    ("Steungroep", "Vertrouwen", "Woning", 1, {"P01": 1}),
]


@pytest.mark.parametrize(("window", "triples"), [(2, []), (5, TRIPLES_OF_FIVE)])
def test_the_facade_passes_the_window_to_cmo(study, window, triples):  # noqa: F811
    with second_connection(study) as db:
        expected = cmo_configurations(read_snapshot(db), "window", window=window)
    found = study.cmo_configurations(scope="window", window=window)
    assert found == expected and (found.scope, found.included) == ("window", expected.included)
    assert [(c.context, c.mechanism, c.outcome, c.units, c.cases) for c in found] == triples
    assert study.cmo_configurations(scope="window") != []  # the default window (3) finds some


def test_the_facade_honours_the_unit_of_cooccurrence(study):  # noqa: F811
    study.segment(unit="turn")  # the active unit is now "turn"
    by_turn = study.cooccurrence()
    by_sentence = study.cooccurrence(unit="sentence")
    assert (by_turn.unit, by_turn.units) == ("turn", 3)  # the respondents' turns
    assert (by_sentence.unit, by_sentence.units) == ("sentence", 8)
    with second_connection(study) as db:
        expected = cooccurrence(read_snapshot(db, unit="sentence"), "segment")
        windows = cooccurrence(read_snapshot(db, unit="sentence"), "window", window=2)
    assert by_sentence.counts.equals(expected.counts) and by_sentence.pairs() == expected.pairs()
    assert not by_turn.counts.equals(by_sentence.counts)
    found = study.cooccurrence(scope="window", window=2, unit="sentence")
    assert (found.unit, found.units) == ("sentence", windows.units) and found.counts.equals(windows.counts)
