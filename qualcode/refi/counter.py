"""Counter-evidence in REFI-QDA: a coding marked as evidence against its code, carried as a code.

REFI-QDA has no flag on a coding, so a ``.qdpx`` export says it with one extra code that
NVivo, ATLAS.ti and MAXQDA show like any other. It is only written when some coding is marked:

- the code :data:`COUNTER_CODE_NAME`, with the GUID :data:`COUNTER_CODE_GUID`
  (``guid("counter-evidence", "code")``), last at the top level of the codebook, with a
  description saying what it means;
- the ``PlainTextSelection`` of a marked coding holds, after the coding of its own code, a
  second ``Coding`` of this code (GUID ``guid("counter-evidence", "<coding id>")``, the same
  user and date): the span is coded with its code and with the counter-evidence code.

Reading a project, a code is this marker when it has the marker's GUID, or when it has the
marker's name and no child codes and pairs with another coding at least once (see below). A
coding of the marker pairs with:

- the other codings in its own selection (as qualcode writes it), else
- the codings of the other selections of the same source with the same positions (as another
  program may write it): those by the same user when there are any, else all of them.

The codings it pairs with are imported marked as counter-evidence; the marker itself is never a
code in qualcode (the codebook readers leave the GUID out, the project import also a marker
found by its name), and its codings that pair with nothing are counted in the warnings. A code
of another project that merely has the marker's name and pairs with nothing is an ordinary code.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field

from qualcode.refi.xml import children, guid, guid_key, local

COUNTER_CODE_NAME = "Tegenbewijs (qualcode counter-evidence)"
COUNTER_CODE_GUID = guid("counter-evidence", "code")
COUNTER_CODE_KEY = guid_key(COUNTER_CODE_GUID)
COUNTER_CODE_DESCRIPTION = (
    "Tegenbewijs: a span coded with this code and with another code is evidence against that "
    "other code (the mechanism did not work, or worked otherwise, here). Written by qualcode, "
    "which reads it back as its counter-evidence flag: keep it on the same span as the code "
    "it speaks against."
)


# --- writing ------------------------------------------------------------------------------


def add_counter_code(codes: ET.Element) -> None:
    """The marker code, as the last top-level ``Code`` of a project's codebook."""
    element = ET.SubElement(
        codes, "Code", {"guid": COUNTER_CODE_GUID, "name": COUNTER_CODE_NAME, "isCodable": "true"}
    )
    ET.SubElement(element, "Description").text = COUNTER_CODE_DESCRIPTION


def add_counter_coding(selection: ET.Element, coding_id: int, user: str, when: str) -> None:
    """The second ``Coding`` of a marked coding's selection: the marker code, same user and date."""
    coding = ET.SubElement(
        selection,
        "Coding",
        {"guid": guid("counter-evidence", str(coding_id)), "creatingUser": user, "creationDateTime": when},
    )
    ET.SubElement(coding, "CodeRef", {"targetGUID": COUNTER_CODE_GUID})


# --- reading ------------------------------------------------------------------------------


@dataclass
class CounterMarks:
    """What the marker codings in a project say; ``Coding`` elements by ``id()``."""

    markers: set[str] = field(default_factory=set)  # GUID keys of the marker code(s)
    marked: set[int] = field(default_factory=set)  # codings to import as counter-evidence
    paired: set[int] = field(default_factory=set)  # marker codings that marked some coding

    def is_marker(self, coding: ET.Element) -> bool:
        return _code_key(coding) in self.markers


def is_marker_code(element: ET.Element) -> bool:
    """Whether a ``Code`` element is qualcode's marker by its GUID (codebook readers skip it)."""
    return guid_key(element.get("guid")) == COUNTER_CODE_KEY


def read_counter_marks(root: ET.Element) -> CounterMarks:
    """Find the marker code(s) of a ``Project`` element and the codings their codings mark."""
    by_guid, by_name = set(), set()
    for book in children(root, "CodeBook"):
        for element in book.iter():
            if local(element.tag) != "Code":
                continue
            if is_marker_code(element):
                by_guid.add(COUNTER_CODE_KEY)
            elif (
                (element.get("name") or "").strip() == COUNTER_CODE_NAME
                and not children(element, "Code")
                and guid_key(element.get("guid"))
            ):
                by_name.add(guid_key(element.get("guid")))
    if not by_guid and not by_name:
        return CounterMarks()
    marks, used = _pair_all(root, by_guid | by_name)
    markers = by_guid | (by_name & used)  # found by its name alone: a marker only if it marked something
    if markers != by_guid | by_name:
        marks, _ = _pair_all(root, markers)  # the others are ordinary codes, which markers may mark
    marks.markers = markers
    return marks


def _pair_all(root: ET.Element, candidates: set[str]) -> tuple[CounterMarks, set[str]]:
    """The pairs in every text source, and the candidates that paired."""
    marks, used = CounterMarks(markers=candidates), set()
    for sources in children(root, "Sources"):
        for source in children(sources, "TextSource"):
            for marker, marked in _pairs(source, candidates):
                marks.paired.add(id(marker))
                marks.marked.update(id(c) for c in marked)
                used.add(_code_key(marker))
    return marks, used


def _pairs(source: ET.Element, candidates: set[str]) -> Iterator[tuple[ET.Element, list[ET.Element]]]:
    """(marker coding, the codings it marks) in one text source."""
    lone: list[tuple[object, str, ET.Element]] = []  # (span, user, marker coding)
    others: dict[object, list[tuple[str, ET.Element]]] = {}  # span -> [(user, coding)]
    holders = [(s, _span(s)) for s in children(source, "PlainTextSelection")] + [(source, "whole")]
    for holder, span in holders:
        if span is None:
            continue
        default = guid_key(holder.get("creatingUser")) if holder is not source else ""
        codings = children(holder, "Coding")
        regular = [c for c in codings if _code_key(c) not in candidates]
        for coding in regular:
            others.setdefault(span, []).append((guid_key(coding.get("creatingUser")) or default, coding))
        for marker in (c for c in codings if _code_key(c) in candidates):
            if regular and holder is not source:
                yield marker, regular
            else:
                lone.append((span, guid_key(marker.get("creatingUser")) or default, marker))
    for span, user, marker in lone:
        here = others.get(span, [])
        chosen = [c for u, c in here if u == user] or [c for _, c in here]
        if chosen:
            yield marker, chosen


def _span(selection: ET.Element) -> tuple[int, int] | None:
    try:
        return int(selection.get("startPosition")), int(selection.get("endPosition"))
    except (TypeError, ValueError):
        return None


def _code_key(coding: ET.Element) -> str | None:
    refs = children(coding, "CodeRef")
    return guid_key(refs[0].get("targetGUID")) if refs else None
