"""What every suggester sees and returns, and the base class they share.

Suggesters never touch the database: the project hands them segments, a profile of the
codebook (texts already lemmatised with the project's pipeline) and the labels people gave,
and stores what they return as suggestions with their name and version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SegmentData:
    id: int
    source: str
    text: str
    norm: str  # lower-cased tokens, space separated
    lemmas: str  # one lemma per token of norm
    start: int = 0  # code points into the source, end exclusive
    end: int = 0
    position: float = 0.0  # where in its source, 0 (first) .. 1 (last)
    speaker: str = ""  # who speaks: the declared role, else "asks" or "answers" (see context.py)
    question: str = ""  # the turn of another speaker before this one (the interviewer's question)
    order: int = -1  # its place among its source's segments (0, 1, ...), -1 if not known


@dataclass(frozen=True)
class CodeProfile:
    """A code as the suggesters use it; ``*_lemmas`` are lemmatised, lower-cased texts."""

    name: str
    kind: str
    definition: str  # name, description and inclusion criteria, as written
    definition_lemmas: str
    examples: tuple[str, ...] = ()
    example_lemmas: tuple[str, ...] = ()
    keywords: tuple[tuple[str, ...], ...] = ()  # lower-cased token sequences
    keyword_texts: tuple[str, ...] = ()  # the keywords as written
    lemma_patterns: tuple[tuple[str, ...], ...] = ()  # lemma sequences
    parent: str | None = None
    group: bool = False  # has codes below it: a heading, suggested only if coded itself


@dataclass
class Labels:
    """What people decided, for learning.

    ``coded`` maps every segment in the coded part of the project (the sources a coder has
    worked through) to the codes it carries; an empty set there means "none of them".
    ``rejected`` holds suggestions people turned down, anywhere: explicit negatives.
    """

    coded: dict[int, set[str]] = field(default_factory=dict)
    rejected: dict[int, set[str]] = field(default_factory=dict)
    # Each segment in ``coded`` with no code (and no rejection) stands for this many such
    # segments: more than 1 in a sample of them (see :meth:`sampled`).
    empty_weight: float = 1.0

    def sampled(self, limit: int) -> Labels:
        """At most about ``limit`` labelled segments to learn from: every segment with a code
        or a rejection, and an even share of those coded as having none, weighted up so that
        what is learned keeps the true rate of the codes. Itself when already small enough."""
        empty = [s for s, codes in self.coded.items() if not codes and s not in self.rejected]
        informative = (
            len(self.coded) + len(self.rejected) - len(set(self.coded) & set(self.rejected)) - len(empty)
        )
        room = max(limit - informative, min(len(empty), limit // 4))
        if len(empty) <= room:
            return self
        kept = set(sorted(empty, key=lambda s: (s * 2654435761) % 2**32)[:room])  # a fixed spread
        coded = {s: codes for s, codes in self.coded.items() if codes or s in self.rejected or s in kept}
        return Labels(coded=coded, rejected=self.rejected, empty_weight=len(empty) / room)

    def decided(self, segment: int) -> set[str]:
        """The codes people decided for ``segment``: coded or rejected."""
        return self.coded.get(segment, set()) | self.rejected.get(segment, set())

    def weight(self, segment: int) -> float:
        """How many labelled segments ``segment`` stands for."""
        return self.empty_weight if not self.coded.get(segment) and segment not in self.rejected else 1.0

    def positives(self, code: str) -> set[int]:
        return {s for s, codes in self.coded.items() if code in codes}

    def negatives(self, code: str) -> set[int]:
        closed_world = {s for s, codes in self.coded.items() if code not in codes}
        return closed_world | {s for s, codes in self.rejected.items() if code in codes}


@dataclass(frozen=True)
class Scored:
    score: float  # 0..1, higher is more likely
    rationale: str  # what a researcher can check: matched words, nearest example


class Suggester:
    """Base class. ``__init__`` stores options only; ``fit`` learns and returns self;
    learned state ends in ``_``; ``suggest`` returns, per segment, a score per code."""

    name = "base"
    version = "0"
    default_min_score = 0.3  # shown from this score, unless the suggester chose a threshold

    def threshold(self) -> float:
        """The score from which a suggestion is shown: chosen from the coder's decisions by a
        suggester that can (``threshold_``), else the class's fixed default."""
        return getattr(self, "threshold_", self.default_min_score)

    def config(self) -> dict:
        """The options this suggester was made with, stored with each run."""
        return {k: v for k, v in vars(self).items() if not k.endswith("_")}

    def fit(self, codes: Sequence[CodeProfile], corpus: Sequence[SegmentData], labels: Labels) -> Suggester:
        raise NotImplementedError

    def suggest(self, segments: Sequence[SegmentData]) -> list[dict[str, Scored]]:
        raise NotImplementedError
