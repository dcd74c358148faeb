"""IP address pools drawn from the geolocation data bundled with `geoip2fast`.

We read the package's own ASN data file (MaxMind GeoLite2 country + ASN, IPv4) and keep the ranges of the
named ISPs below, checking that each range geolocates to the expected country. Addresses handed out are real
ISP addresses of that country, so the tips stage's ISP lookup finds PLDT, Globe, Telkomsel, ...
"""

from __future__ import annotations

import bisect
import gzip
import ipaddress
import pickle
import random
from dataclasses import dataclass
from pathlib import Path

import geoip2fast

# ISP (ASN name exactly as in the data file) -> (country, kind). "mobile" ranges sit behind carrier-grade NAT,
# so many unrelated subscribers share one public address; "residential" addresses belong to one household.
ISPS: dict[str, tuple[str, str]] = {
    "Philippine Long Distance Telephone Company": ("PH", "residential"),
    "Converge ICT Solutions Inc.": ("PH", "residential"),
    "Bayan Telecommunications, Inc.": ("PH", "residential"),
    "Globe Telecoms": ("PH", "mobile"),
    "Globe Telecom Inc.": ("PH", "mobile"),
    "Smart Broadband, Inc.": ("PH", "mobile"),
    "PT Telekomunikasi Indonesia": ("ID", "residential"),
    "BIZNET NETWORKS": ("ID", "residential"),
    "PT. Telekomunikasi Selular": ("ID", "mobile"),
    "INDOSAT Internet Network Provider": ("ID", "mobile"),
    "PT XL Axiata": ("ID", "mobile"),
    "COMCAST-7922": ("US", "residential"),
    "CHARTER-20115": ("US", "residential"),
    "Telstra Limited": ("AU", "residential"),
    "British Telecommunications PLC": ("GB", "residential"),
    "Virgin Media": ("GB", "residential"),
    "ROGERS-COMMUNICATIONS": ("CA", "residential"),
    "Deutsche Telekom AG": ("DE", "residential"),
    "Singtel Fibre Broadband": ("SG", "residential"),
    "NTT DOCOMO, INC.": ("JP", "mobile"),
    "AMAZON-02": ("US", "hosting"),
    "DIGITALOCEAN-ASN": ("US", "hosting"),
    "OVH SAS": ("FR", "hosting"),
    "M247 Europe SRL": ("RO", "hosting"),
    "Datacamp Limited": ("GB", "hosting"),
    "AS-CHOOPA": ("US", "hosting"),
}


@dataclass(frozen=True, slots=True)
class IpRange:
    first: int
    size: int
    isp: str
    country: str
    kind: str


@dataclass(frozen=True, slots=True)
class IpInfo:
    ip: str
    isp: str
    country: str
    kind: str  # residential | mobile | hosting


def _flatten(chunks: list[list[int]]) -> list[int]:
    return [value for chunk in chunks for value in chunk]


def load_ranges() -> list[IpRange]:
    """ISP ranges of ISPS whose start address geolocates to the ISP's country, sorted by address."""
    path = Path(geoip2fast.__file__).with_name("geoip2fast-asn.dat.gz")
    with gzip.open(path, "rb") as handle:
        # The package's own bundled data file, in the pickle format geoip2fast itself loads.
        _version, _info, _total, database = pickle.load(handle)  # noqa: S301
    (_idx, _idx_asn, country_names, asn_names, first_ip, first_ip_asn, country_ids, asn_ids, _netlen,
     netlen_asn) = database
    cc_first = _flatten(first_ip)
    cc_ids = _flatten(country_ids)
    codes = [item.split(":")[0] for item in country_names]
    ranges: list[IpRange] = []
    for start, asn_id, netlen in zip(_flatten(first_ip_asn), _flatten(asn_ids), _flatten(netlen_asn),
                                     strict=True):
        spec = ISPS.get(asn_names[asn_id])
        if spec is None or netlen > 24:
            continue
        country = codes[cc_ids[bisect.bisect_right(cc_first, start) - 1]]
        if country == spec[0]:
            ranges.append(IpRange(start, 2 ** (32 - netlen), asn_names[asn_id], spec[0], spec[1]))
    ranges.sort(key=lambda r: r.first)
    return ranges


class IpPools:
    """Hands out addresses per (country, kind); mobile pools are deliberately small (CGNAT sharing)."""

    def __init__(self, ranges: list[IpRange], rng: random.Random, cgnat_pool_size: int) -> None:
        self._rng = rng
        self._by_key: dict[tuple[str, str], list[IpRange]] = {}
        for rng_ in ranges:
            self._by_key.setdefault((rng_.country, rng_.kind), []).append(rng_)
        self._used: set[int] = set()
        self.issued: dict[str, IpInfo] = {}
        # Carrier-grade NAT: a fixed, small set of public addresses per mobile ISP country, reused by many.
        self._cgnat: dict[str, list[IpInfo]] = {}
        for country in ("PH", "ID"):
            self._cgnat[country] = [self._fresh(country, "mobile") for _ in range(cgnat_pool_size)]

    def kinds(self, country: str) -> list[str]:
        return sorted(kind for (c, kind) in self._by_key if c == country)

    def _fresh(self, country: str, kind: str) -> IpInfo:
        # Countries without a listed ISP of that kind fall back to another kind, then to a US ISP.
        choices = (self._by_key.get((country, kind)) or self._by_key.get((country, "residential"))
                   or self._by_key.get((country, "mobile")) or self._by_key[("US", "residential")])
        while True:
            block = self._rng.choice(choices)
            value = block.first + self._rng.randrange(1, max(2, block.size - 1))
            if value not in self._used:
                self._used.add(value)
                info = IpInfo(str(ipaddress.IPv4Address(value)), block.isp, block.country, block.kind)
                self.issued[info.ip] = info
                return info

    def residential(self, country: str) -> IpInfo:
        """A household's own fixed-line address (unique to it)."""
        return self._fresh(country, "residential")

    def hosting(self) -> IpInfo:
        """A VPN / proxy / hosting address (possibleProxy)."""
        return self._fresh(self._rng.choice(["US", "FR", "RO", "GB"]), "hosting")

    def mobile(self, country: str) -> IpInfo:
        """A mobile address: in PH and ID drawn from the shared CGNAT pool."""
        if country in self._cgnat:
            return self._rng.choice(self._cgnat[country])
        return self._fresh(country, "mobile")
