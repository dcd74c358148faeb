"""The stage's entry points, used by the CLI and the web: import, triage (rebuild), preservation,
analyst actions. Rule files are loaded here, explicitly, and fail at start-up naming file and key."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from sulo.errors import NotFoundError, Problem, ValidationError
from sulo.store.audit import audit
from sulo.store.db import utcnow
from sulo.tips.enrich import IpEnricher, load_network_rules
from sulo.tips.grouping import load_grouping_rules
from sulo.tips.importer import Importer, ImportResult
from sulo.tips.intake import Item, Refused
from sulo.tips.priority import load_priority_rules
from sulo.tips.rebuild import RebuildResult, Rules, rebuild
from sulo.tips.routing import LegalRules, load_legal, load_routing, preservation_letter
from sulo.tips.tables import TipCaseReferral, TipIpEvent, TipPreservation, TipReport, TipSubject

AUTO_PRESERVE_TIERS = ("immediate", "urgent")


@dataclass
class TipsContext:
    rules: Rules
    legal: LegalRules
    enricher: IpEnricher


def load_context(geoip_mmdb: Path | None = None) -> TipsContext:
    rules = Rules(grouping=load_grouping_rules(), priority=load_priority_rules(), routing=load_routing())
    return TipsContext(rules=rules, legal=load_legal(), enricher=IpEnricher(load_network_rules(), geoip_mmdb))


def run_import(engine: Engine, ctx: TipsContext, *, actor: str, paths: Sequence[Path] = (),
               items: Sequence[Item | Refused] | None = None, progress: Callable[[int], None] | None = None
               ) -> tuple[ImportResult, RebuildResult]:
    importer = Importer(engine, ctx.enricher, ctx.rules.priority.home_countries)
    result = importer.import_items(items, progress) if items is not None else importer.import_paths(paths, progress)
    with Session(engine) as session, session.begin():
        rebuilt = triage(session, ctx)
        audit(session, actor, "tips:import", ",".join(str(p) for p in paths)[:300] or "upload",
              {**result.as_dict(), "problems": len(result.problems), "subjects": rebuilt.subjects})
    return result, rebuilt


def triage(session: Session, ctx: TipsContext, as_of: dt.datetime | None = None) -> RebuildResult:
    rebuilt = rebuild(session, ctx.rules, as_of)
    draft_preservations(session, ctx, tiers=AUTO_PRESERVE_TIERS)
    return rebuilt


def draft_preservations(session: Session, ctx: TipsContext, tiers: Sequence[str] = AUTO_PRESERVE_TIERS,
                        subject_key: str | None = None) -> int:
    """One letter per (subject, ISP) with in-country IPs, for subjects in `tiers` (or one subject)."""
    query = (select(TipSubject.key, TipSubject.unit, TipIpEvent.isp, TipIpEvent.country, TipIpEvent.ip, TipIpEvent.at)
             .join(TipReport, TipReport.subject_key == TipSubject.key)
             .join(TipIpEvent, TipIpEvent.report_pk == TipReport.id)
             .where(TipSubject.active, TipIpEvent.country.in_(["PH", "ID"]),
                    TipIpEvent.network_class.in_(["residential", "cgnat"]), TipIpEvent.isp.is_not(None)))
    query = query.where(TipSubject.key == subject_key) if subject_key else query.where(TipSubject.tier.in_(tiers))
    wanted: dict[tuple[str, str], dict[str, object]] = defaultdict(lambda: {"ips": set()})
    for key, unit, isp, country, ip, at in session.execute(query):
        if isp is None:
            continue
        entry = wanted[(key, isp)]
        entry.update(unit=unit, country=country)
        entry["ips"].add((ip, at))  # type: ignore[attr-defined]
    have = {(k, i) for k, i in session.execute(select(TipPreservation.subject_key, TipPreservation.isp))}
    now = utcnow()
    rows: list[dict[str, object]] = []
    for (key, isp), entry in sorted(wanted.items()):
        statute = ctx.legal.for_country(str(entry["country"]))
        if (key, isp) in have or statute is None:
            continue
        ips = sorted(entry["ips"])  # type: ignore[call-overload]
        letter, deadline = preservation_letter(statute=statute, isp=isp, subject_key=key, unit=str(entry["unit"]),
                                               ips=ips, issued=now)
        rows.append({"subject_key": key, "isp": isp, "country": str(entry["country"]), "statute": statute.statute,
                     "ips": json.dumps([[ip, at.isoformat()] for ip, at in ips]), "letter": letter,
                     "issued_at": now, "deadline": deadline, "extended": False, "status": "drafted"})
    session.flush()  # pending ORM changes first, as a flush of added objects would have ordered them
    if rows:  # one Core executemany: thousands of letters after a large import, no ORM object per letter
        session.execute(insert(TipPreservation), rows)
    return len(rows)


def get_subject(session: Session, key: str) -> TipSubject:
    subject = session.scalar(select(TipSubject).where(TipSubject.key == key))
    if subject is None:
        raise NotFoundError(f"no subject {key}")
    return subject


def assign(session: Session, key: str, assignee: str, actor: str) -> TipSubject:
    subject = get_subject(session, key)
    if not assignee.strip():
        raise ValidationError(Problem("assignee is required", record=key, field="assignee"))
    subject.assigned_to = assignee.strip()[:80]
    audit(session, actor, "tips:assign", f"tips_subject:{key}", {"assigned_to": subject.assigned_to})
    return subject


def mark_not_actionable(session: Session, key: str, reason: str, actor: str) -> TipSubject:
    subject = get_subject(session, key)
    if not reason.strip():
        raise ValidationError(Problem("a reason is required", record=key, field="reason"))
    subject.status, subject.status_reason = "not_actionable", reason.strip()
    audit(session, actor, "tips:not-actionable", f"tips_subject:{key}", {"reason": subject.status_reason})
    return subject


def request_case(session: Session, key: str, actor: str, note: str | None = None) -> TipCaseReferral:
    get_subject(session, key)
    referral = TipCaseReferral(subject_key=key, requested_by=actor, requested_at=utcnow(), note=note,
                               status="requested")
    session.add(referral)
    session.flush()
    audit(session, actor, "tips:case-requested", f"tips_subject:{key}", {"referral_id": referral.id})
    return referral


def extend_preservation(session: Session, pres_id: int, ctx: TipsContext, actor: str) -> TipPreservation:
    pres = session.get(TipPreservation, pres_id)
    if pres is None:
        raise NotFoundError(f"no preservation request {pres_id}")
    statute = ctx.legal.for_country(pres.country)
    if pres.extended or statute is None:
        raise ValidationError(Problem("already extended once (RA 10175 s.13 allows one extension)",
                                      record=str(pres_id), field="extended"))
    pres.deadline = pres.deadline + dt.timedelta(days=statute.extension_days)
    pres.extended = True
    audit(session, actor, "tips:preservation-extended", f"tips_preservation:{pres_id}",
          {"deadline": pres.deadline.isoformat()})
    return pres
