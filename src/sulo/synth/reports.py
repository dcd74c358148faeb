"""Reported subjects and their CyberTipline reports (as records; xmlwrite.py renders them).

Grouping ground truth: every report belongs to the subject (real person) it is about. A subject's reports are
chained: each report shares at least one identifier (platform id, e-mail, phone or device, written in any of
its real-world forms) with the subject's previous report, so a grouper on those keys can recover each subject
exactly. The noise is shared mobile CGNAT and VPN addresses, and viral files shared by unrelated users.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sulo.synth.config import WorldParams
from sulo.synth.geo import IpInfo, IpPools
from sulo.synth.images import ImageRecord
from sulo.synth.population import Population, Subject, _poisson, pick

FIRST_REPORT_ID = 154_200_001
INCIDENT_CSAM = "Child Pornography (possession, manufacture, and distribution)"
INCIDENT_ENTICEMENT = "Online Enticement of Children for Sexual Acts"
INCIDENT_TRAFFICKING = "Child Sex Trafficking"


@dataclass(slots=True)
class FileRef:
    image: ImageRecord
    annotations: tuple[str, ...]
    category: str


@dataclass(slots=True)
class Report:
    subject: Subject
    kind: str
    time: dt.datetime
    account: int  # index into subject.accounts
    emails: list[str] = field(default_factory=list)  # canonical values; rendered as variants
    phones: list[str] = field(default_factory=list)
    devices: list[tuple[str, str]] = field(default_factory=list)
    ips: list[tuple[IpInfo, str, dt.datetime]] = field(default_factory=list)
    files: list[FileRef] = field(default_factory=list)
    annotations: list[str] = field(default_factory=list)
    incident_type: str = INCIDENT_CSAM
    recipient_age: int | None = None
    prior: list[int] = field(default_factory=list)
    report_id: int = 0
    duplicate_of: int = 0
    seed: int = 0  # per-report seed for the written variants, so a duplicate renders identically


def _counts(params: WorldParams, total: int) -> dict[str, int]:
    shares = params.report_kinds
    return {kind: round(total * share) for kind, share in shares.items()}


def _n_reports(params: WorldParams, rng: random.Random, kind: str) -> int:
    spec = params.reports_per_subject[kind]  # type: ignore[index]
    return min(spec.cap, 1 + _poisson(rng, spec.mean - 1))


def _home_country(params: WorldParams, rng: random.Random) -> str:
    return pick(rng, {c: spec.share for c, spec in params.countries.items()})


def build_subjects(pop: Population, counts: dict[str, int]) -> None:
    """Create the subjects of every non-duplicate kind until each kind's report quota is met."""
    params, rng, ips = pop.params, pop.rng, pop.ips
    for kind in ("in_country_live_abuse", "in_country_other", "foreign"):
        remaining = counts[kind]
        while remaining > 0:
            n = min(remaining, _n_reports(params, rng, kind))
            remaining -= n
            if kind == "in_country_live_abuse":
                facilitator, children = pop.household(_home_country(params, rng))
                subj = pop.subject(facilitator, "facilitator", kind, n)
                subj.live_abuse, subj.victims = True, children
                _home_ip(subj, ips, rng, mobile_share=0.3)
            elif kind == "in_country_other":
                sext = rng.random() < params.sextortion_share
                role = "sextortion_offender" if sext else "offender"
                person = pop.person(_home_country(params, rng), role, rng.random() < 0.2)
                subj = pop.subject(person, role, kind, n)
                subj.sextortion = sext
                _home_ip(subj, ips, rng, mobile_share=0.5)
            else:
                person = pop.person(pick(rng, params.customer_countries), "customer", rng.random() < 0.05)
                subj = pop.subject(person, "customer", kind, n)
                subj.home_ip = ips.residential(person.country)
                subj.proxy = rng.random() < 0.3
    _viral_sharers(pop, counts["viral"])


def _home_ip(subj: Subject, ips: IpPools, rng: random.Random, mobile_share: float) -> None:
    subj.home_ip = ips.residential(subj.person.country)
    subj.mobile = rng.random() < mobile_share


def _viral_sharers(pop: Population, count: int) -> None:
    """One subject per sharer: viral content is forwarded by many unrelated users, mostly on mobile data."""
    rng = pop.rng
    for _ in range(count):
        roll = rng.random()
        country = "PH" if roll < 0.55 else "ID" if roll < 0.9 else pick(rng, pop.params.customer_countries)
        person = pop.person(country, "viral_sharer", rng.random() < 0.5)
        subj = pop.subject(person, "viral_sharer", "viral", 1)
        subj.home_ip = pop.ips.residential(country)
        subj.mobile = country in ("PH", "ID") and rng.random() < 0.75


def _ip_event(pop: Population, subj: Subject, when: dt.datetime) -> tuple[IpInfo, str, dt.datetime]:
    rng = pop.rng
    if subj.proxy and rng.random() < 0.8:
        info = pop.vpn_exit()
    elif subj.mobile and rng.random() < 0.8:
        info = pop.ips.mobile(subj.person.country)
    else:
        assert subj.home_ip is not None
        info = subj.home_ip
    event = rng.choice(["Login", "Login", "Upload", "Registration", "Other"])
    return info, event, when - dt.timedelta(minutes=rng.randint(0, 240))


def _chain_link(rng: random.Random, subj: Subject, prev: Report, cur: Report) -> None:
    """Give cur an identifier in common with prev (same platform id, or a shared e-mail/phone/device)."""
    if prev.account == cur.account:
        return
    choice = rng.choice(["email", "phone", "device"])
    if choice == "email":
        value = rng.choice(subj.emails)
        for rep in (prev, cur):
            if value not in rep.emails:
                rep.emails.append(value)
    elif choice == "phone":
        phone = rng.choice(subj.phones)
        for rep in (prev, cur):
            if phone not in rep.phones:
                rep.phones.append(phone)
    else:
        device = rng.choice(subj.devices)
        for rep in (prev, cur):
            if device not in rep.devices:
                rep.devices.append(device)


def _files(pop: Population, subj: Subject, images: list[ImageRecord], viral: list[ImageRecord]) -> list[FileRef]:
    rng = pop.rng
    if subj.kind == "viral":
        return [FileRef(rng.choice(viral), ("viral",), "")]
    out: list[FileRef] = []
    for _ in range(rng.randint(0, 3)):
        image = rng.choice(images)
        notes: tuple[str, ...] = ("liveStreaming",) if subj.live_abuse and rng.random() < 0.7 else ()
        out.append(FileRef(image, notes, image.category or rng.choice(["A1", "A2", "B1", "B2"])))
    return out


def _fill(pop: Population, subj: Subject, rep: Report, images: list[ImageRecord],
          viral: list[ImageRecord]) -> None:
    rng = pop.rng
    if rng.random() < 0.5:
        rep.emails.append(rng.choice(subj.emails))
    if rng.random() < 0.4:
        rep.phones.append(rng.choice(subj.phones))
    if rng.random() < 0.3:
        rep.devices.append(rng.choice(subj.devices))
    rep.ips = [_ip_event(pop, subj, rep.time) for _ in range(rng.randint(1, 3))]
    rep.files = _files(pop, subj, images, viral)
    if subj.live_abuse:
        rep.incident_type = rng.choice([INCIDENT_CSAM, INCIDENT_TRAFFICKING])
    elif subj.sextortion:
        rep.incident_type, rep.annotations = INCIDENT_ENTICEMENT, ["sextortion"]
        rep.recipient_age = rng.randint(13, 17)
    elif subj.kind == "foreign" and rng.random() < 0.4:
        rep.incident_type, rep.annotations = INCIDENT_ENTICEMENT, ["csamSolicitation"]
        rep.recipient_age = rng.randint(10, 17)
    rep.seed = rng.getrandbits(32)


def _subject_reports(pop: Population, subj: Subject, images: list[ImageRecord],
                     viral: list[ImageRecord]) -> list[Report]:
    rng = pop.rng
    reports: list[Report] = []
    when = subj.start
    for i in range(subj.n_reports):
        if i:
            when += dt.timedelta(seconds=rng.randint(3_600, 40 * 86_400))
        rep = Report(subj, subj.kind, when, rng.randrange(len(subj.accounts)))
        _fill(pop, subj, rep, images, viral)
        if reports:
            _chain_link(rng, subj, reports[-1], rep)
        reports.append(rep)
    return reports


def make_reports(pop: Population, images: list[ImageRecord], total: int) -> list[Report]:
    """All reports, in incident-time order, numbered from FIRST_REPORT_ID; duplicates included."""
    rng = pop.rng
    counts = _counts(pop.params, total)
    counts["duplicate"] = total - sum(v for k, v in counts.items() if k != "duplicate")
    build_subjects(pop, counts)
    viral = [im for im in images if im.viral]
    plain = [im for im in images if not im.viral]
    reports: list[Report] = []
    for subj in pop.subjects:
        reports.extend(_subject_reports(pop, subj, plain, viral))
    # Exact duplicates: an ESP re-submits a report; a new report id, every other element identical.
    originals = rng.sample(range(len(reports)), min(counts["duplicate"], len(reports)))
    for index in originals:
        src = reports[index]
        dup = Report(src.subject, "duplicate", src.time, src.account, src.emails, src.phones, src.devices,
                     src.ips, src.files, src.annotations, src.incident_type, src.recipient_age, [], 0, 0,
                     src.seed)
        dup.duplicate_of = id(src)  # resolved to a report id after numbering
        reports.append(dup)
    # Stable order: time, then creation order (duplicates come after their original at the same time).
    order = sorted(range(len(reports)), key=lambda i: (reports[i].time, i))
    reports = [reports[i] for i in order]
    by_obj: dict[int, int] = {}
    for number, rep in enumerate(reports):
        rep.report_id = FIRST_REPORT_ID + number
        by_obj[id(rep)] = rep.report_id
    _link_prior(rng, reports, by_obj)
    return reports


def _link_prior(rng: random.Random, reports: list[Report], by_obj: dict[int, int]) -> None:
    """Resolve duplicates to their original's id; some reports cite the subject's earlier report."""
    last: dict[str, int] = {}
    by_id: dict[int, Report] = {}
    for rep in reports:
        by_id[rep.report_id] = rep
        if rep.kind == "duplicate":
            # The original sorts first (same time, earlier index), so its prior list is final here.
            rep.duplicate_of = by_obj[rep.duplicate_of]
            rep.prior = by_id[rep.duplicate_of].prior
            continue
        sid = rep.subject.subject_id
        if sid in last and rng.random() < 0.3:
            rep.prior = [last[sid]]
        last[sid] = rep.report_id
