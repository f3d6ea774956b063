"""Bytes -> normalised text (the offset contract's text: NFC, LF newlines, no BOM, and no
characters XML 1.0 forbids)."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter

from qualcode.errors import InputError
from qualcode.files import XML_FORBIDDEN

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


# A form feed separates pages and a vertical tab is Word's manual line break in text exports:
# both stand between words (and before a speaker label on the next page), so they become a
# newline instead of vanishing, which would glue "end of page" and "Next: ..." together.
_AS_NEWLINE = frozenset("\x0b\x0c")
_NAMES = {"\x00": "NUL", "\x08": "backspace", "\x0b": "vertical tab", "\x0c": "form feed", "\x1b": "escape"}


def normalise(text: str) -> str:
    """NFC, LF newlines, no BOM, no characters XML 1.0 forbids (vertical tab and form feed
    become newlines). Every offset in a project points into text like this.

    The forbidden characters are replaced one by one (:func:`replace_control_characters`),
    before NFC so the result is NFC. For text whose pieces do not meet in a CR LF pair, a
    BOM or a composing letter, normalising piece by piece equals normalising the whole
    (``qualcode.refi.positions`` maps offsets piece by piece). Normalising twice changes nothing.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = replace_control_characters(text).lstrip("\ufeff")
    return unicodedata.normalize("NFC", text)


def replace_control_characters(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids, vertical tab and form feed as newlines.

    One character at a time, so applying it to the pieces of a text and joining them gives
    the same as applying it to the whole (what :func:`normalise` relies on).
    """
    return XML_FORBIDDEN.sub(_replacement, text) if XML_FORBIDDEN.search(text) else text


def forbidden_characters_warning(text: str, path: str) -> str | None:
    """A warning saying which characters :func:`normalise` takes out of ``text``, or None."""
    found = Counter(XML_FORBIDDEN.findall(text))
    if not found:
        return None
    total = sum(found.values())
    kinds = ", ".join(
        _NAMES.get(ch, f"U+{ord(ch):04X}") + (f" \u00d7{n}" if n > 1 else "") for ch, n in found.most_common()
    )
    as_newline = " and ".join(f"{_NAMES[ch]}s" for ch in sorted(_AS_NEWLINE) if ch in found)
    return (
        f"{path}: removed {total} control character{'s' if total > 1 else ''} ({kinds}) that other "
        f"programs cannot store" + (f"; {as_newline} became line breaks" if as_newline else "")
    )


def _replacement(match: re.Match) -> str:
    return "\n" if match.group() in _AS_NEWLINE else ""


def decode(data: bytes, path: str) -> tuple[str, str, list[str]]:
    """Decode a text file's bytes; returns (normalised text, encoding used, warnings).

    UTF-8 and UTF-16/32 with a BOM are read as such; BOM-less text must be UTF-8, else it is
    read as Windows-1252 with a warning. Bytes that fit neither are an error naming the line.
    Control characters that :func:`normalise` removes are reported in a warning.
    """
    text, encoding, warnings = _decode(data, path)
    removed = forbidden_characters_warning(text, path)
    return normalise(text), encoding, warnings + ([removed] if removed else [])


def _decode(data: bytes, path: str) -> tuple[str, str, list[str]]:
    """The decoded text (not yet normalised), the encoding used and the warnings."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding, []
            except UnicodeDecodeError as exc:
                raise _undecodable(data, exc, path, encoding) from exc
    if b"\x00" in data:
        raise InputError(
            "contains NUL bytes: this is a binary file or UTF-16 without a byte-order mark; "
            "save it as UTF-8 text",
            path,
            line=data[: data.index(b"\x00")].count(b"\n") + 1,
        )
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise _undecodable(data, exc, path, "UTF-8 or Windows-1252") from exc
    warning = (
        f"{path}: not valid UTF-8, read as Windows-1252; check accented letters, or save the file as UTF-8"
    )
    return text, "cp1252", [warning]


def _undecodable(data: bytes, exc: UnicodeDecodeError, path: str, encoding: str) -> InputError:
    line = data[: exc.start].count(b"\n") + 1
    return InputError(
        f"byte 0x{data[exc.start]:02x} at position {exc.start} cannot be decoded as {encoding}; "
        f"save the file as UTF-8 text",
        path,
        line=line,
    )
