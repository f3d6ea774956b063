"""Code suggestions: lexical, semantic, supervised, and the ensemble of the three (default)."""

from __future__ import annotations

from qualcode.errors import QualcodeError
from qualcode.suggest.base import CodeProfile, Labels, Scored, SegmentData, Suggester
from qualcode.suggest.ensemble import EnsembleSuggester
from qualcode.suggest.lexical import LexicalSuggester
from qualcode.suggest.semantic import SemanticSuggester
from qualcode.suggest.supervised import SupervisedSuggester

SUGGESTERS: dict[str, type[Suggester]] = {
    cls.name: cls for cls in (EnsembleSuggester, LexicalSuggester, SemanticSuggester, SupervisedSuggester)
}

__all__ = [
    "SUGGESTERS",
    "CodeProfile",
    "EnsembleSuggester",
    "Labels",
    "Scored",
    "SegmentData",
    "Suggester",
    "make_suggester",
]


def make_suggester(name: str, **options) -> Suggester:
    if name not in SUGGESTERS:
        raise QualcodeError(f"unknown suggester {name!r}; choose one of {', '.join(sorted(SUGGESTERS))}")
    return SUGGESTERS[name](**options)
