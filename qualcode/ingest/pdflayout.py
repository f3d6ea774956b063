"""From the lines on a PDF's pages to the paragraphs of a transcript.

A PDF holds positioned words, not paragraphs. :mod:`qualcode.ingest.pdf` reads each page's
lines (in reading order, with their positions); this module takes away what the page layout
added and joins the rest into paragraphs:

- paragraph numbers in the left margin (MAXQDA prints one before every paragraph): a number
  left of the text column. Where a document has them they also say where paragraphs start
  (unless nearly every line has one: then they are line numbers, removed all the same);
- page numbers ("3", "3/12", "Page 3 of 12", "- 3 -", "Pagina 3 van 12") on the first or
  last lines of a page;
- running headers and footers: a first or last line that recurs, digits aside, at the same
  height on at least half of the pages (three or more), unless it could start a speaker's
  turn ("Dan: Okay." may well open several pages);
- a line printed twice at a page break (MAXQDA draws the line that straddles the break at the
  bottom of one page and again, cut off by the edge, at the top of the next);
- line breaks inside a paragraph: lines are joined with a space; a word hyphenated at the end
  of a line is joined again when the document spells it whole elsewhere (else the hyphen
  stays: "one-" + "dimensional").

Without paragraph numbers a new paragraph starts after a vertical gap wider than the usual
line spacing, at a line that starts with a speaker's label, or after a line that ended short
(the next line's first word would have fit on it).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from statistics import median

from qualcode.ingest.speakers import accepted_labels, looks_like_name, match_label


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    bold: bool = False


@dataclass(eq=False)
class Line:
    """One line of a page: its words left to right, and where it is (PDF points, top down)."""

    page: int
    top: float
    bottom: float
    words: list[Word]
    number: int | None = None  # its paragraph number in the margin, once found
    clipped: bool = False  # it reaches past the top or bottom edge of its page

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class Layout:
    """What was taken out, for the transcript's metadata and warnings."""

    paragraph_numbers: int = 0
    page_numbers: int = 0
    repeated_lines: int = 0  # lines printed again at the top of the next page
    running_lines: list[str] = field(default_factory=list)  # header and footer texts removed
    bold_labels: set[str] = field(default_factory=set)  # labels opening lines in bold, twice or more


_PAGE_WORD = r"(?:page|pagina|pag\.?|p\.|blz\.?|bladzijde|seite|página|side|sida)"
_PAGE_NUMBER = re.compile(
    rf"^[-–—(\[]?\s*(?:{_PAGE_WORD}\s*)?\d{{1,5}}(?:\s*(?:/|of|van|von|de|sur|z)\s*\d{{1,5}})?\s*[-–—)\]]?$",
    re.IGNORECASE,
)
_MARGIN_NUMBER = re.compile(r"^\d{1,6}$")
_EDGE_LINES = 2  # how many lines at the top and bottom of a page may be page furniture
_SAME_HEIGHT = 3.0  # points: a running header sits at the same height on every page
_SOFT_HYPHEN = "\u00ad"


def paragraphs(pages: list[list[Line]], known_speakers: set[str] = frozenset()) -> tuple[list[str], Layout]:
    """The paragraphs of the document whose pages hold ``pages`` (lines top to bottom), and what
    was taken out (with the speaker labels printed in bold, for the turns to trust)."""
    layout = Layout()
    body_left = _body_left(pages)
    numbered = _take_margin_numbers(pages, body_left, layout)
    pages = [[line for line in page if line.words] for page in pages]
    _drop_page_furniture(pages, layout)
    _drop_repeated_break_lines(pages, layout)
    lines = [line for page in pages for line in page]
    if not lines:
        return [], layout
    bold = Counter(label for line in lines if (label := _bold_label(line)))
    layout.bold_labels = {label for label, count in bold.items() if count >= 2}
    speakers = _speakers(lines, set(known_speakers) | layout.bold_labels)
    words = _vocabulary(lines)
    out: list[list[Line]] = []
    right = _body_right(lines)
    pitch = _line_pitch(pages)
    for previous, line in zip([None, *lines], lines, strict=False):
        if previous is None or _starts_paragraph(previous, line, numbered, speakers, right, pitch):
            out.append([line])
        else:
            out[-1].append(line)
    return [_join(group, words) for group in out], layout


def _bold_label(line: Line) -> str | None:
    """The speaker label a line starts with when it is printed in bold (as MAXQDA and many
    transcribers do): a label found twice so is taken for a speaker's."""
    m = match_label(line.text)
    if m is None:
        return None
    covered = 0
    for word in line.words:
        if covered >= m.rest_offset - 1 or not word.bold:
            break
        covered += len(word.text) + 1
    return m.label if covered >= m.rest_offset - 1 else None


def _body_left(pages: list[list[Line]]) -> float:
    """The left edge of the text column: where the lines' first words (other than numbers)
    most often start."""
    edges = Counter(
        round(word.x0)
        for page in pages
        for line in page
        for word in line.words[:2]
        if not _MARGIN_NUMBER.match(word.text)
        and (word is line.words[0] or _MARGIN_NUMBER.match(line.words[0].text))
    )
    return edges.most_common(1)[0][0] if edges else 0.0


def _take_margin_numbers(pages: list[list[Line]], body_left: float, layout: Layout) -> bool:
    """Remove paragraph numbers printed left of the text column; whether the document has them
    (then each numbered line starts a paragraph). A number alone in the margin with no text
    beside it (a number column running past the text) is dropped with it."""
    found = 0
    for page in pages:
        for line in page:
            first = line.words[0]
            if _MARGIN_NUMBER.match(first.text) and first.x1 < body_left - 1:
                rest = line.words[1:]
                if not rest or rest[0].x0 >= body_left - 2:
                    line.number = int(first.text)
                    line.words = rest
                    found += 1
    layout.paragraph_numbers = found
    lines = sum(1 for page in pages for line in page if line.words)
    return found >= 3 and found < 0.9 * lines  # a number on every line is line numbering


def _drop_page_furniture(pages: list[list[Line]], layout: Layout) -> None:
    """Remove page numbers and running headers and footers (see the module docstring)."""
    for page in pages:
        for line in _edges(page):
            if _PAGE_NUMBER.match(line.text.strip()):
                page.remove(line)
                layout.page_numbers += 1
    if len(pages) < 3:
        return
    seen: dict[tuple[str, bool], list[Line]] = {}
    for page in pages:
        for line in _edges(page):
            m = match_label(line.text)
            if m is None or not looks_like_name(m.label, speech_start_ok=True):
                # "Dan: Okay." opening several pages is speech: a line that may start a turn stays
                seen.setdefault((_shape(line.text), line in page[:_EDGE_LINES]), []).append(line)
    running: set[int] = set()
    for found in seen.values():
        heights = Counter(round(line.top / _SAME_HEIGHT) for line in found)
        on_pages = {line.page for line in found}
        if len(on_pages) * 2 < len(pages) or heights.most_common(1)[0][1] * 2 < len(pages):
            continue
        running.update(id(line) for line in found)
        layout.running_lines.append(found[0].text)
    for page in pages:
        page[:] = [line for line in page if id(line) not in running]


def _drop_repeated_break_lines(pages: list[list[Line]], layout: Layout) -> None:
    """Remove a line printed twice at a page break: some programs (MAXQDA's PDF export) draw
    the line that straddles the break at the bottom of one page and again, cut off by the edge,
    at the top of the next."""
    for before, page in zip(pages, pages[1:], strict=False):
        if page and page[0].clipped and any(line.text == page[0].text for line in before[-_EDGE_LINES:]):
            page.pop(0)
            layout.repeated_lines += 1


def _edges(page: list[Line]) -> list[Line]:
    return page[:_EDGE_LINES] + [line for line in page[-_EDGE_LINES:] if line not in page[:_EDGE_LINES]]


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.casefold().split()))


def _speakers(lines: list[Line], known: set[str]) -> set[str]:
    """The labels at line starts that the plain-text reader would accept as speakers."""
    counts: Counter[str] = Counter()
    strong: set[str] = set()
    for line in lines:
        m = match_label(line.text)
        if m is not None:
            counts[m.label] += 1
            if m.strong:
                strong.add(m.label)
    return accepted_labels(counts, strong, set(known))


def _body_right(lines: list[Line]) -> float:
    edges = sorted(line.x1 for line in lines)
    return edges[int(len(edges) * 0.9)] if edges else 0.0


def _line_pitch(pages: list[list[Line]]) -> float:
    """The usual distance between the tops of consecutive lines."""
    steps = [b.top - a.top for page in pages for a, b in zip(page, page[1:], strict=False) if b.top > a.top]
    return median(steps) if steps else 0.0


def _starts_paragraph(previous: Line, line: Line, numbered: bool, speakers: set[str], right: float,
                      pitch: float) -> bool:  # fmt: skip
    if numbered:
        return line.number is not None
    m = match_label(line.text)
    if m is not None and m.label in speakers:
        return True
    room = right - previous.x1
    if room > (line.words[0].x1 - line.words[0].x0) + 6:
        return True  # the line before ended short: its paragraph ended there
    if line.page != previous.page:
        return False
    return pitch > 0 and line.top - previous.top > pitch * 1.5


def _vocabulary(lines: list[Line]) -> set[str]:
    return {w.text.strip(".,;:!?()[]\"'“”‘’").casefold() for line in lines for w in line.words}


def _join(group: list[Line], vocabulary: set[str]) -> str:
    text = ""
    for line in group:
        piece = line.text
        if not text:
            text = piece
        elif text.endswith(_SOFT_HYPHEN) or _hyphenated(text, piece, vocabulary):
            text = text[:-1] + piece
        elif text.endswith("-") and text[-2:-1].isalpha() and piece[:1].islower():
            text += piece  # a compound broken after its hyphen: "one-" + "dimensional"
        else:
            text += " " + piece
    return text.replace(_SOFT_HYPHEN, "")


def _hyphenated(text: str, piece: str, vocabulary: set[str]) -> bool:
    """Whether ``text`` ends in a word split by hyphenation that ``piece`` completes."""
    if not text.endswith("-") or not text[-2:-1].isalpha() or not piece[:1].islower():
        return False
    head = text[:-1].rsplit(" ", 1)[-1]
    tail = piece.split(" ", 1)[0]
    whole = (head + tail).strip(".,;:!?()[]\"'“”‘’").casefold()
    broken = (head + "-" + tail).strip(".,;:!?()[]\"'“”‘’").casefold()
    return whole in vocabulary and broken not in vocabulary
