"""Finding the texts of a plan in a string: whole words, with possessives and inflections.

One rule, used everywhere a plan's text is looked for (counting it in a plan, replacing it in
a copy, and the tests that check a copy holds none of it), so that what a plan counts is what
applying it replaces:

- A match is whole: no letter or digit directly before it or after it (an underscore counts as
  a separator, so ``ams_client_marco`` holds ``marco``).
- Case: a name matches as written and in capitals (``Karim``, ``KARIM``); a text written all
  in lower case also matches with a capital first letter; name particles match in any case
  (``De Overloop``, ``de Overloop``). E-mail addresses, URLs and other identifiers match in
  any case, and so does every text in *identifier* strings (source names, paths, topic words),
  which are written in lower case. A capitalised name does **not** match a lower-case word in
  prose: ``Centraal`` (the station) leaves ``de cliënt staat centraal`` alone.
- Between the words of a text any run of white space matches (in identifiers: ``_`` too).
- Possessives and inflections follow the text and are part of the match: ``Marco's``,
  ``Marco’s``, ``Henks``, ``Kees'``; for places also ``Haarlemse``, ``Amsterdammer(s)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Words inside names that are written in lower case mid-sentence ("bij de Overloop").
PARTICLES = frozenset("de het der den van ter te ten 't la le du da di el al bin ben von zu".split())
# Types whose texts are matched in any case.
CASELESS_TYPES = frozenset({"email", "url", "id", "postcode"})
POSSESSIVES = ("'s", "’s", "'", "’", "s")
PLACE_SUFFIXES = ("se", "er", "ers")
_WORD = r"[^\W_]"  # a letter or a digit
_SUFFIX = r"(?P<suffix>'s|’s|'|’|se|s|(?P<double>[^\W\d_])?ers?)?"


def key_of(text: str) -> str:
    """The text as plans compare it: case folded, white space made single spaces."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Match:
    start: int
    end: int  # after the suffix
    key: str  # key_of the plan text that matched
    core: str  # the matched text without its suffix
    suffix: str


class Matcher:
    """Finds every occurrence of a set of texts (``(text, type)`` pairs); longer texts win."""

    def __init__(self, texts: Iterable[tuple[str, str]], identifiers: bool = False):
        self.types: dict[str, str] = {}
        patterns = []
        for text, kind in sorted(set(texts), key=lambda t: (-len(t[0]), t[0])):
            key = key_of(text)
            if not key or key in self.types:
                continue
            self.types[key] = kind
            patterns.append(_pattern(text, kind, identifiers))
        self.identifiers = identifiers
        self._regex = None
        if patterns:
            body = "|".join(patterns)
            self._regex = re.compile(rf"(?<!{_WORD})(?P<core>{body}){_SUFFIX}(?!{_WORD})")

    def __bool__(self) -> bool:
        return self._regex is not None

    def finditer(self, text: str) -> Iterator[Match]:
        """The occurrences in ``text``, left to right, not overlapping."""
        if self._regex is None:
            return
        position = 0
        while True:
            found = self._regex.search(text, position)
            if found is None:
                return
            match = self._accepted(found)
            if match is None:
                position = found.start() + 1
                continue
            yield match
            position = found.end()

    def _accepted(self, found: re.Match) -> Match | None:
        core = found.group("core")
        key = key_of(core)
        kind = self.types.get(key)
        if kind is None:  # matched through a separator variant
            key = key_of(core.replace("_", " "))
            kind = self.types.get(key)
            if kind is None:
                return None
        suffix = found.group("suffix") or ""
        if suffix and suffix not in POSSESSIVES:
            double = found.group("double") or ""
            if kind != "place" or (double and double.casefold() != core[-1].casefold()):
                return self._without_suffix(found, core, key)
        return Match(found.start(), found.end(), key, core, suffix)

    def _without_suffix(self, found: re.Match, core: str, key: str) -> Match | None:
        """A suffix this type does not take: a match only if the core ends a word by itself."""
        end = found.start() + len(core)
        rest = found.string[end : end + 1]
        if rest and re.match(_WORD, rest):
            return None
        return Match(found.start(), end, key, core, "")

    def count(self, text: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for match in self.finditer(text):
            counts[match.key] = counts.get(match.key, 0) + 1
        return counts


def _pattern(text: str, kind: str, identifiers: bool) -> str:
    caseless = identifiers or kind in CASELESS_TYPES
    parts = []
    for word in text.split():
        if caseless or word.casefold() in PARTICLES:
            parts.append(f"(?i:{re.escape(word)})")
            continue
        variants = [word, word.upper()]
        if word == word.lower():
            variants.append(word[:1].upper() + word[1:])
        parts.append("(?:" + "|".join(re.escape(v) for v in dict.fromkeys(variants)) + ")")
    return (r"[\s_]+" if identifiers else r"\s+").join(parts)
