"""Login, logout, language, home, health, the audit log and users: the shell every stage sits in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy import func, select, text

from sulo.accounts.service import authenticate
from sulo.accounts.tables import User
from sulo.store.audit import AuditEntry, ChainWatch, audit
from sulo.web.deps import CurrentUser, Principal, SessionDep, require, start_login
from sulo.web.i18n import LOCALES
from sulo.web.render import MAX_PAGE, render, respond_json

pages = APIRouter(include_in_schema=False)
api = APIRouter(tags=["core"])


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect after login is a phishing aid.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@pages.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "failed": False})


@pages.post("/login")
def login(request: Request, session: SessionDep, username: Annotated[str, Form(max_length=80)] = "",
          password: Annotated[str, Form(max_length=200)] = "", next: Annotated[str, Form()] = "/") -> Response:
    user = authenticate(session, username.strip(), password) if username and password else None
    if user is None:
        audit(session, username[:80] or "-", "login.failed", "session", {})
        return render(request, "login.html", {"next": _safe_next(next), "failed": True}, status=401)
    start_login(request, user)
    audit(session, user.username, "login", "session", {})
    return RedirectResponse(_safe_next(next), status_code=303)


@pages.post("/logout")
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@pages.post("/locale")
def switch_locale(request: Request, locale: Annotated[str, Form()], next: Annotated[str, Form()] = "/") -> Response:
    if locale in LOCALES:
        request.session["locale"] = locale
    return RedirectResponse(_safe_next(next), status_code=303)


@pages.get("/")
def home(request: Request, user: CurrentUser) -> Response:
    return render(request, "home.html", {})


@pages.get("/healthz", include_in_schema=False)
@api.get("/healthz")
def healthz(session: SessionDep) -> Response:
    session.execute(text("SELECT 1"))
    return respond_json({"status": "ok", "database": session.get_bind().dialect.name})


class Me(BaseModel):
    username: str
    display_name: str
    role: str
    agency: str
    country: str
    actions: list[str]


@api.get("/me", response_model=Me)
def me(request: Request, user: CurrentUser) -> Me:
    actions = sorted(request.app.state.policy.actions_of(user.role))
    return Me(username=user.username, display_name=user.display_name, role=user.role,
              agency=user.agency.code, country=user.country, actions=actions)


def audit_page_data(session: SessionDep, watch: ChainWatch, page: int, per_page: int = 50) -> dict[str, object]:
    total = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    broken, full_at = watch.check(session)
    return {"entries": [{"id": r.id, "at": r.at, "actor": r.actor, "action": r.action, "target": r.target,
                         "detail": r.detail} for r in rows],
            "total": total, "page": page, "per_page": per_page,
            "chain": {"intact": broken is None, "first_broken": broken.entry_id if broken else None,
                      "reason": broken.reason if broken else None,
                      "full_check_at": full_at.isoformat(timespec="seconds") if full_at else None}}


@pages.get("/audit")
def audit_page(request: Request, session: SessionDep, user: Annotated[Principal, require("audit:view")],
               page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1) -> Response:
    return render(request, "audit.html", audit_page_data(session, request.app.state.audit_watch, page))


@api.get("/audit")
def audit_api(request: Request, session: SessionDep, user: Annotated[Principal, require("audit:view")],
              page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1) -> Response:
    return respond_json(audit_page_data(session, request.app.state.audit_watch, page))


@pages.get("/admin/users")
def users_page(request: Request, session: SessionDep, user: Annotated[Principal, require("admin:users")]) -> Response:
    users = session.scalars(select(User).order_by(User.username)).all()
    return render(request, "users.html", {"users": users})
