"""Re-group every report into subjects and re-score them in one pass (after each import, or on demand).

Reads the report-side tables once, runs union-find in memory, scores each subject, routes it, and
writes only what changed. Linear in the number of stored rows; at 100,000 reports a few seconds.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from sulo.store.db import utcnow
from sulo.tips.adapters import finance_alerts, known_hash_matches
from sulo.tips.extract import PRODUCTION_ANNOTATIONS
from sulo.tips.grouping import GroupingRules, IdentRow, IpRow, group_reports, viral_hashes
from sulo.tips.priority import PriorityRules, SubjectFacts, score_subject
from sulo.tips.routing import RoutingRules, route
from sulo.tips.tables import TipFile, TipIdentifier, TipIpEvent, TipReport, TipSubject


@dataclass
class Rules:
    grouping: GroupingRules
    priority: PriorityRules
    routing: RoutingRules


@dataclass
class _Report:
    pk: int
    report_id: str
    content_key: str
    incident_at: dt.datetime
    annotations: set[str]
    file_annotations: set[str]
    country: str | None
    region: str | None
    isp: str | None
    in_country_ip: str
    minor_victim: bool
    minor_recipient: bool
    victim_in_country: bool
    viral: bool
    duplicate_of: str | None
    subject_key: str | None
    hashes: list[str] = field(default_factory=list)
    stored: tuple[Any, ...] = ()  # (subject_key, viral, duplicate_of) as read, to write only changes


@dataclass
class RebuildResult:
    reports: int
    subjects: int
    changed_subjects: int
    ignored_keys: list[tuple[str, str, int]]


def rebuild(session: Session, rules: Rules, as_of: dt.datetime | None = None) -> RebuildResult:
    reports = _load_reports(session)
    index = {r.pk: i for i, r in enumerate(reports)}
    idents = [IdentRow(index[pk], kind, value) for pk, kind, value in
              session.execute(select(TipIdentifier.report_pk, TipIdentifier.kind, TipIdentifier.value))]
    ips = [IpRow(index[pk], ip, at, net == "residential" and not proxy) for pk, ip, at, net, proxy in
           session.execute(select(TipIpEvent.report_pk, TipIpEvent.ip, TipIpEvent.at, TipIpEvent.network_class,
                                  TipIpEvent.possible_proxy))]
    for pk, md5, sha1, pdq in session.execute(select(TipFile.report_pk, TipFile.md5, TipFile.sha1, TipFile.pdq)):
        digest = md5 or sha1 or pdq
        if digest:
            reports[index[pk]].hashes.append(digest)
    viral = viral_hashes(((i, h) for i, r in enumerate(reports) for h in r.hashes),
                         rules.grouping.viral_min_reports)
    _mark_viral_and_duplicates(reports, viral)
    grouping = group_reports(len(reports), idents, ips, [r.content_key for r in reports], rules.grouping)
    members = grouping.members()
    known = known_hash_matches(session, sorted({h for r in reports for h in r.hashes}))
    alerts = finance_alerts(session, sorted({(i.kind, i.value) for i in idents
                                             if i.kind in ("email", "phone", "esp_id")}))
    alert_reports = {i.report for i in idents if (i.kind, i.value) in alerts}
    held = {r.report_id for r in reports}
    prior_linked = {i.report for i in idents if i.kind == "prior_report" and i.value in held}
    as_of = as_of or max((r.incident_at for r in reports), default=utcnow())
    subjects: list[dict[str, Any]] = []
    for root, idxs in members.items():
        group = [reports[i] for i in idxs]
        key = _subject_key(group)
        for r in group:
            r.subject_key = key
        facts = _facts(group, idxs, rules.priority.home_countries, known, alert_reports, prior_linked)
        prio = score_subject(facts, rules.priority, as_of)
        country, region, isp = _place(group, rules.priority.home_countries)
        subjects.append({
            "key": key, "score": prio.score, "tier": prio.tier,
            "reasons": json.dumps([r.as_dict() for r in prio.reasons]),
            "ties": json.dumps([{"kind": t.kind, "value": t.value, "reports": t.reports}
                                for t in grouping.ties.get(root, [])]),
            "report_count": len(group), "country": country, "region": region, "isp": isp,
            "annotations": ";".join(sorted(set().union(*(r.annotations | r.file_annotations for r in group)))),
            "unit": route(country, region, rules.routing), "viral": all(r.viral for r in group),
            "latest_incident": max(r.incident_at for r in group), "active": True,
        })
    changed = _write(session, reports, subjects)
    return RebuildResult(len(reports), len(subjects), changed, grouping.ignored_keys)


def _load_reports(session: Session) -> list[_Report]:
    t = TipReport
    rows = session.execute(select(
        t.id, t.report_id, t.content_key, t.incident_at, t.annotations, t.file_annotations, t.country, t.region,
        t.isp, t.in_country_ip, t.minor_victim, t.minor_recipient, t.victim_in_country, t.viral, t.duplicate_of,
        t.subject_key,
    ).order_by(t.id))
    return [_Report(pk, rid, ck, at, set(filter(None, ann.split(";"))), set(filter(None, fann.split(";"))),
                    country, region, isp, icip, mv, mr, vic, viral, dup, sk, stored=(sk, viral, dup))
            for pk, rid, ck, at, ann, fann, country, region, isp, icip, mv, mr, vic, viral, dup, sk in rows]


def _mark_viral_and_duplicates(reports: list[_Report], viral: set[str]) -> None:
    first_with: dict[str, str] = {}
    for r in sorted(reports, key=lambda r: (r.incident_at, len(r.report_id), r.report_id)):
        r.viral = "viral" in r.file_annotations or (
            bool(r.hashes) and all(h in viral for h in r.hashes) and "liveStreaming" not in r.file_annotations)
        original = first_with.setdefault(r.content_key, r.report_id)
        r.duplicate_of = original if original != r.report_id else None


def _subject_key(group: Sequence[_Report]) -> str:
    first = min(group, key=lambda r: (len(r.report_id), r.report_id))
    return f"S-{first.report_id}"


def _facts(group: list[_Report], idxs: list[int], home: list[str], known: Any, alert_reports: set[int],
           prior_linked: set[int]) -> SubjectFacts:
    facts = SubjectFacts(report_count=len(group), latest_incident=max(r.incident_at for r in group))

    def flag(name: str, hits: int, what: str) -> None:
        if hits:
            facts.flags.add(name)
            facts.details[name] = f"{hits} of {len(group)} reports: {what}"

    isps = Counter(r.isp for r in group if r.in_country_ip == "residential")
    flag("in_country_residential_ip", sum(isps.values()), ", ".join(i or "?" for i in isps))
    mobile = [r for r in group if r.in_country_ip == "mobile"]
    if not isps:
        flag("in_country_mobile_ip", len(mobile), ", ".join(sorted({r.isp or "?" for r in mobile})))
    if not isps and not mobile:
        flag("in_country_location", sum(r.country in home for r in group), "ESP-estimated location in country")
    flag("live_streaming", sum("liveStreaming" in r.file_annotations for r in group), "liveStreaming")
    prod = [r for r in group if r.file_annotations & PRODUCTION_ANNOTATIONS or
            "sadisticOnlineExploitation" in r.annotations]
    flag("production", len(prod), "production annotations")
    flag("sextortion", sum("sextortion" in r.annotations for r in group), "sextortion")
    flag("solicitation", sum("csamSolicitation" in r.annotations for r in group), "csamSolicitation")
    flag("minor_victim", sum(r.minor_victim for r in group), "victim under 18")
    flag("victim_in_country", sum(r.victim_in_country for r in group), "child victim located in country")
    flag("minor_recipient", sum(r.minor_recipient for r in group), "intended recipient under 18")
    series = sorted({known[h] for r in group for h in r.hashes if h in known})
    flag("known_series", len(series), ", ".join(series[:5]))
    flag("financial_alert", sum(i in alert_reports for i in idxs), "identifier named in a financial alert")
    flag("prior_report_link", sum(i in prior_linked for i in idxs), "priorCTReports points at a held report")
    # Redistribution only: but never let it bury a subject with live or in-country-victim signals.
    if not facts.flags & {"live_streaming", "victim_in_country"}:
        flag("viral_only", len(group) if all(r.viral for r in group) else 0, "viral files only")
    if not any(r.country in home or r.in_country_ip != "none" for r in group):
        flag("foreign_only", len(group), "no in-country signal")
    return facts


def _place(group: list[_Report], home: list[str]) -> tuple[str | None, str | None, str | None]:
    countries = Counter(r.country for r in group if r.country)
    in_home = [c for c, _ in countries.most_common() if c in home]
    country = in_home[0] if in_home else (countries.most_common(1)[0][0] if countries else None)
    regions = Counter(r.region for r in group if r.country == country and r.region)
    isps = Counter(r.isp for r in group if r.isp and r.in_country_ip != "none")
    return (country, regions.most_common(1)[0][0] if regions else None,
            isps.most_common(1)[0][0] if isps else None)


def _write(session: Session, reports: list[_Report], subjects: list[dict[str, Any]]) -> int:
    existing = {row.key: row for row in session.execute(select(
        TipSubject.key, TipSubject.score, TipSubject.tier, TipSubject.reasons, TipSubject.ties,
        TipSubject.report_count, TipSubject.unit, TipSubject.active, TipSubject.viral))}
    now = utcnow()
    inserts, updates = [], []
    for s in subjects:
        old = existing.pop(s["key"], None)
        if old is None:
            inserts.append({**s, "updated_at": now, "status": "open"})
        elif (old.score, old.tier, old.reasons, old.ties, old.report_count, old.unit, old.active, old.viral) != (
                s["score"], s["tier"], s["reasons"], s["ties"], s["report_count"], s["unit"], True, s["viral"]):
            updates.append({**{f"b_{k}": v for k, v in s.items()}, "b_updated_at": now})
    conn = session.connection()
    if inserts:
        conn.execute(insert(TipSubject), inserts)
    if updates:
        cols = [k for k in subjects[0] if k != "key"] + ["updated_at"]
        conn.execute(update(TipSubject).where(TipSubject.key == bindparam("b_key"))
                     .values({c: bindparam(f"b_{c}") for c in cols}), updates)
    if existing:  # subjects merged into others: kept (analyst history), hidden from the queue
        conn.execute(update(TipSubject).where(TipSubject.key.in_(list(existing))).values(active=False))
    report_updates = [{"b_pk": r.pk, "b_sk": r.subject_key, "b_viral": r.viral, "b_dup": r.duplicate_of}
                      for r in reports if _report_changed(r)]
    if report_updates:
        conn.execute(update(TipReport).where(TipReport.id == bindparam("b_pk"))
                     .values(subject_key=bindparam("b_sk"), viral=bindparam("b_viral"),
                             duplicate_of=bindparam("b_dup")), report_updates)
    return len(inserts) + len(updates)


def _report_changed(r: _Report) -> bool:
    return r.stored != (r.subject_key, r.viral, r.duplicate_of)


def subject_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(TipSubject).where(TipSubject.active)) or 0)
