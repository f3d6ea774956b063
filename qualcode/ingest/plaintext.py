"""Plain text and Markdown transcripts: speaker turns found from line labels.

A turn runs from its label to the next label line; lines without a label in between
(continuation paragraphs) belong to it. Text before the first label (a title, a date) is
kept in the source but is not a turn. A text with no labels at all is one turn by an
unnamed speaker (:func:`qualcode.ingest.read_transcript` warns about it).
"""

from __future__ import annotations

import re
from collections import Counter

from qualcode.ingest import limits
from qualcode.ingest.limits import check_characters, check_turns
from qualcode.ingest.model import Transcript, Turn, parse_clock
from qualcode.ingest.speakers import LabelMatch, accepted_labels, match_label

_LINE = re.compile(r"[^\n]*\n?")
_LONG_PREAMBLE = 400  # characters of unassigned text before the first turn worth a warning


def parse_turns(
    text: str, fmt: str, known_speakers: set[str] = frozenset(), path: str | None = None
) -> Transcript:
    """The turns of a text; a text past the limits is refused (naming ``path`` if given)."""
    check_characters(len(text), path)
    known = set(known_speakers)
    matches = _label_lines(text, known, path)
    counts = Counter(m.label for _, m, _ in matches)
    strong = {m.label for _, m, _ in matches if m.strong}
    speakers = accepted_labels(counts, strong, known)

    turns: list[Turn] = []
    current: tuple[str | None, int, float | None] | None = None  # speaker, start, time
    for offset, m, _ in matches:
        if m.label in speakers:
            if current:
                turns.extend(_close(text, current, offset))
                check_turns(len(turns), path)
            current = (m.label, offset + m.rest_offset, _time(m))
    if current:
        turns.extend(_close(text, current, len(text)))
        check_turns(len(turns), path)

    warnings = []
    if not turns:
        turns = _close(text, (None, 0, None), len(text))
    elif len(text[: _first_label_offset(matches, speakers)].strip()) > _LONG_PREAMBLE:
        warnings.append(
            "text before the first speaker label is kept in the source but not segmented; "
            "give it a speaker label if it is part of the interview"
        )
    return Transcript(text=text, turns=turns, format=fmt, warnings=warnings)


def _label_lines(text: str, known: set[str], path: str | None) -> list[tuple[int, LabelMatch, bool]]:
    """(offset, label, whether speech follows on the line) for each line starting with a label.

    Only label lines are kept, and a text with more turns than the limit is refused as soon
    as that is certain: each line of an accepted speaker with speech after the label starts
    a turn of its own, so their number is a lower bound on the turns. It is counted whenever
    the kept lines double past the limit, so a hostile file costs no more than twice the limit.
    """
    found: list[tuple[int, LabelMatch, bool]] = []
    counts: Counter[str] = Counter()
    strong: set[str] = set()
    next_check = limits.MAX_TURNS_PER_SOURCE + 1
    for line in _LINE.finditer(text):
        content = line.group().rstrip("\n")
        m = match_label(content) if content else None
        if m is None:
            continue
        found.append((line.start(), m, bool(content[m.rest_offset :].strip())))
        counts[m.label] += 1
        if m.strong:
            strong.add(m.label)
        if len(found) >= next_check:
            speakers = accepted_labels(counts, strong, known)
            check_turns(sum(1 for _, f, speech in found if speech and f.label in speakers), path)
            next_check *= 2
    return found


def _close(text: str, current: tuple, end: int) -> list[Turn]:
    """The turn from its speech start to ``end``, trimmed of surrounding white space."""
    speaker, start, time = current
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return []
    start += len(chunk) - len(chunk.lstrip())
    return [Turn(speaker, stripped, start, start + len(stripped), time)]


def _time(m: LabelMatch) -> float | None:
    if m.time is None:
        return None
    try:
        return parse_clock(m.time)
    except ValueError:
        return None


def _first_label_offset(matches: list, speakers: set[str]) -> int:
    return next(offset for offset, m, _ in matches if m.label in speakers)
