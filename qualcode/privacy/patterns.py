"""Patterns qualcode owns for contact details and identifiers in Dutch text: postcodes,
phone numbers (mobile, landline, +31/0031, with or without separators), e-mail addresses,
BSNs (nine digits that pass the 11-check) and dates (numeric, or a day with a month name).

Each function yields ``(start, end, type)`` spans of one text; the checks are strict enough
that years, times, amounts and house numbers are left alone (see tests/test_privacy.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MONTHS = (
    "januari februari maart april mei juni juli augustus september oktober november december "
    "jan feb febr mrt apr jun jul aug sep sept okt nov dec"
).split()
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))

_EDGE = r"(?<![\w@.+\-])"  # nothing word-like (or part of an address) directly before
_END = r"(?![\w@]|[.\-]\w)"
_SEP = r"(?: ?[\-.] ?| )?"  # between digit groups of a phone number: "06-1234", "023 - 531", "020 123"

EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[a-zA-Z]{2,}(?![\w\-])")
URL = re.compile(r"(?<![\w/])(?:https?://|www\.)[^\s<>\"']+[\w/]", re.IGNORECASE)
POSTCODE = re.compile(
    rf"{_EDGE}[1-9]\d{{3}}(?:[ \u00a0]?(?!SA|SD|SS)[A-Z]{{2}}|(?!sa|sd|ss)[a-z]{{2}}){_END}"
)
# A run of digits with the separators phone numbers are written with; its digits decide.
PHONE = re.compile(
    rf"{_EDGE}(?:(?:\+|00)31{_SEP}(?:\(0\){_SEP})?|\(0\d{{1,3}}\){_SEP}|0)"
    rf"\d(?:{_SEP}\(?\d\)?){{5,10}}(?![\w]|[.\-]\d)"
)
BSN = re.compile(rf"{_EDGE}\d{{4}}[ .]?\d{{2}}[ .]?\d{{3}}{_END}|{_EDGE}\d{{3}}[ .]\d{{3}}[ .]\d{{3}}{_END}")
NUMERIC_DATE = re.compile(
    rf"{_EDGE}(?:(?P<d>\d{{1,2}})(?P<sep>[\-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}|\d{{2}})"
    rf"|(?P<y2>\d{{4}})-(?P<m2>\d{{2}})-(?P<d2>\d{{2}})){_END}"
)
WRITTEN_DATE = re.compile(
    rf"(?<![\w])(?P<d>[1-9]|[12]\d|3[01])(?:e|ste|de)?[ \u00a0](?:{_MONTH})\b\.?(?:[ \u00a0]'?(?:\d{{4}}|\d{{2}})\b)?",
    re.IGNORECASE,
)


def bsn_valid(digits: str) -> bool:
    """The 11-check of a burgerservicenummer: nine digits, weights 9..2 and -1, sum divisible
    by 11 (and not all zeros)."""
    digits = re.sub(r"[ .]", "", digits)
    if len(digits) != 9 or not digits.isdigit() or int(digits) == 0:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0


def phone_valid(text: str) -> bool:
    """Ten national digits starting with 0 (after +31/0031 becomes 0), or a service number."""
    digits = re.sub(r"\D", "", text)
    if text.startswith("+31"):
        digits = "0" + digits[2:]
    elif text.startswith("0031"):
        digits = "0" + digits[4:]
    if "(0)" in text:
        digits = digits.replace("00", "0", 1)
    if re.fullmatch(r"0[89]00\d{4,7}", digits):
        return True
    return len(digits) == 10 and digits[0] == "0" and digits[1] != "0"


def date_valid(match: re.Match) -> bool:
    day = match.group("d") or match.group("d2")
    month = match.group("m") or match.group("m2")
    return 1 <= int(day) <= 31 and 1 <= int(month) <= 12


def spans(text: str) -> Iterator[tuple[int, int, str]]:
    """Every contact detail and identifier in ``text``: ``(start, end, type)``, overlaps
    resolved by the order e-mail, URL, phone, BSN, postcode, date."""
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    found: list[tuple[int, int, str]] = []
    checks = (
        (EMAIL, "email", None),
        (URL, "url", None),
        (PHONE, "phone", lambda m: phone_valid(m.group(0))),
        (BSN, "bsn", lambda m: bsn_valid(m.group(0))),
        (POSTCODE, "postcode", None),
        (NUMERIC_DATE, "date", date_valid),
        (WRITTEN_DATE, "date", None),
    )
    for regex, kind, valid in checks:
        for match in regex.finditer(text):
            start, end = match.span()
            if kind == "phone":
                end = _valid_phone_end(text, start, end)
            elif valid is not None and not valid(match):
                continue
            if end is not None and free(start, end):
                taken.append((start, end))
                found.append((start, end, kind))
    yield from sorted(found)


def _valid_phone_end(text: str, start: int, end: int) -> int | None:
    """Where the phone number that starts at ``start`` ends: the whole run of digits, or (when
    a number is followed by other digits, "06 12345678 20 keer") the longest valid prefix
    that ends at a group boundary."""
    while end - start >= 6:
        if phone_valid(text[start:end]):
            return end
        cut = max(text.rfind(" ", start, end), text.rfind("-", start, end), text.rfind(".", start, end))
        if cut <= start:
            return None
        end = cut
        while end > start and not text[end - 1].isdigit() and text[end - 1] != ")":
            end -= 1
    return None
