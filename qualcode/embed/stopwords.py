"""Stop words for the TF-IDF embedder, and the words topics leave out.

Function words that say little about what a passage is about: articles, pronouns,
prepositions, conjunctions, auxiliary and modal verbs (lemma and inflected forms, since the
lookup lemmatizer leaves many forms as they are), common adverbs and the fillers of spoken
interviews (eh, nou, ja). Content words that matter in this domain stay out of the list even
when they are frequent: "alleen" (alone), "samen", "naast" (the lemmatizer can turn
"naasten" into it), "hulp", "wonen".

All entries are lower case and tokenise to themselves under the embedder's token pattern.

For topics, which should be about what people talk about, more is left out (see
:mod:`qualcode.analysis.topics`): the fillers and discourse markers of spoken Dutch and
English (:func:`fillers`, :data:`FILLER_PHRASES`), the names a project declares
(:func:`name_words`) and the words its text writes as proper nouns (:func:`capitals`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

DUTCH_STOP_WORDS = frozenset(
    """
    de het een

    ik me mij mijn m'n je jij jou jouw je u uw hij hem zijn z'n zij ze haar d'r wij we ons
    onze jullie hun hen men zich zichzelf elkaar

    die dat dit deze wie wat welk welke iemand niemand iets niets alles allemaal zo'n zulke
    zelf er hier daar waar

    van in op aan met voor naar bij uit om over door tot tegen zonder onder tussen na sinds
    vanaf per via tijdens achter boven bovendien binnen buiten rond langs

    en of maar want dus omdat als dan toen terwijl hoewel zodat totdat noch ofwel dat

    ben bent is was waren geweest wezen heb hebt heeft had hadden gehad hebben word wordt
    werd werden geworden worden zal zult zullen zou zouden kan kun kunt kon konden kunnen
    moet moest moesten moeten wil wilt wilde wilden wou willen mag mocht mochten mogen
    doe doet deed deden gedaan doen ga gaat ging gingen gegaan gaan

    niet geen wel ook nog al nu toch zo even heel erg echt gewoon eigenlijk misschien
    altijd nooit vaak soms weer meer veel weinig zeer te reeds steeds natuurlijk best
    ongeveer bijna hoe waarom wanneer waarheen daarom daarna toen dan

    eh ehm uh uhm hm hmm nou ja nee oké ok hè zeg
    """.split()
)

# Fillers, discourse markers and transcribers' notes of spoken Dutch, and the verbs and nouns
# of talking about talking ("weet je", "zeg maar", "dat soort dingen"), as words and lemmas.
DUTCH_FILLERS = frozenset(
    """
    eh ehm ehh euh uh uhm um hm hmm hmhm mhm mm ah oh och ach tja jah ja jaja nee neenee nou
    nouja oké ok okay hè he hé hoor joh zeg pff pfff
    gewoon eigenlijk inderdaad precies zeker klopt jawel sowieso letterlijk ofzo enzo enzovoort
    zegmaar eens even toch echt wel natuurlijk best
    lacht lachen zucht zuchten stilte pauze onverstaanbaar onhoorbaar
    zeggen zegt zei zeg gezegd weten weet wist denken denk dacht vinden vind vond bedoelen
    bedoel snappen snap beetje ding dingen soort
    """.split()
)
# The same for spoken English ("you know", "I mean", "kind of").
ENGLISH_FILLERS = frozenset(
    """
    um umm uh uhh uhm erm er ah ahh oh ooh hmm hm mm mhm mmm huh yeah yep yup yes yea no nope
    okay ok alright right well like so just really actually basically literally totally
    anyway gonna wanna gotta kinda sorta
    guess think know mean thing things stuff lot bit pretty maybe probably sure
    laugh laughs laughter pause inaudible crosstalk unintelligible
    """.split()
)
# Fillers of more than one word whose words mean something on their own ("kind" in "a kind
# person", "sort" the verb): removed as phrases, in lemma form, before words are counted.
FILLER_PHRASES = {"en": ("kind of", "sort of", "you know", "i mean"), "nl": ("soort van", "maar goed")}
# Numbers as words say how much or how long, not about what ("twee jaar", "three weeks").
NUMBER_WORDS = {
    "nl": frozenset(
        """
        één een twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien
        vijftien twintig dertig veertig vijftig zestig zeventig tachtig negentig honderd
        duizend miljoen eerste tweede derde vierde vijfde
        """.split()
    ),
    "en": frozenset(
        """
        one two three four five six seven eight nine ten eleven twelve twenty thirty forty
        fifty hundred thousand million first second third
        """.split()
    ),
}
_FILLERS = {"nl": DUTCH_FILLERS, "en": ENGLISH_FILLERS}

# A word: letters first, inner hyphens and apostrophes kept ("ex-partner", "Marco's").
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# What may stand between a sentence end and the next word: spaces, quotes, brackets, dashes.
_OPENING = " \t\n\"'‘’“”„«»([{-–—*"
_QUOTES = "\"'‘“„«"
_SENTENCE_END = ".!?…:;"


def fillers(language: str) -> frozenset[str]:
    """The single-word fillers and discourse markers of ``language`` (``nl``, ``en``; none
    for other languages)."""
    return _FILLERS.get(language, frozenset())


def number_words(language: str) -> frozenset[str]:
    """The numbers of ``language`` written as words (``nl``, ``en``)."""
    return NUMBER_WORDS.get(language, frozenset())


def without_phrases(text: str, language: str) -> str:
    """``text`` (lower-cased lemmas) without the multi-word fillers of ``language``."""
    for phrase in FILLER_PHRASES.get(language, ()):
        text = re.sub(rf"(?<!\S){re.escape(phrase)}(?!\S)", " ", text)
    return text


def name_words(text: str) -> set[str]:
    """The lower-cased words of a name ("meneer De Vries" -> meneer, de, vries)."""
    return {word.lower().strip("'’-") for word in _WORD.findall(text or "")}


def capitalised_words(text: str) -> set[str]:
    """The lower-cased words of ``text`` written with a capital ("netwerk Marco" -> marco):
    the proper nouns among an attribute's values."""
    return {word.lower() for word in _WORD.findall(text or "") if word[0].isupper()}


@dataclass
class Capitals:
    """How often each word (lower-cased, without a possessive "'s") is written with a capital
    and without one inside sentences. A word at the start of a text, after a sentence end or
    colon, or just after a quote says nothing (it has a capital anyway) and is not counted;
    nor are words in capitals only ("PDP", "GGZ": abbreviations, often of what is talked
    about) and compounds ending in a common noun ("Resource-methode", "WhatsApp-groepje")."""

    upper: Counter[str]
    lower: Counter[str]

    def proper_nouns(self, min_count: int = 2, share: float = 0.8) -> set[str]:
        """Words written with a capital at least ``min_count`` times and in at least
        ``share`` of their occurrences: names of people, places and organisations."""
        return {w for w, n in self.upper.items() if n >= min_count and n >= share * (n + self.lower[w])}

    def common(self, words: Iterable[str]) -> set[str]:
        """Those of ``words`` written in lower case at least as often as with a capital:
        common nouns ("begeleider", "moeder"), even where a file names a speaker so."""
        return {w for w in words if self.lower[w] and self.lower[w] >= self.upper[w]}


def capitals(texts: Iterable[str]) -> Capitals:
    """Count how ``texts`` write their words (see :class:`Capitals`)."""
    upper: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for text in texts:
        text = text or ""
        for match in _WORD.finditer(text):
            if _starts_sentence(text, match.start()):
                continue
            word = match.group()
            key = re.sub(r"['’]s?$", "", word.lower())
            if not word[0].isupper():
                lower[key] += 1
            elif not word.isupper() and not word.rsplit("-", 1)[-1][:1].islower():
                upper[key] += 1
    return Capitals(upper, lower)


def proper_nouns(texts: Iterable[str], min_count: int = 2, share: float = 0.8) -> set[str]:
    """The words ``texts`` write as proper nouns ("Marloes", "Almere", "De Overloop"):
    ``capitals(texts).proper_nouns(min_count, share)``."""
    return capitals(texts).proper_nouns(min_count, share)


def _starts_sentence(text: str, at: int) -> bool:
    before = text[:at]
    if before[-1:] in _QUOTES:
        return True
    before = before.rstrip(_OPENING)
    return not before or before[-1] in _SENTENCE_END
