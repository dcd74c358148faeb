"""Hashes pages (/hashes) and API (/api/hashes). One function builds each page's data; HTML and JSON render it.

Only hashes, categories and counts are shown: no thumbnail, preview or media anywhere. Uploads accept scan
result files (CSV/Parquet from `sulo hashes scan`); anything that sniffs as an image or video is refused.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from sulo.errors import Problem, ValidationError
from sulo.hashes import scans, service
from sulo.hashes.hashing import sniff
from sulo.hashes.listformats import FORMATS
from sulo.hashes.tables import HashList
from sulo.web.deps import DbId, Principal, SessionDep, require
from sulo.web.render import render, respond_json

pages = APIRouter(include_in_schema=False)
api = APIRouter(tags=["hashes"])
MAX_UPLOAD = 200 * 1024 * 1024

Viewer = Annotated[Principal, require("hashes:view")]
Scanner = Annotated[Principal, require("hashes:scan")]
Matcher = Annotated[Principal, require("hashes:match")]
Exporter = Annotated[Principal, require("hashes:export")]


def lists_data(session: Session) -> dict[str, Any]:
    lists = session.scalars(select(HashList).order_by(HashList.name))
    return {
        "lists": [{"name": h.name, "source": h.source, "version": h.version, "entries": h.entry_count,
                   "category_scheme": h.category_scheme, "licence": h.licence, "format": h.format,
                   "own": h.own, "imported_at": h.imported_at} for h in lists],
        "scans": [{"id": s.id, "name": s.name, "files": s.file_count, "errors": s.error_count,
                   "uploaded_at": s.uploaded_at} for s in scans.list_scans(session)],
    }


def scan_data(session: Session, scan_id: int) -> dict[str, Any]:
    summary = scans.summarise(session, scan_id)
    s = summary.scan
    return {
        "scan": {"id": s.id, "name": s.name, "files": s.file_count, "errors": s.error_count,
                 "low_quality": s.low_quality_count, "uploaded_by": s.uploaded_by, "uploaded_at": s.uploaded_at},
        "by_category": summary.by_category,
        "matched": [{"path": f.path, "md5": f.md5, "sha1": f.sha1, "pdq": f.pdq,
                     "matches": [_match_row(m) for m in ms]} for f, ms in summary.matched_files],
        "problems": [{"path": f.path, "error": f.error} for f in summary.errors],
    }


def _match_row(m: Any) -> dict[str, Any]:
    return {"id": m.id, "kind": m.kind, "category": m.category, "distance": m.distance, "variant": m.variant,
            "list_id": m.list_id}


def match_data(session: Session, match_id: int) -> dict[str, Any]:
    m, hash_list = scans.get_match(session, match_id)
    return {"id": m.id, "source_kind": m.source_kind, "source_id": m.source_id, "kind": m.kind,
            "query_value": m.query_value, "category": m.category, "distance": m.distance, "variant": m.variant,
            "list": {"name": hash_list.name, "version": hash_list.version, "source": hash_list.source,
                     "licence": hash_list.licence}, "matched_at": m.matched_at}


async def _upload(session: Session, file: UploadFile, user: Principal) -> int:
    data = await file.read(MAX_UPLOAD + 1)
    name = file.filename or "scan.csv"
    if len(data) > MAX_UPLOAD:
        raise ValidationError(Problem("scan result larger than 200 MB", record=name))
    if sniff(data[:16]) != "other":
        raise ValidationError(Problem("media files are never uploaded: upload the result of `sulo hashes scan`",
                                      record=name))
    scan = scans.store_scan(session, name, data, user.username)
    scans.match_scan(session, scan.id, None, user.username)
    return scan.id


@pages.get("")
def index_page(request: Request, session: SessionDep, user: Viewer) -> Response:
    return render(request, "hashes/index.html", lists_data(session))


@pages.get("/scans/{scan_id}")
def scan_page(request: Request, session: SessionDep, user: Viewer, scan_id: DbId) -> Response:
    return render(request, "hashes/scan.html", scan_data(session, scan_id))


@pages.get("/matches/{match_id}")
def match_page(request: Request, session: SessionDep, user: Viewer, match_id: DbId) -> Response:
    return render(request, "hashes/match.html", match_data(session, match_id))


@pages.post("/scans")
async def upload_page(session: SessionDep, user: Scanner, file: UploadFile,
                      csrf_token: Annotated[str, Form()] = "") -> Response:
    scan_id = await _upload(session, file, user)
    return RedirectResponse(f"/hashes/scans/{scan_id}", status_code=303)


@api.get("/lists")
def lists_api(session: SessionDep, user: Viewer) -> Response:
    return respond_json(lists_data(session))


@api.get("/scans/{scan_id}")
def scan_api(session: SessionDep, user: Viewer, scan_id: DbId) -> Response:
    return respond_json(scan_data(session, scan_id))


@api.get("/matches/{match_id}")
def match_api(session: SessionDep, user: Viewer, match_id: DbId) -> Response:
    return respond_json(match_data(session, match_id))


@api.post("/scans", status_code=201)
async def upload_api(session: SessionDep, user: Scanner, file: UploadFile) -> Response:
    scan_id = await _upload(session, file, user)
    return respond_json(scan_data(session, scan_id), status=201)


class HashQuery(BaseModel):
    kind: str = Field(max_length=10)
    value: str = Field(max_length=2048)


class MatchRequest(BaseModel):
    hashes: list[HashQuery] = Field(max_length=10000)
    lists: list[str] | None = None
    threshold: int = Field(default=31, ge=0, le=63)


@api.post("/match")
def match_api_post(session: SessionDep, user: Matcher, body: MatchRequest) -> Response:
    found = service.match_hashes(session, [(h.kind, h.value) for h in body.hashes], body.lists, body.threshold)
    return respond_json({"matches": [m.__dict__ for m in found]})


@api.get("/lists/{name}/export")
def export_api(session: SessionDep, user: Exporter, name: str,
               fmt: Annotated[str, Query(alias="format", pattern="^(" + "|".join(FORMATS) + ")$")] = "ncmec",
               ) -> Response:
    data = service.export_list(session, name, fmt, user.username)
    media = "application/json" if fmt == "vics" else "text/csv" if fmt in ("ncmec", "pdq") else "text/plain"
    return Response(data, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}.txt"'})
