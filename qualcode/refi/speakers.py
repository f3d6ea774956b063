"""The speakers of a case, as qualcode writes them into the case's REFI-QDA ``Description``.

REFI-QDA links a case to whole sources, while qualcode links a case to a speaker in a source.
The export lists those speakers under a heading, one line per speaker, and the import reads
them back; other tools simply show the text::

    qualcode speakers:
    - interview01: R (client)
    - interview02: P
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

SPEAKERS_HEADING = "qualcode speakers:"
SPEAKER_LINE = re.compile(r"^- (?P<source>.+): (?P<label>.+?)(?: \((?P<role>[^()]*)\))?$")


class Speaker(NamedTuple):
    source: str
    label: str
    role: str | None  # None when the line names no role


def format_speakers(speakers: Iterable[Speaker]) -> str:
    """The heading and one line per speaker (the role in brackets when there is one)."""
    lines = [SPEAKERS_HEADING] + [
        f"- {s.source}: {s.label}" + (f" ({s.role})" if s.role else "") for s in speakers
    ]
    return "\n".join(lines)


def read_speakers(description: str) -> list[Speaker]:
    """The speakers listed below the heading in ``description``; lines that do not fit are skipped."""
    lines = description.replace("\r\n", "\n").split("\n")
    if SPEAKERS_HEADING not in lines:
        return []
    found = []
    for line in lines[lines.index(SPEAKERS_HEADING) + 1 :]:
        m = SPEAKER_LINE.match(line.strip())
        if m:
            found.append(Speaker(m["source"], m["label"], m["role"]))
    return found
