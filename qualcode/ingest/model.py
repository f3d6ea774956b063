"""What every reader returns: a normalised text and the speaker turns inside it."""

from __future__ import annotations

from dataclasses import dataclass, field

from qualcode.ingest.limits import check_characters, check_turns


@dataclass(frozen=True)
class Turn:
    """One speaker's contribution: ``text == transcript.text[start:end]``.

    ``speaker`` is the label as written in the file (None when the file names nobody);
    ``time`` is the turn's start in seconds where the file gives it.
    """

    speaker: str | None
    text: str
    start: int
    end: int
    time: float | None = None


@dataclass
class Transcript:
    text: str
    turns: list[Turn]
    format: str
    metadata: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def check_offsets(self) -> None:
        """Raise AssertionError if a turn breaks the offset contract (a reader bug)."""
        for turn in self.turns:
            assert self.text[turn.start : turn.end] == turn.text, turn


def format_clock(seconds: float) -> str:
    """``83.4`` -> ``00:01:23``; used where a reader renders times into the text."""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def parse_clock(value: str) -> float:
    """``01:23``, ``1:02:03``, ``00:01:23.450`` or ``00:01:23,450`` -> seconds.

    Raises ValueError for anything else, so callers can name the line.
    """
    parts = value.strip().replace(",", ".").split(":")
    if not 1 <= len(parts) <= 3 or any(not p for p in parts):
        raise ValueError(f"not a time: {value!r}")
    seconds = 0.0
    for part in parts[:-1]:
        if not part.isdigit():
            raise ValueError(f"not a time: {value!r}")
        seconds = seconds * 60 + int(part)
    last = float(parts[-1])
    if last < 0 or (len(parts) > 1 and last >= 60):
        raise ValueError(f"not a time: {value!r}")
    return seconds * 60 + last if len(parts) > 1 else last


class TextBuilder:
    """Builds a transcript text turn by turn, recording each turn's exact offsets.

    Readers of structured formats (subtitles, CSV, REFI) render their turns as readable
    ``[hh:mm:ss] Speaker: text`` paragraphs, the same layout the plain-text reader parses.
    A turn past the limits (:mod:`qualcode.ingest.limits`) is refused before it is added
    (naming ``path`` when given).
    """

    def __init__(self, path: str | None = None) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._path = path
        self.turns: list[Turn] = []

    def add_turn(self, speaker: str | None, text: str, time: float | None = None) -> None:
        text = text.strip()
        if not text:
            return
        prefix = f"[{format_clock(time)}] " if time is not None else ""
        if speaker:
            prefix += f"{speaker}: "
        check_turns(len(self.turns) + 1, self._path)
        check_characters(self._length + 2 + len(prefix) + len(text) + 1, self._path)
        if self._parts:
            self._append("\n\n")
        self._append(prefix)
        start = self._length
        self._append(text)
        self.turns.append(Turn(speaker, text, start, self._length, time))

    def text(self) -> str:
        return "".join(self._parts) + ("\n" if self._parts else "")

    def _append(self, piece: str) -> None:
        self._parts.append(piece)
        self._length += len(piece)
