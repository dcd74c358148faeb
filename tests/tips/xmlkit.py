"""Small builders of CyberTipline XML for tests: benign, synthetic, category codes only."""

from __future__ import annotations

from xml.sax.saxutils import escape


def report_xml(report_id: str = "900000001", *, when: str = "2024-03-05T14:22:10Z", esp: str = "ExampleSocial",
               esp_id: str | None = "u-1", email: str | None = None, phone: str | None = None,
               ip: str | None = "49.145.10.4", victim_age: int | None = None, victim_country: str = "PH",
               live: bool = False, md5: str | None = None, extra: str = "") -> bytes:
    person = ""
    if email:
        person += f"<email>{escape(email)}</email>"
    if phone:
        person += f'<phone countryCode="63">{escape(phone)}</phone>'
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?><report>',
        f"<reportId>{report_id}</reportId>",
        "<incidentSummary><incidentType>Child Pornography (possession, manufacture, and distribution)"
        f"</incidentType><incidentDateTime>{when}</incidentDateTime></incidentSummary>",
        f"<reporter><espName>{esp}</espName></reporter>",
        "<personOrUserReported>",
        f"<personOrUserReportedPerson>{person}</personOrUserReportedPerson>" if person else "",
        f"<espIdentifier>{esp_id}</espIdentifier>" if esp_id else "",
        f"<ipCaptureEvent><ipAddress>{ip}</ipAddress><dateTime>{when}</dateTime></ipCaptureEvent>" if ip else "",
        "</personOrUserReported>",
    ]
    if victim_age is not None:
        parts.append(f"<victim><victimPerson><age>{victim_age}</age></victimPerson><estimatedLocation>"
                     f"<countryCode>{victim_country}</countryCode></estimatedLocation></victim>")
    if md5 or live:
        parts.append("<fileDetails><fileName>IMG_1.jpg</fileName>"
                     + (f'<originalFileHash hashType="MD5">{md5}</originalFileHash>' if md5 else "")
                     + ("<fileAnnotations><liveStreaming/></fileAnnotations>" if live else "")
                     + "<industryClassification>A1</industryClassification></fileDetails>")
    parts.append(extra)
    parts.append("</report>")
    return "".join(parts).encode("utf-8")
