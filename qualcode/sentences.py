"""Turns -> sentences and segments with exact offsets: the work on spaCy's documents, with
no project and no store (``qualcode.segment`` stores the result; ``qualcode.segment_workers``
runs this in worker processes).

Every turn is split into paragraphs (at blank lines), the paragraphs run through spaCy as
one stream, and the sentences that come back are grouped into the chosen unit. Offsets are
absolute positions in the source text, trimmed of white space, so that always
``source.text[start:end] == segment text``.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from qualcode import defaults
from qualcode.errors import QualcodeError

UNITS = defaults.UNITS
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class TurnSpan:
    """A turn to segment: ``text[start:end]`` of a source."""

    source_id: int
    turn_id: int | None
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Segment:
    source_id: int
    turn_id: int | None
    start: int
    end: int
    norm: str  # lower-cased tokens, space separated
    lemmas: str  # one lemma per token of ``norm``


@dataclass(frozen=True)
class Unit:
    """Which segments to make: ``window`` groups ``size`` sentences, moving ``stride``."""

    name: str = defaults.UNIT
    size: int = defaults.WINDOW
    stride: int | None = None

    def __post_init__(self):
        if self.name not in UNITS:
            raise QualcodeError(f"unknown unit {self.name!r}; choose one of {', '.join(UNITS)}")
        if self.size < 1 or (self.stride is not None and self.stride < 1):
            raise QualcodeError("window size and stride must be at least 1")

    @property
    def step(self) -> int:
        return self.stride or self.size

    def as_dict(self) -> dict:
        if self.name == "window":
            return {"unit": self.name, "window": self.size, "stride": self.step}
        return {"unit": self.name}


def segment_turns(nlp, turns: Iterable[TurnSpan], unit: Unit, batch_size: int = 256) -> Iterator[Segment]:
    """Segments for a stream of turns, in order; the turns are consumed lazily."""
    for turn, pieces in turn_pieces(nlp, turns, unit, batch_size):
        for start, end, norm, lemmas in pieces:
            yield Segment(turn.source_id, turn.turn_id, start, end, norm, lemmas)


def turn_pieces(
    nlp, turns: Iterable[TurnSpan], unit: Unit, batch_size: int = 256, words: WordForms | None = None
) -> Iterator[tuple[TurnSpan, list[tuple]]]:
    """``(turn, [(start, end, norm, lemmas), ...])`` for each turn that has text, in order.
    ``words`` (made by :func:`word_forms` for ``nlp``) may be kept between calls: the word
    forms it has decoded are decoded once."""
    stream = (
        (turn.text[p_start:p_end], (turn, p_start))
        for turn in turns
        for p_start, p_end in paragraph_spans(turn.text, turn.start, turn.end)
    )
    words = words or word_forms(nlp)
    # The lookup lemmatizer is left out: _sentences looks the same lemmas up itself.
    disable = ["lemmatizer"] if words.lemmatizer else []
    docs = nlp.pipe(stream, as_tuples=True, batch_size=batch_size, disable=disable)
    for turn, group in itertools.groupby(docs, key=lambda item: item[1][0]):
        paragraphs = [_sentences(doc, turn.text, offset, words) for doc, (_, offset) in group]
        pieces = _units(paragraphs, unit)
        if pieces:
            yield turn, pieces
        if words.full():
            words.clear()


def word_forms(nlp) -> WordForms:
    """A memo of the word forms of ``nlp``'s vocabulary, for :func:`turn_pieces`."""
    from qualcode.nlp import lookup_lemmatizer

    return WordForms(nlp.vocab, lookup_lemmatizer(nlp))


def paragraph_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Non-blank paragraphs of ``text[start:end]`` as trimmed absolute spans."""
    spans = []
    position = start
    for separator in _BLANK_LINE.finditer(text, start, end):
        spans.append(_trim(text, position, separator.start()))
        position = separator.end()
    spans.append(_trim(text, position, end))
    return [s for s in spans if s[0] < s[1]]


class WordForms:
    """The lower-case form and the lemma (lower-cased) of the words seen, by ORTH id.

    Looking a string up in spaCy's string store decodes a new Python string each time; these
    are decoded once per word. With the lookup lemmatizer (``lemmatizer``), the lemma of a word
    is looked up here from its lower-case form, as the component would have set it; otherwise
    the lemma is read from the doc, by lemma id.
    """

    LIMIT = 200_000  # entries (two a word) remembered, then started afresh: 30 MB at most

    def __init__(self, vocab, lemmatizer=None):
        from spacy.attrs import IDX, LEMMA, ORTH, SENT_START

        self.lemmatizer = lemmatizer
        self.spaces: set[int] = set()  # ORTH ids of white-space tokens
        self.norm = _Memo(self._norm)
        if lemmatizer is not None:
            self.attrs = [ORTH, SENT_START, IDX]
            self.lemma = _Memo(lambda orth: lemmatizer.lemma(self.norm[orth]).lower())
        else:
            strings = vocab.strings
            self.attrs = [ORTH, LEMMA, SENT_START, IDX]
            self.lemma = _Memo(lambda lemma: strings[lemma].lower())
        self.vocab = vocab

    def _norm(self, orth: int) -> str:
        lexeme = self.vocab[orth]
        if lexeme.is_space:
            self.spaces.add(orth)
        return lexeme.lower_

    def full(self) -> bool:
        return len(self.norm) + len(self.lemma) > self.LIMIT

    def clear(self) -> None:
        """Forget the forms decoded so far (the white-space ids stay true)."""
        self.norm.clear()
        self.lemma.clear()


class _Memo(dict):
    """A dict that fills itself: a missing key's value is ``make(key)``, kept."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make(key)
        return value


def _sentences(doc, text: str, offset: int, words: WordForms) -> list[tuple]:
    """``(start, end, norm, lemmas)`` of each sentence of ``doc`` with text: what ``doc.sents``
    gives, read from one array of token attributes (no Span or Token objects)."""
    size = len(doc)
    if not size or "sents" in doc.user_hooks:
        return _sentences_of_spans(doc, text, offset, words)
    array = doc.to_array(words.attrs)
    # A sentence starts at the first token and where sent_start is 1, as in Doc.sents.
    array[0, -2] = 1
    starts = (array[:, -2] == 1).nonzero()[0]
    if len(starts) == 1 and size > 1 and not array[1:, -2].any():
        return _sentences_of_spans(doc, text, offset, words)  # spaCy's error: no sentences
    chars = array[starts, -1].tolist()
    chars.append(int(array[-1, -1]) + len(doc[-1]))  # end_char of the last sentence
    bounds = starts.tolist()
    bounds.append(size)
    orths = array[:, 0].tolist()
    norms = list(map(words.norm.__getitem__, orths))
    if words.lemmatizer is not None:
        lemmas = list(map(words.lemma.__getitem__, orths))
    else:
        lemma_ids = array[:, 1].tolist()  # 0: no lemma, the lower-case form stands in
        lemmas = [words.lemma[m] if m else n for m, n in zip(lemma_ids, norms, strict=True)]
    if not words.spaces.isdisjoint(orths):  # white-space tokens are left out
        kept = [i for i, orth in enumerate(orths) if orth not in words.spaces]
        norms, lemmas = [norms[i] for i in kept], [lemmas[i] for i in kept]
        bounds = [bisect.bisect_left(kept, i) for i in bounds]
    result = []
    for first, last, first_char, last_char in zip(bounds, bounds[1:], chars, chars[1:], strict=False):
        # The end is where the next sentence starts: between a sentence's last token and the
        # next one there is at most a space, which trimming removes as it does at end_char.
        start, end = offset + first_char, offset + last_char
        if text[end - 1] == " ":
            end -= 1
        if start == end or text[start].isspace() or text[end - 1].isspace():
            start, end = _trim(text, start, end)
            if start == end:
                continue
        result.append((start, end, " ".join(norms[first:last]), " ".join(lemmas[first:last])))
    return result


def _sentences_of_spans(doc, text: str, offset: int, words: WordForms) -> list[tuple]:
    """The same through ``doc.sents``: for a pipeline with its own sentence hook, an empty doc,
    or a doc without sentence boundaries (where ``doc.sents`` raises spaCy's error)."""
    from spacy.attrs import LEMMA, ORTH

    orths, lemma_ids = doc.to_array([ORTH, LEMMA]).T.tolist()
    result = []
    for sent in doc.sents:
        start, end = _trim(text, offset + sent.start_char, offset + sent.end_char)
        if start < end:
            tokens = [i for i in range(sent.start, sent.end) if not doc[i].is_space]
            norms = [words.norm[orths[i]] for i in tokens]
            if words.lemmatizer is not None:
                lemmas = [words.lemma[orths[i]] for i in tokens]
            else:
                lemmas = [words.lemma[lemma_ids[i]] if lemma_ids[i] else words.norm[orths[i]] for i in tokens]
            result.append((start, end, " ".join(norms), " ".join(lemmas)))
    return result


def _units(paragraphs: list[list[tuple]], unit: Unit) -> list[tuple]:
    """``(start, end, norm, lemmas)`` of each segment of a turn, from the sentences of each of
    its paragraphs (the same tuples)."""
    if unit.name == "paragraph":
        groups = [sentences for sentences in paragraphs if sentences]
    else:
        sentences = [s for paragraph in paragraphs for s in paragraph]
        if unit.name == "sentence" or not sentences:
            return sentences
        if unit.name == "turn":
            groups = [sentences]
        else:
            last_start = max(len(sentences) - unit.size, 0)
            starts = list(range(0, last_start + 1, unit.step))
            if starts[-1] != last_start:
                starts.append(last_start)  # the last window reaches the turn's end
            groups = [sentences[i : i + unit.size] for i in starts]
    # Every sentence kept has a token, so joining sentences joins their tokens.
    return [
        (group[0][0], group[-1][1], " ".join(s[2] for s in group), " ".join(s[3] for s in group))
        for group in groups
    ]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
