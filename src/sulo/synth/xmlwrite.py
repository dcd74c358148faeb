"""Render reports as CyberTipline XML (docs/formats/cybertipline.md) and pack them in zip batches.

String templates with xml.sax.saxutils escaping: fast, and byte-stable. Written variants of names, phones and
e-mails come from a per-report seed, so an exact duplicate renders the same elements as its original.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from sulo.synth.names import email_variant, phone_variant, written_name
from sulo.synth.population import PLATFORMS
from sulo.synth.reports import Report

BATCH = 1000
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed member timestamps: byte-identical zips
ISO = "%Y-%m-%dT%H:%M:%SZ"


def _e(tag: str, value: object) -> str:
    return f"<{tag}>{escape(str(value))}</{tag}>"


def _person(rep: Report, rng: random.Random) -> list[str]:
    subj = rep.subject
    person = subj.person
    out = ["<personOrUserReportedPerson>"]
    if person.name is not None and rng.random() < 0.85:
        first, last = written_name(rng, person.name)
        out.append(_e("firstName", first) + (_e("lastName", last) if last else ""))
    for email in rep.emails:
        out.append(f'<email verified="{str(rng.random() < 0.6).lower()}">{escape(email_variant(rng, email))}</email>')
    for phone in rep.phones:
        code, typed = phone_variant(rng, phone)
        out.append(f"<phone countryCode={quoteattr(code)}>{escape(typed)}</phone>")
    if person.city:
        out.append(f"<address>{_e('city', person.city)}{_e('state', person.state)}"
                   f"{_e('country', person.country)}</address>")
    out.append("</personOrUserReportedPerson>")
    return out


def _reported(rep: Report, rng: random.Random) -> list[str]:
    subj = rep.subject
    account = subj.accounts[rep.account]
    _esp, service, host, _chat = PLATFORMS[account.platform]
    out = ["<personOrUserReported>", *_person(rep, rng), _e("espIdentifier", account.esp_id),
           _e("espService", service), _e("screenName", account.screen_name),
           _e("displayName", account.display_name),
           _e("profileUrl", f"https://{host}/u/{account.screen_name}")]
    for info, event, when in rep.ips:
        proxy = str(info.kind == "hosting").lower()
        out.append(f"<ipCaptureEvent>{_e('ipAddress', info.ip)}{_e('eventName', event)}"
                   f"{_e('dateTime', when.strftime(ISO))}{_e('possibleProxy', proxy)}</ipCaptureEvent>")
    for id_type, value in rep.devices:
        out.append(f"<deviceId>{_e('idType', id_type)}{_e('idValue', value)}</deviceId>")
    out.extend(_e("priorCTReports", prior) for prior in rep.prior)
    first = rep.ips[0][0] if rep.ips else None
    if first is not None:
        city = f"{_e('city', subj.person.city)}{_e('region', subj.person.state)}" if (
            first.country == subj.person.country and subj.person.city) else ""
        out.append(f"<estimatedLocation>{city}{_e('countryCode', first.country)}</estimatedLocation>")
    out.append("</personOrUserReported>")
    return out


def _files(rep: Report) -> list[str]:
    out = []
    for ref in rep.files:
        image = ref.image
        notes = "".join(f"<{note}/>" for note in ref.annotations)
        out.append(
            f"<fileDetails>{_e('fileName', image.file_name)}"
            f'<originalFileHash hashType="MD5">{image.md5}</originalFileHash>'
            f'<originalFileHash hashType="SHA1">{image.sha1}</originalFileHash>'
            f'<originalFileHash hashType="PDQ">{image.pdq}</originalFileHash>'
            f"<fileAnnotations>{notes}</fileAnnotations>"
            f"{_e('industryClassification', ref.category or image.category or 'B2')}"
            f"{_e('publiclyAvailable', str(rep.subject.kind == 'viral').lower())}</fileDetails>")
    return out


def render(rep: Report) -> str:
    """One report as an XML document (UTF-8 text)."""
    rng = random.Random(rep.seed)
    subj = rep.subject
    account = subj.accounts[rep.account]
    esp, _service, host, chat = PLATFORMS[account.platform]
    notes = "".join(f"<{a}/>" for a in rep.annotations)
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<report>", _e("reportId", rep.report_id),
             "<incidentSummary>", _e("incidentType", rep.incident_type),
             f"<reportAnnotations>{notes}</reportAnnotations>" if notes else "",
             _e("incidentDateTime", rep.time.strftime(ISO)), "</incidentSummary>",
             f"<internetDetails><chatImIncident>{_e('chatClient', chat)}<chatRoomName/></chatImIncident>"
             "</internetDetails>",
             f"<reporter><reportingPerson>{_e('email', f'safety@{host}')}</reportingPerson>"
             f"{_e('espName', esp)}</reporter>", *_reported(rep, rng)]
    if rep.recipient_age is not None:
        parts.append(f"<intendedRecipient>{_e('espIdentifier', f'r-{rep.seed}')}"
                     f"{_e('ageRange', '13-17' if rep.recipient_age >= 13 else '0-12')}</intendedRecipient>")
    for child in subj.victims:
        parts.append(f"<victim><victimPerson>{_e('age', child.age)}{_e('sex', child.sex)}</victimPerson>"
                     f"<estimatedLocation>{_e('countryCode', child.country)}</estimatedLocation></victim>")
    codes = sorted({ref.category or ref.image.category for ref in rep.files} - {""})
    if codes:
        parts.append(_e("additionalInfo", "categories: " + " ".join(codes)))
    parts.extend(_files(rep))
    parts.append("</report>\n")
    return "\n".join(p for p in parts if p)


def write_batches(out: Path, reports: list[Report],
                  progress: Callable[[str, int, int], None] | None = None) -> list[Path]:
    """reports/batch-NNNN.zip, <= BATCH reports each, members <reportId>.xml with fixed timestamps."""
    folder = out / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for start in range(0, len(reports), BATCH):
        path = folder / f"batch-{start // BATCH + 1:04d}.zip"
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for rep in reports[start:start + BATCH]:
                info = zipfile.ZipInfo(f"{rep.report_id}.xml", date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, render(rep).encode("utf-8"))
        paths.append(path)
        if progress is not None:
            progress("reports", min(start + BATCH, len(reports)), len(reports))
    return paths
