"""Dutch stop words for the TF-IDF embedder.

Function words that say little about what a passage is about: articles, pronouns,
prepositions, conjunctions, auxiliary and modal verbs (lemma and inflected forms, since the
lookup lemmatizer leaves many forms as they are), common adverbs and the fillers of spoken
interviews (eh, nou, ja). Content words that matter in this domain stay out of the list even
when they are frequent: "alleen" (alone), "samen", "naast" (the lemmatizer can turn
"naasten" into it), "hulp", "wonen".

All entries are lower case and tokenise to themselves under the embedder's token pattern.
"""

from __future__ import annotations

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
