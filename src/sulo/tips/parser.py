"""Parse one CyberTipline XML report (docs/formats/cybertipline.md) into a ParsedReport.

Hostile input is expected: reports come from outside. The parser refuses any DTD (so no external
entities - XXE - and no entity expansion - billion laughs), never touches the network, keeps lxml's
default limits on depth and text size (huge_tree=False), and refuses a file over MAX_REPORT_BYTES
before parsing it. Every problem is a ValidationError naming the record (reportId, or the source
file when the id cannot be read) and the field path.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from lxml import etree

from sulo.errors import Problem, ValidationError
from sulo.tips.model import (
    Device,
    Email,
    FileEntry,
    IpEvent,
    ParsedReport,
    Phone,
    Recipient,
    ReportedPerson,
    Victim,
)

# A real referral is a few kilobytes; 5 MiB leaves room for long file lists while refusing floods.
MAX_REPORT_BYTES = 5 * 1024 * 1024
MAX_FIELD_CHARS = 4096
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_KNOWN_TOP = frozenset({
    "reportId", "incidentSummary", "internetDetails", "reporter", "personOrUserReported",
    "intendedRecipient", "victim", "additionalInfo", "fileDetails",
})


def _make_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                           dtd_validation=False, remove_comments=True, remove_pis=True)


_PARSER = _make_parser()


def parse_report(data: bytes, source: str = "<input>") -> ParsedReport:
    """Parse one report's bytes. Raises ValidationError (never anything else) on bad input."""
    if len(data) > MAX_REPORT_BYTES:
        raise ValidationError(Problem(f"file is {len(data)} bytes, over the {MAX_REPORT_BYTES} limit",
                                      record=source, field=None))
    if _DOCTYPE.search(data):
        raise ValidationError(Problem("DTD / entity declarations are not allowed (XXE and entity "
                                      "expansion are refused)", record=source, field="<!DOCTYPE>"))
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValidationError(Problem(f"not well-formed XML: {exc.msg}", record=source,
                                      field=f"line {exc.lineno}")) from exc
    except (ValueError, etree.LxmlError) as exc:
        raise ValidationError(Problem(f"cannot parse: {exc}", record=source)) from exc
    # A DTD hidden behind a non-UTF-8 encoding escapes the byte scan; the parsed tree still shows it.
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise ValidationError(Problem("DTD declarations are not allowed", record=source, field="<!DOCTYPE>"))
    _strip_namespaces(root)
    if root.tag != "report":
        raise ValidationError(Problem(f"root element is <{root.tag}>, expected <report>", record=source,
                                      field="report"))
    return _Reader(root, source).read()


def _strip_namespaces(root: etree._Element) -> None:
    if not isinstance(root.tag, str) or not root.tag.startswith("{"):
        return
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            el.tag = el.tag.split("}", 1)[1]


_Kids = dict[str, list[etree._Element]]
_HEX = re.compile(r"[0-9a-f]{16,128}")
_REPORT_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_NO_KIDS: _Kids = {}


def _kids(el: etree._Element | None) -> _Kids:
    """Children by tag, in document order, from one pass over the element (lxml builds a Python proxy
    per child touched; touching each once is what makes this parser fast)."""
    if el is None:
        return _NO_KIDS
    out: _Kids = {}
    for c in el:
        tag = c.tag
        if type(tag) is str:  # comments / PIs / entity nodes have a function as their tag
            found = out.get(tag)
            if found is None:
                out[tag] = [c]
            else:
                found.append(c)
    return out


def _first(kids: _Kids, tag: str) -> etree._Element | None:
    found = kids.get(tag)
    return found[0] if found else None


class _Reader:
    """Walks one <report> once; collects every problem so one error lists them all. Field paths are
    built only when something is wrong (most reports have no problem at all)."""

    def __init__(self, root: etree._Element, source: str) -> None:
        self.root = root
        self.record = source
        self.problems: list[Problem] = []

    def fail(self, field: str, message: str) -> None:
        self.problems.append(Problem(message, record=self.record, field=field))

    def text(self, kids: _Kids, tag: str, base: str) -> str | None:
        found = kids.get(tag)
        if not found:
            return None
        value = (found[0].text or "").strip()
        if len(value) > MAX_FIELD_CHARS:
            self.fail(f"{base}{tag}", f"longer than {MAX_FIELD_CHARS} characters")
            return None
        return value or None

    def time(self, value: str | None, field: str, required: bool = False) -> dt.datetime | None:
        if value is None:
            if required:
                self.fail(field, "required")
            return None
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            self.fail(field, f"not an ISO 8601 date-time: {value[:40]!r}")
            return None
        if parsed.tzinfo is None:
            self.fail(field, f"date-time without a time zone: {value[:40]!r}")
            return None
        return parsed.astimezone(dt.UTC)

    def boolean(self, value: str | None, field: str) -> bool | None:
        if value is None:
            return None
        lowered = value.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        self.fail(field, f"not a boolean: {value[:20]!r}")
        return None

    def integer(self, value: str | None, field: str) -> int | None:
        if value is None:
            return None
        if not value.isdigit() or len(value) > 3:
            self.fail(field, f"not an age in years: {value[:20]!r}")
            return None
        return int(value)

    def read(self) -> ParsedReport:
        top = _kids(self.root)
        report_id = self.text(top, "reportId", "")
        if report_id is None:
            self.fail("reportId", "required")
        elif not _REPORT_ID_RE.fullmatch(report_id):
            self.fail("reportId", f"not a report number: {report_id[:40]!r}")
        else:
            self.record = report_id
        summary = _kids(_first(top, "incidentSummary"))
        base = "incidentSummary/"
        incident_type = self.text(summary, "incidentType", base)
        if incident_type is None:
            self.fail("incidentSummary/incidentType", "required")
        incident_at = self.time(self.text(summary, "incidentDateTime", base), "incidentSummary/incidentDateTime",
                                required=True)
        annotations = _flags(_first(summary, "reportAnnotations"))
        persons = tuple(self.person(el, i) for i, el in enumerate(top.get("personOrUserReported", ())))
        recipients = tuple(self.recipient(el, i) for i, el in enumerate(top.get("intendedRecipient", ())))
        victims = tuple(self.victim(el, i) for i, el in enumerate(top.get("victim", ())))
        files = tuple(self.file(el, i) for i, el in enumerate(top.get("fileDetails", ())))
        extra = tuple(sorted(t for t in top if t not in _KNOWN_TOP))
        if self.problems:
            raise ValidationError(self.problems)
        assert report_id is not None and incident_type is not None and incident_at is not None
        reporter = _kids(_first(top, "reporter"))
        details = _kids(_first(top, "internetDetails"))
        # Read after the check above, as before: an over-long value here is dropped (None), not an error.
        return ParsedReport(
            report_id=report_id, incident_type=incident_type, incident_at=incident_at,
            annotations=annotations,
            esp_name=self.text(reporter, "espName", "reporter/"),
            reporter_email=self.text(_kids(_first(reporter, "reportingPerson")), "email",
                                     "reporter/reportingPerson/"),
            urls=_texts(details, "webPageIncident", "url"),
            chat_clients=_texts(details, "chatImIncident", "chatClient"),
            persons=persons, recipients=recipients, victims=victims, files=files,
            additional_info=self.text(top, "additionalInfo", ""), extra=extra,
        )

    def person(self, el: etree._Element, i: int) -> ReportedPerson:
        base = f"personOrUserReported[{i}]/"
        k = _kids(el)
        who = _kids(_first(k, "personOrUserReportedPerson"))
        emails = tuple(
            Email(value, self.boolean(e.get("verified"), f"{base}personOrUserReportedPerson/email/@verified"))
            for e in who.get("email", ()) if (value := (e.text or "").strip())
        )
        phones = tuple(
            Phone(value, (p.get("countryCode") or "").strip().lstrip("+") or None)
            for p in who.get("phone", ()) if (value := (p.text or "").strip())
        )
        events = tuple(self.ip_event(ev, base, j) for j, ev in enumerate(k.get("ipCaptureEvent", ())))
        devices = tuple(self.devices(k.get("deviceId", ())))
        address = _kids(_first(who, "address"))
        where = _kids(_first(k, "estimatedLocation"))
        return ReportedPerson(
            first_name=self.text(who, "firstName", base), last_name=self.text(who, "lastName", base),
            emails=emails, phones=phones,
            address_city=self.text(address, "city", f"{base}address/"),
            address_state=self.text(address, "state", f"{base}address/"),
            address_country=_country(self.text(address, "country", f"{base}address/")),
            esp_identifier=self.text(k, "espIdentifier", base), esp_service=self.text(k, "espService", base),
            screen_name=self.text(k, "screenName", base), display_name=self.text(k, "displayName", base),
            profile_url=self.text(k, "profileUrl", base),
            ip_events=events, devices=devices,
            prior_reports=_texts(k, None, "priorCTReports"),
            est_city=self.text(where, "city", f"{base}estimatedLocation/"),
            est_region=self.text(where, "region", f"{base}estimatedLocation/"),
            est_country=_country(self.text(where, "countryCode", f"{base}estimatedLocation/")),
        )

    @staticmethod
    def devices(elements: Iterable[etree._Element]) -> Iterator[Device]:
        for d in elements:
            k = _kids(d)
            value = _first_text(k, "idValue")
            if value:
                yield Device(_first_text(k, "idType") or "unknown", value)

    def ip_event(self, el: etree._Element, person: str, j: int) -> IpEvent:
        base = f"{person}ipCaptureEvent[{j}]/"
        k = _kids(el)
        ip = self.text(k, "ipAddress", base)
        if ip is None:
            self.fail(f"{base}ipAddress", "required in an ipCaptureEvent")
            ip = ""
        elif not _valid_ip(ip):
            self.fail(f"{base}ipAddress", f"not an IP address: {ip[:60]!r}")
        return IpEvent(
            ip=ip, event_name=self.text(k, "eventName", base),
            at=self.time(self.text(k, "dateTime", base), f"{base}dateTime"),
            possible_proxy=self.boolean(self.text(k, "possibleProxy", base), f"{base}possibleProxy"),
        )

    def recipient(self, el: etree._Element, i: int) -> Recipient:
        base = f"intendedRecipient[{i}]/"
        k = _kids(el)
        return Recipient(
            screen_name=self.text(k, "screenName", base), esp_identifier=self.text(k, "espIdentifier", base),
            age=self.integer(self.text(k, "age", base), f"{base}age"), age_range=self.text(k, "ageRange", base),
        )

    def victim(self, el: etree._Element, i: int) -> Victim:
        base = f"victim[{i}]/"
        k = _kids(el)
        person = _kids(_first(k, "victimPerson"))
        where = _kids(_first(k, "estimatedLocation"))
        return Victim(
            age=self.integer(self.text(person, "age", f"{base}victimPerson/"), f"{base}victimPerson/age"),
            age_range=self.text(person, "ageRange", f"{base}victimPerson/"),
            sex=self.text(person, "sex", f"{base}victimPerson/"),
            country=_country(self.text(where, "countryCode", f"{base}estimatedLocation/")),
        )

    def file(self, el: etree._Element, i: int) -> FileEntry:
        base = f"fileDetails[{i}]/"
        k = _kids(el)
        hashes: dict[str, str] = {}
        for h in k.get("originalFileHash", ()):
            kind = (h.get("hashType") or "").strip().upper()
            value = (h.text or "").strip().lower()
            if not value:
                continue
            if not _HEX.fullmatch(value):
                self.fail(f"{base}originalFileHash[@hashType={kind}]", "not a hexadecimal hash")
                continue
            hashes.setdefault(kind, value)
        return FileEntry(
            file_name=self.text(k, "fileName", base),
            md5=hashes.get("MD5"), sha1=hashes.get("SHA1"), pdq=hashes.get("PDQ"),
            annotations=_flags(_first(k, "fileAnnotations")),
            industry_classification=self.text(k, "industryClassification", base),
            publicly_available=self.boolean(self.text(k, "publiclyAvailable", base), f"{base}publiclyAvailable"),
        )


def _flags(el: etree._Element | None) -> tuple[str, ...]:
    """Annotation flags are empty elements: their names are the values."""
    if el is None:
        return ()
    return tuple(sorted({c.tag for c in el if type(c.tag) is str}))


def _first_text(kids: _Kids, tag: str) -> str:
    found = kids.get(tag)
    return (found[0].text or "").strip() if found else ""


def _texts(kids: _Kids, parent: str | None, tag: str) -> tuple[str, ...]:
    """Non-empty texts of kids[parent][*]/tag (or of kids[tag] when parent is None)."""
    holders = [kids] if parent is None else [_kids(p) for p in kids.get(parent, ())]
    return tuple(v for h in holders for f in h.get(tag, ()) if (v := (f.text or "").strip()))


def _country(value: str | None) -> str | None:
    return value.upper() if value else None


@lru_cache(maxsize=65536)
def _valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
