"""Who the participants are, as pseudonymising needs it: each person's role, case, gender,
the client of a naaste, and the names they are called by in the interviews.

A person's names come from the participants file, in this order:

- a speaker label that is a name (``Fatima``, ``KARIM``; not ``R``, ``I``, ``Respondent``);
- a case attribute ``names`` (also ``name``, ``naam``, ``namen``, ``aliases``, ``roepnaam``):
  several names separated by ``;`` ("Marco; meneer De Vries");
- for a case whose speakers have no name (``R``): a word of the transcript's file name
  (``ams_client_marco``) that the interviews write with a capital and never in lower case.

A naaste's client is the client who shares the case attribute ``network`` (or ``netwerk``)
with them ("netwerk Marco"), when there is exactly one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qualcode.ingest.speakers import INTERVIEWER_LABELS, RESPONDENT_LABELS

NAME_ATTRIBUTES = frozenset({"names", "name", "naam", "namen", "alias", "aliases", "roepnaam"})
GENDER_ATTRIBUTES = frozenset({"gender", "geslacht", "sex", "sekse"})
NETWORK_ATTRIBUTES = frozenset({"network", "netwerk"})
_MEN = frozenset({"m", "man", "male", "jongen", "mannelijk"})
_WOMEN = frozenset({"v", "f", "vrouw", "female", "meisje", "vrouwelijk"})
CLIENT_ROLES = frozenset({"client", "cliënt", "clienten", "cliënten"})
ROLE_LABELS = frozenset(INTERVIEWER_LABELS | RESPONDENT_LABELS)
_ROLE_WORDS = frozenset(
    "client cliënt naaste professional ervaringsdeskundige interviewer teamleider begeleider "
    "netwerkcoach vrijwilliger familie interview transcript respondent deel".split()
)


@dataclass
class Person:
    key: str  # the case, or "speaker:<label>" for someone without one (an interviewer)
    role: str
    case: str | None = None
    names: list[str] = field(default_factory=list)
    gender: str | None = None  # "m", "v" or None
    client: str | None = None  # for a naaste: the case of their client


def is_name_label(label: str) -> bool:
    """Whether a speaker label is a person's name (not a role or an abbreviation)."""
    plain = label.strip()
    return (
        len(plain) >= 2
        and plain.casefold() not in ROLE_LABELS
        and bool(re.fullmatch(r"[^\W\d_][^\W\d_'’ .\-]*(?:[ '’.\-]+[^\W\d_]+)*", plain))
    )


def name_form(label: str) -> str:
    """A label as a name is written: ``KARIM`` → ``Karim``."""
    return label.title() if label.isupper() else label


def build_people(rows, values, texts: dict[str, str]) -> list[Person]:
    """People from the store's rows (kind, source, label, role, case), the case attributes
    (case, attribute, value) and the source texts (for the file-name rule)."""
    people: dict[str, Person] = {}
    sources_of: dict[str, set[str]] = {}
    for row in rows:
        case = row["case"]
        key = case or f"speaker:{row['label'].casefold()}"
        person = people.setdefault(key, Person(key, row["role"] or "", case))
        if not person.role and row["role"]:
            person.role = row["role"]
        if is_name_label(row["label"]):
            _add(person.names, name_form(row["label"]))
        if row["source"]:
            sources_of.setdefault(key, set()).add(row["source"])
    networks: dict[str, list[str]] = {}
    for row in values:
        person = people.get(row["case"])
        attribute = row["attribute"].casefold()
        if person is None or not row["value"]:
            continue
        if attribute in NAME_ATTRIBUTES:
            for name in re.split(r"[;|]", row["value"]):
                _add(person.names, name.strip())
        elif attribute in GENDER_ATTRIBUTES:
            person.gender = _gender(row["value"])
        elif attribute in NETWORK_ATTRIBUTES:
            networks.setdefault(row["value"].strip().casefold(), []).append(person.key)
    lowered = _lower_words(texts)
    for key, person in people.items():
        if person.case and not person.names:
            for source in sorted(sources_of.get(key, ())):
                for name in file_name_names(source, texts, lowered):
                    _add(person.names, name)
    for members in networks.values():
        clients = [k for k in members if people[k].role.casefold() in CLIENT_ROLES]
        for key in members:
            if people[key].role.casefold() == "naaste" and len(clients) == 1:
                people[key].client = people[clients[0]].case
    return [p for p in people.values() if p.names or p.case]


def file_name_names(source: str, texts: dict[str, str], lowered: set[str]) -> list[str]:
    """The words of a file name that are names: three letters or more, not a role word,
    written capitalised somewhere in the interviews and never in lower case."""
    found = []
    for word in re.split(r"[_\-. ]+", source):
        if len(word) < 3 or not word.isalpha() or word.casefold() in _ROLE_WORDS:
            continue
        if word.casefold() in lowered:
            continue
        written = word[:1].upper() + word[1:].lower()
        pattern = re.compile(rf"(?<![^\W_]){re.escape(written)}(?![^\W_])")
        if any(pattern.search(text) for text in texts.values()):
            found.append(written)
    return found


def _lower_words(texts: dict[str, str]) -> set[str]:
    words: set[str] = set()
    for text in texts.values():
        words.update(w for w in re.findall(r"[^\W\d_]+", text) if w.islower())
    return words


def _gender(value: str) -> str | None:
    value = value.strip().casefold()
    return "m" if value in _MEN else "v" if value in _WOMEN else None


def _add(names: list[str], name: str) -> None:
    if name and name.casefold() not in {n.casefold() for n in names}:
        names.append(name)
