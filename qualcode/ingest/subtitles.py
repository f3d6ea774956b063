"""WebVTT (.vtt) and SubRip (.srt) transcripts.

Speakers come from WebVTT voice tags (``<v Naam>``) or, in either format, from a label at
the start of a cue (``NAAM: ...``); a cue without one continues the previous speaker.
Consecutive cues of one speaker become one turn, timed by its first cue.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from qualcode.errors import InputError
from qualcode.ingest.model import TextBuilder, Transcript, parse_clock
from qualcode.ingest.speakers import accepted_labels, match_label

_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?[ \t]+([^>]+)>")
_TAG = re.compile(r"<[^>]*>")
_SRT_STYLE = re.compile(r"\{\\[^}]*\}")


@dataclass
class _Cue:
    line: int
    time: float
    speaker: str | None
    text: str


def read_vtt(text: str, path: str, known_speakers: set[str]) -> Transcript:
    if not text.lstrip().startswith("WEBVTT"):
        raise InputError("a WebVTT file must start with the line WEBVTT; is this really .vtt?", path, 1)
    cues = []
    for line_no, lines in _blocks(text):
        timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            continue  # the header, NOTE, STYLE and REGION blocks
        cues.extend(_vtt_cue(lines, timing, line_no, path))
    return _build(cues, "vtt", path, known_speakers)


def read_srt(text: str, path: str, known_speakers: set[str]) -> Transcript:
    cues = []
    for line_no, lines in _blocks(text):
        timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            raise InputError(
                "expected a subtitle cue (a number, a 00:00:01,000 --> 00:00:02,000 line, text)",
                path,
                line_no,
            )
        start = _cue_start(lines[timing], line_no + timing, path)
        payload = " ".join(_SRT_STYLE.sub("", _TAG.sub("", line)).strip() for line in lines[timing + 1 :])
        cues.append(_Cue(line_no, start, None, html.unescape(payload).strip()))
    return _build(cues, "srt", path, known_speakers)


def _vtt_cue(lines: list[str], timing: int, line_no: int, path: str) -> list[_Cue]:
    start = _cue_start(lines[timing], line_no + timing, path)
    cues: list[_Cue] = []
    for line in lines[timing + 1 :]:
        voice = _VOICE.search(line)
        text = html.unescape(_TAG.sub("", line)).strip()
        if voice:
            cues.append(_Cue(line_no, start, voice.group(1).strip(), text))
        elif cues:
            cues[-1].text += " " + text
        else:
            cues.append(_Cue(line_no, start, None, text))
    return cues


def _build(cues: list[_Cue], fmt: str, path: str, known: set[str]) -> Transcript:
    if not cues:
        raise InputError(f"no subtitle cues found; is this really .{fmt}?", path)
    _labels_from_text(cues, known)
    builder = TextBuilder(path)
    speaker, parts, time = None, [], None
    for cue in cues:
        if cue.speaker is not None and cue.speaker != speaker:
            builder.add_turn(speaker, " ".join(parts), time)
            speaker, parts, time = cue.speaker, [], None
        if time is None:
            time = cue.time
        parts.append(cue.text)
    builder.add_turn(speaker, " ".join(parts), time)
    return Transcript(text=builder.text(), turns=builder.turns, format=fmt)


def _labels_from_text(cues: list[_Cue], known: set[str]) -> None:
    """Move ``NAAM: text`` labels at the start of unvoiced cues into ``cue.speaker``."""
    found = {i: match_label(c.text) for i, c in enumerate(cues) if c.speaker is None}
    counts: dict[str, int] = {}
    for m in found.values():
        if m and not m.strong:
            counts[m.label] = counts.get(m.label, 0) + 1
    speakers = accepted_labels(counts, set(), known)
    for i, m in found.items():
        if m and not m.strong and m.label in speakers:
            cues[i].speaker = m.label
            cues[i].text = cues[i].text[m.rest_offset :].strip()


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks with the 1-based line number each starts on."""
    blocks, current, start = [], [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _cue_start(line: str, line_no: int, path: str) -> float:
    m = _TIMING.match(line)
    if not m:
        raise InputError(f"cannot read the cue timing {line.strip()!r}", path, line_no)
    return parse_clock(m.group("start"))
