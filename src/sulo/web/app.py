"""create_app(settings): the whole web application, built from explicit settings (no global state)."""

from __future__ import annotations

import importlib
import secrets
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from sulo.accounts.policy import load_policy
from sulo.errors import SuloError
from sulo.settings import Settings
from sulo.store.audit import ChainWatch
from sulo.store.db import make_engine, make_session_factory, upgrade
from sulo.web.deps import LoginRequired, csrf_protect
from sulo.web.i18n import load_catalogs, pick_locale
from sulo.web.render import make_environment, render, respond_json

STATIC_DIR = Path(__file__).with_name("static")
# Stage route modules, mounted at /<stage> (pages) and /api/<stage> (JSON). A stage added later is one
# more name here and one more folder.
STAGE_ROUTES = ["tips", "hashes", "finance"]


def create_app(settings: Settings, *, migrate: bool = True) -> FastAPI:
    settings.ensure_data_dir()
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    app = FastAPI(title="sulo", version="0.1.0", docs_url="/api/docs", openapi_url="/api/openapi.json",
                  redoc_url=None, dependencies=[Depends(csrf_protect)])
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.policy = load_policy()
    app.state.audit_watch = ChainWatch()
    app.state.catalogs = load_catalogs()
    app.state.templates = make_environment()
    # Starlette runs the last-added middleware first: the session must wrap the locale step.
    _add_locale_middleware(app)
    app.add_middleware(SessionMiddleware, secret_key=settings.resolved_secret_key(), session_cookie="sulo_session",
                       max_age=settings.session_max_age_s, same_site="lax", https_only=settings.secure_cookies)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _add_error_handlers(app)
    from sulo.web.routes import core

    app.include_router(core.pages)
    app.include_router(core.api, prefix="/api")
    for stage in STAGE_ROUTES:
        _include_stage(app, stage)
    return app


def _include_stage(app: FastAPI, stage: str) -> None:
    try:
        module = importlib.import_module(f"sulo.web.routes.{stage}")
    except ModuleNotFoundError as exc:
        if exc.name == f"sulo.web.routes.{stage}":
            return  # the stage is not built in this deployment
        raise
    app.include_router(module.pages, prefix=f"/{stage}", include_in_schema=False)
    app.include_router(module.api, prefix=f"/api/{stage}", tags=[stage])


def _add_locale_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def locale(request: Request, call_next):  # type: ignore[no-untyped-def]
        settings: Settings = request.app.state.settings
        requested = request.query_params.get("lang") or request.session.get("locale")
        request.state.locale = pick_locale(requested, settings.default_locale)
        if "csrf" not in request.session:
            request.session["csrf"] = secrets.token_urlsafe(32)
        return await call_next(request)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SuloError)
    async def sulo_error(request: Request, exc: SuloError) -> Response:
        if isinstance(exc, LoginRequired) and not _wants_json(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={target}", status_code=303)
        if _wants_json(request):
            return respond_json(exc.as_dict(), status=exc.http_status)
        return render(request, "error.html", {"error": exc.as_dict()}, status=exc.http_status)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [{"record": None, "field": ".".join(str(p) for p in err["loc"][1:]) or None,
                     "message": err["msg"]} for err in exc.errors()]
        body = {"error": "validation", "message": "the request is not valid", "problems": problems}
        if _wants_json(request):
            return respond_json(body, status=422)
        return render(request, "error.html", {"error": body}, status=422)
