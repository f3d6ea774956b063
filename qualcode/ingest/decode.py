"""Bytes -> normalised text (the offset contract's text: NFC, LF newlines, no BOM)."""

from __future__ import annotations

import codecs
import unicodedata

from qualcode.errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def normalise(text: str) -> str:
    """NFC, LF newlines, no BOM. Every offset in a project points into text like this."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.lstrip("\ufeff")
    return unicodedata.normalize("NFC", text)


def decode(data: bytes, path: str) -> tuple[str, str, list[str]]:
    """Decode a text file's bytes; returns (normalised text, encoding used, warnings).

    UTF-8 and UTF-16/32 with a BOM are read as such; BOM-less text must be UTF-8, else it is
    read as Windows-1252 with a warning. Bytes that fit neither are an error naming the line.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return normalise(data[len(bom) :].decode(encoding)), encoding, []
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
        return normalise(data.decode("utf-8")), "utf-8", []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise _undecodable(data, exc, path, "UTF-8 or Windows-1252") from exc
    warning = (
        f"{path}: not valid UTF-8, read as Windows-1252; check accented letters, or save the file as UTF-8"
    )
    return normalise(text), "cp1252", [warning]


def _undecodable(data: bytes, exc: UnicodeDecodeError, path: str, encoding: str) -> InputError:
    line = data[: exc.start].count(b"\n") + 1
    return InputError(
        f"byte 0x{data[exc.start]:02x} at position {exc.start} cannot be decoded as {encoding}; "
        f"save the file as UTF-8 text",
        path,
        line=line,
    )
