"""The OSEC payment patterns of INDICATORS.md, planted between named accounts.

Live-streaming customers pay facilitators small, frequent, cross-border amounts (round, at odd hours, with
cover words or handles, escalating on some pairs); facilitators cash out from e-wallet to a bank account;
sextortion victims pay an offender abroad a few times within 72 hours, then stop. Volumes here are small
(thousands of rows), so plain Python is fine; the bulk ordinary traffic is vectorised in transactions.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sulo.synth.accounts import AccountBook, add_person_account
from sulo.synth.config import WorldParams
from sulo.synth.population import Person, Population, Subject, pick

# Standard-time UTC offsets (hours) of sender countries, to place payments at sender-local odd hours.
UTC_OFFSET = {"US": -5, "CA": -5, "AU": 10, "GB": 0, "DE": 1, "FR": 1, "NL": 1, "SE": 1, "NO": 1, "JP": 9,
              "SG": 8, "SA": 3, "PH": 8, "ID": 7}
PLATFORM_WORDS = ["StreamNow", "VidCall", "ChatterBox", "TalkApp", "PicShare"]


@dataclass(slots=True)
class Planted:
    """Planted transaction rows as parallel lists (converted to arrays by the writer)."""

    ts: list[int] = field(default_factory=list)  # microseconds since the epoch, UTC
    sender: list[int] = field(default_factory=list)  # account book indices
    receiver: list[int] = field(default_factory=list)
    cents: list[int] = field(default_factory=list)  # amount x 100 in the sending currency
    currency: list[str] = field(default_factory=list)
    channel: list[str] = field(default_factory=list)
    reference: list[str] = field(default_factory=list)

    def add(self, ts: int, sender: int, receiver: int, cents: int, currency: str, channel: str, ref: str) -> None:
        self.ts.append(ts)
        self.sender.append(sender)
        self.receiver.append(receiver)
        self.cents.append(cents)
        self.currency.append(currency)
        self.channel.append(channel)
        self.reference.append(ref)


class Planter:
    def __init__(self, params: WorldParams, pop: Population, book: AccountBook, t0_us: int, span_us: int) -> None:
        self.params, self.pop, self.book = params, pop, book
        self.rng = random.Random(pop.rng.getrandbits(64))
        self.t0, self.span = t0_us, span_us
        self.rows = Planted()
        self._serial = 900_000_000
        # Customer account -> the screen name a CyberTipline report gives for the same person: customers who
        # are also reported write it as their @handle, so payments and reports can be linked (tips<->finance).
        self.reported_handle: dict[int, str] = {}

    def _serial_next(self) -> int:
        self._serial += 1
        return self._serial

    def amount_cents(self, usd: float, currency: str, round_it: bool) -> int:
        spec = self.params.currencies[currency]
        value = usd * spec.per_usd
        if round_it:  # FATF 2025: whole multiples of 5 or 10 units of the sending currency
            step = 10 if value > 100 else 5
            value = max(step, round(value / step) * step)
        elif spec.decimals == 0:
            value = round(value)
        return round(value * 100)

    def facilitators(self) -> list[tuple[Person, int, int]]:
        """(person, e-wallet account, bank account) for every facilitator: the reported ones plus as many
        unreported (finance-only) ones again, half as many."""
        rng = self.rng
        reported = [s.person for s in self.pop.subjects if s.role == "facilitator"]
        extra = [self.pop.household(rng.choice(["PH", "ID"]))[0] for _ in range(len(reported) // 2)]
        out = []
        for person in reported + extra:
            wallet = add_person_account(self.book, rng, person, "EW", "facilitator", "facilitator",
                                        self._serial_next())
            if rng.random() < 0.2:  # a relative's bank account receives the cash-out (a mule)
                relative = self.pop.person(person.country, "mule", rng.random() < 0.5, person.household_id)
                bank = add_person_account(self.book, rng, relative, "BK", "mule", "facilitator",
                                          self._serial_next())
            else:
                bank = add_person_account(self.book, rng, person, "BK", "facilitator", "facilitator",
                                          self._serial_next())
            out.append((person, wallet, bank))
        return out

    def customers(self, n: int) -> list[int]:
        """Customer sender accounts; about 40% are people who are also reported subjects (foreign kind)."""
        rng = self.rng
        subjects = [s for s in self.pop.subjects if s.role == "customer"]
        reported = [s.person for s in subjects]
        chosen = rng.sample(reported, min(len(reported), int(n * 0.4)))
        while len(chosen) < n:
            country = pick(rng, self.params.customer_countries)
            chosen.append(self.pop.person(country, "customer", rng.random() < 0.05))
        screen_names = {id(s.person): s.accounts[0].screen_name for s in subjects if s.accounts}
        accounts = [add_person_account(self.book, rng, p, "RM", "customer", "live_streaming_customer",
                                       self._serial_next()) for p in chosen]
        for person, account in zip(chosen, accounts, strict=True):
            if id(person) in screen_names:
                self.reported_handle[account] = screen_names[id(person)]
        return accounts

    def _odd_time(self, day_us: int, country: str, odd: bool) -> int:
        """A time on the given UTC day at sender-local 22:00-06:00 (odd) or 08:00-21:00 (not)."""
        hour = self.rng.choice([22, 23, 0, 1, 2, 3, 4, 5]) if odd else self.rng.randint(8, 20)
        utc_hour = (hour - UTC_OFFSET.get(country, 0)) % 24
        seconds = utc_hour * 3600 + self.rng.randrange(3600)
        return day_us - day_us % 86_400_000_000 + seconds * 1_000_000

    def _reference(self, handle: str) -> str:
        fin, rng = self.params.finance, self.rng
        roll = rng.random()
        if roll < fin.cover_word_share:
            return rng.choice(self.params.cover_words)
        if roll < fin.cover_word_share + fin.handle_share:
            platform = rng.choice(PLATFORM_WORDS)
            return rng.choice([f"@{handle}", f"{platform} {handle}", f"via {platform}"])
        return rng.choice(["", "", "payment", "for you"])

    def live_streaming(self, customers: list[int], facs: list[tuple[Person, int, int]]) -> None:
        """Each customer pays 1..max facilitators a series of small payments, some escalating."""
        fin, rng = self.params.finance, self.rng
        paid: set[int] = set()
        for cust in customers:
            country = self.book.countries[cust]
            currency = self.params.country_currency[country]
            channel = rng.choice(["remittance", "remittance", "ewallet", "card", "bank"])
            odd = rng.random() < fin.odd_hour_share
            rounds = rng.random() < fin.round_share
            handle = f"{self.book.names[cust].split()[0].lower()}{rng.randint(10, 99)}"
            handle = self.reported_handle.get(cust, handle)
            n_facs = min(len(facs), rng.randint(1, fin.facilitators_per_customer_max))
            for _person, wallet, _bank in rng.sample(facs, n_facs):
                self._pair(cust, wallet, country, currency, channel, odd, rounds, handle)
                paid.add(wallet)
        # Every facilitator has at least one paying customer (a facilitator nobody pays is not one).
        for _person, wallet, _bank in facs:
            if wallet not in paid:
                cust = rng.choice(customers)
                country = self.book.countries[cust]
                self._pair(cust, wallet, country, self.params.country_currency[country], "remittance",
                           rng.random() < fin.odd_hour_share, rng.random() < fin.round_share, "pay")

    def _pair(self, cust: int, wallet: int, country: str, currency: str, channel: str, odd: bool,
              rounds: bool, handle: str) -> None:
        fin, rng = self.params.finance, self.rng
        n = rng.randint(fin.payments_per_pair.min, fin.payments_per_pair.max)
        escalate = n >= 10 and rng.random() < fin.escalation_share
        lo, hi = fin.amount_usd.min, fin.amount_usd.max
        when = self.t0 + int(self.span * rng.uniform(0.0, 0.7))
        for k in range(n):
            if escalate:  # amounts ramp up to ~2.5x and gaps shrink from ~12 days to ~3 (AUSTRAC; AIC 589)
                frac = k / (n - 1)
                usd = min(hi, lo * 1.3 * (1 + 1.5 * frac) * rng.uniform(0.9, 1.1))
                gap_days = 12 - 9 * frac
            else:
                usd, gap_days = rng.uniform(lo, hi * 0.7), rng.uniform(2, 20)
            when += int(gap_days * 86_400 * 1_000_000 * rng.uniform(0.7, 1.3))
            ts = self._odd_time(when, country, odd or rng.random() < 0.15)
            self.rows.add(ts, cust, wallet, self.amount_cents(usd, currency, rounds and rng.random() < 0.85),
                          currency, channel, self._reference(handle))

    def pass_through(self, facs: list[tuple[Person, int, int]]) -> None:
        """Facilitators cash out: after several inbound payments, >= 80% moves e-wallet -> bank within 48 h."""
        inbound: dict[int, list[tuple[int, int]]] = {}
        for ts, rcv, cents, cur in zip(self.rows.ts, self.rows.receiver, self.rows.cents, self.rows.currency,
                                       strict=True):
            inbound.setdefault(rcv, []).append((ts, int(cents / self.params.currencies[cur].per_usd)))
        for person, wallet, bank in facs:
            local = self.params.country_currency[person.country]
            rate = self.params.currencies[local].per_usd
            # Not every facilitator passes money through; those who do not still move some of it, later.
            share, batch = ((0.82, 0.97), 5) if self.rng.random() < self.params.finance.pass_through_share \
                else ((0.2, 0.5), 10**9)
            pending: list[tuple[int, int]] = []
            for number, (ts, usd_cents) in enumerate(sorted(inbound.get(wallet, []))):
                pending.append((ts, usd_cents))
                if len(pending) >= batch or number == len(inbound[wallet]) - 1:
                    total = sum(c for _t, c in pending) * rate * self.rng.uniform(*share)
                    delay = self.rng.randint(1, 40) if batch == 5 else self.rng.randint(72, 400)
                    cents = round(total / 100) * 100 if local == "IDR" else int(total)
                    ref = self.rng.choice(["", "cash out", "transfer"])
                    self.rows.add(ts + delay * 3_600_000_000, wallet, bank, cents, local, "ewallet", ref)
                    pending = []

    def sextortion(self, victims: int) -> None:
        """Victims abroad pay an in-country offender 3-6 times within 72 h (first < EUR 250), then stop."""
        rng, fin = self.rng, self.params.finance
        offenders = [s for s in self.pop.subjects if s.sextortion]
        if not offenders:
            return
        targets: dict[str, int] = {}
        for _ in range(victims):
            off: Subject = rng.choice(offenders)
            if off.subject_id not in targets:
                targets[off.subject_id] = add_person_account(
                    self.book, rng, off.person, "EW", "sextortion_offender", "sextortion", self._serial_next())
            country = pick(rng, self.params.customer_countries)
            victim = self.pop.person(country, "sextortion_victim", rng.random() < 0.2)
            acct = add_person_account(self.book, rng, victim, "RM", "sextortion_victim", "sextortion",
                                      self._serial_next())
            currency = self.params.country_currency[victim.country]
            when = self.t0 + int(self.span * rng.uniform(0.0, 0.95))
            budget = 1_500.0 * rng.uniform(0.4, 1.0)
            for k in range(rng.randint(fin.sextortion_payments.min, fin.sextortion_payments.max)):
                top = 250.0 if k == 0 else fin.sextortion_amount_usd.max  # first payment < EUR 250
                usd = rng.uniform(fin.sextortion_amount_usd.min, top)
                usd = min(usd, budget)
                budget -= usd
                if usd < 10:
                    break
                when += rng.randint(1, 16) * 3_600_000_000
                cents = self.amount_cents(usd, currency, rng.random() < 0.5)
                channel = rng.choice(["ewallet", "remittance", "card"])
                ref = rng.choice(["", "", "sorry", "please"])
                self.rows.add(when, acct, targets[off.subject_id], cents, currency, channel, ref)
