"""IP enrichment: country, ASN organisation (the ISP), network class, optional city/region.

Offline only: geoip2fast's bundled MaxMind GeoLite2 Country+ASN data (IPv4 and IPv6), plus an optional
MaxMind City .mmdb the deployment provides (settings.geoip_mmdb). Nothing is looked up on the network:
an investigation must not tip off anybody by querying a public service with a suspect's address.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sulo.rules import StrictModel, load_rules

NETWORKS_FILE = Path(__file__).with_name("networks.yaml")


class AsnEntry(StrictModel):
    asn: int
    name: str


class NetworkRules(StrictModel):
    hosting: list[AsnEntry]
    vpn: list[AsnEntry]
    mobile_cgnat: list[AsnEntry]
    cgnat_ranges: list[str]


@dataclass(frozen=True, slots=True)
class IpInfo:
    ip: str
    country: str | None
    asn_name: str | None  # the ISP / network operator
    asn_cidr: str | None
    city: str | None = None
    region: str | None = None
    is_private: bool = False
    is_cgnat: bool = False
    is_hosting: bool = False
    is_vpn: bool = False

    @property
    def is_residential(self) -> bool:
        """An address that plausibly points at one household: the only kind we group reports on."""
        return not (self.is_private or self.is_cgnat or self.is_hosting or self.is_vpn) and bool(self.country)

    @property
    def network_class(self) -> str:
        if self.is_private:
            return "private"
        if self.is_vpn:
            return "vpn"
        if self.is_hosting:
            return "hosting"
        if self.is_cgnat:
            return "cgnat"
        return "residential" if self.country else "unknown"


class IpEnricher:
    """Built once per import (loading the data takes ~0.4 s); lookups are cached per address."""

    def __init__(self, rules: NetworkRules, mmdb_path: Path | None = None) -> None:
        from geoip2fast import GeoIP2Fast

        self._geo = GeoIP2Fast(geoip2fast_data_file="geoip2fast-asn-ipv6.dat.gz")
        self._hosting = {e.name.casefold() for e in rules.hosting}
        self._vpn = {e.name.casefold() for e in rules.vpn}
        self._mobile = {e.name.casefold() for e in rules.mobile_cgnat}
        self._cgnat_nets = [ipaddress.ip_network(r) for r in rules.cgnat_ranges]
        self._city: Any = None
        if mmdb_path is not None:
            import geoip2.database

            self._city = geoip2.database.Reader(str(mmdb_path))
        self.lookup = lru_cache(maxsize=262144)(self._lookup)

    def _lookup(self, ip: str) -> IpInfo:
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return IpInfo(ip=ip, country=None, asn_name=None, asn_cidr=None)
        in_cgnat_range = any(addr in net for net in self._cgnat_nets)
        if addr.is_private or addr.is_loopback or addr.is_reserved or in_cgnat_range:
            return IpInfo(ip=ip, country=None, asn_name=None, asn_cidr=None, is_private=not in_cgnat_range,
                          is_cgnat=in_cgnat_range)
        hit = self._geo.lookup(ip)
        country = hit.country_code if len(hit.country_code) == 2 and hit.country_code != "--" else None
        asn_name = hit.asn_name or None
        key = (asn_name or "").casefold()
        city, region = self._city_region(ip)
        return IpInfo(ip=ip, country=country, asn_name=asn_name, asn_cidr=hit.asn_cidr or None,
                      city=city, region=region, is_cgnat=key in self._mobile,
                      is_hosting=key in self._hosting, is_vpn=key in self._vpn)

    def _city_region(self, ip: str) -> tuple[str | None, str | None]:
        if self._city is None:
            return None, None
        try:
            found = self._city.city(ip)
        except Exception:  # geoip2 raises AddressNotFoundError and ValueError; neither is fatal here
            return None, None
        region = found.subdivisions.most_specific.name if found.subdivisions else None
        return found.city.name, region


def load_network_rules(path: Path = NETWORKS_FILE) -> NetworkRules:
    return load_rules(path, NetworkRules)
