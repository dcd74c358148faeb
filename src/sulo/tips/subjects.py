"""What one subject's reports say, for the scorer and the queue: signal counts, their details, place.

Per report, the yes/no facts the scorer counts are worked out once (`report_bits`); a subject's counts
are then column sums over its members (a singleton, most subjects, just takes its report's). Only a
signal that fires has its detail text built. The output is exactly what a per-subject pass over every
signal gives (tests/tips check the grouping and scores on the synthetic world).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from sulo.tips.extract import PRODUCTION_ANNOTATIONS
from sulo.tips.priority import SubjectFacts

# Positions in the per-report tuple of 0/1 facts (report_bits) and in a subject's sums of them.
RESIDENTIAL, MOBILE, IN_HOME, LIVE, PRODUCTION, SEXTORTION, SOLICITATION = range(7)
MINOR_VICTIM, VICTIM_IN_COUNTRY, MINOR_RECIPIENT, ALERT, PRIOR, VIRAL, ANY_IN_COUNTRY = range(7, 14)


@dataclass(slots=True)
class Report:
    """One stored report as the rebuild reads it (plain values, annotations already split)."""

    pk: int
    report_id: str
    content_key: str
    incident_at: dt.datetime
    annotations: frozenset[str]
    file_annotations: frozenset[str]
    country: str | None
    region: str | None
    isp: str | None
    in_country_ip: str  # residential | mobile | none
    minor_victim: bool
    minor_recipient: bool
    victim_in_country: bool
    viral: bool
    duplicate_of: str | None
    subject_key: str | None
    hashes: list[str] = field(default_factory=list)


def report_bits(r: Report, home: Collection[str], alert: bool, prior: bool) -> tuple[int, ...]:
    ann, fann = r.annotations, r.file_annotations
    return (
        r.in_country_ip == "residential", r.in_country_ip == "mobile", r.country in home,
        "liveStreaming" in fann, bool(fann & PRODUCTION_ANNOTATIONS) or "sadisticOnlineExploitation" in ann,
        "sextortion" in ann, "csamSolicitation" in ann, r.minor_victim, r.victim_in_country, r.minor_recipient,
        alert, prior, r.viral, r.country in home or r.in_country_ip != "none",
    )  # type: ignore[return-value]  # bools are ints: sums count them


def subject_sums(bits: Sequence[tuple[int, ...]], idxs: Sequence[int]) -> tuple[int, ...]:
    if len(idxs) == 1:
        return bits[idxs[0]]
    return tuple(map(sum, zip(*(bits[i] for i in idxs), strict=True)))


def subject_facts(group: Sequence[Report], sums: Sequence[int], known: Mapping[str, str]) -> SubjectFacts:
    n = len(group)
    facts = SubjectFacts(report_count=n, latest_incident=max(r.incident_at for r in group))

    def flag(name: str, hits: int, what: str) -> None:
        if hits:
            facts.flags.add(name)
            facts.details[name] = f"{int(hits)} of {n} reports: {what}"  # a singleton's hits are bools

    if sums[RESIDENTIAL]:
        isps = dict.fromkeys(r.isp for r in group if r.in_country_ip == "residential")  # first-seen order
        flag("in_country_residential_ip", sums[RESIDENTIAL], ", ".join(i or "?" for i in isps))
    elif sums[MOBILE]:
        flag("in_country_mobile_ip", sums[MOBILE],
             ", ".join(sorted({r.isp or "?" for r in group if r.in_country_ip == "mobile"})))
    else:
        flag("in_country_location", sums[IN_HOME], "ESP-estimated location in country")
    flag("live_streaming", sums[LIVE], "liveStreaming")
    flag("production", sums[PRODUCTION], "production annotations")
    flag("sextortion", sums[SEXTORTION], "sextortion")
    flag("solicitation", sums[SOLICITATION], "csamSolicitation")
    flag("minor_victim", sums[MINOR_VICTIM], "victim under 18")
    flag("victim_in_country", sums[VICTIM_IN_COUNTRY], "child victim located in country")
    flag("minor_recipient", sums[MINOR_RECIPIENT], "intended recipient under 18")
    if known:
        series = sorted({known[h] for r in group for h in r.hashes if h in known})
        flag("known_series", len(series), ", ".join(series[:5]))
    flag("financial_alert", sums[ALERT], "identifier named in a financial alert")
    flag("prior_report_link", sums[PRIOR], "priorCTReports points at a held report")
    # Redistribution only: but never let it bury a subject with live or in-country-victim signals.
    if not sums[LIVE] and not sums[VICTIM_IN_COUNTRY]:
        flag("viral_only", n if sums[VIRAL] == n else 0, "viral files only")
    if not sums[ANY_IN_COUNTRY]:
        flag("foreign_only", n, "no in-country signal")
    return facts


def place(group: Sequence[Report], home: Collection[str]) -> tuple[str | None, str | None, str | None]:
    """(country, region, ISP) of a subject: its most common in-country country, else its most common one."""
    if len(group) == 1:  # the same answer as below, without three Counters
        r = group[0]
        country = r.country or None
        region = r.region if r.country == country and r.region else None
        return country, region, r.isp if r.isp and r.in_country_ip != "none" else None
    countries = Counter(r.country for r in group if r.country)
    in_home = [c for c, _ in countries.most_common() if c in home]
    country = in_home[0] if in_home else (countries.most_common(1)[0][0] if countries else None)
    regions = Counter(r.region for r in group if r.country == country and r.region)
    isps = Counter(r.isp for r in group if r.isp and r.in_country_ip != "none")
    return (country, regions.most_common(1)[0][0] if regions else None,
            isps.most_common(1)[0][0] if isps else None)
