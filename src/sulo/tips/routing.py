"""Routing of subjects to units, and data-preservation request letters to ISPs (rules: YAML)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sulo.rules import StrictModel, load_rules

ROUTING_FILE = Path(__file__).with_name("routing.yaml")
LEGAL_FILE = Path(__file__).with_name("legal.yaml")


class RegionUnit(StrictModel):
    unit: str
    names: list[str]


class CountryRouting(StrictModel):
    default: str
    regions: list[RegionUnit]


class RoutingRules(StrictModel):
    countries: dict[str, CountryRouting]
    foreign: str


class Statute(StrictModel):
    statute: str
    text: str
    preserve_days: int
    extension_days: int
    confirmed: bool


class LegalRules(StrictModel):
    PH: Statute
    ID: Statute

    def for_country(self, country: str) -> Statute | None:
        return {"PH": self.PH, "ID": self.ID}.get(country)


def load_routing(path: Path = ROUTING_FILE) -> RoutingRules:
    return load_rules(path, RoutingRules)


def load_legal(path: Path = LEGAL_FILE) -> LegalRules:
    return load_rules(path, LegalRules)


def route(country: str | None, region: str | None, rules: RoutingRules) -> str:
    table = rules.countries.get(country or "")
    if table is None:
        return rules.foreign
    wanted = (region or "").strip().casefold()
    for entry in table.regions:
        if wanted and wanted in {n.casefold() for n in entry.names}:
            return entry.unit
    return table.default


def preservation_letter(*, statute: Statute, isp: str, subject_key: str, unit: str,
                        ips: list[tuple[str, dt.datetime]], issued: dt.datetime) -> tuple[str, dt.datetime]:
    """The letter text and its deadline. Lists addresses and times only: no content, no names."""
    deadline = issued + dt.timedelta(days=statute.preserve_days)
    lines = [
        f"To: {isp} - Legal / Law Enforcement Liaison",
        f"From: {unit}",
        f"Date: {issued.date().isoformat()}",
        f"Reference: sulo subject {subject_key}",
        "",
        "Subject: Request for preservation of computer data",
        "",
        statute.text,
        "",
        "Addresses and times (UTC) of interest:",
        *[f"  - {ip} at {at.astimezone(dt.UTC).isoformat(timespec='seconds')}" for ip, at in ips],
        "",
        f"Please preserve until at least {deadline.date().isoformat()}.",
        f"Legal basis: {statute.statute}.",
    ]
    if not statute.confirmed:
        lines.append("Legal basis to be confirmed by counsel before sending.")
    return "\n".join(lines) + "\n", deadline
