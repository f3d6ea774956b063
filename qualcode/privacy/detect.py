"""Finding personal data in the interviews, from several detectors, merged into one list.

Each :class:`Finding` has a type, the text, its positions (into the source's normalised text,
as every offset in qualcode) and the detector that found it:

- ``participants``: the names the participants file gives (:mod:`qualcode.privacy.people`);
- ``patterns``: qualcode's own patterns (:mod:`qualcode.privacy.patterns` for contact details
  and identifiers, :mod:`qualcode.privacy.context` for names in their context);
- ``wordlist``: the researcher's own list of texts (:func:`read_word_list`);
- ``deduce``: the Dutch de-identification library `deduce`, when installed, its spans cleaned
  (:mod:`qualcode.privacy.context`);
- ``spacy``: the entities of a trained spaCy pipeline with a named-entity recogniser, when one
  is installed (the blank pipeline has none).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from qualcode.errors import InputError, MissingDependencyError, QualcodeWarning
from qualcode.privacy import context, patterns
from qualcode.privacy.matching import Matcher
from qualcode.privacy.people import Person

TYPES = (
    "person", "place", "organisation", "phone", "email", "postcode", "bsn", "date",
    "age", "id", "url", "other",
)  # fmt: skip
DETECTORS = ("participants", "patterns", "wordlist", "deduce", "spacy")
DEFAULT_DETECTORS = DETECTORS
# When detectors disagree on a text's type, the first of these wins.
TYPE_AUTHORITY = ("wordlist", "participants", "patterns", "spacy", "deduce")

DEDUCE_TYPES = {
    "persoon": "person", "patient": "person", "voornaam": "person", "achternaam": "person",
    "pseudo_name": "person", "locatie": "place", "straat": "place", "ziekenhuis": "organisation",
    "zorginstelling": "organisation", "instelling": "organisation", "datum": "date",
    "leeftijd": "age", "bsn": "bsn", "id": "id", "telefoonnummer": "phone",
    "emailadres": "email", "url": "url",
}  # fmt: skip
SPACY_TYPES = {"PER": "person", "PERSON": "person", "LOC": "place", "GPE": "place", "ORG": "organisation"}
CONTACT_TYPES = frozenset({"phone", "email", "postcode", "bsn", "date", "url", "id"})


@dataclass(frozen=True)
class Finding:
    source: str  # the source (document) it is in
    start: int
    end: int
    text: str
    type: str
    detector: str


@dataclass(frozen=True)
class WordListEntry:
    text: str
    type: str
    pseudonym: str = ""


def detect(
    texts: dict[str, str],
    people: list[Person] = (),
    word_list: Iterable[WordListEntry] = (),
    detectors: Iterable[str] = DEFAULT_DETECTORS,
    nlp=None,
) -> list[Finding]:
    """Every finding in ``texts`` (source name → text), by source and position. A detector
    that is not installed (deduce, a trained spaCy model) is skipped with a warning, unless it
    was the only one asked for (then: an error saying how to install it)."""
    chosen = list(dict.fromkeys(detectors))
    unknown = [d for d in chosen if d not in DETECTORS]
    if unknown:
        raise InputError(f"unknown detector {unknown[0]!r}; choose from {', '.join(DETECTORS)}")
    found: list[Finding] = []
    if "participants" in chosen:
        found += _participants(texts, people)
    if "wordlist" in chosen:
        found += _word_list(texts, list(word_list))
    if "patterns" in chosen:
        found += _patterns(texts)
    if "deduce" in chosen:
        found += _optional(lambda: deduce_findings(texts), "deduce", chosen)
    if "spacy" in chosen:
        found += _optional(lambda: spacy_findings(texts, nlp), "spacy", chosen)
    return sorted(found, key=lambda f: (f.source, f.start, -f.end, f.detector))


def _optional(run, name: str, chosen: list[str]) -> list[Finding]:
    try:
        return run()
    except MissingDependencyError as exc:
        if chosen == [name]:
            raise
        warnings.warn(f"{exc}; detection went on without {name}", QualcodeWarning, stacklevel=3)
        return []


def _occurrences(texts: dict[str, str], entries: list[tuple[str, str]], detector: str) -> list[Finding]:
    matcher = Matcher(entries)
    out = []
    for source, text in texts.items():
        for m in matcher.finditer(text):
            out.append(
                Finding(source, m.start, m.start + len(m.core), m.core, matcher.types[m.key], detector)
            )
    return out


def _participants(texts: dict[str, str], people: list[Person]) -> list[Finding]:
    return _occurrences(texts, [(name, "person") for p in people for name in p.names], "participants")


def _word_list(texts: dict[str, str], entries: list[WordListEntry]) -> list[Finding]:
    return _occurrences(texts, [(e.text, e.type) for e in entries], "wordlist")


def _patterns(texts: dict[str, str]) -> list[Finding]:
    out = []
    lowered = context.lower_words(texts)
    for source, text in texts.items():
        for start, end, kind in patterns.spans(text):
            out.append(Finding(source, start, end, text[start:end], kind, "patterns"))
        for start, end, kind in context.spans(text, lowered):
            out.append(Finding(source, start, end, text[start:end], kind, "patterns"))
    return out


@functools.lru_cache(maxsize=1)
def _deduce():
    try:
        import deduce
    except ImportError as exc:
        raise MissingDependencyError(
            "deduce is not installed (Dutch de-identification); install it with: pip install deduce"
        ) from exc
    return deduce.Deduce()  # the first time after an install it builds its lookup tables (1-2 min)


def deduce_findings(texts: dict[str, str]) -> list[Finding]:
    """deduce's annotations as findings (its adjacent names kept apart, titles and sentence
    openers trimmed, common words capitalised at a sentence start left out, contact details
    left to qualcode's own patterns)."""
    model = _deduce()
    raw = []
    for source, text in texts.items():
        document = model.deidentify(text, disabled={"redactor", "merge_adjacent_annotations"})
        for a in document.annotations:
            kind = DEDUCE_TYPES.get(a.tag)
            if kind:
                raw.append((source, a.start_char, a.end_char, kind))
    return [Finding(s, a, b, texts[s][a:b], k, "deduce") for s, a, b, k in context.clean(texts, raw)]


def spacy_findings(texts: dict[str, str], nlp=None) -> list[Finding]:
    """The person, place and organisation entities of a spaCy pipeline that has an entity
    recogniser (``nlp``, or the first trained Dutch pipeline installed)."""
    nlp = nlp or _trained_ner()
    if "ner" not in nlp.pipe_names and "entity_ruler" not in nlp.pipe_names:
        raise MissingDependencyError("the spaCy pipeline has no entity recogniser")
    raw = []
    for source, text in texts.items():
        for ent in nlp(text).ents:
            kind = SPACY_TYPES.get(ent.label_)
            if kind:
                raw.append((source, ent.start_char, ent.end_char, kind))
    return [Finding(s, a, b, texts[s][a:b], k, "spacy") for s, a, b, k in context.clean(texts, raw)]


@functools.lru_cache(maxsize=1)
def _trained_ner():
    import spacy

    from qualcode.nlp import TRAINED_MODELS

    for name in TRAINED_MODELS.get("nl", ()):
        if spacy.util.is_package(name):
            return spacy.load(name)
    raise MissingDependencyError(
        "no trained Dutch spaCy model is installed for entities (nl_core_news_sm/md/lg from a local wheel)"
    )


def read_word_list(path: str | Path) -> list[WordListEntry]:
    """The researcher's word list: a CSV ``text,type[,pseudonym]`` (or plain lines of text,
    each a person's name), one entry a line; ``#`` starts a comment line."""
    import csv

    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read the word list: {exc.strerror}", str(path)) from exc
    entries = []
    rows = list(csv.reader(lines))
    header = [c.strip().casefold() for c in rows[0]] if rows else []
    has_header = bool(header) and header[0] == "text"
    for number, row in enumerate(rows, start=1):
        if (has_header and number == 1) or not row or not row[0].strip() or row[0].startswith("#"):
            continue
        kind = row[1].strip().casefold() if len(row) > 1 and row[1].strip() else "person"
        if kind not in TYPES:
            raise InputError(
                f"field type: {kind!r} is not a type; write one of {', '.join(TYPES)}", str(path), number
            )
        pseudonym = row[2].strip() if len(row) > 2 else ""
        entries.append(WordListEntry(row[0].strip(), kind, pseudonym))
    return entries
