"""Financial accounts of the world: ordinary (vectorised) and planted (customers, facilitators, ...).

An account is a transaction sender/receiver id. Planted accounts belong to people of the population (so a
reported facilitator's e-wallet can be found from a tip); ordinary accounts are drawn in bulk with numpy.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from sulo.synth.config import WorldParams
from sulo.synth.names import (
    FOREIGN_GIVEN,
    FOREIGN_SURNAMES,
    ID_GIVEN_F,
    ID_GIVEN_M,
    ID_SURNAMES,
    PH_GIVEN_F,
    PH_GIVEN_M,
    PH_SURNAMES,
)
from sulo.synth.population import Person


@dataclass(slots=True)
class AccountBook:
    """Parallel columns, one row per account; planted rows are appended after the ordinary ones."""

    ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    person_ids: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    typologies: list[str] = field(default_factory=list)
    surnames: list[str] = field(default_factory=list)

    def add(self, account_id: str, name: str, country: str, person_id: str, role: str, typology: str,
            surname: str) -> int:
        self.ids.append(account_id)
        self.names.append(name)
        self.countries.append(country)
        self.person_ids.append(person_id)
        self.roles.append(role)
        self.typologies.append(typology)
        self.surnames.append(surname)
        return len(self.ids) - 1


@dataclass(slots=True)
class Ordinary:
    """Index ranges of the ordinary accounts inside the book, by group."""

    domestic: dict[str, np.ndarray]  # country -> account indices living there
    ofw: np.ndarray  # senders abroad
    ofw_family: np.ndarray  # for each OFW sender, the family receiver at home (same surname)
    ofw_small: np.ndarray  # bool per OFW sender: small, frequent remittances (the confounder)


def _names(gen: np.random.Generator, given: list[str], surnames: list[str], n: int) -> tuple[list[str], list[str]]:
    g = np.asarray(given, dtype=object)[gen.integers(0, len(given), n)]
    s = np.asarray(surnames, dtype=object)[gen.integers(0, len(surnames), n)]
    return [f"{a} {b}" for a, b in zip(g, s, strict=True)], list(s)


def add_ordinary(book: AccountBook, params: WorldParams, gen: np.random.Generator, count: int) -> Ordinary:
    """Ordinary people: domestic e-wallet and bank users in PH and ID, and overseas workers sending home."""
    n_ofw = int(count * params.finance.ofw_senders_share)
    n_home = count - 2 * n_ofw
    ph_share = params.countries["PH"].share
    n_ph = int(n_home * ph_share)
    domestic: dict[str, np.ndarray] = {}
    serial = len(book.ids)
    for country, n in (("PH", n_ph), ("ID", n_home - n_ph)):
        given = PH_GIVEN_F + PH_GIVEN_M if country == "PH" else ID_GIVEN_F + ID_GIVEN_M
        names, surnames = _names(gen, given, PH_SURNAMES if country == "PH" else ID_SURNAMES, n)
        start = len(book.ids)
        for i in range(n):
            kind = "EW" if (serial + i) % 3 else "BK"
            book.add(f"{kind}-{country}-{serial + i:09d}", names[i], country, f"O{serial + i:09d}",
                     "ordinary", "", surnames[i])
        serial += n
        domestic[country] = np.arange(start, len(book.ids))
    ofw_countries = list(params.ofw_countries)
    weights = np.asarray([params.ofw_countries[c] for c in ofw_countries])
    abroad = np.asarray(ofw_countries)[gen.choice(len(ofw_countries), n_ofw, p=weights / weights.sum())]
    home = np.where(gen.random(n_ofw) < ph_share, "PH", "ID")
    ofw_start = len(book.ids)
    for i in range(n_ofw):
        given = PH_GIVEN_F + PH_GIVEN_M if home[i] == "PH" else ID_GIVEN_F + ID_GIVEN_M
        surnames = PH_SURNAMES if home[i] == "PH" else ID_SURNAMES
        surname = surnames[int(gen.integers(len(surnames)))]
        book.add(f"RM-{abroad[i]}-{serial:09d}", f"{given[int(gen.integers(len(given)))]} {surname}",
                 str(abroad[i]), f"O{serial:09d}", "ordinary", "", surname)
        serial += 1
    family_start = len(book.ids)
    for i in range(n_ofw):
        surname = book.surnames[ofw_start + i]
        given = PH_GIVEN_F if home[i] == "PH" else ID_GIVEN_F
        book.add(f"EW-{home[i]}-{serial:09d}", f"{given[int(gen.integers(len(given)))]} {surname}",
                 str(home[i]), f"O{serial:09d}", "ordinary", "", surname)
        serial += 1
    ofw = np.arange(ofw_start, family_start)
    return Ordinary(domestic, ofw, np.arange(family_start, len(book.ids)),
                    gen.random(n_ofw) < params.finance.ofw_small_frequent_share)


def add_person_account(book: AccountBook, rng: random.Random, person: Person, prefix: str, role: str,
                       typology: str, serial: int) -> int:
    """A planted account of a named person; the account name is written as the person's canonical name."""
    assert person.name is not None
    name = person.name.canonical if rng.random() < 0.8 else person.name.canonical.upper()
    return book.add(f"{prefix}-{person.country}-{serial:09d}", name, person.country, person.person_id, role,
                    typology, person.name.surname)


def foreign_name_pool() -> tuple[list[str], list[str]]:
    return FOREIGN_GIVEN, FOREIGN_SURNAMES
