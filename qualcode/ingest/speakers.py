"""Recognising speaker labels at the start of transcript lines.

Transcripts mark speakers in many ways (``Naam: tekst``, ``I:``/``R:``, ``[00:01:23] Naam:``,
``Naam [00:01:23]:``, a ``Naam  00:12`` line above the speech). Speech itself can also
start with ``Woord:``, so a plain ``Label:`` only counts when the label looks like a name
and is either known, recurs, or is clearly a name (several words or a party/role in
brackets). Timestamped and bold forms are strong evidence and need only look like a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Labels that mark interviewer or respondent in common transcription conventions.
INTERVIEWER_LABELS = frozenset(
    {"i", "int", "interviewer", "interviewster", "onderzoeker", "q", "vraag", "moderator"}
)
RESPONDENT_LABELS = frozenset(
    {"r", "resp", "respondent", "geïnterviewde", "a", "antwoord", "participant", "deelnemer"}
)

_TITLES = frozenset(
    {"dhr", "mw", "mevr", "mr", "mrs", "ms", "dr", "drs", "prof", "ir", "ing", "st", "sr", "jr"}
)

# Words that start speech before a colon ("Zo van: ...", "Kijk: ...", "Het punt: ...") but
# never a speaker's name. "De" is missing on purpose: "De voorzitter", "De heer Alkaya".
_SPEECH_STARTS = frozenset(
    """zo dus nou kijk ja nee oké ok en maar want toen dan daarom bijvoorbeeld namelijk let
    het een dit dat die deze wat wie hoe waarom waar ik je jij u we wij hij zij ze mijn jouw
    ons onze zijn haar hun er daar hier ook nog alleen eerst so and but well like then note
    yes no the a this that what how why where i you we he she they my our""".split()
)

# "Dan:" or "So:" at a line start is speech once or twice, but a speaker ("Dan", the
# interviewer) when it opens this many lines.
_RECURRING_SPEECH_START = 5

_TIME = r"(?P<time>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)"
_LABEL = r"(?P<label>[^\W\d_][\w.'’\- ]{0,38}?(?:\s*\([^()\n]{1,40}\))?)"
_MARK = r"(?:\*\*|__)?"  # Markdown bold around a label
_BOLD = r"(?:\*\*|__)"

_TIME_BEFORE = re.compile(
    rf"^[ \t]*[\[(]?{_TIME}[\])]?[ \t]+{_MARK}{_LABEL}[ \t]*:{_MARK}[ \t]*(?P<rest>.*)$"
)
_TIME_AFTER = re.compile(rf"^[ \t]*{_MARK}{_LABEL}[ \t]*[\[(]{_TIME}[\])][ \t]*:?{_MARK}[ \t]*(?P<rest>.*)$")
_LABEL_THEN_TIME = re.compile(rf"^[ \t]*{_LABEL}[ \t]+[\[(]?{_TIME}[\])]?[ \t]*$")
_BOLD_LABEL = re.compile(rf"^[ \t]*{_BOLD}{_LABEL}[ \t]*(?::{_BOLD}|{_BOLD}:)[ \t]*(?P<rest>.*)$")
_PLAIN = re.compile(rf"^[ \t]*{_MARK}{_LABEL}[ \t]*(?::{_MARK}|{_MARK}:)[ \t]*(?P<rest>.*)$")


@dataclass(frozen=True)
class LabelMatch:
    label: str
    rest_offset: int  # where the speech starts within the line (== len(line) if none)
    time: str | None
    strong: bool  # a timestamped or bold form


def match_label(line: str) -> LabelMatch | None:
    """The speaker label a line starts with, if its shape is one of the known forms."""
    for pattern, strong in (
        (_TIME_BEFORE, True),
        (_TIME_AFTER, True),
        (_LABEL_THEN_TIME, True),
        (_BOLD_LABEL, True),
        (_PLAIN, False),
    ):
        m = pattern.match(line)
        if m:
            label = m.group("label").strip()
            rest = m.start("rest") if "rest" in m.groupdict() else len(line)
            time = m.group("time") if "time" in m.groupdict() else None
            return LabelMatch(label, rest, time, strong)
    return None


def looks_like_name(label: str, speech_start_ok: bool = False) -> bool:
    """A label of at most six words, capitalised, mostly not lower-case words; one starting
    with a word that starts speech ("Dan", "Zo") only with ``speech_start_ok``."""
    bare = re.sub(r"\([^()]*\)", " ", label)
    words = bare.split()
    if not words or len(words) > 6 or not words[0][0].isupper():
        return False
    if words[0].casefold() in _SPEECH_STARTS and not speech_start_ok:
        return False
    # A full stop inside a label is a sentence ("Ja. Om 10:30"), unless it ends a title.
    if any(w.endswith(".") and w[:-1].casefold() not in _TITLES for w in words[:-1]):
        return False
    lower = sum(1 for w in words if w[0].islower())
    return lower * 2 < len(words) or (len(words) == 2 and lower == 1)


def is_clearly_a_name(label: str) -> bool:
    """A name with a role or party in brackets, or two or more capitalised words ending in
    a capitalised one ("Dewi Pranoto", not "De VVD vindt")."""
    if "(" in label or (label.isupper() and len(label) > 1):
        return looks_like_name(label)  # "(SP)" or an upper-case subtitle label: "KARIM"
    words = label.split()
    capitalised = sum(1 for w in words if w[0].isupper())
    return looks_like_name(label) and capitalised >= 2 and words[-1][0].isupper()


def is_interviewer_label(label: str) -> bool:
    key = label.casefold().strip(" .")
    return key in INTERVIEWER_LABELS or key.startswith("interviewer")


def accepted_labels(candidates: dict[str, int], strong: set[str], known: set[str]) -> set[str]:
    """Which candidate labels (with their counts) are treated as speakers."""
    known_keys = {k.casefold() for k in known}
    accepted = set()
    for label, count in candidates.items():
        key = label.casefold()
        if key in known_keys or key in INTERVIEWER_LABELS or key in RESPONDENT_LABELS:
            accepted.add(label)
        elif not looks_like_name(label, speech_start_ok=count >= _RECURRING_SPEECH_START):
            continue
        elif label in strong or count >= 2:
            accepted.add(label)
    # A one-off label is a speaker only beside others, and only if clearly a name.
    if accepted:
        for label, count in candidates.items():
            if label not in accepted and count == 1 and is_clearly_a_name(label):
                accepted.add(label)
    return accepted
