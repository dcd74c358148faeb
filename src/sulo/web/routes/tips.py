"""Tips pages (/tips) and JSON API (/api/tips). Thin: each view checks one named action, calls
sulo.tips, and renders the same data as HTML or JSON. No media anywhere: hashes and annotations only."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from sulo.errors import Problem, ValidationError
from sulo.tips import queries, service
from sulo.web.deps import DbId, Principal, SessionDep, require
from sulo.web.render import MAX_PAGE, render, respond_json

pages = APIRouter()
api = APIRouter()

View = Annotated[Principal, require("tips:view")]
Import = Annotated[Principal, require("tips:import")]
Assign = Annotated[Principal, require("tips:assign")]
Triage = Annotated[Principal, require("tips:triage")]
OpenCase = Annotated[Principal, require("cases:open")]
UPLOAD_SUFFIXES = (".xml", ".zip", ".json", ".csv")


def _ctx(request: Request) -> service.TipsContext:
    # Built on first use per app (loading the GeoIP data takes ~0.4 s), never at import time.
    ctx = getattr(request.app.state, "tips_ctx", None)
    if ctx is None:
        ctx = service.load_context(request.app.state.settings.geoip_mmdb)
        request.app.state.tips_ctx = ctx
    return ctx  # type: ignore[no-any-return]


def _scope(user: Principal) -> str | None:
    return None if user.role == "admin" else user.country


def _filter(tier: str | None, country: str | None, region: str | None, isp: str | None,
            annotation: str | None, page: int) -> queries.QueueFilter:
    return queries.QueueFilter(tier or None, country or None, region or None, isp or None, annotation or None, page)


@pages.get("/")
def queue_page(request: Request, session: SessionDep, user: View, tier: str | None = None,
               country: str | None = None, region: str | None = None, isp: str | None = None,
               annotation: str | None = None, page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1) -> Response:
    data = queries.queue(session, _filter(tier, country, region, isp, annotation, page), _scope(user))
    return render(request, "tips/queue.html", data)


@api.get("/subjects")
def queue_api(session: SessionDep, user: View, tier: str | None = None, country: str | None = None,
              region: str | None = None, isp: str | None = None, annotation: str | None = None,
              page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1) -> Response:
    return respond_json(queries.queue(session, _filter(tier, country, region, isp, annotation, page), _scope(user)))


@pages.get("/subjects/{key}")
def subject_page(request: Request, key: str, session: SessionDep, user: View) -> Response:
    return render(request, "tips/subject.html", queries.subject_detail(session, key, _scope(user)))


@api.get("/subjects/{key}")
def subject_api(key: str, session: SessionDep, user: View) -> Response:
    return respond_json(queries.subject_detail(session, key, _scope(user)))


@pages.get("/reports/{report_id}")
def report_page(request: Request, report_id: str, session: SessionDep, user: View) -> Response:
    return render(request, "tips/report.html", queries.report_detail(session, report_id, _scope(user)))


@api.get("/reports/{report_id}")
def report_api(report_id: str, session: SessionDep, user: View) -> Response:
    return respond_json(queries.report_detail(session, report_id, _scope(user)))


class AssignBody(BaseModel):
    assignee: str = Field(min_length=1, max_length=80)


class ReasonBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class CaseBody(BaseModel):
    note: str | None = Field(default=None, max_length=2000)


def _assign(session: Session, key: str, user: Principal, assignee: str) -> dict[str, Any]:
    queries.subject_detail_guard(session, key, _scope(user))
    return queries.subject_summary(service.assign(session, key, assignee, user.username))


@pages.post("/subjects/{key}/assign")
def assign_page(key: str, session: SessionDep, user: Assign,
                assignee: Annotated[str, Form(max_length=80)] = "") -> Response:
    _assign(session, key, user, assignee)
    return RedirectResponse(f"/tips/subjects/{key}", status_code=303)


@api.post("/subjects/{key}/assign")
def assign_api(key: str, body: AssignBody, session: SessionDep, user: Assign) -> Response:
    return respond_json(_assign(session, key, user, body.assignee))


@pages.post("/subjects/{key}/case")
def case_page(key: str, session: SessionDep, user: OpenCase, note: Annotated[str, Form(max_length=2000)] = ""
              ) -> Response:
    queries.subject_detail_guard(session, key, _scope(user))
    service.request_case(session, key, user.username, note or None)
    return RedirectResponse(f"/tips/subjects/{key}", status_code=303)


@api.post("/subjects/{key}/case")
def case_api(key: str, body: CaseBody, session: SessionDep, user: OpenCase) -> Response:
    queries.subject_detail_guard(session, key, _scope(user))
    ref = service.request_case(session, key, user.username, body.note)
    return respond_json({"id": ref.id, "subject_key": key, "status": ref.status}, status=201)


@pages.post("/subjects/{key}/not-actionable")
def not_actionable_page(key: str, session: SessionDep, user: Triage,
                        reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    queries.subject_detail_guard(session, key, _scope(user))
    service.mark_not_actionable(session, key, reason, user.username)
    return RedirectResponse(f"/tips/subjects/{key}", status_code=303)


@api.post("/subjects/{key}/not-actionable")
def not_actionable_api(key: str, body: ReasonBody, session: SessionDep, user: Triage) -> Response:
    queries.subject_detail_guard(session, key, _scope(user))
    return respond_json(queries.subject_summary(service.mark_not_actionable(session, key, body.reason,
                                                                             user.username)))


@pages.post("/subjects/{key}/preserve")
def preserve_page(request: Request, key: str, session: SessionDep, user: Triage) -> Response:
    queries.subject_detail_guard(session, key, _scope(user))
    service.get_subject(session, key)
    service.draft_preservations(session, _ctx(request), subject_key=key)
    return RedirectResponse(f"/tips/subjects/{key}", status_code=303)


@pages.get("/preservations/{pres_id}")
def preservation_page(pres_id: DbId, session: SessionDep, user: View) -> Response:
    data = queries.preservation(session, pres_id)
    queries.subject_detail_guard(session, str(data["subject_key"]), _scope(user))
    return PlainTextResponse(str(data["letter"]))


@api.get("/preservations/{pres_id}")
def preservation_api(pres_id: DbId, session: SessionDep, user: View) -> Response:
    data = queries.preservation(session, pres_id)
    queries.subject_detail_guard(session, str(data["subject_key"]), _scope(user))
    return respond_json(data)


@pages.get("/import")
def import_page(request: Request, session: SessionDep, user: Import) -> Response:
    return render(request, "tips/import.html", {"result": None, "quarantine": queries.quarantine(session)})


def _run_upload(request: Request, session: Session, user: Principal, files: list[UploadFile]) -> dict[str, Any]:
    if not files:
        raise ValidationError(Problem("choose at least one file", field="files"))
    with tempfile.TemporaryDirectory(prefix="sulo-tips-") as tmp:
        paths = []
        for i, upload in enumerate(files):
            name = Path(upload.filename or f"upload-{i}").name
            if not name.lower().endswith(UPLOAD_SUFFIXES):
                raise ValidationError(Problem(f"unsupported file type: {name}", record=name, field="files"))
            path = Path(tmp) / f"{i:03d}-{name}"
            path.write_bytes(upload.file.read())
            paths.append(path)
        # The import writes through its own connections (per-chunk transactions), then the request's
        # session sees the result.
        result, rebuilt = service.run_import(session.get_bind(), _ctx(request), actor=user.username,  # type: ignore[arg-type]
                                             paths=paths)
    return {**result.as_dict(), "subjects": rebuilt.subjects}


@pages.post("/import")
def import_upload_page(request: Request, session: SessionDep, user: Import,
                       files: Annotated[list[UploadFile], File()]) -> Response:
    result = _run_upload(request, session, user, files)
    return render(request, "tips/import.html", {"result": result, "quarantine": queries.quarantine(session)})


@api.post("/import")
def import_api(request: Request, session: SessionDep, user: Import,
               files: Annotated[list[UploadFile], File()]) -> Response:
    return respond_json(_run_upload(request, session, user, files))


@api.get("/quarantine")
def quarantine_api(session: SessionDep, user: View) -> Response:
    return respond_json({"items": queries.quarantine(session)})
