"""The finance stage's operations on the operational store: keep screenings and alerts, work on alerts
(dispositions, audited), and build what the pages show (chart spec, linked tips, STR draft)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import TYPE_CHECKING, Any, cast

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Table, func, insert, or_, select
from sqlalchemy.orm import Session

from sulo.errors import ConflictError, NotFoundError, Problem, ValidationError
from sulo.finance.inputs import Loaded
from sulo.finance.model import ScreenResult
from sulo.finance.rules import Library
from sulo.finance.tables import STATUSES, AlertPayment, FinanceAlert, Screening
from sulo.store.audit import audit
from sulo.store.db import utcnow

if TYPE_CHECKING:
    import psycopg

HANDLE = re.compile(r"@([A-Za-z0-9_.]{3,})")


def save_screening(session: Session, name: str, digest: str, engine: str, loaded: Loaded,
                   result: ScreenResult, actor: str) -> Screening:
    """Store a screening and its alerts. The same file twice changes nothing (the first one is returned)."""
    if result.payments is None:
        raise ValueError("this screening was run without payment details (payment_details=False): "
                         "screen again with them to store it")
    existing = session.scalar(select(Screening).where(Screening.content_sha256 == digest))
    if existing is not None:
        return existing
    _refuse_nul(result)
    scr = Screening(name=name[:300], content_sha256=digest, engine=engine, rows=loaded.n_rows,
                    screened=loaded.n_clean, quarantined=loaded.n_quarantined, alert_count=len(result.alerts),
                    quarantine=json.dumps([p.as_dict() for p in loaded.problems(200)], ensure_ascii=False),
                    created_by=actor)
    session.add(scr)
    session.flush()
    alerts = result.alerts
    # Bulk inserts: a national screening keeps tens of thousands of alerts and their payments.
    rows = [{"screening_id": scr.id, "alert_key": a.alert_id, "account_id": a.account_id,
             "account_name": a.account_name, "role": a.role, "typology": a.typology, "score": round(a.score, 3),
             "threshold": a.threshold, "indicators": ";".join(a.indicators), "country": a.country,
             "channels": ";".join(a.channels), "network_id": a.network_id, "status": "open", "status_reason": "",
             "evidence": json.dumps([e.as_dict() for e in a.evidence], ensure_ascii=False)} for a in alerts]
    ids = list(session.scalars(insert(FinanceAlert).returning(FinanceAlert.id, sort_by_parameter_order=True),
                               rows)) if rows else []
    links = [(alert_id, t) for a, alert_id in zip(alerts, ids, strict=True)
             for t in sorted({t for e in a.evidence for t in e.txn_ids})]
    _insert_payments(session, links, result.payments.table)
    audit(session, actor, "finance:screen", f"finance_screening:{scr.id}",
          {"file": name, "sha256": digest, "engine": engine, "rows": loaded.n_rows,
           "quarantined": loaded.n_quarantined, "alerts": len(result.alerts)})
    return scr


def _refuse_nul(result: ScreenResult) -> None:
    """A NUL character passes screening (the engines and the alert file hold it) but PostgreSQL cannot store
    one: refuse the screening before anything is written, naming each transaction and field, so the file can
    be fixed (checked here, on the few values kept, not on every row of every file at load)."""
    assert result.payments is not None
    message = "contains a NUL character (0x00), which the database cannot store: remove it from the file"
    checks = [(result.payments.table, field, "txn_id") for field in ("txn_id", "sender_id", "receiver_id", "reference")]
    checks.append((result.alert_set.alerts, "account_name", "account_id"))
    problems = [Problem(message, record=str(record), field=field) for table, field, key in checks
                for record in table.filter(pc.fill_null(pc.match_substring(table.column(field), "\x00"), False))
                .column(key).to_pylist()[:20]]
    if problems:
        raise ValidationError(problems)


def _insert_payments(session: Session, links: list[tuple[int, str]], payments: pa.Table) -> None:
    """Each alert's evidence payments (alert id, transaction id) as rows of finance_alert_payment.

    A screening through the web keeps ~55 payments per alert (112,000 rows for the demo's 2,052 alerts). The
    rows are built column-wise in Arrow and handed to the driver's executemany with the column types' own
    bind processors applied: SQLAlchemy's per-row parameter handling made saving 2.4-2.6x slower."""
    if not links:
        return
    wanted = pa.table({"alert_id": pa.array([a for a, _ in links], pa.int64()),
                       "txn_id": pa.array([t for _, t in links], pa.string())})
    rows = wanted.join(payments, "txn_id", join_type="left outer")
    if rows.num_rows != wanted.num_rows or rows.column("ts").null_count:
        raise RuntimeError("an alert names an evidence payment the screening did not return")  # cannot happen
    rows = rows.sort_by([("alert_id", "ascending"), ("txn_id", "ascending")])
    table = AlertPayment.__table__
    assert isinstance(table, Table)
    conn = session.connection()
    dialect = conn.dialect
    # From epoch seconds: Arrow's own conversion of zoned timestamps costs ~8 µs a value.
    at = [dt.datetime.fromtimestamp(ts, dt.UTC) for ts in rows.column("ts").to_pylist()]
    bind_at = table.c.at.type.bind_processor(dialect)
    columns: dict[str, list[Any]] = {
        "alert_id": rows.column("alert_id").to_pylist(), "txn_id": rows.column("txn_id").to_pylist(),
        "at": [bind_at(x) for x in at] if bind_at else at,
        "sender_id": rows.column("sender_id").to_pylist(), "receiver_id": rows.column("receiver_id").to_pylist(),
        "amount": rows.column("amount").cast(pa.float64()).to_pylist(),
        "currency": rows.column("currency").to_pylist(), "usd": rows.column("usd").cast(pa.float64()).to_pylist(),
        "channel": rows.column("channel").to_pylist(),
        "reference": pc.fill_null(rows.column("reference"), "").to_pylist()}
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    values = zip(*columns.values(), strict=True)
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        # COPY: executemany sends one protocol round per row (5.8 s for 112,000 rows; COPY well under 1 s).
        raw = cast("psycopg.Connection[Any]", conn.connection.dbapi_connection)
        with raw.cursor() as cursor, cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        return
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join([marker] * len(columns))})",
                         list(values))


def list_screenings(session: Session) -> list[Screening]:
    return list(session.scalars(select(Screening).order_by(Screening.id.desc()).limit(50)))


def queue(session: Session, *, typology: str | None = None, min_score: float | None = None,
          country: str | None = None, channel: str | None = None, status: str | None = None,
          network: str | None = None, limit: int = 200) -> list[FinanceAlert]:
    """The alert queue, highest score first; every filter optional (values bound by SQLAlchemy)."""
    q = select(FinanceAlert)
    if network:
        q = q.where(FinanceAlert.network_id == network)
    if typology:
        q = q.where(FinanceAlert.typology == typology)
    if min_score is not None:
        q = q.where(FinanceAlert.score >= min_score)
    if country:
        q = q.where(FinanceAlert.country == country.upper())
    if channel:
        # The channel is one element of the ';'-joined list; its own '%' or '_' must not act as wildcards.
        c = channel.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        q = q.where(or_(FinanceAlert.channels == channel,
                        *(FinanceAlert.channels.like(pattern, escape="\\")
                          for pattern in (f"{c};%", f"%;{c}", f"%;{c};%"))))
    if status:
        q = q.where(FinanceAlert.status == status)
    q = q.order_by(FinanceAlert.score.desc(), FinanceAlert.id).limit(max(1, min(limit, 1000)))
    return list(session.scalars(q))


def get_alert(session: Session, alert_id: int) -> FinanceAlert:
    alert = session.get(FinanceAlert, alert_id)
    if alert is None:
        raise NotFoundError(f"no alert {alert_id}")
    return alert


def payments(session: Session, alert_id: int) -> list[AlertPayment]:
    return list(session.scalars(select(AlertPayment).where(AlertPayment.alert_id == alert_id)
                                .order_by(AlertPayment.at, AlertPayment.txn_id)))


NETWORK_SHOWN = 100
# Counterparties looked up by name for "pays or is paid by this account"; an alert's evidence names at most
# evidence_limit payments per indicator, so this covers every counterparty of all but the largest alerts.
MAX_COUNTERPARTIES = 1000


def network(session: Session, alert: FinanceAlert,
            evidence_payments: list[AlertPayment] | None = None) -> tuple[list[tuple[FinanceAlert, bool]], int]:
    """The other alerts of the same screening in the same network (F14 and shared counterparties): those
    whose account pays or is paid by this one in its evidence payments first (flagged True), then by score;
    at most NETWORK_SHOWN of them, with the number of all. A network can hold most alerts of a screening
    (customers paying many facilitators chain them together), so the direct links must come first."""
    if not alert.network_id:
        return [], 0
    same = (FinanceAlert.screening_id == alert.screening_id, FinanceAlert.network_id == alert.network_id,
            FinanceAlert.id != alert.id)
    total = session.scalar(select(func.count()).select_from(FinanceAlert).where(*same)) or 0
    pays = evidence_payments if evidence_payments is not None else payments(session, alert.id)
    counterparties = sorted({x for p in pays for x in (p.sender_id, p.receiver_id)} - {alert.account_id})
    counterparties = counterparties[:MAX_COUNTERPARTIES]
    direct = FinanceAlert.account_id.in_(counterparties) if counterparties else None
    order = ([direct.desc()] if direct is not None else []) + [FinanceAlert.score.desc(), FinanceAlert.id]
    rows = session.scalars(select(FinanceAlert).where(*same).order_by(*order).limit(NETWORK_SHOWN))
    linked = set(counterparties)
    return [(a, a.account_id in linked) for a in rows], int(total)


def set_disposition(session: Session, alert_id: int, status: str, reason: str, actor: str) -> FinanceAlert:
    """open -> reviewed / escalated / dismissed (a dismissal needs a reason); every change is audited."""
    if status not in STATUSES:
        raise ValidationError(Problem(f"must be one of {', '.join(STATUSES)}", record=str(alert_id), field="status"))
    reason = reason.strip()
    if status == "dismissed" and not reason:
        raise ValidationError(Problem("a dismissal needs a reason", record=str(alert_id), field="reason"))
    alert = get_alert(session, alert_id)
    before = alert.status
    alert.status, alert.status_reason = status, reason
    alert.updated_by, alert.updated_at = actor, utcnow()
    audit(session, actor, "finance:disposition", f"finance_alert:{alert.id}",
          {"from": before, "to": status, "reason": reason, "alert": alert.alert_key})
    return alert


def handles(pays: list[AlertPayment]) -> list[str]:
    """Social-media handles (@name) written in the references of an alert's payments."""
    return sorted({m.lower() for p in pays for m in HANDLE.findall(p.reference or "")})[:20]


def linked_tips(session: Session, handle_names: list[str]) -> list[dict[str, Any]]:
    """CyberTipline reports (tips stage) whose reported screen name equals a handle found in the alert's
    payment references. Returns [] when there is none, or when no tips have been imported."""
    if not handle_names:
        return []
    from sulo.tips.tables import TipIdentifier, TipReport

    conds = [func.lower(TipIdentifier.raw).in_(handle_names + [f"@{h}" for h in handle_names])]
    conds += [TipIdentifier.value.like(f"%:{h}") for h in handle_names]
    rows = session.execute(
        select(TipReport.report_id, TipReport.incident_at, TipReport.country, TipIdentifier.raw)
        .join(TipIdentifier, TipIdentifier.report_pk == TipReport.id)
        .where(TipIdentifier.kind == "screen_name", or_(*conds)).order_by(TipReport.incident_at).limit(50))
    return [{"report_id": r, "incident_at": at, "country": c, "screen_name": raw} for r, at, c, raw in rows]


def chart_spec(alert: FinanceAlert, pays: list[AlertPayment]) -> dict[str, Any]:
    """Vega-Lite: the account's evidence payments over time (USD), one colour per counterparty."""
    values = [{"at": p.at.strftime("%Y-%m-%dT%H:%M:%SZ"), "usd": round(p.usd, 2), "txn_id": p.txn_id,
               "counterparty": p.receiver_id if p.sender_id == alert.account_id else p.sender_id,
               "channel": p.channel} for p in pays]
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "width": "container", "height": 220,
            "data": {"values": values}, "mark": {"type": "point", "filled": True, "tooltip": True},
            "encoding": {"x": {"field": "at", "type": "temporal", "title": "time (UTC)"},
                         "y": {"field": "usd", "type": "quantitative", "title": "USD"},
                         "color": {"field": "counterparty", "type": "nominal"},
                         "tooltip": [{"field": "txn_id"}, {"field": "at", "type": "temporal"},
                                     {"field": "usd"}, {"field": "channel"}, {"field": "counterparty"}]}}


def str_draft(session: Session, alert_id: int, lib: Library, actor: str, agency: str) -> dict[str, Any]:
    """A suspicious transaction report draft for an escalated alert: structured data the analyst completes."""
    alert = get_alert(session, alert_id)
    if alert.status != "escalated":
        raise ConflictError("an STR draft is made only for an escalated alert")
    typ = next((t for t in lib.typologies if t.id == alert.typology), None)
    titles = {i.id: i.title.en for i in lib.indicators}
    pays = payments(session, alert_id)
    evidence = json.loads(alert.evidence)
    draft = {
        "kind": "STR draft", "status": "draft - to be completed and filed by the reporting entity",
        "prepared_by": actor, "agency": agency, "prepared_at": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "subject": {"account_id": alert.account_id, "name": alert.account_name, "country": alert.country,
                    "role": alert.role, "channels": [c for c in alert.channels.split(";") if c]},
        "grounds": {"typology": alert.typology, "typology_title": typ.title.en if typ else alert.typology,
                    "score": alert.score, "threshold": alert.threshold, "network_id": alert.network_id,
                    "indicators": [{"id": e["indicator_id"], "title": titles.get(e["indicator_id"], ""),
                                    "transactions": e["n_txn"], "total_usd": round(e["total_usd"], 2),
                                    "from": e["first"], "to": e["last"]} for e in evidence],
                    "analyst_note": alert.status_reason},
        "transactions": [{"txn_id": p.txn_id, "at": p.at.strftime("%Y-%m-%dT%H:%M:%SZ"), "sender": p.sender_id,
                          "receiver": p.receiver_id, "amount": p.amount, "currency": p.currency,
                          "usd": round(p.usd, 2), "channel": p.channel, "reference": p.reference} for p in pays],
    }
    audit(session, actor, "finance:str", f"finance_alert:{alert.id}", {"alert": alert.alert_key})
    return draft
