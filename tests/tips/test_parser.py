"""The XML parser: literal cases, hostile input, and fuzzing. Every failure is a ValidationError that
names the record and the field; nothing else escapes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sulo.errors import ValidationError
from sulo.tips.parser import MAX_REPORT_BYTES, parse_report
from tests.tips.xmlkit import report_xml


def test_parses_the_contract_example() -> None:
    report = parse_report(report_xml(email="A.B@Example.invalid", phone="0917 123 4567", victim_age=9,
                                     live=True, md5="9e107d9d372bb6826bd81d3542a419d6"))
    assert report.report_id == "900000001"
    assert report.incident_at == dt.datetime(2024, 3, 5, 14, 22, 10, tzinfo=dt.UTC)
    assert report.persons[0].esp_identifier == "u-1"
    assert report.persons[0].phones[0].country_code == "63"
    assert report.victims[0].is_minor and report.victims[0].country == "PH"
    assert report.files[0].annotations == ("liveStreaming",)
    assert report.files[0].md5 == "9e107d9d372bb6826bd81d3542a419d6"


def _problem(data: bytes, source: str = "f.xml") -> tuple[str | None, str | None, str]:
    with pytest.raises(ValidationError) as info:
        parse_report(data, source)
    first = info.value.problems[0]
    return first.record, first.field, first.message


def test_missing_required_fields_name_record_and_field() -> None:
    data = report_xml().replace(b"<incidentDateTime>2024-03-05T14:22:10Z</incidentDateTime>", b"")
    assert _problem(data)[:2] == ("900000001", "incidentSummary/incidentDateTime")
    assert _problem(report_xml().replace(b"<reportId>900000001</reportId>", b""))[:2] == ("f.xml", "reportId")


def test_bad_values_are_named() -> None:
    assert _problem(report_xml(ip="999.1.1.1"))[1] == "personOrUserReported[0]/ipCaptureEvent[0]/ipAddress"
    assert "time zone" in _problem(report_xml(when="2024-03-05T14:22:10"))[2]
    assert _problem(report_xml(md5="not-hex"))[1].startswith("fileDetails[0]/originalFileHash")


XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<report><reportId>1</reportId><additionalInfo>&x;</additionalInfo></report>"""
LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><report>&lol3;</report>"""
XXE_UTF16 = XXE.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>').decode().encode(
    "utf-16")


@pytest.mark.parametrize("data", [XXE, LAUGHS, XXE_UTF16], ids=["xxe", "billion-laughs", "xxe-utf16"])
def test_hostile_dtds_are_refused(data: bytes) -> None:
    record, _field, message = _problem(data)
    assert record == "f.xml"
    assert "DTD" in message or "not well-formed" in message
    assert b"root:" not in message.encode()


def test_oversized_input_is_refused_before_parsing() -> None:
    data = report_xml(extra="<additionalInfo>" + "A" * (MAX_REPORT_BYTES + 1) + "</additionalInfo>")
    assert "limit" in _problem(data)[2]


def test_deep_nesting_is_refused() -> None:
    data = b"<report>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</report>"
    assert _problem(data)[0] == "f.xml"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_fuzz_random_bytes_never_crash(data: bytes) -> None:
    try:
        parse_report(data, "fuzz.xml")
    except ValidationError as exc:
        assert exc.problems and all(p.record for p in exc.problems)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=len(report_xml(email="a@b.example", victim_age=9)) - 1),
       st.binary(min_size=1, max_size=8))
def test_fuzz_mutated_reports_never_crash(position: int, junk: bytes) -> None:
    base = report_xml(email="a@b.example", victim_age=9)
    data = base[:position] + junk + base[position + len(junk):]
    try:
        parse_report(data, "mut.xml")
    except ValidationError as exc:
        assert all(p.record for p in exc.problems)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_fuzz_field_text_is_escaped_or_refused(text: str) -> None:
    from xml.sax.saxutils import escape

    safe = "".join(ch for ch in text if ch.isprintable())
    data = report_xml(extra=f"<additionalInfo>{escape(safe)}</additionalInfo>")
    report = parse_report(data)
    assert report.additional_info == (safe.strip() or None)
