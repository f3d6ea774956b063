"""Interface text in Dutch and English. Each page module adds its own strings with
:func:`add`; :func:`translate` picks the request's language (``?lang=`` or the cookie it
sets, else the project's segmenting language: Dutch for ``nl``, English otherwise)."""

from __future__ import annotations

LANGUAGES = ("nl", "en")
_TEXT: dict[str, dict[str, str]] = {"nl": {}, "en": {}}


def add(nl: dict[str, str], en: dict[str, str]) -> None:
    """Register a page's strings; both languages must have the same keys."""
    if set(nl) != set(en):
        raise ValueError(f"strings without a translation: {sorted(set(nl) ^ set(en))}")
    _TEXT["nl"].update(nl)
    _TEXT["en"].update(en)


def translate(language: str, key: str, **values) -> str:
    text = _TEXT.get(language, _TEXT["en"]).get(key) or _TEXT["en"].get(key, key)
    return text.format(**values) if values else text


add(
    nl={
        "sources": "Transcripten", "review": "Beoordelen", "codebook": "Codeboek", "search": "Zoeken",
        "memos": "Memo's", "compare": "Vergelijken", "findings": "Bevindingen", "coder": "Codeur",
        "switch": "Wissel", "language": "Taal", "blind": "blind: wat anderen codeerden is verborgen",
        "no_coder": "kies eerst een codeursnaam",
    },
    en={
        "sources": "Transcripts", "review": "Review", "codebook": "Codebook", "search": "Search",
        "memos": "Memos", "compare": "Compare", "findings": "Findings", "coder": "Coder",
        "switch": "Switch", "language": "Language", "blind": "blind: what others coded is hidden",
        "no_coder": "choose a coder name first",
    },
)  # fmt: skip
