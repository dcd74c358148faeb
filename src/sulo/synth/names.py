"""Name parts and the ways names, phone numbers and e-mail addresses are really written.

Names are combined at random from lists of common name parts; no list entry is a real person. The variant
functions reproduce what analysts meet in reports: Filipino nicknames and compound surnames written three
ways, Indonesian mononyms, phone numbers typed in local, international and bare forms, e-mail addresses
with changed case or (on the Gmail-like domain) extra dots. Every variant normalises back to one value.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PH_GIVEN_F = ["Maria", "Ana", "Rosalie", "Marites", "Jocelyn", "Maricel", "Lorna", "Analyn", "Rowena", "Gemma",
              "Rhea", "Kristine", "Jennifer", "Mary Grace", "Liza", "Cherry", "Imelda", "Divina", "Nenita",
              "Evelyn", "Rosario", "Teresita", "Joy", "Mylene", "Arlene"]
PH_GIVEN_M = ["Jose", "Juan", "Eduardo", "Rolando", "Ramon", "Ricardo", "Jonathan", "Mark Anthony", "Jerome",
              "Rodel", "Arnel", "Reynaldo", "Danilo", "Romeo", "Ernesto", "Antonio", "Nestor", "Alfredo",
              "Rogelio", "Joel", "Ariel", "Noel", "Jun", "Benjamin", "Rommel"]
# Filipino nicknames attach to the given name: the same person is "Juan" in one report, "Jun-Jun" in another.
PH_NICKNAMES = {"Juan": ["Jun-Jun", "Jun"], "Jose": ["Pepe", "Jojo"], "Eduardo": ["Edong", "Ed"],
                "Ramon": ["Mon", "Monching"], "Ricardo": ["Carding", "Ricky"], "Rolando": ["Lando", "Bong"],
                "Antonio": ["Tonyo", "Tony"], "Benjamin": ["Benjie", "Jamin"], "Rommel": ["Mel", "Bong"],
                "Maria": ["Inday", "Mai"], "Rosario": ["Charo", "Rose"], "Teresita": ["Tess", "Tessie"],
                "Mary Grace": ["Grace", "MG"], "Evelyn": ["Evy", "Inday"], "Imelda": ["Mel", "Meldy"],
                "Jonathan": ["Jon-Jon", "Athan"], "Mark Anthony": ["Mac-Mac", "Mark"], "Reynaldo": ["Rey", "Nald"],
                "Kristine": ["Tin", "Tintin"], "Jennifer": ["Jen", "Jenjen"]}
PH_SURNAMES = ["Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Torres", "Tomas",
               "Andrada", "Castillo", "Flores", "Villanueva", "Ramos", "Castro", "Rivera", "Aquino", "Navarro",
               "Salazar", "Mercado", "Gonzales", "Lopez", "Pascual", "Manalo", "Dizon", "Tolentino", "Sison",
               "Cabrera", "Aguilar", "Macaraeg"]
# Compound surnames are written with and without the particle spacing and capitalisation.
PH_COMPOUND = [("dela", "Cruz"), ("de los", "Santos"), ("de", "Guzman"), ("del", "Rosario"), ("de", "Leon"),
               ("dela", "Peña"), ("de", "Castro")]
ID_GIVEN_F = ["Suharti", "Sri", "Wati", "Siti", "Dewi", "Rina", "Yuni", "Ratna", "Indah", "Nur", "Fitri",
              "Lestari", "Sumiati", "Ayu", "Putri", "Endang", "Kartini", "Wulan", "Nining", "Rahayu"]
ID_GIVEN_M = ["Budi", "Agus", "Joko", "Slamet", "Bambang", "Hendra", "Rudi", "Eko", "Andi", "Dedi", "Wahyu",
              "Yusuf", "Ahmad", "Rizki", "Teguh", "Hadi", "Supriyadi", "Sutrisno", "Iwan", "Darmawan"]
ID_SURNAMES = ["Santoso", "Wijaya", "Saputra", "Hidayat", "Kurniawan", "Setiawan", "Pratama", "Nugroho",
               "Siregar", "Simanjuntak", "Lumbantobing", "Tambunan", "Manurung", "Pangemanan", "Sondakh",
               "Wowor", "Mokoginta", "Putra", "Gunawan", "Susanto"]
# Foreign customers: common given names and surnames of the customer countries, combined at random.
FOREIGN_GIVEN = ["James", "John", "Robert", "Michael", "David", "William", "Richard", "Thomas", "Mark", "Paul",
                 "Steven", "Andrew", "Kevin", "Brian", "Gary", "Peter", "Daniel", "Stephen", "Mats", "Lars",
                 "Jan", "Klaus", "Pierre", "Hiroshi", "Wei", "Graham", "Craig", "Wayne", "Dale", "Scott"]
FOREIGN_SURNAMES = ["Smith", "Johnson", "Brown", "Taylor", "Miller", "Wilson", "Moore", "Anderson", "Jackson",
                    "White", "Harris", "Martin", "Thompson", "Walker", "Young", "King", "Wright", "Hill",
                    "Green", "Baker", "Nelson", "Carter", "Mitchell", "Campbell", "Larsen", "Muller", "Jansen",
                    "Dubois", "Tanaka", "Lindqvist"]

GMAIL_LIKE = "gmail.example"  # dot-insensitive like Gmail: tips normalisers should drop dots on this domain
MAIL_DOMAINS = [GMAIL_LIKE, GMAIL_LIKE, GMAIL_LIKE, "yahoo.example", "outlook.example", "ymail.example"]


@dataclass(frozen=True, slots=True)
class Name:
    given: str
    surname: str  # empty for an Indonesian mononym
    particle: str = ""  # Filipino compound surname particle ("dela")
    nicknames: tuple[str, ...] = ()

    @property
    def full_surname(self) -> str:
        return f"{self.particle} {self.surname}".strip()

    @property
    def canonical(self) -> str:
        return f"{self.given} {self.full_surname}".strip()


def draw_name(rng: random.Random, country: str, female: bool) -> Name:
    """A synthetic name for a person of `country` (PH, ID or a customer country)."""
    if country == "PH":
        given = rng.choice(PH_GIVEN_F if female else PH_GIVEN_M)
        nicks = tuple(PH_NICKNAMES.get(given, ()))
        if rng.random() < 0.2:
            particle, surname = rng.choice(PH_COMPOUND)
            return Name(given, surname, particle, nicks)
        return Name(given, rng.choice(PH_SURNAMES), "", nicks)
    if country == "ID":
        given = rng.choice(ID_GIVEN_F if female else ID_GIVEN_M)
        # Many Indonesians, especially in Java, carry a single name (a mononym such as "Suharti").
        if rng.random() < 0.45:
            return Name(given, "")
        return Name(given, rng.choice(ID_SURNAMES))
    return Name(rng.choice(FOREIGN_GIVEN), rng.choice(FOREIGN_SURNAMES))


def surname_variants(name: Name) -> list[str]:
    """Ways the surname is written: "dela Cruz", "Dela Cruz", "Delacruz", "DELA CRUZ"."""
    if not name.particle:
        return [name.surname, name.surname.upper()]
    joined = name.particle.replace(" ", "") + name.surname.lower()
    return [name.full_surname, name.full_surname.title(), joined.capitalize(), name.full_surname.upper()]


def written_name(rng: random.Random, name: Name) -> tuple[str, str]:
    """(firstName, lastName) as one report writes it; mononyms go in firstName with an empty lastName
    or, as some platforms force a last name, the given name repeated."""
    given = name.given
    if name.nicknames and rng.random() < 0.35:
        given = rng.choice(name.nicknames)
    elif rng.random() < 0.1:
        given = given.upper()
    if not name.surname:
        return given, (given if rng.random() < 0.3 else "")
    return given, rng.choice(surname_variants(name))


def name_aliases(name: Name) -> list[str]:
    """All written forms a person can have; people.csv lists them."""
    givens = [name.given, *name.nicknames]
    if not name.surname:
        return sorted(set(givens) | {f"{g} {g}" for g in givens})
    return sorted({f"{g} {s}" for g in givens for s in surname_variants(name)})


# Mobile prefixes (first digits of the national number after the trunk 0). Globe/Smart/DITO; Telkomsel etc.
PH_PREFIXES = ["917", "918", "919", "920", "921", "927", "945", "951", "961", "966", "977", "995", "998", "999"]
ID_PREFIXES = ["811", "812", "813", "821", "822", "852", "853", "856", "857", "878", "877", "895", "896", "838"]


def draw_phone(rng: random.Random, country: str, serial: int) -> str:
    """A canonical E.164 number (digits only, with country code); `serial` keeps numbers unique."""
    if country == "PH":
        return "63" + rng.choice(PH_PREFIXES) + f"{serial % 10_000_000:07d}"
    if country == "ID":
        return "62" + rng.choice(ID_PREFIXES) + f"{serial % 100_000_000:08d}"
    return "1" + f"{rng.randint(201, 989)}" + f"{serial % 10_000_000:07d}"


def phone_variant(rng: random.Random, e164: str) -> tuple[str, str]:
    """(countryCode attribute, number as typed): 0917 123 4567, +63 917-123-4567, 639171234567, ..."""
    if e164.startswith("63"):
        nat = e164[2:]
        forms = [f"0{nat[:3]} {nat[3:6]} {nat[6:]}", f"+63 {nat[:3]}-{nat[3:6]}-{nat[6:]}", e164,
                 f"0{nat}", f"+63{nat}", f"(0{nat[:3]}) {nat[3:6]} {nat[6:]}"]
        return "63", rng.choice(forms)
    if e164.startswith("62"):
        nat = e164[2:]
        forms = [f"0{nat[:3]}-{nat[3:7]}-{nat[7:]}", f"+62 {nat[:3]} {nat[3:7]} {nat[7:]}", e164,
                 f"0{nat}", f"+62{nat}", f"62 {nat[:3]}-{nat[3:7]}-{nat[7:]}"]
        return "62", rng.choice(forms)
    nat = e164[1:]
    forms = [f"+1 ({nat[:3]}) {nat[3:6]}-{nat[6:]}", f"{nat[:3]}-{nat[3:6]}-{nat[6:]}", f"+1{nat}"]
    return "1", rng.choice(forms)


def draw_email(rng: random.Random, name: Name, serial: int) -> str:
    """A canonical (lower-case, dot-free local part on the Gmail-like domain) synthetic address."""
    base = (name.given + name.surname).lower().replace(" ", "").replace("ñ", "n").replace("-", "")
    local = f"{base[:12]}{serial}"
    return f"{local}@{rng.choice(MAIL_DOMAINS)}"


def email_variant(rng: random.Random, email: str) -> str:
    """The address as written in one report: case changes, and dots on the dot-insensitive domain."""
    local, domain = email.split("@")
    roll = rng.random()
    if roll < 0.2:
        local = local.capitalize()
    elif roll < 0.3:
        return f"{local}@{domain}".upper()
    if domain == GMAIL_LIKE and rng.random() < 0.3 and len(local) > 3:
        cut = rng.randint(1, len(local) - 2)
        local = local[:cut] + "." + local[cut:]
    return f"{local}@{domain}"
