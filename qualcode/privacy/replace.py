"""Replacing a plan's texts, and the offset map that carries positions along.

:class:`Pseudonymiser` replaces every occurrence of every text a plan replaces
(:mod:`qualcode.privacy.matching`) in three kinds of string: a source text (with its
:class:`OffsetMap`), free text (memos, notes, statements: the same, plus path-like words), and
identifiers (source names, paths, topic words: any case, the pseudonym as a slug).

The offset map sends a position in the original text to the pseudonymised one: a position
outside every replaced span moves by the difference in length before it; a span's start
inside a replaced text moves to the start of its pseudonym and a span's end inside one to the
end of it, so a coding of ``Marco zei`` covers ``[cliënt C01] zei``, and a coding of ``arc``
inside ``Marco`` covers the whole pseudonym.
"""

from __future__ import annotations

import bisect
import json
import re
from collections import Counter
from dataclasses import dataclass

from qualcode.privacy.matching import Matcher, key_of
from qualcode.privacy.plan import Plan
from qualcode.privacy.pseudonyms import inflect, slug

_PATHLIKE = re.compile(r"\S*(?:[/\\_]|\.[A-Za-z0-9]{2,5}\b)\S*")


@dataclass(frozen=True)
class Replacement:
    start: int  # in the original text
    end: int
    new_start: int  # in the new text
    new_end: int
    original: str
    new: str


class OffsetMap:
    """Positions in an original text → positions in its pseudonymised text."""

    def __init__(self, replacements: list[Replacement]):
        self.replacements = replacements
        self._starts = [r.start for r in replacements]

    def _before(self, position: int) -> Replacement | None:
        """The last replacement that starts before ``position``."""
        index = bisect.bisect_left(self._starts, position) - 1
        return self.replacements[index] if index >= 0 else None

    def start(self, position: int) -> int:
        r = self._before(position)
        if r is None:
            return position
        return r.new_start if position < r.end else r.new_end + position - r.end

    def end(self, position: int) -> int:
        r = self._before(position)
        if r is None:
            return position
        return r.new_end if position < r.end else r.new_end + position - r.end

    def inside(self, start: int, end: int) -> list[Replacement]:
        """The replacements that overlap ``[start, end)``."""
        first = max(0, bisect.bisect_left(self._starts, start) - 1)
        return [r for r in self.replacements[first:] if r.start < end and r.end > start]


class Pseudonymiser:
    """Replaces the texts a plan replaces, and remembers what became what (for the key)."""

    def __init__(self, plan: Plan):
        entries = plan.replacing()
        self.entries = {key_of(e.text): e for e in entries}
        pairs = [(e.text, e.type) for e in entries]
        self.prose = Matcher(pairs)
        self.identifiers = Matcher(pairs, identifiers=True)
        self.surfaces: Counter = Counter()  # (new text, original text) -> times
        self.counts: Counter = Counter()  # type -> replacements in source texts

    def source_text(self, text: str) -> tuple[str, OffsetMap]:
        """A source's text pseudonymised, with its offset map."""
        new, replacements = self._replace(text, self.prose, record=True)
        return new, OffsetMap(replacements)

    def text(self, value: str) -> str:
        """Free text: names as in sources, and names in path-like words in any case."""
        if not value:
            return value
        new, _ = self._replace(value, self.prose)
        if not self.identifiers:
            return new
        return _PATHLIKE.sub(lambda m: self.name(m.group(0)), new)

    def name(self, value: str) -> str:
        """An identifier (a source name, a path, a topic word): any case, slugs."""
        if not value:
            return value
        return self._replace(value, self.identifiers, as_slug=True)[0]

    def json_text(self, value: str | None, names: dict[str, str] | None = None) -> str | None:
        """A JSON column: every string in it (keys too) as free text, a source name exactly
        as the copy names it; a value that is not JSON as free text."""
        if value is None:
            return None
        try:
            data = json.loads(value)
        except (TypeError, ValueError):
            return self.text(value)
        return json.dumps(self._walk(data, names or {}), ensure_ascii=False)

    def _walk(self, data, names: dict[str, str]):
        if isinstance(data, str):
            return names.get(data) or self.text(data)
        if isinstance(data, list):
            return [self._walk(v, names) for v in data]
        if isinstance(data, dict):
            return {self._walk(k, names): self._walk(v, names) for k, v in data.items()}
        return data

    def _replace(self, text: str, matcher: Matcher, record: bool = False, as_slug: bool = False):
        out, replacements, position, shift = [], [], 0, 0
        for m in matcher.finditer(text):
            entry = self.entries[m.key]
            if as_slug:
                new = slug(entry.pseudonym) + (m.suffix if m.suffix not in ("'", "’") else "")
            else:
                new = inflect(entry.pseudonym, m.suffix, entry.type)
            out.append(text[position : m.start])
            out.append(new)
            start = m.start + shift
            replacements.append(
                Replacement(m.start, m.end, start, start + len(new), text[m.start : m.end], new)
            )
            shift += len(new) - (m.end - m.start)
            position = m.end
            if record:
                self.surfaces[(new, text[m.start : m.end])] += 1
                self.counts[entry.type] += 1
        out.append(text[position:])
        return "".join(out), replacements


def align(text: str, tokens: list[str]) -> list[tuple[int, int]] | None:
    """Where each lower-cased token of a segment's ``norm`` stands in the segment's text (None
    when they cannot be lined up)."""
    spans, position = [], 0
    lowered = text.lower()
    for token in tokens:
        while position < len(text) and text[position].isspace():
            position += 1
        if lowered.startswith(token, position):
            spans.append((position, position + len(token)))
            position += len(token)
            continue
        found = lowered.find(token, position)
        if found < 0 or text[position:found].strip():
            return None
        spans.append((found, found + len(token)))
        position = found + len(token)
    return spans


def replace_tokens(
    norm: str, lemmas: str, text: str, start: int, offsets: OffsetMap, fallback: Matcher
) -> tuple[str, str]:
    """A segment's ``norm`` and ``lemmas`` with each token run inside a replaced span made one
    token of the pseudonym (lower case, ``_`` for spaces). ``text`` is the segment's original
    text, ``start`` its start in the source."""
    if not offsets.inside(start, start + len(text)):
        return norm, lemmas
    tokens, lemma_tokens = norm.split(" "), lemmas.split(" ")
    spans = align(text, tokens) if norm else []
    if spans is None or len(lemma_tokens) != len(tokens):
        return _replace_words(norm, fallback), _replace_words(lemmas, fallback)
    new_norm, new_lemmas, used = [], [], set()
    for token, lemma, (a, b) in zip(tokens, lemma_tokens, spans, strict=True):
        hit = offsets.inside(start + a, start + b)
        if not hit:
            new_norm.append(token)
            new_lemmas.append(lemma)
        elif hit[0].start not in used:
            used.add(hit[0].start)
            placeholder = "_".join(hit[0].new.lower().split())
            new_norm.append(placeholder)
            new_lemmas.append(placeholder)
    return " ".join(new_norm), " ".join(new_lemmas)


def _replace_words(value: str, matcher: Matcher) -> str:
    """The fallback for tokens that cannot be lined up: the identifiers rule, word by word."""
    if not value or not matcher:
        return value
    out, position = [], 0
    for m in matcher.finditer(value):
        out.append(value[position : m.start])
        out.append("[weggelaten]")
        position = m.end
    out.append(value[position:])
    return "".join(out)
