"""Resolving two coders' differences into agreed codings (the owner's disagreement review).

Where two coders' codings of a transcript differ (a *piece*: the text between two boundaries
of either coder's codings, as the compare view cuts it), the project owner chooses what is
agreed there: ``a`` (the first coder's codes), ``b`` (the second's), ``both`` or ``neither``;
the codes both coders gave the piece are agreed in every case. The agreed codes become
codings of the coder ``AGREED`` with origin ``"agreed"``; the two coders' own codings are
never changed or removed.

One resolution is one transaction: an ``add`` decision by the owner for each new agreed
coding (the decision log has no action of its own for a resolution), a ``remove`` decision
for an earlier agreed coding of the piece that the new choice replaces (the parts of it
outside the piece are added again), and a run record of kind ``resolve`` with the choice, so
the choice is kept even when it adds nothing (``neither``). Refused in blind mode.
"""

from __future__ import annotations

from qualcode import defaults
from qualcode.coding.blind import is_blind
from qualcode.errors import ConflictError, InputError
from qualcode.store import codings as coding_store
from qualcode.store import decisions as decision_store
from qualcode.store import runs as run_store
from qualcode.workbench.compare import differing, paired
from qualcode.workbench.document import find_source

AGREED = defaults.AGREED_CODER  # the coder name of the agreed codings
ORIGIN = "agreed"  # their origin
RESOLVE_KIND = "resolve"  # the run kind of a resolution
CHOICES = ("a", "b", "both", "neither")
BLIND_REFUSAL = (
    "the project is in blind mode (an agreement study): reveal first (the owner's Reveal button, or "
    "qualcode blind off), then resolve the differences"
)


def check_pair(first: str, second: str) -> None:
    """Two different coders, neither of them the agreed codings themselves."""
    if AGREED in (first, second):
        raise InputError(f"resolve two coders' differences; {AGREED!r} holds the resolutions themselves")
    if not first or not second or first == second:
        raise InputError("resolving needs two different coders (a and b)")


def resolve(db, owner: str, source: str, first: str, second: str, start: int, end: int, choice: str) -> dict:
    """Agree on the piece ``start``-``end`` of ``source`` where ``first`` and ``second``
    differ, by ``choice`` (see ``CHOICES``); returns the agreed codes and the ids of the agreed
    codings added and removed."""
    if choice not in CHOICES:
        raise InputError(f"unknown choice {choice!r}: one of {', '.join(CHOICES)}")
    check_pair(first, second)
    if is_blind(db):
        raise ConflictError(BLIND_REFUSAL)
    with db.transaction() as conn:
        source_id = find_source(conn, source)
        _, codings, turns = paired(conn, source_id, first, second)
        piece = next((p for p in differing(turns) if (p["start"], p["end"]) == (start, end)), None)
        if piece is None:
            raise ConflictError(
                f"{first} and {second} do not differ on {start}-{end} of {source} (any more): "
                "reload the page to see where they differ now"
            )
        chosen = {"a": (first,), "b": (second,), "both": (first, second), "neither": ()}[choice]
        common = set(piece["a"]) & set(piece["b"])
        agreed: dict[str, list[int]] = {}  # code -> the covering codings it is agreed from
        for c in codings:
            if c["start"] <= start and c["end"] >= end and (c["code"] in common or c["coder"] in chosen):
                agreed.setdefault(c["code"], []).append(c["id"])
        note = f"resolution of {first} and {second} on {source} {start}-{end}: {choice}"
        added, removed, kept = [], [], set()
        for row in coding_store.source_codings(conn, source_id, AGREED):
            if row["end"] <= start or row["start"] >= end:
                continue
            if row["code"] in agreed and row["start"] <= start and row["end"] >= end:
                kept.add(row["code"])
                continue
            earlier = coding_store.coding(conn, row["id"])  # replaced here; its other parts stay
            decision_store.insert_decision(conn, owner, "remove", coding_id=row["id"], note=note)
            removed.append(row["id"])
            for a, b in ((row["start"], start), (end, row["end"])):
                if a < b:
                    added.append(_add(conn, owner, source_id, a, b, earlier, note))
        for code in sorted(set(agreed) - kept):
            originals = [coding_store.coding(conn, i) for i in agreed[code]]
            counter = any(o["counter"] for o in originals)  # counter-evidence stays so
            added.append(_add(conn, owner, source_id, start, end, originals[0], note, counter))
        config = {"source": source, "a": first, "b": second, "start": start, "end": end, "choice": choice,
                  "by": owner}  # fmt: skip
        summary = {"agreed": sorted(agreed), "added": added, "removed": removed}
        run_store.record_run(conn, RESOLVE_KIND, config, summary)
    db.checkpoint()
    return summary


def _add(conn, owner: str, source_id: int, start: int, end: int, like, note: str, counter=None) -> int:
    """An agreed coding of ``like``'s code (and counter mark, unless given), with the owner's
    ``add`` decision that makes it current."""
    counter = bool(like["counter"]) if counter is None else counter
    coding = coding_store.insert_coding(
        conn, source_id, start, end, like["code_id"], AGREED, ORIGIN, None, counter
    )
    decision_store.insert_decision(conn, owner, "add", coding_id=coding, note=note)
    return coding


def resolutions(db, source: str, first: str, second: str) -> dict[tuple[int, int], str]:
    """The latest choice per piece (start, end) resolved between the two coders in ``source``
    (a resolution with the coders the other way round counts, its a and b swapped)."""
    import json

    swapped = {"a": "b", "b": "a"}
    found = {}
    for run in run_store.runs(db.connection, RESOLVE_KIND):
        config = json.loads(run["config"])
        if config.get("source") != source:
            continue
        if (config.get("a"), config.get("b")) == (first, second):
            found[(config["start"], config["end"])] = config["choice"]
        elif (config.get("a"), config.get("b")) == (second, first):
            found[(config["start"], config["end"])] = swapped.get(config["choice"], config["choice"])
    return found
