"""Plain text and Markdown transcripts: speaker turns found from line labels.

A turn runs from its label to the next label line; lines without a label in between
(continuation paragraphs) belong to it. Text before the first label (a title, a date) is
kept in the source but is not a turn. A text with no labels at all is one turn by an
unnamed speaker.
"""

from __future__ import annotations

import re
from collections import Counter

from qualcode.ingest.model import Transcript, Turn, parse_clock
from qualcode.ingest.speakers import LabelMatch, accepted_labels, match_label

_LINE = re.compile(r"[^\n]*\n?")
_LONG_PREAMBLE = 400  # characters of unassigned text before the first turn worth a warning


def parse_turns(text: str, fmt: str, known_speakers: set[str] = frozenset()) -> Transcript:
    lines = _lines_with_offsets(text)
    matches = [(offset, line, match_label(line)) for offset, line in lines]
    counts = Counter(m.label for _, _, m in matches if m)
    strong = {m.label for _, _, m in matches if m and m.strong}
    speakers = accepted_labels(counts, strong, set(known_speakers))

    turns: list[Turn] = []
    current: tuple[str | None, int, float | None] | None = None  # speaker, start, time
    for offset, _line, m in matches:
        if m and m.label in speakers:
            if current:
                turns.extend(_close(text, current, offset))
            current = (m.label, offset + m.rest_offset, _time(m))
    if current:
        turns.extend(_close(text, current, len(text)))

    warnings = []
    if not turns:
        turns = _close(text, (None, 0, None), len(text))
    elif len(text[: _first_label_offset(matches, speakers)].strip()) > _LONG_PREAMBLE:
        warnings.append(
            "text before the first speaker label is kept in the source but not segmented; "
            "give it a speaker label if it is part of the interview"
        )
    return Transcript(text=text, turns=turns, format=fmt, warnings=warnings)


def _lines_with_offsets(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group().rstrip("\n")) for m in _LINE.finditer(text) if m.group()]


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
    return next(offset for offset, _, m in matches if m and m.label in speakers)
