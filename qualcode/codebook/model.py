"""The codebook: codes with their definitions, criteria, examples and matching words.

Readers (YAML, CSV, REFI-QDA .qdc) all produce a :class:`Codebook`; :meth:`Codebook.validate`
checks it and names the file, line and field of the first problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qualcode.errors import InputError

KINDS = ("actor", "context", "mechanism", "outcome", "bottleneck", "theme", "other")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass
class Code:
    """One code. ``name`` identifies it; everything else describes or helps find it.

    ``keywords`` are words or phrases matched on lower-cased tokens; ``lemmas`` are words or
    phrases matched on lemmas (so "steungroep opzetten" also finds "zette een steungroep op"
    only if the lemmas line up; inflections are covered). ``formerly`` lists earlier names of
    this code (a rename keeps its codings); ``merges`` lists codes folded into this one.
    """

    name: str
    description: str = ""
    parent: str | None = None
    kind: str = "other"
    label: str | None = None
    colour: str | None = None
    inclusion: list[str] = field(default_factory=list)
    exclusion: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    lemmas: list[str] = field(default_factory=list)
    formerly: list[str] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    line: int | None = None  # where the code starts in its file, for error messages

    def details(self) -> dict:
        """The descriptive fields stored as JSON beside the code's row."""
        return {
            "inclusion": self.inclusion,
            "exclusion": self.exclusion,
            "examples": self.examples,
            "keywords": self.keywords,
            "lemmas": self.lemmas,
        }


@dataclass
class Codebook:
    codes: list[Code]
    name: str = ""
    path: str | None = None  # the file it was read from, for error messages

    def by_name(self) -> dict[str, Code]:
        return {c.name: c for c in self.codes}

    def children(self, name: str | None) -> list[Code]:
        return [c for c in self.codes if c.parent == name]

    def ordered(self) -> list[Code]:
        """Parents before children, siblings in file order (depth first)."""
        out: list[Code] = []

        def visit(parent: str | None) -> None:
            for child in self.children(parent):
                out.append(child)
                visit(child.name)

        visit(None)
        return out

    def validate(self) -> Codebook:
        """Raise :class:`InputError` for the first problem found; return self when sound."""
        seen: dict[str, Code] = {}
        for code in self.codes:
            if not code.name.strip():
                self._fail(code, "name", "a code needs a name")
            if code.name in seen:
                first = seen[code.name].line
                self._fail(
                    code,
                    "name",
                    f"code {code.name!r} is defined twice" + (f" (first on line {first})" if first else ""),
                )
            seen[code.name] = code
            if code.kind not in KINDS:
                self._fail(
                    code,
                    "kind",
                    f"unknown kind {code.kind!r} for code {code.name!r}; use one of {', '.join(KINDS)}",
                )
            if code.colour is not None and not _COLOUR.match(code.colour):
                self._fail(code, "colour", f"colour {code.colour!r} of code {code.name!r} is not #RRGGBB")
        for code in self.codes:
            if code.parent is not None and code.parent not in seen:
                self._fail(code, "parent", f"code {code.name!r} has unknown parent {code.parent!r}")
        for code in self.codes:
            chain, parent = [code.name], code.parent
            while parent is not None:
                if parent in chain:
                    cycle = " -> ".join([*chain[chain.index(parent) :], parent])
                    self._fail(code, "parent", f"the parents of code {code.name!r} form a cycle: {cycle}")
                chain.append(parent)
                parent = seen[parent].parent
        for code in self.codes:
            for old in code.formerly + code.merges:
                if old in seen:
                    self._fail(code, "formerly" if old in code.formerly else "merges",
                               f"code {code.name!r} names {old!r} as an earlier or merged code, but {old!r} is still defined")  # fmt: skip
        return self

    def warnings(self) -> list[str]:
        """What is allowed but probably a mistake: codes whose names differ only in case
        ("Steungroep" and "steungroep" are two codes, and codings split between them)."""
        first: dict[str, Code] = {}
        found = []
        for code in self.codes:
            key = code.name.casefold()
            other = first.setdefault(key, code)
            if other is not code:
                where = (
                    f"{self.path}, line {code.line}: "
                    if self.path and code.line
                    else (f"{self.path}: " if self.path else "")
                )
                found.append(
                    f"{where}codes {other.name!r}"
                    + (f" (line {other.line})" if other.line else "")
                    + f" and {code.name!r} differ only in case; they are two codes: "
                    "rename one, or merge them (merges: [...])"
                )
        return found

    def _fail(self, code: Code, field_name: str, message: str) -> None:
        raise InputError(f"field '{field_name}': {message}", self.path, code.line)
