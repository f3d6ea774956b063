"""Search hits in context and the passages of a code, for the workbench's search page.

A hit is a segment (of the active unit) whose text holds the query, case-insensitively, or
whose lemmas hold every word of the query as a whole lemma (the query's words lower-cased,
not lemmatised). Each hit comes with its text split into ``pieces`` (``{"text", "hit"}``),
so a page marks the hit without building HTML. A passage is a current coding of a code
with its coder, speaker, role, case and case attributes.
"""

from __future__ import annotations

import re
from collections import defaultdict

from qualcode.coding.blind import refuse_when_blind
from qualcode.errors import InputError
from qualcode.store import cases as case_store
from qualcode.store import codes as code_store
from qualcode.store import codings as coding_store
from qualcode.store import segments as segment_store
from qualcode.store import settings as setting_store
from qualcode.store import sources as source_store

MAX_QUERY = 200
WORD = re.compile(r"\w+")
# Filters of passages that are not case attributes.
OWN_FILTERS = ("role", "case", "coder", "source")


class Hits(list):
    """A list of hits (at most the limit asked for), with ``total``: how many there are."""

    def __init__(self, items=(), total: int = 0):
        list.__init__(self, items)
        self.total = total

    @property
    def more(self) -> int:
        return self.total - len(self)


def pieces(text: str, spans: list[tuple[int, int]]) -> list[dict]:
    """``text`` cut into pieces, those inside ``spans`` (sorted, may overlap) marked as hits."""
    out, at = [], 0
    for start, end in sorted(spans):
        start = max(start, at)
        if end <= start:
            continue
        if start > at:
            out.append({"text": text[at:start], "hit": False})
        out.append({"text": text[start:end], "hit": True})
        at = end
    if at < len(text):
        out.append({"text": text[at:], "hit": False})
    return out


def text_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where ``query`` occurs in ``text``, ignoring case."""
    return [m.span() for m in re.finditer(re.escape(query), text, re.IGNORECASE)]


def lemma_spans(text: str, norm: str, lemmas: str, words: set[str]) -> list[tuple[int, int]]:
    """The tokens of ``text`` whose lemma is one of ``words``, when every word has one."""
    tokens, found = norm.split(), lemmas.split()
    if len(tokens) != len(found) or not words <= set(found):
        return []
    spans, at = [], 0
    for token, lemma in zip(tokens, found, strict=True):
        match = re.compile(re.escape(token), re.IGNORECASE).search(text, at)
        if match is None:
            continue
        at = match.end()
        if lemma in words:
            spans.append(match.span())
    return spans


def attributes_by_case(conn) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for row in case_store.case_attributes(conn):
        out[row["case"]][row["attribute"]] = row["value"]
    return out


def search(db, query: str, lemmas: bool = False, limit: int | None = 200) -> Hits:
    """The segments of the active unit holding ``query`` (see the module), by source and
    position, at most ``limit`` (None: all); ``total`` says how many there are."""
    query = (query or "").strip()
    if len(query) > MAX_QUERY:
        raise InputError(f"a search is at most {MAX_QUERY} characters")
    words = set(WORD.findall(query.lower())) if lemmas else set()
    conn = db.connection
    unit = setting_store.active_unit(conn)
    if not query or unit is None or (lemmas and not words):
        return Hits()
    attributes = attributes_by_case(conn)
    hits, total = [], 0
    for row in segment_store.iter_segments(conn, unit):
        if lemmas:
            spans = lemma_spans(row["text"], row["norm"], row["lemmas"], words)
        else:
            spans = text_spans(row["text"], query)
        if not spans:
            continue
        total += 1
        if limit is None or len(hits) < limit:
            hits.append(
                {
                    "segment_id": row["id"], "source": row["source"], "start": row["start"],
                    "end": row["end"], "speaker": row["speaker"], "role": row["role"],
                    "case": row["case"], "attributes": attributes.get(row["case"], {}),
                    "text": row["text"], "pieces": pieces(row["text"], spans),
                }
            )  # fmt: skip
    return Hits(hits, total)


def turn_of(turns: dict[int, list], source_id: int, start: int):
    """The turn of a source that holds offset ``start`` (None outside every turn)."""
    for turn in turns.get(source_id, []):
        if turn["start"] <= start < turn["end"]:
            return turn
    return None


def passages(db, code: str, filters: dict) -> list[dict]:
    """Every current coding of ``code``, by source and position, with who coded it, the
    speaker, role, case and case attributes; ``filters`` keep those whose role, case, coder,
    source or case attribute (any other key) has the value given (empty values are ignored).
    In blind mode only one coder's passages are shown (a ``coder`` filter)."""
    filters = {str(k): str(v) for k, v in (filters or {}).items() if v not in (None, "")}
    if "coder" not in filters:
        refuse_when_blind(db, "every coder's passages of a code")
    conn = db.connection
    if code not in {r["name"] for r in code_store.active_codes(conn)}:
        raise InputError(f"no code named {code!r} in the codebook")
    turns = defaultdict(list)
    for turn in source_store.all_turns(conn):
        turns[turn["source_id"]].append(turn)
    attributes = attributes_by_case(conn)
    out = []
    for row in coding_store.reviewed_codings(conn):
        if row["code"] != code:
            continue
        turn = turn_of(turns, row["source_id"], row["start"])
        case = turn["case"] if turn else None
        found = {
            "source": row["source"], "start": row["start"], "end": row["end"], "text": row["text"],
            "coder": row["coder"], "origin": row["origin"], "speaker": turn["speaker"] if turn else None,
            "role": turn["role"] if turn else None, "case": case, "attributes": attributes.get(case, {}),
        }  # fmt: skip
        if all(
            (found[key] if key in OWN_FILTERS else found["attributes"].get(key)) == value
            for key, value in filters.items()
        ):
            out.append(found)
    return out
