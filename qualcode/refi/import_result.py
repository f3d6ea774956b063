"""What a REFI-QDA project import brought in, and what it could not carry over."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class QdpxImport:
    """What an import added to the project, and what it could not carry over."""

    sources: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)  # codes added to the codebook
    codings: int = 0
    cases: list[str] = field(default_factory=list)
    memos: int = 0
    cmocs: list[str] = field(default_factory=list)  # the keys of the CMOCs added
    warnings: list[str] = field(default_factory=list)


class Skipped:
    """Counts of what could not be carried over, turned into warnings at the end."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def add(self, what: str, n: int = 1) -> None:
        if n:
            self.counts[what] = self.counts.get(what, 0) + n

    def warnings(self, path: str) -> list[str]:
        return [f"{path}: not carried over: {n} {what}" for what, n in sorted(self.counts.items())]

    def about(self, word: str) -> list[str]:
        """The counts whose description holds ``word``, as "n what" phrases."""
        return [f"{n} {what}" for what, n in sorted(self.counts.items()) if word in what]
