"""Proposing pseudonyms: consistent (one person, one pseudonym, wherever and however they are
named) and readable.

Two styles:

- ``role`` (the default): a participant by role and case, ``[cliënt C01]``, ``[professional
  P01]``, a naaste by the client whose network they belong to, ``[naaste van C01]``, an
  interviewer ``[interviewer 1]``; everyone and everything else numbered by type in order of
  first appearance: ``[persoon 1]``, ``[plaats 2]``, ``[organisatie 1]``, ``[telefoonnummer 1]``.
- ``names``: people get realistic Dutch names instead (:mod:`qualcode.privacy.names`), the
  gender kept where the participants file gives it; a family name gets a family name.

A longer name is the same person as a shorter one it starts or ends with, when that is
unambiguous: ``Ronald Kuiper`` is ``Ronald``; ``Stichting Kennemerhuis`` is ``Kennemerhuis``.
Possessives follow the pseudonym (:func:`inflect`): ``Marco's`` → ``[cliënt C01]'s``, or in
the names style ``Marco's`` → ``Bram's``, ``Henks`` → ``Teuns``, ``Kees'`` → ``Joosts``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from qualcode.errors import InputError
from qualcode.privacy import names
from qualcode.privacy.context import TITLES
from qualcode.privacy.matching import PARTICLES, POSSESSIVES, key_of
from qualcode.privacy.people import Person

STYLES = ("role", "names")
ROLE_WORDS = {"client": "cliënt", "cliënt": "cliënt", "clienten": "cliënt", "cliënten": "cliënt"}
TYPE_LABELS = {
    "person": "persoon", "place": "plaats", "organisation": "organisatie",
    "phone": "telefoonnummer", "email": "e-mailadres", "postcode": "postcode", "bsn": "BSN",
    "date": "datum", "age": "leeftijd", "id": "nummer", "url": "website", "other": "gegeven",
}  # fmt: skip


def role_label(person: Person, naasten_of: dict[str, int]) -> str:
    role = ROLE_WORDS.get(person.role.casefold(), person.role.casefold() or "deelnemer")
    if role == "naaste" and person.client:
        if naasten_of.get(person.client, 0) == 1:
            return f"[naaste van {person.client}]"
        return (
            f"[naaste {person.case} van {person.client}]" if person.case else f"[naaste van {person.client}]"
        )
    return f"[{role} {person.case}]" if person.case else f"[{role}]"


def propose(
    rows: list[tuple[str, str]],
    people: Iterable[Person] = (),
    style: str = "role",
    avoid: Iterable[str] = (),
) -> dict[str, str]:
    """A pseudonym for each row ``(text, type)``, in order of first appearance; keyed by
    :func:`~qualcode.privacy.matching.key_of` the text. ``avoid``: words that must not be
    used as names (every word of the interviews)."""
    if style not in STYLES:
        raise InputError(f"unknown pseudonym style {style!r}; choose {' or '.join(STYLES)}")
    people = list(people)
    person_of = {key_of(n): p for p in people for n in p.names}
    by_key = {p.key: p for p in people}
    naasten_of: dict[str, int] = {}
    for p in people:
        if p.role.casefold() == "naaste" and p.client:
            naasten_of[p.client] = naasten_of.get(p.client, 0) + 1
    entity = _entities(rows, person_of)
    labels: dict[str, str] = {}  # entity -> pseudonym
    numbers: dict[str, int] = {}
    interviewers = sorted(p.key for p in people if not p.case)
    chooser = _NameChooser(avoid)
    out = {}
    for text, kind in rows:
        key = key_of(text)
        ident = entity[key]
        person = by_key.get(ident[2:]) if ident.startswith("p:") else None
        if style == "names" and kind == "person":
            out[key] = chooser.name_for(text, ident, person)
            continue
        if ident not in labels:
            if person is not None and person.case:
                labels[ident] = role_label(person, naasten_of)
            elif person is not None:
                role = ROLE_WORDS.get(person.role.casefold(), person.role.casefold() or "persoon")
                number = interviewers.index(person.key) + 1
                labels[ident] = f"[{role} {number}]" if len(interviewers) > 1 else f"[{role}]"
            else:
                numbers[kind] = numbers.get(kind, 0) + 1
                labels[ident] = f"[{TYPE_LABELS.get(kind, kind)} {numbers[kind]}]"
        out[key] = labels[ident]
    return out


def _entities(rows: list[tuple[str, str]], person_of: dict[str, Person]) -> dict[str, str]:
    """Which entity each row names: ``p:<person>`` for a participant (by any of their names,
    or a longer name holding one), else ``t:<key>`` of the row itself or of the one shorter
    row it starts or ends with."""
    keys = {key_of(t): k for t, k in rows}
    entity = {}
    for text, kind in rows:
        key = key_of(text)
        if kind == "person" and key in person_of:
            entity[key] = f"p:{person_of[key].key}"
            continue
        words = [w for w in key.split() if w not in PARTICLES and w.rstrip(".") not in TITLES]
        linked = f"t:{key}"
        if len(words) > 1:
            known = [w for w in words if kind == "person" and w in person_of]
            ends = {w for w in (words[0], words[-1]) if keys.get(w) == kind}
            if known:
                linked = f"p:{person_of[known[0]].key}"
            elif len(ends) == 1 and _only_longer(next(iter(ends)), keys, kind) == key:
                linked = f"t:{next(iter(ends))}"
        entity[key] = linked
    return entity


def _only_longer(short: str, keys: dict[str, str], kind: str) -> str | None:
    """The one longer row of ``kind`` that starts or ends with the word ``short``, if one."""
    longer = [
        k for k, t in keys.items() if t == kind and k != short and short in (k.split()[0], k.split()[-1])
    ]
    return longer[0] if len(longer) == 1 else None


class _NameChooser:
    """Realistic names: one first name per entity, one family name per word, never a word of
    the interviews."""

    def __init__(self, avoid: Iterable[str]):
        self.avoid = {w.casefold() for w in avoid}
        self.firsts: dict[str, str] = {}
        self.surnames: dict[str, str] = {}
        self.turn = 0

    def name_for(self, text: str, ident: str, person: Person | None) -> str:
        out, named = [], False
        for word in text.split():
            if word.casefold() in PARTICLES or word.casefold().rstrip(".") in TITLES:
                out.append(word)
            elif not named:
                out.append(self._first(ident, person))
                named = True
            else:
                out.append(self._surname(key_of(word)))
        return " ".join(out)

    def _first(self, ident: str, person: Person | None) -> str:
        if ident not in self.firsts:
            gender = person.gender if person else None
            if gender is None:
                gender = "m" if self.turn % 2 == 0 else "v"
                self.turn += 1
            pool = names.MEN if gender == "m" else names.WOMEN
            self.firsts[ident] = self._take(pool, set(self.firsts.values()))
        return self.firsts[ident]

    def _surname(self, key: str) -> str:
        if key not in self.surnames:
            self.surnames[key] = self._take(names.SURNAMES, set(self.surnames.values()))
        return self.surnames[key]

    def _take(self, pool, used: set[str]) -> str:
        for name in pool:
            if name not in used and name.casefold() not in self.avoid:
                return name
        count = len(used) + 1
        return f"{pool[count % len(pool)]} {count}"


def inflect(pseudonym: str, suffix: str, kind: str) -> str:
    """The pseudonym with the possessive or inflection the original had."""
    if not suffix:
        return pseudonym
    if suffix in POSSESSIVES:
        curly = "’" in suffix
        if pseudonym.endswith("]") or kind != "person":
            return pseudonym + ("’s" if curly else "'s")
        return possessive(pseudonym, "’" if curly else "'")
    if len(suffix) > 2 and suffix[0] not in "se" and suffix[0] == suffix[1:2]:
        suffix = suffix[1:]
    if len(suffix) > 2 and suffix[1:3] == "er" and suffix[0] != "e":
        suffix = suffix[1:]  # the doubled consonant of Amsterdam-m-er
    return pseudonym + suffix


def possessive(name: str, apostrophe: str = "'") -> str:
    """The Dutch possessive of a name: ``Marco's``, ``Henks``, ``Kees'``, ``Zoë's``."""
    if name[-1:].casefold() in ("s", "x", "z"):
        return name + apostrophe
    if re.search(r"[aiouyéëï]$", name, re.IGNORECASE):
        return name + apostrophe + "s"
    return name + "s"


def slug(pseudonym: str) -> str:
    """The pseudonym as a file or source name takes it: ``[cliënt C01]`` → ``client-C01``."""
    plain = unicodedata.normalize("NFKD", pseudonym).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-") or "x"
