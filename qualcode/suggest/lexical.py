"""Lexical suggestions: the codes' keywords (on lower-cased words) and lemma patterns (on
lemmas) found as token sequences. The rationale lists what matched."""

from __future__ import annotations

from collections.abc import Sequence

from qualcode.suggest.base import CodeProfile, Labels, Scored, SegmentData, Suggester


class LexicalSuggester(Suggester):
    name = "lexical"
    version = "1"

    def __init__(self, saturation: float = 0.5):
        # Each further distinct matched term halves the distance to 1: 1 term 0.5, 2 terms 0.75.
        self.saturation = saturation

    def fit(
        self, codes: Sequence[CodeProfile], corpus: Sequence[SegmentData], labels: Labels
    ) -> LexicalSuggester:
        # Phrases by their first token: a segment is scanned once, each position looking up only
        # the phrases that can start there (no NLP library needed to match token sequences).
        self.words_ = _phrases((code.name, k) for code in codes for k in code.keywords)
        self.lemmas_ = _phrases((code.name, p) for code in codes for p in code.lemma_patterns)
        self.codes_ = [c.name for c in codes]
        return self

    def suggest(self, segments: Sequence[SegmentData]) -> list[dict[str, Scored]]:
        return [self._one(segment) for segment in segments]

    def matches(self, segment: SegmentData) -> dict[str, list[str]]:
        """Per code, the distinct terms found in the segment ("woonden (wonen)" for lemmas)."""
        words, lemmas = segment.norm.split(), segment.lemmas.split()
        if not words or len(words) != len(lemmas):
            return {}
        found: dict[str, list[str]] = {}
        seen: set[tuple[str, int, int]] = set()  # a span found as a word and as a lemma counts once
        for tokens, phrases, show_lemma in ((words, self.words_, False), (lemmas, self.lemmas_, True)):
            for start, token in enumerate(tokens):
                for phrase, code in phrases.get(token, ()):
                    end = start + len(phrase)
                    if tuple(tokens[start:end]) != phrase or (code, start, end) in seen:
                        continue
                    seen.add((code, start, end))
                    term = " ".join(words[start:end])
                    lemma = " ".join(lemmas[start:end])
                    if show_lemma and lemma != term:
                        term = f"{term} ({lemma})"
                    terms = found.setdefault(code, [])
                    if term not in terms:
                        terms.append(term)
        return found

    def _one(self, segment: SegmentData) -> dict[str, Scored]:
        return {
            code: Scored(1 - self.saturation ** len(terms), "matched " + ", ".join(repr(t) for t in terms))
            for code, terms in self.matches(segment).items()
        }


def _phrases(pairs) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """(code, token sequence) pairs indexed by the sequence's first token."""
    out: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for code, phrase in pairs:
        phrase = tuple(phrase)
        if phrase and (phrase, code) not in out.get(phrase[0], []):
            out.setdefault(phrase[0], []).append((phrase, code))
    return out
