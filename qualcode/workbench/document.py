"""One transcript for the document view: its turns split into pieces at every coding and
suggestion boundary, each piece with the codings and suggestions that cover it.

A piece is ``{"start", "end", "text", "codings", "suggestions", "style", "classes"}``
(offsets in code points, end exclusive); ``style`` only ever holds colours this module
checked (``#RRGGBB``), so a page may put it in a ``style`` attribute. Every coding gets a
*lane* (0, 1, ...) so that overlapping codings are drawn as stacked underlines that keep
their height across pieces. In blind mode only the current coder's codings are read.
The pieces are built in one pass over the turns, with one query per kind of row.
"""

from __future__ import annotations

import bisect
import colorsys
import re
import zlib

from qualcode.codebook.versions import current_codebook
from qualcode.coding.blind import is_blind
from qualcode.errors import InputError
from qualcode.store import codings as coding_store
from qualcode.store import memos as memo_store
from qualcode.store import segments as segment_store
from qualcode.store import settings as setting_store
from qualcode.store import sources as source_store
from qualcode.store import suggestions as suggestion_store

HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
LANE_PX = 3  # the height of one coding's underline
MAX_LANES = 6  # codings stacked deeper than this share the top lane


def colour_of(code: str, colour: str | None) -> str:
    """The code's own colour when it is a valid ``#RGB``/``#RRGGBB``, else a stable one from
    its name (the same code always gets the same hue)."""
    if colour and HEX.match(colour):
        if len(colour) == 4:
            colour = "#" + "".join(ch * 2 for ch in colour[1:])
        return colour.lower()
    hue = (zlib.crc32(code.encode("utf-8")) % 360) / 360
    red, green, blue = colorsys.hls_to_rgb(hue, 0.45, 0.65)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def find_source(conn, source: str) -> int:
    source_id = source_store.source_id(conn, source)
    if source_id is None:
        raise InputError(f"no source named {source!r} in the project")
    return source_id


def turn_spans(conn, source_id: int, length: int) -> list[dict]:
    """The source's turns (a source without turns is one turn over the whole text)."""
    turns = [dict(r) for r in source_store.document_turns(conn, source_id)]
    if not turns:
        turns = [{"id": None, "position": 0, "start": 0, "end": length, "time": None,
                  "speaker": None, "role": None, "case": None}]  # fmt: skip
    return turns


def split_turns(turns: list[dict], spans: list[tuple[int, int]]) -> list[list[tuple[int, int, list[int]]]]:
    """For each turn (in order of position), its pieces ``(start, end, [span indices])``: the
    turn's text cut at every span boundary inside it, with the spans covering each piece."""
    order = sorted(range(len(spans)), key=lambda i: spans[i][0])
    active: list[int] = []
    next_span = 0
    out = []
    for turn in turns:
        first, last = turn["start"], turn["end"]
        while next_span < len(order) and spans[order[next_span]][0] < last:
            active.append(order[next_span])
            next_span += 1
        active = [i for i in active if spans[i][1] > first]
        here = [i for i in active if spans[i][0] < last]
        cuts = {first, last}
        for i in here:
            cuts.update(x for x in spans[i] if first < x < last)
        edges = sorted(cuts)
        out.append(
            [
                (a, b, [i for i in here if spans[i][0] <= a and spans[i][1] >= b])
                for a, b in zip(edges, edges[1:], strict=False)
            ]
        )
    return out


def assign_lanes(codings: list[dict]) -> None:
    """Give each coding the lowest lane free of the codings overlapping it (in place)."""
    ends: list[int] = []  # per lane: where its last coding ends
    for coding in sorted(codings, key=lambda c: (c["start"], -c["end"])):
        lane = next((n for n, end in enumerate(ends) if end <= coding["start"]), len(ends))
        if lane == len(ends):
            ends.append(coding["end"])
        else:
            ends[lane] = coding["end"]
        coding["lane"] = min(lane, MAX_LANES - 1)


def piece_style(codings: list[dict]) -> str:
    """Stacked underlines, one per lane, and a light tint of the lowest lane's colour."""
    if not codings:
        return ""
    layers = sorted(codings, key=lambda c: c["lane"])
    images = ", ".join(f"linear-gradient({c['colour']}, {c['colour']})" for c in layers)
    positions = ", ".join(f"0 calc(100% - {c['lane'] * LANE_PX}px)" for c in layers)
    depth = (layers[-1]["lane"] + 1) * LANE_PX
    return (
        f"background-color: {layers[0]['colour']}26; background-image: {images}; "
        f"background-position: {positions}; background-size: 100% {LANE_PX}px; "
        f"background-repeat: no-repeat; padding-bottom: {depth}px"
    )


def code_list(db) -> list[dict]:
    """The current codebook in tree order, with each code's depth and colour."""
    codebook = current_codebook(db)
    parents = {c.name: c.parent for c in codebook.codes}
    out = []
    for code in codebook.ordered():
        depth, parent = 0, code.parent
        while parent is not None and depth < 20:
            depth, parent = depth + 1, parents.get(parent)
        out.append(
            {
                "name": code.name,
                "depth": depth,
                "kind": code.kind,
                "colour": colour_of(code.name, code.colour),
            }
        )
    return out


def document(db, source: str, coder: str | None) -> dict:
    """The transcript ``source`` as turns of pieces, with the codings (everyone's; in blind
    mode only ``coder``'s), ``coder``'s pending suggestions, memos, segments and codes."""
    conn = db.connection
    source_id = find_source(conn, source)
    text = source_store.source_text(conn, source_id)
    blind = is_blind(db)
    if blind and coder is None:
        coding_rows = []
    else:
        coding_rows = coding_store.source_codings(conn, source_id, coder if blind else None)
    codings = [
        dict(
            r,
            colour=colour_of(r["code"], r["colour"]),
            mine=r["coder"] == coder,
            text=text[r["start"] : r["end"]],
        )
        for r in coding_rows
    ]
    assign_lanes(codings)
    suggestions = []
    if coder is not None:
        suggestions = [
            {"id": r["id"], "start": r["start"], "end": r["end"], "code": r["code"], "score": round(r["score"], 3),
             "rationale": r["rationale"], "segment_id": r["segment_id"], "text": text[r["start"] : r["end"]],
             "colour": colour_of(r["code"], r["colour"])}
            for r in suggestion_store.pending_in_source(conn, coder, source_id)
        ]  # fmt: skip
    turns = turn_spans(conn, source_id, len(text))
    memos = [dict(r) for r in memo_store.memos_in_source(conn, source_id)]
    unit = setting_store.active_unit(conn)
    segments = [
        {"id": r["id"], "start": r["start"], "end": r["end"], "turn_id": r["turn_id"]}
        for r in (segment_store.segment_spans(conn, unit) if unit else [])
        if r["source_id"] == source_id
    ]
    spans = [(c["start"], c["end"]) for c in codings] + [(g["start"], g["end"]) for g in suggestions]
    split = split_turns(turns, spans)
    n_codings = len(codings)
    starts = [t["start"] for t in turns]
    for turn, pieces in zip(turns, split, strict=True):
        turn["pieces"] = [
            _piece(text, a, b, covering, codings, suggestions, n_codings) for a, b, covering in pieces
        ]
        for key in ("codings", "suggestions", "memos", "segments"):
            turn[key] = []
    for key, items in (
        ("codings", codings),
        ("suggestions", suggestions),
        ("memos", memos),
        ("segments", segments),
    ):
        for item in items:
            if item["start"] is not None:
                turns[max(bisect.bisect_right(starts, item["start"]) - 1, 0)][key].append(item)
    return {
        "source": source,
        "length": len(text),
        "blind": blind,
        "coder": coder,
        "turns": turns,
        "codings": codings,
        "suggestions": suggestions,
        "memos": [m for m in memos if m["target_kind"] == "source"],
        "segments": segments,
        "codes": code_list(db),
    }


def _piece(text, start, end, covering, codings, suggestions, n_codings) -> dict:
    mine = [codings[i] for i in covering if i < n_codings]
    pending = [suggestions[i - n_codings] for i in covering if i >= n_codings]
    classes = []
    if mine:
        classes.append("cd")
    if pending:
        classes.append("sg")
        if any(g["start"] == start for g in pending):
            classes.append("sg-s")
        if any(g["end"] == end for g in pending):
            classes.append("sg-e")
    return {
        "start": start,
        "end": end,
        "text": text[start:end],
        "codings": " ".join(str(c["id"]) for c in mine),
        "suggestions": " ".join(str(g["id"]) for g in pending),
        "style": piece_style(mine),
        "classes": " ".join(classes),
    }
