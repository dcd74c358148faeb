"""People, households and reported subjects of the world, with their platform identities.

A subject is one real person behind reports (see docs/formats/synth-world.md). Each subject owns its own
identifiers (platform ids, e-mails, phones, devices, a home address); no two subjects share one, except the
deliberately shared noise: mobile carrier-grade-NAT addresses and VPN exit addresses.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sulo.synth.config import CountrySpec, Region, WorldParams
from sulo.synth.geo import IpInfo, IpPools
from sulo.synth.names import Name, draw_email, draw_name, draw_phone

# Fictional platforms (ESPs): (espName, service, profile host, chat client).
PLATFORMS = [
    ("ExampleSocial", "ExampleSocial Messenger", "social.example", "ExampleSocial Chat"),
    ("PicShare", "PicShare Direct", "picshare.example", "PicShare DM"),
    ("StreamNow", "StreamNow Live", "streamnow.example", "StreamNow Live Chat"),
    ("ChatterBox", "ChatterBox", "chatterbox.example", "ChatterBox"),
    ("VidCall", "VidCall Video", "vidcall.example", "VidCall"),
    ("TalkApp", "TalkApp Messaging", "talkapp.example", "TalkApp"),
]
LIVE_PLATFORMS = [2, 4, 0, 5]  # live video capable: StreamNow, VidCall, ExampleSocial, TalkApp


@dataclass(slots=True)
class Person:
    person_id: str
    name: Name | None  # None for children: they are never named
    country: str
    region: str
    state: str
    city: str
    household_id: str
    role: str
    sex: str
    age: int | None = None
    relation: str = ""


@dataclass(slots=True)
class PlatformAccount:
    platform: int
    esp_id: str
    screen_name: str
    display_name: str


@dataclass(slots=True)
class Subject:
    subject_id: str
    person: Person
    role: str
    kind: str
    n_reports: int
    start: dt.datetime
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    devices: list[tuple[str, str]] = field(default_factory=list)
    accounts: list[PlatformAccount] = field(default_factory=list)
    home_ip: IpInfo | None = None
    mobile: bool = False
    proxy: bool = False
    live_abuse: bool = False
    sextortion: bool = False
    victims: list[Person] = field(default_factory=list)


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


class Population:
    """Creates people and subjects with globally unique identifiers (serial counters)."""

    def __init__(self, params: WorldParams, rng: random.Random, ips: IpPools) -> None:
        self.params = params
        self.rng = rng
        self.ips = ips
        self.people: list[Person] = []
        self.subjects: list[Subject] = []
        self._serial = 1000
        self._households = 0
        start = params.timeline.start
        self._t0 = dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC)
        self._span_s = int((params.timeline.end - start).total_seconds()) + 86_400
        # VPN / proxy exits: a small shared pool, so unrelated foreign subjects meet on one address.
        self._vpn = [ips.hosting() for _ in range(40)]

    def vpn_exit(self) -> IpInfo:
        return self.rng.choice(self._vpn)

    def serial(self) -> int:
        self._serial += 1
        return self._serial

    def random_time(self, lo: float = 0.0, hi: float = 1.0) -> dt.datetime:
        return self._t0 + dt.timedelta(seconds=int(self._span_s * self.rng.uniform(lo, hi)))

    def _place(self, country: str) -> tuple[Region, str]:
        spec: CountrySpec = self.params.countries[country]  # type: ignore[index]
        region = self.rng.choices(spec.regions, weights=[r.weight for r in spec.regions])[0]
        return region, self.rng.choice(region.cities)

    def person(self, country: str, role: str, female: bool, household: str = "",
               named: bool = True) -> Person:
        if country in ("PH", "ID"):
            region, city = self._place(country)
            reg, state = region.name, region.state
        else:
            reg, state, city = "", "", ""
        name = draw_name(self.rng, country, female) if named else None
        pid = f"P{len(self.people) + 1:07d}"
        person = Person(pid, name, country, reg, state, city, household, role, "F" if female else "M")
        self.people.append(person)
        return person

    def household(self, country: str) -> tuple[Person, list[Person]]:
        """A household with a facilitator (mostly a parent or relative, IJM 2020) and children at risk."""
        self._households += 1
        hid = f"H{self._households:06d}"
        relation = pick(self.rng, self.params.facilitator_relation.model_dump())
        facilitator = self.person(country, "facilitator", self.rng.random() < 0.6, hid)
        facilitator.relation = relation
        facilitator.age = self.rng.randint(24, 58)
        kids = self.params.children
        children: list[Person] = []
        for _ in range(1 + _poisson(self.rng, kids.per_household_mean - 1)):
            child = self.person(country, "child", self.rng.random() < kids.female_share, hid, named=False)
            # Place the child in the facilitator's town; age ~ N(mean, sd) clipped to a minor's range.
            child.region, child.state, child.city = facilitator.region, facilitator.state, facilitator.city
            child.age = int(min(17, max(2, round(self.rng.gauss(kids.age_mean, kids.age_sd)))))
            children.append(child)
        return facilitator, children

    def subject(self, person: Person, role: str, kind: str, n_reports: int) -> Subject:
        """A reported subject with its own identifiers; platform accounts are chosen by the report kind."""
        rng = self.rng
        sid = f"S{len(self.subjects) + 1:07d}"
        subj = Subject(sid, person, role, kind, n_reports, self.random_time(0.0, 0.85))
        name = person.name or Name("user", "")
        for _ in range(1 + (rng.random() < 0.3)):
            subj.emails.append(draw_email(rng, name, self.serial()))
        for _ in range(1 + (rng.random() < 0.25)):
            subj.phones.append(draw_phone(rng, person.country, self.serial()))
        for _ in range(1 + (rng.random() < 0.2)):
            if rng.random() < 0.6:
                subj.devices.append(("IMEI", f"35{self.serial():013d}"))
            else:
                subj.devices.append(("AndroidID", f"{self.serial():016x}"))
        n_platforms = min(n_reports, 1 + _poisson(rng, 1.2 if n_reports > 2 else 0.3))
        pool = LIVE_PLATFORMS if kind == "in_country_live_abuse" else list(range(len(PLATFORMS)))
        for plat in sorted(rng.sample(pool, min(n_platforms, len(pool)))):
            handle = _handle(rng, name, self.serial())
            display = name.given if rng.random() < 0.5 else f"{name.given} {name.surname[:1]}".strip()
            subj.accounts.append(PlatformAccount(plat, f"u-{self.serial()}", handle, display))
        self.subjects.append(subj)
        return subj


def _handle(rng: random.Random, name: Name, serial: int) -> str:
    # The full serial keeps handles unique: a shared screen name would wrongly link two subjects.
    base = (name.given.split()[0] + name.surname[:3]).lower().replace("ñ", "n").replace("-", "")
    return rng.choice([f"{base}_{serial}", f"{base}{serial}", f"x{base}.{serial}"])


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's Poisson draw for small means (Python's random has none)."""
    if mean <= 0:
        return 0
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
