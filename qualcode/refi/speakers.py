"""Speakers and their roles, as qualcode writes them into REFI-QDA ``Description`` elements.

REFI-QDA links a case to whole sources, while qualcode links a case to a speaker in a source.
The export lists those speakers in the case's description, under a heading, one line per
speaker, and the import reads them back; other tools simply show the text::

    qualcode speakers:
    - interview01: R (client)
    - interview02: P

REFI-QDA has no speakers at all, so the role of every speaker who has one (an interviewer
who belongs to no case, such as "Lotte" in the example study, included) goes into the
description of the source they speak in, under the same heading, the role always in brackets::

    qualcode speakers:
    - Lotte (interviewer)
    - Ellen (naaste)

A label may itself end in brackets (``Jan (vader) (naaste)``); a role may not hold any.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

SPEAKERS_HEADING = "qualcode speakers:"
SPEAKER_LINE = re.compile(r"^- (?P<source>.+): (?P<label>.+?)(?: \((?P<role>[^()]*)\))?$")
ROLE_LINE = re.compile(r"^- (?P<label>.+?) \((?P<role>[^()]+)\)$")


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
    found = []
    for line in _listed(description):
        m = SPEAKER_LINE.match(line)
        if m:
            found.append(Speaker(m["source"], m["label"], m["role"]))
    return found


def format_roles(roles: Iterable[tuple[str, str]]) -> str:
    """A source's description: the heading and one ``- label (role)`` line per speaker."""
    return "\n".join([SPEAKERS_HEADING] + [f"- {label} ({role})" for label, role in roles])


def read_roles(description: str) -> list[tuple[str, str]]:
    """(label, role) of each speaker a source's description lists; lines that do not fit are skipped."""
    found = []
    for line in _listed(description):
        m = ROLE_LINE.match(line)
        if m and m["label"].strip() and m["role"].strip():
            found.append((m["label"].strip(), m["role"].strip()))
    return found


def _listed(description: str) -> list[str]:
    """The stripped lines below the heading (none when there is no heading)."""
    lines = [line.strip() for line in description.replace("\r\n", "\n").split("\n")]
    if SPEAKERS_HEADING not in lines:
        return []
    return lines[lines.index(SPEAKERS_HEADING) + 1 :]
