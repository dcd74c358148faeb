"""Turn one ParsedReport into the rows the store writes: canonical identifiers, enriched IP events,
file hashes, and the per-report facts the scorer needs. Pure: no database."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sulo.tips.canon import (
    canonical_device,
    canonical_email,
    canonical_esp,
    canonical_phone,
    canonical_username,
)
from sulo.tips.enrich import IpEnricher
from sulo.tips.model import Digests, ParsedReport, ReportedPerson, compress_raw

PRODUCTION_ANNOTATIONS = frozenset({"physicalHarm", "infant", "sadisticOnlineExploitation"})


@dataclass
class ReportRows:
    report: dict[str, Any]
    identifiers: list[dict[str, Any]] = field(default_factory=list)
    ip_events: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)


def extract(report: ParsedReport, source: str, enricher: IpEnricher, home: frozenset[str],
            digests: Digests | None = None, stored_raw: bytes | None = None) -> ReportRows:
    """`stored_raw`: the raw record already in its stored form (intake.Item.stored), else compressed here."""
    digests = digests or report.digests()
    esp = canonical_esp(report.esp_name)
    ips, ip_country, ip_region, isp, in_country = _ip_rows(report, enricher, home)
    loc_country, loc_region = _stated_location(report)
    country = ip_country or loc_country
    region = (loc_region if loc_country == country else None) or ip_region
    file_annotations = sorted({a for f in report.files for a in f.annotations})
    rows = ReportRows(report={
        "report_id": report.report_id,
        "fingerprint": digests.fingerprint,
        "content_key": digests.content_key,
        "source": source[-500:],
        "incident_type": report.incident_type[:300],
        "incident_at": report.incident_at,
        "esp_name": report.esp_name,
        "annotations": ";".join(report.annotations),
        "file_annotations": ";".join(file_annotations),
        "country": country,
        "region": region,
        "isp": isp,
        "in_country_ip": in_country,
        "minor_victim": any(v.is_minor for v in report.victims),
        "minor_recipient": any(r.is_minor for r in report.recipients),
        "victim_count": len(report.victims),
        "victim_in_country": any(v.country in home for v in report.victims),
        "viral": "viral" in file_annotations,
        "raw": stored_raw if stored_raw is not None else compress_raw(digests.raw),
    }, ip_events=ips)
    default_region = country if country else None
    for person in report.persons:
        rows.identifiers.extend(_person_identifiers(person, esp, default_region))
    for rec in report.recipients:
        if rec.esp_identifier:
            rows.identifiers.append(_ident("esp_id", f"{esp}:{rec.esp_identifier.strip()}", rec.esp_identifier,
                                           "recipient"))
    rows.files = [{
        "file_name": f.file_name, "md5": f.md5, "sha1": f.sha1, "pdq": f.pdq,
        "annotations": ";".join(f.annotations), "industry_classification": f.industry_classification,
        "publicly_available": f.publicly_available,
    } for f in report.files]
    return rows


def _ident(kind: str, value: str, raw: str, role: str = "reported") -> dict[str, Any]:
    return {"kind": kind, "value": value[:300], "raw": raw[:300], "role": role}


def _person_identifiers(person: ReportedPerson, esp: str, region: str | None) -> list[dict[str, Any]]:
    out = []
    if person.esp_identifier:
        out.append(_ident("esp_id", f"{esp}:{person.esp_identifier.strip()}", person.esp_identifier))
    if person.screen_name and (name := canonical_username(person.screen_name)):
        out.append(_ident("screen_name", f"{esp}:{name}", person.screen_name))
    for email in person.emails:
        if value := canonical_email(email.value):
            out.append(_ident("email", value, email.value))
    for phone in person.phones:
        if value := canonical_phone(phone.raw, phone.country_code, region or person.address_country):
            out.append(_ident("phone", value, phone.raw))
    for device in person.devices:
        if value := canonical_device(device.id_type, device.value):
            out.append(_ident("device", value, device.value))
    # Kept as an identifier so the scorer can see "points at a report we hold"; not a linking key.
    out.extend(_ident("prior_report", ref, ref) for ref in person.prior_reports)
    return out


def _ip_rows(report: ParsedReport, enricher: IpEnricher, home: frozenset[str]
             ) -> tuple[list[dict[str, Any]], str | None, str | None, str | None, str]:
    """IP rows plus the report's in-country reading: country, region, ISP, and 'residential' /
    'mobile' / 'none' for the best in-country address."""
    rows: list[dict[str, Any]] = []
    best: tuple[int, str | None, str | None, str | None] = (0, None, None, None)
    for person in report.persons:
        for ev in person.ip_events:
            info = enricher.lookup(ev.ip)
            rows.append({
                "ip": ev.ip, "event_name": ev.event_name, "at": ev.at or report.incident_at,
                "country": info.country, "region": info.region, "city": info.city, "isp": info.asn_name,
                "asn_cidr": info.asn_cidr, "network_class": info.network_class,
                "possible_proxy": bool(ev.possible_proxy),
            })
            rank = _in_country_rank(info.country, info.network_class, bool(ev.possible_proxy), home)
            if rank > best[0]:
                best = (rank, info.country, info.region, info.asn_name)
    label = {2: "residential", 1: "mobile"}.get(best[0], "none")
    if best[0] == 0:
        # A VPN or hosting address says where the server is, not the person: only access networks count.
        countries: Counter[str] = Counter(str(r["country"]) for r in rows
                            if r["country"] and r["network_class"] in ("residential", "cgnat"))
        top: str | None = countries.most_common(1)[0][0] if countries else None
        return rows, top, None, None, label
    return rows, best[1], best[2], best[3], label


def _in_country_rank(country: str | None, network: str, proxy: bool, home: frozenset[str]) -> int:
    if country not in home or proxy:
        return 0
    return {"residential": 2, "cgnat": 1}.get(network, 0)


def _stated_location(report: ParsedReport) -> tuple[str | None, str | None]:
    """Where the ESP or the account itself says the person is (estimatedLocation, then address)."""
    for person in report.persons:
        if person.est_country:
            return person.est_country, person.est_region or person.address_state
        if person.address_country:
            return person.address_country, person.address_state
    return None, None
