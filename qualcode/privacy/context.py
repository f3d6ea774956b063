"""Names found by their context, and the clean-up of other detectors' name spans.

Patterns qualcode owns for names that the lookup lists of other detectors miss:

- a person after a kinship word or title, or naming a person: ``tante Riet``, ``mijn vrouw,
  Els``, ``Ahmed heet hij``, ``ik noem hem even Jan``, ``laten we hem Patrick noemen``;
- a place by its ending or its form: ``Westerpark``, ``Leidsebuurt``, ``Hollandse Brug``,
  ``Kalverstraat 12``, ``Haarlem-Noord``, a district after a preposition (``in Oost``,
  ``op Centraal``);
- an organisation: ``Stichting Kennemerhuis`` (and ``Kennemerhuis`` by itself), a name with
  an article after a preposition (``bij De Overloop``, ``naar De Kennemers``).

A capitalised word counts as a name only if the interviews never write it in lower case, or
write it capitalised in the middle of a sentence: sentence openers (``Mooi.``, ``Punt.``) are
left out. :func:`clean` applies the same test to other detectors' spans, trims titles and
sentence openers off them (``meneer Bakker`` → ``Bakker``, ``Via Fatima`` → ``Fatima``) and
leaves contact details inside them to the patterns (``1012 AB Amsterdam`` → ``Amsterdam``).
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from qualcode.privacy import patterns
from qualcode.privacy.matching import PARTICLES

_CAP = r"[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?"
_KIN = (
    "tante oom opa oma neef nicht nichtje neefje zus zusje broer broertje meneer mevrouw juf "
    "meester dokter buurvrouw buurman vriendin vriend vriendje maatje collega zoon dochter vrouw "
    "man moeder vader stiefvader stiefmoeder halfbroer halfzus schoonzus zwager partner"
).split()
PERSON_CONTEXT = re.compile(
    rf"\b(?i:{'|'.join(_KIN)}),? (?P<name>(?:(?:van|de|der|den|ter|te|ten|in 't) )*{_CAP})\b"
    rf"|\b(?P<named>{_CAP}) (?:heet|heette)\b"
    rf"|\b(?:noem|noemen) (?:hem|haar)(?: maar| even)? (?P<called>{_CAP})\b"
    rf"|\b(?:we|wij) (?:hem|haar) (?P<let>{_CAP}) noemen\b"
)
_ENDINGS = "park|buurt|wijk|straat|plein|laan|weg|gracht|kade|dijk|singel|brug|gebied|plantsoen|haven"
PLACE_FORM = re.compile(
    rf"\b(?:{_CAP} )?(?:[A-ZÀ-Ý][a-zà-ÿ\-]*?(?:{_ENDINGS})|(?:{_ENDINGS.title()}))\b(?: \d{{1,4}}[a-z]?\b)?"
    rf"|\b{_CAP}-(?:Noord|Oost|Zuid|West|Zuidoost|Centrum)\b"
    r"|\b(?i:in|naar|uit|bij|op|van) (?P<district>Noord|Oost|Zuid|West|Nieuw-West|Zuidoost|Centrum|Centraal)\b"
)
ORGANISATION_HEADS = (
    "Stichting Vereniging Woonstichting Woningcorporatie Gemeente Leger Zorggroep Ziekenhuis Kliniek"
).split()
ORGANISATION_FORM = re.compile(
    rf"\b(?P<head>{'|'.join(ORGANISATION_HEADS)})(?P<particle> (?:des|der|van|voor))? (?P<tail>{_CAP}(?: {_CAP})?)\b"
    rf"|\b(?:bij|in|naar|van|uit|via|voor) (?P<named>(?:De|Het|'t) {_CAP})\b"
)
TITLES = frozenset(
    "meneer mevrouw mevr mw dhr heer juf juffrouw meester dokter dr tante oom opa oma zuster "
    "broeder pater".split()
)
_OPENING = re.compile(r"(?:^|[.!?…:;\]\n\"“‘()]|\s[-–])\s*$")


class WordStats:
    """How the interviews write each word: in lower case, capitalised in the middle of a
    sentence (a name's mark), or only capitalised at the start of one."""

    def __init__(self, texts: dict[str, str]):
        self.lower: Counter = Counter()
        self.inside: Counter = Counter()  # capitalised, not at a sentence start
        for text in texts.values():
            for m in re.finditer(r"[^\W\d_]+(?:-[^\W\d_]+)*", text):
                word = m.group(0)
                if word.islower():
                    self.lower[word] += 1
                elif not sentence_start(text, m.start()):
                    self.inside[word] += 1

    def common(self, word: str) -> bool:
        """An ordinary word rather than a name: a function word; or never capitalised in the
        middle of a sentence while written in lower case elsewhere or known as a Dutch word;
        or far more often in lower case than capitalised."""
        lower = word.lower()
        if lower in stop_words():
            return True
        inside = self.inside[word]
        if inside == 0:
            return self.lower[lower] > 0 or ("-" not in lower and lower in dutch_words())
        return self.lower[lower] >= 5 * inside


def lower_words(texts: dict[str, str]) -> WordStats:
    return WordStats(texts)


@functools.lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's Dutch stop words (function words: never a name)."""
    from spacy.lang.nl.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


@functools.lru_cache(maxsize=1)
def dutch_words() -> frozenset[str]:
    """Dutch words and word forms: spaCy's Dutch lemma tables (spacy-lookups-data); empty
    when the package is not there."""
    try:
        import spacy_lookups_data
    except ImportError:
        return frozenset()
    folder = Path(spacy_lookups_data.__file__).parent / "data"
    words: set[str] = set()
    for name in ("nl_lemma_lookup.json.gz", "nl_lemma_index.json.gz"):
        try:
            with gzip.open(folder / name, "rt", encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            continue
        for key, value in data.items():
            if isinstance(value, list):
                words.update(value)
            else:
                words.update((key, value))
    return frozenset(w for w in words if isinstance(w, str))


def is_common(word: str, lowered: WordStats) -> bool:
    return lowered.common(word)


def sentence_start(text: str, position: int) -> bool:
    return bool(_OPENING.search(text[max(0, position - 12) : position]))


def spans(text: str, lowered: WordStats) -> Iterator[tuple[int, int, str]]:
    """Persons, places and organisations by their context: ``(start, end, type)``."""
    for m in PERSON_CONTEXT.finditer(text):
        group = next(g for g in ("name", "named", "called", "let") if m.group(g))
        start, end = m.span(group)
        words = m.group(group).split()
        particled = len(words) > 1  # "dokter van der Meer": the particles make it a name
        if (particled or not is_common(words[-1], lowered)) and words[-1].casefold() not in _KIN:
            yield start, end, "person"
    for m in PLACE_FORM.finditer(text):
        if m.group("district"):
            yield (*m.span("district"), "place")
            continue
        trimmed = _trim(text, m.start(), m.end(), lowered)
        if trimmed:
            yield (*trimmed, "place")
    for m in ORGANISATION_FORM.finditer(text):
        if m.group("named"):
            yield (*m.span("named"), "organisation")
            continue
        yield m.start(), m.end(), "organisation"
        named = m.group("head") in ("Stichting", "Vereniging") and not m.group("particle")
        if named and not is_common(m.group("tail").split()[0], lowered):
            yield m.start("tail"), m.end("tail"), "organisation"


def clean(texts: dict[str, str], raw) -> list[tuple[str, int, int, str]]:
    """Other detectors' spans ``(source, start, end, type)`` made into names: split at
    punctuation, titles and sentence openers trimmed, contact details left to the patterns,
    ordinary words dropped."""
    lowered = lower_words(texts)
    contact = {s: [(a, b) for a, b, _ in patterns.spans(t)] for s, t in texts.items()}
    out = []
    for source, start, end, kind in raw:
        text = texts[source]
        if kind not in ("person", "place", "organisation"):
            out.append((source, start, end, kind))
            continue
        for a, b in _pieces(text, start, end, contact[source]):
            if kind == "person":
                b = _before_common(text, a, b, lowered)
            trimmed = _trim(text, a, b, lowered)
            if trimmed:
                out.append((source, *trimmed, kind))
    return sorted(set(out))


def _pieces(text: str, start: int, end: int, contact: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The span split at sentence punctuation and around contact details inside it."""
    cuts = [(a, b) for a, b in contact if a < end and b > start]
    cuts += [
        (m.start() + start, m.end() + start) for m in re.finditer(r"[.!?…:;,\n()\"]+\s*", text[start:end])
    ]
    pieces, position = [], start
    for a, b in sorted(cuts):
        if a > position:
            pieces.append((position, min(a, end)))
        position = max(position, b)
    if position < end:
        pieces.append((position, end))
    return pieces


def _before_common(text: str, start: int, end: int, stats: WordStats) -> int:
    """A person's span cut before an ordinary capitalised word or an organisation's head word
    inside it (``Koster van Stichting`` → ``Koster van``: deduce runs a name on)."""
    for m in re.finditer(r"\S+", text[start:end]):
        word = m.group(0).rstrip(".,")
        if m.start() and word[:1].isupper() and (word in ORGANISATION_HEADS or stats.common(word)):
            return start + m.start()
    return end


def _trim(text: str, start: int, end: int, stats: WordStats) -> tuple[int, int] | None:
    """Titles, lower-case words and sentence openers off the front (a particle after a title
    stays: ``meneer van Dijk`` → ``van Dijk``), lower-case words off the end; None when what
    is left is not a name (no capital, or an ordinary word)."""
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    before = re.search(r"(\S+)\s+$", text[max(0, start - 20) : start])
    titled = bool(before) and before.group(1).rstrip(".").casefold() in TITLES
    while words:
        a, b = words[0]
        word = text[a:b].rstrip(".")
        folded = word.casefold()
        if folded in TITLES:
            titled = True
        elif word[:1].islower():
            if titled and folded in PARTICLES:
                break
        elif (
            len(words) == 1
            or folded in PARTICLES
            or not (stats.common(word) or (sentence_start(text, a) and stats.inside[word] == 0))
        ):
            break
        words.pop(0)
    while words and not (text[words[-1][0]].isupper() or text[words[-1][0]].isdigit()):
        words.pop()
    if not words:
        return None
    a, b = words[0][0], words[-1][1]
    while b > a and not text[b - 1].isalnum():
        b -= 1
    piece = text[a:b]
    if not any(c.isupper() for c in piece) or (" " not in piece and stats.common(piece)):
        return None
    return a, b
