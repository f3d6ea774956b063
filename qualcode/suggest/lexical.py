"""Lexical suggestions: the codes' keywords (on lower-cased words) and lemma patterns (on
lemmas) found with spaCy's PhraseMatcher. The rationale lists what matched."""

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
        from spacy.matcher import PhraseMatcher
        from spacy.tokens import Doc
        from spacy.vocab import Vocab

        self.vocab_ = Vocab()
        self.words_ = PhraseMatcher(self.vocab_, attr="ORTH")  # words arrive lower-cased
        self.lemmas_ = PhraseMatcher(self.vocab_, attr="LEMMA")
        self.codes_ = [c.name for c in codes]
        for code in codes:
            if code.keywords:
                self.words_.add(code.name, [Doc(self.vocab_, words=list(k)) for k in code.keywords])
            if code.lemma_patterns:
                patterns = [Doc(self.vocab_, words=list(p), lemmas=list(p)) for p in code.lemma_patterns]
                self.lemmas_.add(code.name, patterns)
        return self

    def suggest(self, segments: Sequence[SegmentData]) -> list[dict[str, Scored]]:
        return [self._one(segment) for segment in segments]

    def matches(self, segment: SegmentData) -> dict[str, list[str]]:
        """Per code, the distinct terms found in the segment ("woonden (wonen)" for lemmas)."""
        from spacy.tokens import Doc

        words, lemmas = segment.norm.split(), segment.lemmas.split()
        if not words or len(words) != len(lemmas):
            return {}
        doc = Doc(self.vocab_, words=words, lemmas=lemmas)
        found: dict[str, list[str]] = {}
        seen: set[tuple[str, int, int]] = set()  # a span found as a word and as a lemma counts once
        for matcher, show_lemma in ((self.words_, False), (self.lemmas_, True)):
            for match_id, start, end in matcher(doc):
                code = self.vocab_.strings[match_id]
                if (code, start, end) in seen:
                    continue
                seen.add((code, start, end))
                span = doc[start:end]
                term = span.text
                if show_lemma and span.lemma_ != span.text:
                    term = f"{span.text} ({span.lemma_})"
                terms = found.setdefault(code, [])
                if term not in terms:
                    terms.append(term)
        return found

    def _one(self, segment: SegmentData) -> dict[str, Scored]:
        return {
            code: Scored(1 - self.saturation ** len(terms), "matched " + ", ".join(repr(t) for t in terms))
            for code, terms in self.matches(segment).items()
        }
