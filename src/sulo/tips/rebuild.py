"""Re-group every report into subjects and re-score them in one pass (after each import, or on demand).

Reads only the columns it needs, as plain Core rows (no ORM objects), runs union-find in memory, scores
each subject from per-report facts worked out once (subjects.py), routes it, and writes only what
changed, with one driver-level executemany per statement. Linear in the number of stored rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, String, Table, func, select, type_coerce, update
from sqlalchemy.orm import Session

from sulo.store.db import utcnow
from sulo.tips.adapters import finance_alerts, known_hash_matches
from sulo.tips.bulk import convert_rows, gc_paused, insert_rows, update_rows
from sulo.tips.grouping import Grouping, GroupingRules, IdentRow, IpRow, group_reports, viral_hashes
from sulo.tips.priority import PriorityRules, Scorer
from sulo.tips.routing import RoutingRules, route
from sulo.tips.subjects import Report, place, report_bits, subject_facts, subject_sums
from sulo.tips.tables import TipFile, TipIdentifier, TipIpEvent, TipReport, TipSubject

# The subject columns a rebuild decides; compared with what is stored to write only changes.
SUBJECT_COLUMNS = ("score", "tier", "reasons", "ties", "report_count", "country", "region", "isp",
                   "annotations", "unit", "viral", "latest_incident", "active", "updated_at")  # updated_at last
_COMPARED = ("score", "tier", "reasons", "ties", "report_count", "unit", "active", "viral")


@dataclass
class Rules:
    grouping: GroupingRules
    priority: PriorityRules
    routing: RoutingRules


@dataclass
class RebuildResult:
    reports: int
    subjects: int
    changed_subjects: int
    ignored_keys: list[tuple[str, str, int]]


@dataclass
class _Loaded:
    reports: list[Report]
    idents: list[IdentRow]
    ips: list[IpRow]
    stored: list[tuple[Any, ...]]  # (subject_key, viral, duplicate_of) as read, to write only changes


def rebuild(session: Session, rules: Rules, as_of: dt.datetime | None = None) -> RebuildResult:
    with gc_paused():
        return _rebuild(session, rules, as_of)


def _rebuild(session: Session, rules: Rules, as_of: dt.datetime | None) -> RebuildResult:
    conn = session.connection()
    data = _load(conn)
    reports = data.reports
    viral = viral_hashes(((i, h) for i, r in enumerate(reports) for h in r.hashes),
                         rules.grouping.viral_min_reports)
    _mark_viral_and_duplicates(reports, viral)
    grouping = group_reports(len(reports), data.idents, data.ips, [r.content_key for r in reports],
                             rules.grouping)
    known = known_hash_matches(session, sorted({h for r in reports for h in r.hashes}))
    alerts = finance_alerts(session, sorted({(kind, value) for _, kind, value in data.idents
                                             if kind in ("email", "phone", "esp_id", "screen_name")}))
    alert_reports = {i for i, kind, value in data.idents if (kind, value) in alerts}
    held = {r.report_id for r in reports}
    prior_linked = {i for i, kind, value in data.idents if kind == "prior_report" and value in held}
    home = frozenset(rules.priority.home_countries)
    bits = [report_bits(r, home, i in alert_reports, i in prior_linked) for i, r in enumerate(reports)]
    as_of = as_of or max((r.incident_at for r in reports), default=utcnow())
    subjects = _subjects(reports, bits, grouping, known, rules, as_of)
    changed = _write(conn, reports, data.stored, subjects)
    return RebuildResult(len(reports), len(subjects), changed, grouping.ignored_keys)


def _load(conn: Connection) -> _Loaded:
    t = TipReport
    when, as_utc = _utc_reader(conn, t.incident_at)
    rows = conn.execute(select(
        t.id, t.report_id, t.content_key, when, t.annotations, t.file_annotations, t.country, t.region,
        t.isp, t.in_country_ip, t.minor_victim, t.minor_recipient, t.victim_in_country, t.viral, t.duplicate_of,
        t.subject_key,
    ).order_by(t.id)).fetchall()  # one fetch: iterating a result fetches row by row
    split: dict[str, frozenset[str]] = {}  # annotation strings repeat a lot: split each once

    def tags(text: str) -> frozenset[str]:
        found = split.get(text)
        if found is None:
            found = split[text] = frozenset(filter(None, text.split(";")))
        return found

    reports = [Report(pk, rid, ck, as_utc(at), tags(ann), tags(fann), country, region, isp, icip, mv, mr, vic,
                      viral, dup, sk)
               for pk, rid, ck, at, ann, fann, country, region, isp, icip, mv, mr, vic, viral, dup, sk in rows]
    del rows
    stored = [(r.subject_key, r.viral, r.duplicate_of) for r in reports]
    index = {r.pk: i for i, r in enumerate(reports)}
    idents = [(index[pk], kind, value) for pk, kind, value in
              conn.execute(select(TipIdentifier.report_pk, TipIdentifier.kind, TipIdentifier.value)).fetchall()]
    # Only residential, non-proxy sightings can link reports: the rest is not read at all.
    seen, as_utc = _utc_reader(conn, TipIpEvent.at)
    ips = [(index[pk], ip, as_utc(at)) for pk, ip, at in conn.execute(
        select(TipIpEvent.report_pk, TipIpEvent.ip, seen)
        .where(TipIpEvent.network_class == "residential", TipIpEvent.possible_proxy.is_(False))).fetchall()]
    files = conn.execute(select(TipFile.report_pk, TipFile.md5, TipFile.sha1, TipFile.pdq)).fetchall()
    for pk, md5, sha1, pdq in files:
        digest = md5 or sha1 or pdq
        if digest:
            reports[index[pk]].hashes.append(digest)
    return _Loaded(reports, idents, ips, stored)


def _utc_reader(conn: Connection, column: Any) -> tuple[Any, Callable[[Any], dt.datetime]]:
    """(what to select, how to turn a fetched value into an aware UTC datetime) for a UTCDateTime column.
    On SQLite the stored text is parsed with datetime.fromisoformat: it reads the one format SQLAlchemy
    writes there ('YYYY-MM-DD HH:MM:SS.ffffff', UTC) to the same value as SQLAlchemy's own regex-based
    result processor plus UTCDateTime, several times faster, on the hundreds of thousands of values a
    rebuild reads. Elsewhere the column's own processing is kept."""
    if conn.dialect.name != "sqlite":
        return column, _same
    return type_coerce(column, String), _sqlite_utc


def _same(value: Any) -> Any:
    return value


def _sqlite_utc(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


def _mark_viral_and_duplicates(reports: list[Report], viral: set[str]) -> None:
    first_with: dict[str, str] = {}
    for r in sorted(reports, key=lambda r: (r.incident_at, len(r.report_id), r.report_id)):
        r.viral = "viral" in r.file_annotations or (
            bool(r.hashes) and all(h in viral for h in r.hashes) and "liveStreaming" not in r.file_annotations)
        original = first_with.setdefault(r.content_key, r.report_id)
        r.duplicate_of = original if original != r.report_id else None


def _subjects(reports: list[Report], bits: list[tuple[int, ...]], grouping: Grouping, known: Any,
              rules: Rules, as_of: dt.datetime) -> list[dict[str, Any]]:
    scorer = Scorer(rules.priority, as_of)
    home = frozenset(rules.priority.home_countries)
    units: dict[tuple[str | None, str | None], str] = {}  # route() per distinct place, not per subject
    joined: dict[frozenset[str], str] = {}  # annotation sets repeat: each sorted and joined once
    out: list[dict[str, Any]] = []
    for root, idxs in grouping.members().items():
        group = [reports[i] for i in idxs]
        key = _subject_key(group)
        for r in group:
            r.subject_key = key
        facts = subject_facts(group, subject_sums(bits, idxs), known)
        score, tier, reasons = scorer.score(facts)
        country, region, isp = place(group, home)
        unit = units.get((country, region))
        if unit is None:
            unit = units[(country, region)] = route(country, region, rules.routing)
        ties = grouping.ties.get(root)
        annotations = group[0].annotations | group[0].file_annotations if len(group) == 1 else \
            frozenset().union(*(r.annotations | r.file_annotations for r in group))
        text = joined.get(annotations)
        if text is None:
            text = joined[annotations] = ";".join(sorted(annotations))
        out.append({
            "key": key, "score": score, "tier": tier, "reasons": reasons,
            "ties": json.dumps([{"kind": t.kind, "value": t.value, "reports": t.reports} for t in ties])
            if ties else "[]",
            "report_count": len(group), "country": country, "region": region, "isp": isp,
            "annotations": text, "unit": unit,
            "viral": all(r.viral for r in group), "latest_incident": facts.latest_incident, "active": True,
        })
    return out


def _subject_key(group: Sequence[Report]) -> str:
    first = min(group, key=lambda r: (len(r.report_id), r.report_id)) if len(group) > 1 else group[0]
    return f"S-{first.report_id}"


def _write(conn: Connection, reports: list[Report], stored: list[tuple[Any, ...]],
           subjects: list[dict[str, Any]]) -> int:
    table: Table = TipSubject.__table__  # type: ignore[assignment]
    existing = {row[0]: tuple(row[1:]) for row in conn.execute(
        select(TipSubject.key, *(TipSubject.__table__.c[c] for c in _COMPARED)))}
    now = utcnow()
    decided = itemgetter(*SUBJECT_COLUMNS[:-1])  # C-speed picking of every column but updated_at (last)
    compared = itemgetter(*_COMPARED)
    inserts, updates = [], []
    for s in subjects:
        old = existing.pop(s["key"], None)
        if old is None:
            inserts.append((*decided(s), now, s["key"], "open"))
        elif old != compared(s):
            updates.append((*decided(s), now, s["key"]))
    insert_rows(conn, table, (*SUBJECT_COLUMNS, "key", "status"),
                convert_rows(conn, table, SUBJECT_COLUMNS, inserts))
    update_rows(conn, table, SUBJECT_COLUMNS, "key", convert_rows(conn, table, SUBJECT_COLUMNS, updates))
    if existing:  # subjects merged into others: kept (analyst history), hidden from the queue
        conn.execute(update(TipSubject).where(TipSubject.key.in_(list(existing))).values(active=False))
    report_table: Table = TipReport.__table__  # type: ignore[assignment]
    changed = [(r.subject_key, r.viral, r.duplicate_of, r.pk) for r, old in zip(reports, stored, strict=True)
               if old != (r.subject_key, r.viral, r.duplicate_of)]
    columns = ("subject_key", "viral", "duplicate_of")
    update_rows(conn, report_table, columns, "id", convert_rows(conn, report_table, columns, changed))
    return len(inserts) + len(updates)


def subject_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(TipSubject).where(TipSubject.active)) or 0)
