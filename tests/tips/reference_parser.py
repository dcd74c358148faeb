"""Parse one CyberTipline XML report (docs/formats/cybertipline.md) into a ParsedReport.

Hostile input is expected: reports come from outside. The parser refuses any DTD (so no external
entities - XXE - and no entity expansion - billion laughs), never touches the network, keeps lxml's
default limits on depth and text size (huge_tree=False), and refuses a file over MAX_REPORT_BYTES
before parsing it. Every problem is a ValidationError naming the record (reportId, or the source
file when the id cannot be read) and the field path.
"""

from __future__ import annotations

import datetime as dt
import re

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


class _Reader:
    """Walks one <report>; collects every problem so one error lists them all."""

    def __init__(self, root: etree._Element, source: str) -> None:
        self.root = root
        self.record = source
        self.problems: list[Problem] = []
        # One pass over each element's children, then dict look-ups: several times faster than find()
        # per field on the ~30 fields of a report.
        self._kids: dict[etree._Element, dict[str, etree._Element]] = {}

    def child(self, el: etree._Element | None, tag: str) -> etree._Element | None:
        if el is None:
            return None
        kids = self._kids.get(el)
        if kids is None:
            kids = {}
            for c in el:
                if isinstance(c.tag, str):
                    kids.setdefault(c.tag, c)
            self._kids[el] = kids
        return kids.get(tag)

    def fail(self, field: str, message: str) -> None:
        self.problems.append(Problem(message, record=self.record, field=field))

    def text(self, el: etree._Element | None, path: str, field: str) -> str | None:
        found: etree._Element | None = el
        for tag in path.split("/"):
            found = self.child(found, tag)
            if found is None:
                return None
        assert found is not None
        value = (found.text or "").strip()
        if len(value) > MAX_FIELD_CHARS:
            self.fail(field, f"longer than {MAX_FIELD_CHARS} characters")
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
        root = self.root
        report_id = self.text(root, "reportId", "reportId")
        if report_id is None:
            self.fail("reportId", "required")
        elif not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", report_id):
            self.fail("reportId", f"not a report number: {report_id[:40]!r}")
        else:
            self.record = report_id
        summary = self.child(root, "incidentSummary")
        incident_type = self.text(summary, "incidentType", "incidentSummary/incidentType")
        if incident_type is None:
            self.fail("incidentSummary/incidentType", "required")
        incident_at = self.time(self.text(summary, "incidentDateTime", "incidentSummary/incidentDateTime"),
                                "incidentSummary/incidentDateTime", required=True)
        annotations = _flags(summary.find("reportAnnotations") if summary is not None else None)
        reporter = self.child(root, "reporter")
        details = self.child(root, "internetDetails")
        persons = tuple(self.person(el, i) for i, el in enumerate(root.iterfind("personOrUserReported")))
        recipients = tuple(self.recipient(el, i) for i, el in enumerate(root.iterfind("intendedRecipient")))
        victims = tuple(self.victim(el, i) for i, el in enumerate(root.iterfind("victim")))
        files = tuple(self.file(el, i) for i, el in enumerate(root.iterfind("fileDetails")))
        extra = tuple(sorted({c.tag for c in root if isinstance(c.tag, str) and c.tag not in _KNOWN_TOP}))
        if self.problems:
            raise ValidationError(self.problems)
        assert report_id is not None and incident_type is not None and incident_at is not None
        return ParsedReport(
            report_id=report_id, incident_type=incident_type, incident_at=incident_at,
            annotations=annotations,
            esp_name=self.text(reporter, "espName", "reporter/espName"),
            reporter_email=self.text(reporter, "reportingPerson/email", "reporter/reportingPerson/email"),
            urls=_texts(details, "webPageIncident/url"),
            chat_clients=_texts(details, "chatImIncident/chatClient"),
            persons=persons, recipients=recipients, victims=victims, files=files,
            additional_info=self.text(root, "additionalInfo", "additionalInfo"), extra=extra,
        )

    def person(self, el: etree._Element, i: int) -> ReportedPerson:
        base = f"personOrUserReported[{i}]"
        who = self.child(el, "personOrUserReportedPerson")
        emails = tuple(
            Email(value, self.boolean(e.get("verified"), f"{base}/personOrUserReportedPerson/email/@verified"))
            for e in (who.iterfind("email") if who is not None else ())
            if (value := (e.text or "").strip())
        )
        phones = tuple(
            Phone(value, (p.get("countryCode") or "").strip().lstrip("+") or None)
            for p in (who.iterfind("phone") if who is not None else ())
            if (value := (p.text or "").strip())
        )
        events = tuple(self.ip_event(ev, f"{base}/ipCaptureEvent[{j}]")
                       for j, ev in enumerate(el.iterfind("ipCaptureEvent")))
        devices = tuple(
            Device((d.findtext("idType") or "").strip() or "unknown", value)
            for d in el.iterfind("deviceId") if (value := (d.findtext("idValue") or "").strip())
        )
        return ReportedPerson(
            first_name=self.text(who, "firstName", f"{base}/firstName"),
            last_name=self.text(who, "lastName", f"{base}/lastName"),
            emails=emails, phones=phones,
            address_city=self.text(who, "address/city", f"{base}/address/city"),
            address_state=self.text(who, "address/state", f"{base}/address/state"),
            address_country=_country(self.text(who, "address/country", f"{base}/address/country")),
            esp_identifier=self.text(el, "espIdentifier", f"{base}/espIdentifier"),
            esp_service=self.text(el, "espService", f"{base}/espService"),
            screen_name=self.text(el, "screenName", f"{base}/screenName"),
            display_name=self.text(el, "displayName", f"{base}/displayName"),
            profile_url=self.text(el, "profileUrl", f"{base}/profileUrl"),
            ip_events=events, devices=devices,
            prior_reports=_texts(el, "priorCTReports"),
            est_city=self.text(el, "estimatedLocation/city", f"{base}/estimatedLocation/city"),
            est_region=self.text(el, "estimatedLocation/region", f"{base}/estimatedLocation/region"),
            est_country=_country(self.text(el, "estimatedLocation/countryCode",
                                           f"{base}/estimatedLocation/countryCode")),
        )

    def ip_event(self, el: etree._Element, base: str) -> IpEvent:
        ip = self.text(el, "ipAddress", f"{base}/ipAddress")
        if ip is None:
            self.fail(f"{base}/ipAddress", "required in an ipCaptureEvent")
            ip = ""
        elif not _valid_ip(ip):
            self.fail(f"{base}/ipAddress", f"not an IP address: {ip[:60]!r}")
        return IpEvent(
            ip=ip, event_name=self.text(el, "eventName", f"{base}/eventName"),
            at=self.time(self.text(el, "dateTime", f"{base}/dateTime"), f"{base}/dateTime"),
            possible_proxy=self.boolean(self.text(el, "possibleProxy", f"{base}/possibleProxy"),
                                        f"{base}/possibleProxy"),
        )

    def recipient(self, el: etree._Element, i: int) -> Recipient:
        base = f"intendedRecipient[{i}]"
        return Recipient(
            screen_name=self.text(el, "screenName", f"{base}/screenName"),
            esp_identifier=self.text(el, "espIdentifier", f"{base}/espIdentifier"),
            age=self.integer(self.text(el, "age", f"{base}/age"), f"{base}/age"),
            age_range=self.text(el, "ageRange", f"{base}/ageRange"),
        )

    def victim(self, el: etree._Element, i: int) -> Victim:
        base = f"victim[{i}]"
        return Victim(
            age=self.integer(self.text(el, "victimPerson/age", f"{base}/victimPerson/age"),
                             f"{base}/victimPerson/age"),
            age_range=self.text(el, "victimPerson/ageRange", f"{base}/victimPerson/ageRange"),
            sex=self.text(el, "victimPerson/sex", f"{base}/victimPerson/sex"),
            country=_country(self.text(el, "estimatedLocation/countryCode",
                                       f"{base}/estimatedLocation/countryCode")),
        )

    def file(self, el: etree._Element, i: int) -> FileEntry:
        base = f"fileDetails[{i}]"
        hashes: dict[str, str] = {}
        for h in el.iterfind("originalFileHash"):
            kind = (h.get("hashType") or "").strip().upper()
            value = (h.text or "").strip().lower()
            if not value:
                continue
            if not re.fullmatch(r"[0-9a-f]{16,128}", value):
                self.fail(f"{base}/originalFileHash[@hashType={kind}]", "not a hexadecimal hash")
                continue
            hashes.setdefault(kind, value)
        return FileEntry(
            file_name=self.text(el, "fileName", f"{base}/fileName"),
            md5=hashes.get("MD5"), sha1=hashes.get("SHA1"), pdq=hashes.get("PDQ"),
            annotations=_flags(el.find("fileAnnotations")),
            industry_classification=self.text(el, "industryClassification", f"{base}/industryClassification"),
            publicly_available=self.boolean(self.text(el, "publiclyAvailable", f"{base}/publiclyAvailable"),
                                            f"{base}/publiclyAvailable"),
        )


def _flags(el: etree._Element | None) -> tuple[str, ...]:
    """Annotation flags are empty elements: their names are the values."""
    if el is None:
        return ()
    return tuple(sorted({c.tag for c in el if isinstance(c.tag, str)}))


def _texts(el: etree._Element | None, path: str) -> tuple[str, ...]:
    if el is None:
        return ()
    return tuple(v for f in el.iterfind(path) if (v := (f.text or "").strip()))


def _country(value: str | None) -> str | None:
    return value.upper() if value else None


def _valid_ip(value: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
