"""One function builds a page's data; HTML and JSON are two renderings of it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from sulo.web.i18n import LOCALES
from sulo.web.labels import label, reason_detail
from sulo.web.nav import NAV

TEMPLATE_DIR = Path(__file__).with_name("templates")
# Far beyond any real queue, and small enough that page * size stays a valid database integer.
MAX_PAGE = 1_000_000


def make_environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=select_autoescape(["html", "xml"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = _format_when
    env.filters["label"] = label
    env.filters["reason_detail"] = reason_detail
    env.filters["tojson_pretty"] = lambda value: json.dumps(jsonable_encoder(value), indent=2, ensure_ascii=False)
    return env


def _format_when(value: dt.datetime | None) -> str:
    return "" if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def page_context(request: Request) -> dict[str, Any]:
    """What every page needs: the user, the CSRF token, the translator, the navigation."""
    state = request.state
    user = getattr(state, "user", None)
    policy = request.app.state.policy
    nav = [item for item in NAV if user is not None and policy.allows(user.role, item.action)]
    return {
        "request": request,
        "user": user,
        "csrf_token": request.session.get("csrf", ""),
        "_": request.app.state.catalogs.gettext(getattr(state, "locale", "en")),
        "locale": getattr(state, "locale", "en"),
        "locales": LOCALES,
        "nav": nav,
        "current_path": request.url.path,
        # Templates hide what the user may not do; the route still checks (this is courtesy, not control).
        "can": lambda action: user is not None and policy.allows(user.role, action),
    }


def render(request: Request, template: str, data: dict[str, Any] | None = None, status: int = 200) -> Response:
    env: Environment = request.app.state.templates
    context = page_context(request) | (data or {})
    html = env.get_template(template).render(context)
    return HTMLResponse(html, status_code=status)


def respond_json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(jsonable_encoder(data), status_code=status)
