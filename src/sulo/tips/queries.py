"""Read models for the web pages and the JSON API: one function builds a page's data; the HTML and the
JSON are two renderings of it. File entries carry hashes and annotations only; there is no media."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from sulo.errors import ForbiddenError, NotFoundError
from sulo.tips.tables import (
    TipCaseReferral,
    TipFile,
    TipIdentifier,
    TipIpEvent,
    TipPreservation,
    TipQuarantine,
    TipReport,
    TipSubject,
)

PAGE_SIZE = 50
HOME = ("PH", "ID")


@dataclass(frozen=True)
class QueueFilter:
    tier: str | None = None
    country: str | None = None
    region: str | None = None
    isp: str | None = None
    annotation: str | None = None
    page: int = 1


def visible(query: Select[Any], viewer_country: str | None) -> Select[Any]:
    """An agency sees its own country's subjects and foreign referrals; an admin (None) sees all."""
    if viewer_country is None:
        return query
    other = [c for c in HOME if c != viewer_country]
    return query.where((TipSubject.country.is_(None)) | (TipSubject.country.not_in(other)))


def queue(session: Session, f: QueueFilter, viewer_country: str | None) -> dict[str, Any]:
    q = visible(select(TipSubject).where(TipSubject.active), viewer_country)
    if f.tier:
        q = q.where(TipSubject.tier == f.tier)
    if f.country:
        q = q.where(TipSubject.country == f.country.upper())
    if f.region:
        q = q.where(TipSubject.region == f.region)
    if f.isp:
        q = q.where(TipSubject.isp == f.isp)
    if f.annotation:
        q = q.where(TipSubject.annotations.contains(f.annotation))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    page = max(1, f.page)
    rows = session.scalars(q.order_by(TipSubject.score.desc(), TipSubject.key)
                           .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return {"filter": f.__dict__, "total": total, "page": page, "pages": max(1, -(-total // PAGE_SIZE)),
            "subjects": [subject_summary(s) for s in rows]}


def subject_summary(s: TipSubject) -> dict[str, Any]:
    return {"key": s.key, "score": s.score, "tier": s.tier, "report_count": s.report_count, "country": s.country,
            "region": s.region, "isp": s.isp, "unit": s.unit, "viral": s.viral, "status": s.status,
            "assigned_to": s.assigned_to, "latest_incident": s.latest_incident,
            "annotations": [a for a in s.annotations.split(";") if a]}


def subject_detail(session: Session, key: str, viewer_country: str | None) -> dict[str, Any]:
    s = session.scalar(select(TipSubject).where(TipSubject.key == key))
    if s is None:
        raise NotFoundError(f"no subject {key}")
    if session.scalar(visible(select(TipSubject.id).where(TipSubject.key == key), viewer_country)) is None:
        raise ForbiddenError(f"subject {key} belongs to another country's agencies")
    reports = session.scalars(select(TipReport).where(TipReport.subject_key == key)
                              .order_by(TipReport.incident_at)).all()
    pks = [r.id for r in reports]
    idents = session.execute(select(TipIdentifier.kind, TipIdentifier.value, func.count())
                             .where(TipIdentifier.report_pk.in_(pks), TipIdentifier.kind != "prior_report")
                             .group_by(TipIdentifier.kind, TipIdentifier.value)
                             .order_by(TipIdentifier.kind, TipIdentifier.value)).all()
    ips = session.scalars(select(TipIpEvent).where(TipIpEvent.report_pk.in_(pks)).order_by(TipIpEvent.at)).all()
    return {
        "subject": {**subject_summary(s), "status_reason": s.status_reason},
        "reasons": json.loads(s.reasons), "ties": json.loads(s.ties),
        "reports": [report_summary(r) for r in reports],
        "identifiers": [{"kind": k, "value": v, "reports": n} for k, v, n in idents],
        "ip_timeline": [{"ip": e.ip, "at": e.at, "event": e.event_name, "country": e.country,
                         "region": e.region, "isp": e.isp, "network": e.network_class} for e in ips],
        "countries": Counter(e.country or "?" for e in ips).most_common(),
        "regions": Counter(r.region or "?" for r in reports).most_common(),
        "referrals": [{"id": c.id, "requested_by": c.requested_by, "requested_at": c.requested_at,
                       "status": c.status} for c in session.scalars(
                           select(TipCaseReferral).where(TipCaseReferral.subject_key == key))],
        "preservations": [{"id": p.id, "isp": p.isp, "country": p.country, "deadline": p.deadline,
                           "extended": p.extended, "status": p.status} for p in session.scalars(
                               select(TipPreservation).where(TipPreservation.subject_key == key))],
    }


def report_summary(r: TipReport) -> dict[str, Any]:
    return {"report_id": r.report_id, "incident_at": r.incident_at, "incident_type": r.incident_type,
            "esp": r.esp_name, "country": r.country, "region": r.region, "isp": r.isp,
            "annotations": [a for a in (r.annotations + ";" + r.file_annotations).split(";") if a],
            "viral": r.viral, "duplicate_of": r.duplicate_of, "subject_key": r.subject_key}


def report_detail(session: Session, report_id: str, viewer_country: str | None) -> dict[str, Any]:
    r = session.scalar(select(TipReport).where(TipReport.report_id == report_id))
    if r is None:
        raise NotFoundError(f"no report {report_id}")
    if r.subject_key:
        subject_detail_guard(session, r.subject_key, viewer_country)
    files = session.scalars(select(TipFile).where(TipFile.report_pk == r.id)).all()
    idents = session.scalars(select(TipIdentifier).where(TipIdentifier.report_pk == r.id)).all()
    ips = session.scalars(select(TipIpEvent).where(TipIpEvent.report_pk == r.id)).all()
    return {
        "report": {**report_summary(r), "source": r.source, "victim_count": r.victim_count,
                   "minor_victim": r.minor_victim, "minor_recipient": r.minor_recipient},
        "files": [{"file_name": f.file_name, "md5": f.md5, "sha1": f.sha1, "pdq": f.pdq,
                   "annotations": [a for a in f.annotations.split(";") if a],
                   "industry_classification": f.industry_classification} for f in files],
        "identifiers": [{"kind": i.kind, "value": i.value, "raw": i.raw, "role": i.role} for i in idents],
        "ip_events": [{"ip": e.ip, "at": e.at, "country": e.country, "isp": e.isp, "network": e.network_class,
                       "possible_proxy": e.possible_proxy} for e in ips],
    }


def subject_detail_guard(session: Session, key: str, viewer_country: str | None) -> None:
    if session.scalar(select(TipSubject.id).where(TipSubject.key == key)) is None:
        raise NotFoundError(f"no subject {key}")
    if session.scalar(visible(select(TipSubject.id).where(TipSubject.key == key), viewer_country)) is None:
        raise ForbiddenError(f"subject {key} belongs to another country's agencies")


def quarantine(session: Session, limit: int = 200) -> list[dict[str, Any]]:
    rows = session.scalars(select(TipQuarantine).order_by(TipQuarantine.id.desc()).limit(limit)).all()
    return [{"id": q.id, "source": q.source, "record": q.record, "field": q.field, "reason": q.reason,
             "created_at": q.created_at} for q in rows]


def preservation(session: Session, pres_id: int) -> dict[str, Any]:
    p = session.get(TipPreservation, pres_id)
    if p is None:
        raise NotFoundError(f"no preservation request {pres_id}")
    return {"id": p.id, "subject_key": p.subject_key, "isp": p.isp, "country": p.country, "statute": p.statute,
            "letter": p.letter, "issued_at": p.issued_at, "deadline": p.deadline, "extended": p.extended}
