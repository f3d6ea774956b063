"""Where each position of a source's raw text lands in qualcode's normalised text.

Other programs count positions in the text as they stored it (CRLF line ends, a BOM, letters
and accents as separate code points ...); qualcode stores the text normalised (NFC, LF, no BOM,
see :func:`qualcode.ingest.decode.normalise`). :func:`normalise_with_map` gives both the text
and the mapping, so an imported selection covers the same characters it did in the other program.
"""

from __future__ import annotations

import unicodedata

from qualcode.ingest.decode import normalise, replace_control_characters


def normalise_with_map(raw: str, utf16: bool = False) -> tuple[str, list[int], list[int]]:
    """``normalise(raw)`` and, per position in ``raw``, where it lands in the normalised text.

    ``starts[i]`` is where a selection starting at ``i`` starts; ``ends[i]`` where one ending
    at ``i`` ends (they differ inside a CRLF pair or a composed letter). With ``utf16`` the
    positions count UTF-16 code units, as .NET programs do.
    """
    pieces = _pieces(raw)
    out: list[str] = []
    starts, ends = [0] * (len(raw) + 1), [0] * (len(raw) + 1)
    pos = 0
    for a, b, new in pieces:
        starts[a] = ends[a] = pos
        for k in range(a + 1, b):
            starts[k], ends[k] = pos, pos + len(new)
        out.append(new)
        pos += len(new)
    starts[len(raw)] = ends[len(raw)] = pos
    text = "".join(out)
    if text != normalise(raw):  # composition across our pieces: map through prefixes instead
        text = normalise(raw)
        starts = [len(normalise(raw[:i])) for i in range(len(raw) + 1)]
        ends = starts
    if utf16 and any(ord(ch) > 0xFFFF for ch in raw):
        unit_starts, unit_ends = [], []
        for i, ch in enumerate(raw):
            unit_starts.append(starts[i])
            unit_ends.append(ends[i])
            if ord(ch) > 0xFFFF:
                unit_starts.append(starts[i])
                unit_ends.append(ends[i + 1])
        unit_starts.append(starts[len(raw)])
        unit_ends.append(ends[len(raw)])
        starts, ends = unit_starts, unit_ends
    return text, starts, ends


def _pieces(raw: str) -> list[tuple[int, int, str]]:
    """``raw`` cut into pieces that normalise on their own: (start, end, normalised piece)."""
    n = len(raw)
    i = 0
    while i < n and raw[i] == "\ufeff":
        i += 1
    pieces = [(0, i, "")] if i else []
    nfc = unicodedata.is_normalized("NFC", raw)
    while i < n:
        if raw[i] == "\r":
            j = i + 2 if raw.startswith("\r\n", i) else i + 1
            pieces.append((i, j, "\n"))
            i = j
            continue
        j = i + 1
        if not nfc:
            while (
                j < n
                and raw[j] != "\r"
                and (unicodedata.combining(raw[j]) or 0x1160 <= ord(raw[j]) <= 0x11FF)
            ):
                j += 1
        chunk = raw[i:j]
        pieces.append(
            (i, j, replace_control_characters(chunk if nfc else unicodedata.normalize("NFC", chunk)))
        )
        i = j
    return pieces
