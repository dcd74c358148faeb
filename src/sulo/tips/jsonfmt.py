"""The JSON and CSV equivalents of the XML report (docs/formats/cybertipline-json.md).

JSON mirrors ParsedReport field for field (snake_case), validated strictly by pydantic over the same
dataclasses, so the three formats cannot drift apart. CSV is a flat subset, one report per row, with
repeated values joined by ';'. A JSON/CSV file holds many reports: each record is checked on its own,
a bad record is quarantined and the good ones go in (the same rule as one XML file per report).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

from pydantic import ConfigDict, TypeAdapter
from pydantic import ValidationError as PydanticError

from sulo.errors import Problem, ValidationError
from sulo.tips import model
from sulo.tips.model import ParsedReport

# Unknown keys are errors, not silently dropped: a typo in a field name must not lose the field.
for _cls in (model.IpEvent, model.Phone, model.Email, model.Device, model.ReportedPerson, model.Recipient,
             model.Victim, model.FileEntry, model.ParsedReport):
    _cls.__pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[union-attr]
_ADAPTER: TypeAdapter[ParsedReport] = TypeAdapter(ParsedReport)

CSV_COLUMNS = (
    "report_id", "incident_type", "incident_at", "annotations", "esp_name", "esp_identifier", "screen_name",
    "emails", "phones", "phone_country_code", "ips", "ip_times", "devices", "country", "region", "city",
    "victim_ages", "recipient_ages", "file_md5", "file_annotations",
)


def from_dict(data: Any, source: str) -> ParsedReport:
    record = str(data.get("report_id")) if isinstance(data, dict) and data.get("report_id") else source
    try:
        report = _ADAPTER.validate_python(data)
    except PydanticError as exc:
        raise ValidationError([
            Problem(err["msg"], record=record, field="/".join(str(p) for p in err["loc"]) or None)
            for err in exc.errors()
        ]) from exc
    _check_zones(report, record)
    return report


def _check_zones(report: ParsedReport, record: str) -> None:
    problems = []
    if report.incident_at.tzinfo is None:
        problems.append(Problem("date-time without a time zone", record=record, field="incident_at"))
    for i, person in enumerate(report.persons):
        for j, ev in enumerate(person.ip_events):
            if ev.at is not None and ev.at.tzinfo is None:
                problems.append(Problem("date-time without a time zone", record=record,
                                        field=f"persons/{i}/ip_events/{j}/at"))
    if problems:
        raise ValidationError(problems)


def iter_json(data: bytes, source: str) -> Iterator[ParsedReport | ValidationError]:
    """A JSON file: one report object, a list of them, or {"reports": [...]}."""
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        yield ValidationError(Problem(f"not valid JSON: {exc}", record=source))
        return
    records = doc.get("reports") if isinstance(doc, dict) and "reports" in doc else doc
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list):
        yield ValidationError(Problem("expected a report object, a list, or {\"reports\": [...]}",
                                      record=source))
        return
    for i, record in enumerate(records):
        try:
            yield from_dict(record, f"{source}#{i}")
        except ValidationError as exc:
            yield exc


def iter_csv(data: bytes, source: str) -> Iterator[ParsedReport | ValidationError]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield ValidationError(Problem(f"not UTF-8: {exc}", record=source))
        return
    reader = csv.DictReader(io.StringIO(text))
    unknown = set(reader.fieldnames or ()) - set(CSV_COLUMNS)
    if unknown or not reader.fieldnames:
        yield ValidationError(Problem(f"unknown or missing columns: {sorted(unknown)}", record=source,
                                      field="header"))
        return
    for line, row in enumerate(reader, start=2):
        try:
            yield from_dict(csv_row_to_dict(row), f"{source}:{line}")
        except ValidationError as exc:
            yield exc


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


def csv_row_to_dict(row: dict[str, str]) -> dict[str, Any]:
    ip_times = _split(row.get("ip_times"))
    ips = _split(row.get("ips"))
    person: dict[str, Any] = {
        "esp_identifier": row.get("esp_identifier") or None,
        "screen_name": row.get("screen_name") or None,
        "emails": [{"value": e} for e in _split(row.get("emails"))],
        "phones": [{"raw": p, "country_code": row.get("phone_country_code") or None}
                   for p in _split(row.get("phones"))],
        "ip_events": [{"ip": ip, "at": ip_times[i] if i < len(ip_times) else None} for i, ip in enumerate(ips)],
        "devices": [{"id_type": d.split(":", 1)[0], "value": d.split(":", 1)[-1]} for d in _split(row.get("devices"))],
        "est_country": row.get("country") or None,
        "est_region": row.get("region") or None,
        "est_city": row.get("city") or None,
    }
    return {
        "report_id": row.get("report_id") or None,
        "incident_type": row.get("incident_type") or None,
        "incident_at": row.get("incident_at") or None,
        "annotations": _split(row.get("annotations")),
        "esp_name": row.get("esp_name") or None,
        "persons": [person],
        "victims": [{"age": int(a) if a.isdigit() else None} for a in _split(row.get("victim_ages"))],
        "recipients": [{"age": int(a) if a.isdigit() else None} for a in _split(row.get("recipient_ages"))],
        "files": [{"md5": m, "annotations": _split(row.get("file_annotations"))} for m in _split(row.get("file_md5"))],
    }


def to_dict(report: ParsedReport) -> dict[str, Any]:
    """The JSON form of a report (what the API returns and what `from_dict` reads back)."""
    out: dict[str, Any] = _ADAPTER.dump_python(report, mode="json")
    out.pop("extra", None)
    return out


def parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)
