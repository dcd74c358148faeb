"""The parsed form of one CyberTipline report: plain frozen dataclasses, no database, no I/O.

Both the XML parser and the JSON/CSV reader produce these, so everything downstream sees one shape.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import zlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class IpEvent:
    ip: str
    event_name: str | None = None
    at: dt.datetime | None = None
    possible_proxy: bool | None = None


@dataclass(frozen=True, slots=True)
class Phone:
    raw: str
    country_code: str | None = None  # the calling code from the countryCode attribute, e.g. "63"


@dataclass(frozen=True, slots=True)
class Email:
    value: str
    verified: bool | None = None


@dataclass(frozen=True, slots=True)
class Device:
    id_type: str
    value: str


@dataclass(frozen=True, slots=True)
class ReportedPerson:
    """One personOrUserReported: the suspect account and what the ESP knows about it."""

    first_name: str | None = None
    last_name: str | None = None
    emails: tuple[Email, ...] = ()
    phones: tuple[Phone, ...] = ()
    address_city: str | None = None
    address_state: str | None = None
    address_country: str | None = None
    esp_identifier: str | None = None
    esp_service: str | None = None
    screen_name: str | None = None
    display_name: str | None = None
    profile_url: str | None = None
    ip_events: tuple[IpEvent, ...] = ()
    devices: tuple[Device, ...] = ()
    prior_reports: tuple[str, ...] = ()
    est_city: str | None = None
    est_region: str | None = None
    est_country: str | None = None


@dataclass(frozen=True, slots=True)
class Recipient:
    screen_name: str | None = None
    esp_identifier: str | None = None
    age: int | None = None
    age_range: str | None = None

    @property
    def is_minor(self) -> bool:
        return _is_minor(self.age, self.age_range)


@dataclass(frozen=True, slots=True)
class Victim:
    age: int | None = None
    age_range: str | None = None
    sex: str | None = None
    country: str | None = None

    @property
    def is_minor(self) -> bool:
        # A reported victim without an age is still presumed a child: that is what the report is about.
        return (self.age is None and self.age_range is None) or _is_minor(self.age, self.age_range)


@dataclass(frozen=True, slots=True)
class FileEntry:
    file_name: str | None = None
    md5: str | None = None
    sha1: str | None = None
    pdq: str | None = None
    annotations: tuple[str, ...] = ()
    industry_classification: str | None = None
    publicly_available: bool | None = None


@dataclass(frozen=True, slots=True)
class ParsedReport:
    report_id: str
    incident_type: str
    incident_at: dt.datetime
    annotations: tuple[str, ...] = ()
    esp_name: str | None = None
    reporter_email: str | None = None
    urls: tuple[str, ...] = ()
    chat_clients: tuple[str, ...] = ()
    persons: tuple[ReportedPerson, ...] = ()
    recipients: tuple[Recipient, ...] = ()
    victims: tuple[Victim, ...] = ()
    files: tuple[FileEntry, ...] = ()
    additional_info: str | None = None
    extra: tuple[str, ...] = field(default=(), compare=False)  # unknown top-level element names, kept

    def digests(self) -> Digests:
        """The stored JSON form and two hashes of it, computed in one pass (this runs per report)."""
        plain = _plain(self)
        plain.pop("extra", None)
        raw = json.dumps(plain, sort_keys=True, separators=(",", ":")).encode("utf-8")
        plain.pop("report_id")
        plain.pop("incident_at")
        content = json.dumps(plain, sort_keys=True, separators=(",", ":"))
        return Digests(raw=raw, fingerprint=hashlib.sha256(raw).hexdigest(),
                       content_key=hashlib.sha256(content.encode("utf-8")).hexdigest())

    def fingerprint(self) -> str:
        """sha256 of the content (not of the bytes): the same report re-serialised is the same report,
        while a re-sent reportId with different content is detected as a conflict."""
        return self.digests().fingerprint

    def content_key(self) -> str:
        """Fingerprint without the reportId and incident time: two reports equal on this are exact
        duplicates (the same incident sent twice under two numbers)."""
        return self.digests().content_key


@dataclass(frozen=True, slots=True)
class Digests:
    raw: bytes  # the record as received (XML: the file's bytes; JSON/CSV: its canonical JSON, UTF-8)
    fingerprint: str
    content_key: str


_REPORT_ID = re.compile(rb"<reportId>[^<]*</reportId>")


def xml_digests(data: bytes) -> Digests:
    """For an XML file: the stored raw record is the file itself (unknown elements kept verbatim), the
    fingerprint is its sha256, and the duplicate key hashes it without the reportId element - an ESP
    re-submitting a report under a new number changes nothing else. Hashing bytes costs microseconds;
    a re-serialised but equal report is then recorded as a conflict for review, never lost."""
    return Digests(raw=data, fingerprint=hashlib.sha256(data).hexdigest(),
                   content_key=hashlib.sha256(_REPORT_ID.sub(b"", data, count=1)).hexdigest())


def compress_raw(data: bytes) -> bytes:
    """The stored form of a raw record (tips_report_raw.raw): zlib level 1 shrinks the XML ~2.4x for ~30 us
    a report, where higher levels gain little on 3 KB records. Read it back with raw_text."""
    return zlib.compress(data, 1)


def zlib_stored(deflated: bytes, data: bytes) -> bytes:
    """The stored form of `data` (what compress_raw gives, up to the compression level) from a raw
    deflate stream of it, such as a zip member's: zlib's two-byte header (deflate, 32 KiB window - a
    zip's maximum), the stream, and the Adler-32 of the data. No compressing at all."""
    return b"\x78\x01" + deflated + zlib.adler32(data).to_bytes(4, "big")


def raw_text(stored: bytes) -> str:
    """A stored raw record as text (XML declares its own encoding; ours are UTF-8, others replaced)."""
    return zlib.decompress(stored).decode("utf-8", errors="replace")


def _plain(value: Any) -> Any:
    """dataclasses.asdict without its deep copies (5x faster; nothing here is mutable)."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    slots = getattr(type(value), "__dataclass_fields__", None)
    if slots is not None:
        return {name: _plain(getattr(value, name)) for name in slots}
    return value


def _is_minor(age: int | None, age_range: str | None) -> bool:
    if age is not None:
        return age < 18
    if age_range:
        low = age_range.split("-", 1)[0].strip()
        return low.isdigit() and int(low) < 18
    return False
