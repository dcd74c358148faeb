"""Finance pages (/finance) and API (/api/finance): screen a file, the alert queue, an alert with its
evidence, chart, network and linked tips, dispositions, and the STR draft (HTML print view, PDF, JSON).
One function builds each page's data; HTML and JSON are two renderings of it."""

from __future__ import annotations

import json
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from sulo.errors import Problem, ValidationError
from sulo.finance import service
from sulo.finance.inputs import CHANNELS
from sulo.finance.rules import Library, load_library
from sulo.finance.tables import STATUSES, FinanceAlert
from sulo.store.files import file_sha256
from sulo.web.deps import DbId, Principal, SessionDep, require
from sulo.web.render import render, respond_json

pages = APIRouter(include_in_schema=False)
api = APIRouter(tags=["finance"])
MAX_UPLOAD = 500 * 1024 * 1024

Viewer = Annotated[Principal, require("finance:view")]
Screener = Annotated[Principal, require("finance:screen")]
Disposer = Annotated[Principal, require("finance:disposition")]
Drafter = Annotated[Principal, require("finance:str")]


@lru_cache(maxsize=1)
def library() -> Library:
    """The built-in library, loaded (and validated) once."""
    return load_library()


class QueueFilter(BaseModel):
    typology: str | None = Field(default=None, max_length=64)
    min_score: float | None = None
    country: str | None = Field(default=None, max_length=2)
    channel: str | None = Field(default=None, max_length=12)
    status: str | None = Field(default=None, max_length=12)
    network: str | None = Field(default=None, max_length=120)


def _alert_row(a: FinanceAlert) -> dict[str, Any]:
    return {"id": a.id, "account_id": a.account_id, "account_name": a.account_name, "role": a.role,
            "typology": a.typology, "score": a.score, "threshold": a.threshold,
            "indicators": [i for i in a.indicators.split(";") if i], "country": a.country,
            "channels": [c for c in a.channels.split(";") if c], "network_id": a.network_id, "status": a.status,
            "status_reason": a.status_reason, "screening_id": a.screening_id}


def typology_titles() -> dict[str, dict[str, str]]:
    """Each typology's title in English and Indonesian, from the library (a deployment's own typology brings
    its own titles); pages show these instead of the id (templates: finance/_labels.html)."""
    return {t.id: {"en": t.title.en, "id": t.title.id} for t in library().typologies}


def queue_data(session: Session, f: QueueFilter) -> dict[str, Any]:
    alerts = service.queue(session, typology=f.typology or None, min_score=f.min_score, country=f.country or None,
                           channel=f.channel or None, status=f.status or None, network=f.network or None)
    return {"filter": f.model_dump(), "alerts": [_alert_row(a) for a in alerts],
            "typologies": [t.id for t in library().typologies], "typology_titles": typology_titles(),
            "statuses": list(STATUSES), "channels": list(CHANNELS),
            "screenings": [{"id": s.id, "name": s.name, "rows": s.rows, "screened": s.screened,
                            "quarantined": s.quarantined, "alerts": s.alert_count, "engine": s.engine,
                            "created_at": s.created_at.strftime("%Y-%m-%d %H:%M")}
                           for s in service.list_screenings(session)]}


def alert_data(session: Session, alert_id: int) -> dict[str, Any]:
    alert = service.get_alert(session, alert_id)
    pays = service.payments(session, alert_id)
    linked, network_size = service.network(session, alert, pays)
    titles = {i.id: {"en": i.title.en, "id": i.title.id, "definition": i.definition, "source": i.source}
              for i in library().indicators}
    evidence = [{**e, **titles.get(e["indicator_id"], {})} for e in json.loads(alert.evidence)]
    return {"alert": _alert_row(alert), "evidence": evidence,
            "payments": [{"txn_id": p.txn_id, "at": p.at.strftime("%Y-%m-%d %H:%M"), "sender_id": p.sender_id,
                          "receiver_id": p.receiver_id, "amount": p.amount, "currency": p.currency,
                          "usd": round(p.usd, 2), "channel": p.channel, "reference": p.reference} for p in pays],
            "chart": service.chart_spec(alert, pays),
            "network": [{**_alert_row(a), "direct": direct} for a, direct in linked],
            "network_size": network_size,
            "linked_tips": [{**t, "incident_at": t["incident_at"].strftime("%Y-%m-%d")}
                            for t in service.linked_tips(session, service.handles(pays))],
            "statuses": list(STATUSES), "typology_titles": typology_titles()}


async def _screen_upload(session: Session, request: Request, file: UploadFile, user: Principal) -> int:
    from sulo.finance.screen import screen_file

    name = file.filename or "transactions.csv"
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise ValidationError(Problem("upload a .csv or .parquet transactions file", record=name, field="file"))
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ValidationError(Problem("file larger than 500 MB: use `sulo finance screen`", record=name))
    engine = request.app.state.settings.analytics_engine
    with tempfile.TemporaryDirectory(prefix="sulo-finance-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        loaded, result = screen_file(path, engine=engine, library=library())
        scr = service.save_screening(session, name, file_sha256(path), engine, loaded, result,
                                     user.username)
    return scr.id


@pages.get("")
def queue_page(request: Request, session: SessionDep, user: Viewer,
               f: Annotated[QueueFilter, Query()]) -> Response:
    return render(request, "finance/index.html", queue_data(session, f))


@pages.post("/screenings")
async def screen_page(request: Request, session: SessionDep, user: Screener, file: UploadFile,
                      csrf_token: Annotated[str, Form()] = "") -> Response:
    await _screen_upload(session, request, file, user)
    return RedirectResponse("/finance", status_code=303)


@pages.get("/alerts/{alert_id}")
def alert_page(request: Request, session: SessionDep, user: Viewer, alert_id: DbId) -> Response:
    return render(request, "finance/alert.html", alert_data(session, alert_id))


@pages.post("/alerts/{alert_id}/disposition")
def disposition_page(session: SessionDep, user: Disposer, alert_id: DbId, status: Annotated[str, Form()],
                     reason: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = "") -> Response:
    service.set_disposition(session, alert_id, status, reason, user.username)
    return RedirectResponse(f"/finance/alerts/{alert_id}", status_code=303)


@pages.get("/alerts/{alert_id}/str")
def str_page(request: Request, session: SessionDep, user: Drafter, alert_id: DbId) -> Response:
    draft = service.str_draft(session, alert_id, library(), user.username, user.agency.code)
    return render(request, "finance/str.html", {"draft": draft, "alert_id": alert_id})


@pages.get("/alerts/{alert_id}/str.pdf")
def str_pdf(request: Request, session: SessionDep, user: Drafter, alert_id: DbId) -> Response:
    from weasyprint import HTML

    draft = service.str_draft(session, alert_id, library(), user.username, user.agency.code)
    html = render(request, "finance/str.html", {"draft": draft, "alert_id": alert_id, "pdf": True})
    pdf = HTML(string=bytes(html.body).decode("utf-8")).write_pdf()
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="str-draft-{alert_id}.pdf"'})


# -- JSON API ---------------------------------------------------------------------------------------------
@api.get("/alerts")
def queue_api(session: SessionDep, user: Viewer, f: Annotated[QueueFilter, Query()]) -> Response:
    return respond_json(queue_data(session, f))


@api.post("/screenings", status_code=201)
async def screen_api(request: Request, session: SessionDep, user: Screener, file: UploadFile) -> Response:
    screening_id = await _screen_upload(session, request, file, user)
    return respond_json({"screening_id": screening_id, **queue_data(session, QueueFilter())}, status=201)


@api.get("/alerts/{alert_id}")
def alert_api(session: SessionDep, user: Viewer, alert_id: DbId) -> Response:
    return respond_json(alert_data(session, alert_id))


class Disposition(BaseModel):
    status: str = Field(max_length=12)
    reason: str = Field(default="", max_length=5000)


@api.post("/alerts/{alert_id}/disposition")
def disposition_api(session: SessionDep, user: Disposer, alert_id: DbId, body: Disposition) -> Response:
    alert = service.set_disposition(session, alert_id, body.status, body.reason, user.username)
    return respond_json(_alert_row(alert))


@api.get("/alerts/{alert_id}/str")
def str_api(session: SessionDep, user: Drafter, alert_id: DbId) -> Response:
    return respond_json(service.str_draft(session, alert_id, library(), user.username, user.agency.code))
