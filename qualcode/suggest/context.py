"""What an interview carries around a segment: who speaks, and what was just asked.

In a semi-structured interview the interviewer's question predicts much of the coding, and
coders rarely code the interviewer's own turns; both are learned from the coder's decisions,
so neither needs declared roles. Where no role is declared, the speaker whose turns most often
ask something ("?") is taken as the one who asks.
"""

from __future__ import annotations

from collections import defaultdict

ASKS, ANSWERS = "asks", "answers"
_QUESTION_CHARS = 400
_ASKING_WORDS = 4  # the end of a long preceding turn is where the question is


def turn_context(turns) -> dict[int, tuple[str, str]]:
    """Per turn id, (speaker kind, text of the turn of another speaker before it). ``turns``
    are rows with id, source_id, speaker, role and text, by source and position."""
    by_source: dict[int, list] = defaultdict(list)
    for turn in turns:
        by_source[turn["source_id"]].append(turn)
    context: dict[int, tuple[str, str]] = {}
    for rows in by_source.values():
        asker = _asker(rows)
        said: list[tuple[str | None, str]] = []  # (speaker, text) of the substantial turns so far
        for turn in rows:
            kind = (turn["role"] or "").strip().lower() or (ASKS if turn["speaker"] == asker else ANSWERS)
            context[turn["id"]] = (kind, _last_of_another(said, turn["speaker"])[-_QUESTION_CHARS:])
            text = turn["text"] or ""
            # "Right." or "Mm." between two answers does not ask anything new.
            if len(text.split()) >= _ASKING_WORDS:
                said.append((turn["speaker"], text))
    return context


def _last_of_another(said: list[tuple[str | None, str]], speaker: str | None) -> str:
    """The latest substantial turn of someone other than ``speaker`` (a speaker's next turns
    in a row answer the same question)."""
    for who, text in reversed(said[-50:]):
        if who != speaker or speaker is None:
            return text
    return ""


def _asker(rows) -> str | None:
    """The speaker label whose turns most often contain a question mark (None if nobody
    asks in at least two turns, or only one person speaks)."""
    asked: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for turn in rows:
        if turn["speaker"] is not None:
            counts = asked[turn["speaker"]]
            counts[0] += "?" in (turn["text"] or "")
            counts[1] += 1
    if len(asked) < 2:
        return None
    label, (questions, total) = max(asked.items(), key=lambda kv: (kv[1][0] / kv[1][1], kv[1][0]))
    return label if questions >= 2 else None
