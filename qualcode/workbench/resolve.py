"""The disagreement review, for the owner's resolve view: the pieces of a transcript where two
coders' codes differ (as the compare view cuts them), each with what every choice would
agree (see :mod:`qualcode.coding.resolve`), the agreed codes there now and the latest choice
made for it; with the agreement figures per code of the compare view. Refused in blind mode."""

from __future__ import annotations

from qualcode.coding.blind import is_blind
from qualcode.coding.resolve import AGREED, BLIND_REFUSAL, check_pair, resolutions
from qualcode.errors import ConflictError
from qualcode.store import codings as coding_store
from qualcode.workbench.compare import comparison, differing
from qualcode.workbench.document import find_source


def resolution(db, source: str, first: str, second: str, code: str | None = None) -> dict:
    """The pieces where ``first`` and ``second`` differ in ``source`` (only those differing in
    ``code``, when given), with the comparison's agreement figures."""
    check_pair(first, second)
    if is_blind(db):
        raise ConflictError(BLIND_REFUSAL)
    found = comparison(db, source, first, second)
    conn = db.connection
    agreed_rows = coding_store.source_codings(conn, find_source(conn, source), AGREED)
    chosen = resolutions(db, source, first, second)
    every = differing(found.pop("turns"))
    pieces = []
    for piece in every:
        if code and code not in piece["only_a"] + piece["only_b"]:
            continue
        a, b = set(piece["a"]), set(piece["b"])
        start, end = piece["start"], piece["end"]
        pieces.append({
            "start": start, "end": end, "text": piece["text"], "speaker": piece["speaker"],
            "a": piece["a"], "b": piece["b"], "only_a": piece["only_a"], "only_b": piece["only_b"],
            "options": {"a": sorted(a), "b": sorted(b), "both": sorted(a | b), "neither": sorted(a & b)},
            "agreed": sorted({r["code"] for r in agreed_rows if r["start"] < end and r["end"] > start}),
            "choice": chosen.get((start, end)),
        })  # fmt: skip
    return {
        **found,
        "code": code,
        "codes": sorted({c for p in every for c in p["only_a"] + p["only_b"]}),
        "pieces": pieces,
        "resolved": sum(p["choice"] is not None for p in pieces),
        "agreed_codings": len(agreed_rows),
    }
