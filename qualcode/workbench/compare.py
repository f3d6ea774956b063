"""Two coders' codings of one transcript, for the compare view: the turns split into pieces
with each coder's codes, the pieces where they differ, and agreement per code on the
source's segments (of the active unit), as ``qualcode agree`` counts it: a code is yes for a
segment when one of the coder's codings overlaps it; a coder who coded nothing in the source
(and was not imported as judging it) is missing there. Refused in blind mode."""

from __future__ import annotations

import math

from qualcode.analysis.statistics import figures
from qualcode.coding.blind import refuse_when_blind
from qualcode.errors import InputError
from qualcode.store import codings as coding_store
from qualcode.store import segments as segment_store
from qualcode.store import settings as setting_store
from qualcode.store import sources as source_store
from qualcode.workbench.document import (
    assign_lanes,
    colour_of,
    find_source,
    piece_style,
    split_turns,
    turn_spans,
)

YES_NO = (False, True)


def comparison(db, source: str, first: str, second: str) -> dict:
    """``first``'s and ``second``'s codings of ``source`` side by side, with agreement."""
    refuse_when_blind(db, "comparing two coders")
    conn = db.connection
    source_id = find_source(conn, source)
    text, codings, turns = paired(conn, source_id, first, second)
    return {
        "source": source,
        "a": first,
        "b": second,
        "turns": turns,
        "counts": {c: sum(x["coder"] == c for x in codings) for c in (first, second)},
        "differing_pieces": len(differing(turns)),
        **_agreement(conn, source_id, first, second, text),
    }


def check_coders(conn, first: str, second: str) -> None:
    """Two different coders, each with codings in the project (else an error saying who has)."""
    if not first or not second or first == second:
        raise InputError("compare needs two different coders (a and b)")
    known = coding_store.coders(conn)
    for coder in (first, second):
        if coder not in known:
            raise InputError(
                f"coder {coder!r} has no codings in the project (coders: {', '.join(known) or 'none yet'})"
            )


def paired(conn, source_id: int, first: str, second: str) -> tuple[str, list[dict], list[dict]]:
    """The source's text, the two coders' current codings of it (with colour, text and lane)
    and its turns, each with its ``pieces``: the text cut at every boundary of either coder's
    codings, each piece with its offsets and both coders' codes (see ``_piece``)."""
    check_coders(conn, first, second)
    text = source_store.source_text(conn, source_id)
    codings = [
        dict(r, colour=colour_of(r["code"], r["colour"]), text=text[r["start"] : r["end"]])
        for r in coding_store.source_codings(conn, source_id)
        if r["coder"] in (first, second)
    ]
    for coder in (first, second):
        assign_lanes([c for c in codings if c["coder"] == coder])
    turns = turn_spans(conn, source_id, len(text))
    split = split_turns(turns, [(c["start"], c["end"]) for c in codings])
    for turn, pieces in zip(turns, split, strict=True):
        turn["pieces"] = [_piece(text, a, b, [codings[i] for i in covering], first, second)
                          for a, b, covering in pieces]  # fmt: skip
    return text, codings, turns


def differing(turns: list[dict]) -> list[dict]:
    """The pieces (of ``paired``'s turns) where the two coders' codes differ, in order, each
    with its turn's speaker (pieces of only white space left out)."""
    return [
        dict(piece, speaker=turn["speaker"])
        for turn in turns
        for piece in turn["pieces"]
        if (piece["only_a"] or piece["only_b"]) and piece["text"].strip()
    ]


def _piece(text: str, start: int, end: int, covering: list[dict], first: str, second: str) -> dict:
    a = [c for c in covering if c["coder"] == first]
    b = [c for c in covering if c["coder"] == second]
    codes_a, codes_b = {c["code"] for c in a}, {c["code"] for c in b}
    return {
        "start": start,
        "end": end,
        "text": text[start:end],
        "a_style": piece_style(a),
        "b_style": piece_style(b),
        "a": sorted(codes_a),
        "b": sorted(codes_b),
        "only_a": sorted(codes_a - codes_b),
        "only_b": sorted(codes_b - codes_a),
    }


def _agreement(conn, source_id: int, first: str, second: str, text: str) -> dict:
    """Per code (and over all codes): percent agreement and Cohen's kappa over the source's
    segments, and the segments on which the two coders differ."""
    unit = setting_store.active_unit(conn)
    if unit is None:
        return {"unit": None, "segments": 0, "per_code": [], "overall": None, "disagreements": []}
    segments = [r for r in segment_store.segment_spans(conn, unit) if r["source_id"] == source_id]
    judged = {}
    for coder in (first, second):
        coded = set(coding_store.coded_sources(conn, coder)) | source_store.judged_by(conn, coder)
        per_segment: dict[int, set[str]] = {}
        for segment_id, code in coding_store.codes_on_segments(conn, unit, coder, source_id):
            per_segment.setdefault(segment_id, set()).add(code)
        judged[coder] = per_segment if source_id in coded else None
    codes = sorted({c for per in judged.values() if per for s in per.values() for c in s})

    def value(coder, segment_id, code):
        per = judged[coder]
        return None if per is None else code in per.get(segment_id, ())

    per_code, pooled, disagreements = [], [], []
    for code in codes:
        table = [[value(c, s["id"], code) for c in (first, second)] for s in segments]
        pooled += table
        per_code.append({"code": code, **_figures(table, first, second)})
        for s, (x, y) in zip(segments, table, strict=True):
            if x is not None and y is not None and x != y:
                disagreements.append({"start": s["start"], "end": s["end"], "text": text[s["start"] : s["end"]],
                                      "code": code, "yes": first if x else second, "no": second if x else first})  # fmt: skip
    disagreements.sort(key=lambda d: (d["start"], d["code"]))
    overall = {"code": "", **_figures(pooled, first, second)} if pooled else None
    return {"unit": unit, "segments": len(segments), "per_code": per_code, "overall": overall,
            "disagreements": disagreements}  # fmt: skip


def _figures(table, first: str, second: str) -> dict:
    found = figures(table, [first, second], categories=YES_NO)

    def shown(value):
        return None if value is None or math.isnan(value) else round(value, 3)

    return {
        "units": found.pairable_units,
        "percent": shown(found.percent),
        "kappa": shown(found.kappa),
        "a_yes": sum(1 for x, _ in table if x),
        "b_yes": sum(1 for _, y in table if y),
        "both": sum(1 for x, y in table if x and y),
    }
