"""A snapshot: everything the analyses and the exports need, read from the project at once.

:func:`read_snapshot` reads the project inside one read transaction, so every table computed
from a snapshot describes one state of the project, even while coders go on reviewing in
another process. The analyses (:mod:`~qualcode.analysis.mechanisms`,
:mod:`~qualcode.analysis.evidence`) take a snapshot and never query the store themselves;
to see newer data, read a new snapshot.

Which codings count is chosen by ``include``:

- ``"reviewed"`` (the default): the current codings only, that is imported codings, codings
  made by hand, and suggestions a coder accepted or edited;
- ``"all"``: those, plus the suggestions of the latest suggestion run on which no coder has
  decided yet. These are marked "not reviewed" wherever they appear.

A coding belongs to the speaker (and so the role and case) of the turn in which it starts.

The findings exports never mix the two: they count :meth:`Snapshot.reviewed_only` and list
the unreviewed suggestions (:attr:`Snapshot.unreviewed`) apart.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from qualcode.coding.blind import refuse_when_blind
from qualcode.errors import InputError
from qualcode.store import cases as case_store
from qualcode.store import codes as code_store
from qualcode.store import codings as coding_store
from qualcode.store import runs as run_store
from qualcode.store import segments as segment_store
from qualcode.store import settings as setting_store
from qualcode.store import sources as source_store
from qualcode.store import suggestions as suggestion_store
from qualcode.store import topics as topic_store

INCLUDES = ("reviewed", "all")


@dataclass(frozen=True)
class Occurrence:
    """One coding (or, with ``include="all"``, one unreviewed suggestion)."""

    source: str
    source_id: int
    start: int
    end: int
    code: str
    kind: str
    coder: str
    reviewed: bool
    provenance: str
    text: str
    speaker: str | None
    role: str | None
    case: str | None
    counter: bool = False  # marked by its coder as evidence against the code
    time: str = ""  # when the coding was stored (the decision's time; "" for a suggestion)
    origin: str = ""  # in two words (see ``origin``): imported, by hand, suggestion accepted, ...


@dataclass(frozen=True)
class Snapshot:
    """The project as the analyses see it, read in one transaction by :func:`read_snapshot`.

    Rows are the store's rows (``sqlite3.Row``), in the store's order.
    """

    include: str  # "reviewed" or "all"
    codes: list  # the active codes, in codebook order
    occurrences: list[Occurrence]  # the codings that count (see ``include``)
    included: str  # a sentence saying which codings count, for the outputs
    turns: list  # every turn with its speaker, role and case, by source and position
    unit: str | None  # the unit of ``segments``: the one asked for, or the active unit
    segments: list  # spans of the segments of ``unit`` ([] when there are none)
    case_roles: list  # (case, role) per case and role of its speakers
    case_attributes: list  # (case, attribute, value)
    rejected: list  # suggestions a coder rejected (and did not undo), with who did
    latest_run: int | None  # the latest finished suggest run
    active_unit: str | None  # the unit of the latest segmentation
    topics: list  # the topics of the latest topic run that found any
    data_date: str  # the latest time any data was stored ("" for an empty project)
    versions: str | None  # library versions (JSON) of the latest run that made data

    @property
    def unreviewed(self) -> list[Occurrence]:
        """The unreviewed suggestions among the occurrences (none unless ``include="all"``)."""
        return [o for o in self.occurrences if not o.reviewed]

    def reviewed_only(self) -> Snapshot:
        """The same read with the reviewed codings only (``include="reviewed"``)."""
        reviewed = [o for o in self.occurrences if o.reviewed]
        return replace(self, include="reviewed", occurrences=reviewed, included=reviewed_sentence(reviewed))


def read_snapshot(db, include: str = "reviewed", unit: str | None = None) -> Snapshot:
    """Read everything the analyses need in one read transaction; the segments are those
    of ``unit`` (default: the active unit)."""
    if include not in INCLUDES:
        raise InputError(f"unknown include {include!r}; choose 'reviewed' or 'all'")
    refuse_when_blind(db, "reading the findings")
    with db.reading() as conn:
        reviewed = coding_store.reviewed_codings(conn)
        unreviewed = suggestion_store.unreviewed_suggestions(conn) if include == "all" else []
        latest_run = suggestion_store.latest_run_id(conn)
        turns = source_store.all_turns(conn)
        active = setting_store.active_unit(conn)
        unit = unit or active
        return Snapshot(
            include=include,
            codes=code_store.active_codes(conn),
            occurrences=_occurrences(reviewed, unreviewed, turns),
            included=_included(include, reviewed, unreviewed, latest_run),
            turns=turns,
            unit=unit,
            segments=segment_store.segment_spans(conn, unit) if unit else [],
            case_roles=case_store.case_roles(conn),
            case_attributes=case_store.case_attributes(conn),
            rejected=suggestion_store.rejected_suggestions(conn),
            latest_run=latest_run,
            active_unit=active,
            topics=topic_store.latest_topics(conn)[1],
            data_date=run_store.data_date(conn),
            versions=run_store.latest_data_versions(conn),
        )


def _occurrences(reviewed: list, unreviewed: list, turns: list) -> list[Occurrence]:
    locate = SpanLocator(turns)
    return to_occurrences(reviewed, locate, True) + to_occurrences(unreviewed, locate, False)


def to_occurrences(rows, turns: SpanLocator, reviewed: bool = True) -> list[Occurrence]:
    """Store rows of codings (``coding_store.reviewed_codings``) or suggestions as occurrences,
    each with the speaker, role and case of the turn (located by ``turns``) in which it starts."""
    occurrences = []
    for row in rows:
        turn = turns.first(row["source_id"], row["start"], row["end"])
        occurrences.append(
            Occurrence(
                row["source"], row["source_id"], row["start"], row["end"], row["code"], row["kind"],
                row["coder"], reviewed, provenance(row), row["text"],
                turn["speaker"] if turn else None, turn["role"] if turn else None,
                turn["case"] if turn else None, bool(row["counter"]),
                row["created_at"] if reviewed else "", origin(row),
            )
        )  # fmt: skip
    return occurrences


def reviewed_sentence(reviewed: list, who: str = "") -> str:
    """The ``included`` sentence of reviewed codings (rows or occurrences, with ``coder``);
    ``who`` (e.g. " by anna") narrows its first words to one coder's codings."""
    coders = sorted({r.coder if isinstance(r, Occurrence) else r["coder"] for r in reviewed})
    return (
        f"Only reviewed codings{who} count: imported codings, codings made by hand and suggestions a "
        f"coder accepted or edited ({len(reviewed)} codings by {', '.join(coders) or 'nobody yet'})."
    )


def _included(include: str, reviewed: list, unreviewed: list, run: int | None) -> str:
    included = reviewed_sentence(reviewed)
    if include != "all":
        return included
    return (
        included[:-1].replace("Only reviewed codings count", "Reviewed codings count")
        + f"; so do the {len(unreviewed)} suggestions of the latest suggestion run"
        + (f" (run {run})" if run is not None else "")
        + " that nobody has reviewed yet, marked 'not reviewed'."
    )


def origin(row) -> str:
    """How a coding came about, in two words: imported, by hand, agreed (an owner's resolution),
    edited (a coding edited by hand), suggestion accepted, suggestion edited, or not reviewed
    (a machine suggestion)."""
    if row["origin"] in ("import", "manual", "agreed"):
        return {"import": "imported", "manual": "by hand", "agreed": "agreed"}[row["origin"]]
    if row["suggester"] is None:
        return "edited"
    return {"suggestion": "suggestion accepted", "edit": "suggestion edited"}.get(
        row["origin"], "not reviewed"
    )


def provenance(row, short: bool = False) -> str:
    """How a coding came about, as a phrase; ``short`` leaves out the score (for totals)."""
    if row["origin"] == "import":
        return f"imported ({row['coder']})"
    if row["origin"] == "manual":
        return f"coded by hand by {row['coder']}"
    if row["origin"] == "agreed":
        return "agreed: resolved by the project owner from two coders' codings"
    if row["suggester"] is None:
        return f"edited by {row['coder']}"
    suggested = f"suggested by {row['suggester']}/{row['suggester_version']}"
    if not short:
        suggested += f" (score {row['score']:.2f})"
    verb = {"suggestion": "accepted", "edit": "edited"}.get(row["origin"])
    return f"{suggested}, not reviewed" if verb is None else f"{suggested}, {verb} by {row['coder']}"


class SpanLocator:
    """Which spans (turns, segments: anything with ``source_id``, ``start`` and ``end``) of a
    source overlap a given span."""

    def __init__(self, rows):
        self.rows: dict[int, list] = defaultdict(list)
        for row in rows:
            self.rows[row["source_id"]].append(row)
        self.bounds = {
            s: (np.array([r["start"] for r in rs]), np.array([r["end"] for r in rs]))
            for s, rs in self.rows.items()
        }

    def overlapping(self, source_id: int, start: int, end: int) -> list:
        if source_id not in self.bounds:
            return []
        starts, ends = self.bounds[source_id]
        hits = np.nonzero((starts < end) & (ends > start))[0]
        return [self.rows[source_id][i] for i in hits]

    def first(self, source_id: int, start: int, end: int):
        found = self.overlapping(source_id, start, end)
        return found[0] if found else None
