"""Writes sentences.txt: Dutch sentences of our own, with their personal data marked.

Run it again (python tests/data/privacy/make_sentences.py) only to change the set on
purpose; the benchmark and the tests read the file it wrote. Every name, number and address
in it is made up here (random, seeded); a BSN is made to pass the 11-check, a "klantnummer"
of nine digits is made to fail it.

Markup: ``{type:text}`` around each entity; ``{ignore:text}`` marks text that is neither
counted as found nor as a false find.
"""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

FIRST = (
    "Sanne Piet Anouk Mohamed Fatma Youssef Priya Kevin Naima Bart Ingrid Mehmet Joyce Romano "
    "Shanti Anton Wilma Rachid Esmee Gijsbert Leontien Dirkje Hamza Chantal Nadia Willem Mustafa "
    "Gerrit Annemiek Sevda Ricardo Jolanda Ayoub Marjolein Hidde Tamara"
).split()
SUR = (
    "de Vries|Jansen|van den Berg|Visser|de Boer|Mulder|de Groot|Bos|Hendriks|van Leeuwen|"
    "Dekker|Brouwer|de Wit|Dijkstra|Yilmaz|El Amrani|Bouzid|Öztürk|van der Meer|Koster|"
    "Verhoef|Scholten|Kramer|Vermeer|Bakkal|Ramdin|Pinas|Sedney|Kuijpers|van Dam"
).split("|")
CITIES = (
    "Utrecht Zwolle Groningen Leiden Deventer Zaandam Alkmaar Hoorn Amersfoort Tilburg Breda "
    "Eindhoven Nijmegen Arnhem Apeldoorn Enschede Leeuwarden Dordrecht Delft Gouda"
).split()
STREETS = (
    "Kerkstraat|Dorpsstraat|Molenweg|Stationsplein|Julianalaan|Beatrixstraat|Schoolstraat|"
    "Nieuwe Gracht|Oude Singel|Lindenlaan|Vondelstraat|Havenkade|Eikenlaan"
).split("|")
ORGS = (
    "Stichting De Haven|Stichting Nieuw Begin|Leger des Heils|De Tussenvoorziening|"
    "Stichting Onder Dak|Woonstichting De Key|Stichting Het Anker"
).split("|")
MONTHS = "januari februari maart april mei juni juli augustus september oktober november december".split()


def phone(r: random.Random) -> str:
    mobile = "6" + "".join(str(r.randint(0, 9)) for _ in range(8))
    area = r.choice(["20", "23", "30", "50", "70", "10", "251", "72"])
    rest = "".join(str(r.randint(0, 9)) for _ in range(9 - len(area)))
    forms = [
        f"0{mobile[0]}-{mobile[1:]}", f"0{mobile[0]} {mobile[1:5]} {mobile[5:]}", f"0{mobile}",
        f"+31 {mobile[0]} {mobile[1:]}", f"+31 (0){mobile[0]}-{mobile[1:]}", f"0031 {mobile[0]} {mobile[1:]}",
        f"0{mobile[0]} {mobile[1:3]} {mobile[3:5]} {mobile[5:7]} {mobile[7:]}",
        f"0{area}-{rest}", f"(0{area}) {rest[:3]} {rest[3:]}", f"0{area} - {rest[:3]} {rest[3:5]} {rest[5:]}",
        f"+31 {area} {rest}",
    ]  # fmt: skip
    return r.choice(forms)


def bsn(r: random.Random, valid: bool = True) -> str:
    while True:
        digits = [r.randint(0, 9) for _ in range(9)]
        total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
        if (total % 11 == 0) == valid and digits[0] != 0:
            text = "".join(map(str, digits))
            return r.choice(
                [text, text, f"{text[:4]}.{text[4:6]}.{text[6:]}", f"{text[:3]} {text[3:6]} {text[6:]}"]
            )


def postcode(r: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRTVWXZ"
    pair = r.choice(letters) + r.choice(letters)
    number = r.randint(1000, 9999)
    return r.choice([f"{number} {pair}", f"{number}{pair}", f"{number} {pair}"])


def email(r: random.Random, first: str, last: str) -> str:
    plain = unicodedata.normalize("NFKD", last.replace(" ", "")).encode("ascii", "ignore").decode().lower()
    domain = r.choice(["gmail.com", "hotmail.com", "ziggo.nl", "kpnmail.nl", "outlook.com", "xs4all.nl"])
    return r.choice([f"{first.lower()}.{plain}@{domain}", f"{first.lower()}{r.randint(1, 99)}@{domain}",
                     f"{first[0].lower()}.{plain}@{domain}"])  # fmt: skip


def date(r: random.Random) -> str:
    day, month, year = r.randint(1, 28), r.randint(1, 12), r.randint(1940, 2005)
    return r.choice([
        f"{day:02d}-{month:02d}-{year}", f"{day}-{month}-{year}", f"{day:02d}/{month:02d}/{year}",
        f"{day} {MONTHS[month - 1]} {year}", f"{day}.{month:02d}.{year}", f"{year}-{month:02d}-{day:02d}",
    ])  # fmt: skip


TEMPLATES = (
    "Mijn nummer is {phone}, bel maar als het niet gaat.",
    "Je kunt {first} bereiken op {phone} of via {email}.",
    "Ze woont nu aan de {street} in {city}, postcode {postcode}.",
    "Het adres is {street} {num}, {postcode} {city}.",
    "Zijn BSN is {bsn}, dat stond op de brief van de gemeente.",
    "Op het formulier stond burgerservicenummer {bsn} en geboortedatum {date}.",
    "Ik ben geboren op {date} in {city}.",
    "Meneer {sur} belde op {date} vanaf {phone}.",
    "Mevrouw {sur} van {org} heeft het overgenomen.",
    "Mail het maar naar {email}, dan kijkt {first} ernaar.",
    "{first} {sur} heeft een kamer bij {org} in {city}.",
    "Mijn zus {first} woont al jaren in {city}.",
    "Het klantnummer {badbsn} is geen BSN, en om 14.30 uur was er overleg.",
    "Ze betaalt € 1.250,00 per maand en woont op nummer {num}.",
    "In 2019 kwam {first} bij ons, toen was ze drieëntwintig.",
    "De huisarts, dokter {sur}, heeft nummer {phone}.",
    "Stuur de stukken naar {postcode} {city}, ter attentie van {first} {sur}.",
    "{first} zei dat ze op {date} jarig is.",
    "Wij hebben {first} voor het laatst gezien op {date}.",
    "Bel {org} op {phone}, vraag naar {first}.",
    "Mijn oom {first} heeft geen telefoon meer, alleen e-mail: {email}.",
    "We spraken af bij het station in {city}, om half drie.",
    "De brief ging naar {street} {num} in {city}.",
    "Haar e-mailadres is {email} en haar mobiel {phone}.",
    "Ik heb {first} en {first2} gevraagd om mee te komen naar {org}.",
    "Zijn geboortedatum is {date}, zijn BSN {bsn}.",
    "Drie kamers, twee badkamers en 80 vierkante meter, zei {first}.",
    "Van 2008 tot 2012 zat hij op straat in {city}.",
    "Er staan 1500 mensen op de wachtlijst van {org}.",
    "Postcode {postcode}, huisnummer {num}: daar woont {first} nu.",
)


def fill(template: str, r: random.Random) -> str:
    first, first2, sur = r.choice(FIRST), r.choice(FIRST), r.choice(SUR)
    values = {
        "first": f"{{person:{first}}}", "first2": f"{{person:{first2}}}", "sur": f"{{person:{sur}}}",
        "phone": f"{{phone:{phone(r)}}}", "email": f"{{email:{email(r, first, sur)}}}",
        "postcode": f"{{postcode:{postcode(r)}}}", "bsn": f"{{bsn:{bsn(r)}}}", "badbsn": bsn(r, valid=False),
        "date": f"{{date:{date(r)}}}", "city": f"{{place:{r.choice(CITIES)}}}", "street": r.choice(STREETS),
        "num": str(r.randint(1, 240)), "org": f"{{organisation:{r.choice(ORGS)}}}",
    }  # fmt: skip
    text = template
    if "{street} {num}" in text:
        text = text.replace("{street} {num}", f"{{place:{values['street']} {values['num']}}}")
    elif "{street}" in text:
        text = text.replace("{street}", f"{{place:{values['street']}}}")
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def main() -> None:
    r = random.Random(16)
    lines = [fill(template, r) for _ in range(10) for template in TEMPLATES]
    out = Path(__file__).with_name("sentences.txt")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
