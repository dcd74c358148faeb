"""Who may call an endpoint is in its signature: typed dependencies for the session, the settings, the
current user, and `require(action)` checking one named action of the policy."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from sulo.accounts.service import user_for_token
from sulo.accounts.tables import User
from sulo.errors import ForbiddenError, SuloError
from sulo.settings import Settings

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class LoginRequired(SuloError):
    kind = "login_required"
    http_status = 401


class CsrfRefused(SuloError):
    kind = "csrf"
    http_status = 403


def _session(request: Request) -> Iterator[Session]:
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(_session, scope="function")]
# A record id in a URL: positive and within the INTEGER range of both databases, so an absurd id is a 422,
# not a driver overflow.
DbId = Annotated[int, Path(ge=1, le=2_147_483_647)]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@dataclass(frozen=True)
class AgencyRef:
    code: str
    name: str
    country: str


@dataclass(frozen=True)
class Principal:
    """Who is calling: a plain snapshot, valid after the request's database session is gone."""

    id: int
    username: str
    display_name: str
    role: str
    agency: AgencyRef
    locale: str

    @property
    def country(self) -> str:
        return self.agency.country

    @classmethod
    def of(cls, user: User) -> Principal:
        agency = AgencyRef(user.agency.code, user.agency.name, user.agency.country)
        return cls(user.id, user.username, user.display_name, user.role, agency, user.locale)


def _current_user(request: Request, session: SessionDep) -> Principal:
    token = _bearer_token(request)
    user: User | None = None
    if token is not None:
        user = user_for_token(session, token)
    elif "user_id" in request.session:
        user = session.get(User, request.session["user_id"])
        if user is not None and request.session.get("nonce") != _session_nonce(user):
            user = None  # password changed or user disabled since this cookie was issued
    if user is None or not user.active:
        raise LoginRequired("log in first")
    principal = Principal.of(user)
    request.state.user = principal
    return principal


CurrentUser = Annotated[Principal, Depends(_current_user)]


def _session_nonce(user: User) -> str:
    # Tied to the password hash: changing a password logs out every other browser.
    return user.password_hash[-16:]


def start_login(request: Request, user: User) -> None:
    request.session.clear()
    request.session.update({"user_id": user.id, "nonce": _session_nonce(user), "locale": user.locale,
                            "csrf": secrets.token_urlsafe(32)})


def require(action: str) -> Any:
    """`Annotated[Principal, require("tips:view")]`: grants the endpoint to users whose role holds `action`,
    and hands the endpoint that user."""
    policy_action = action

    def check(request: Request, user: CurrentUser) -> Principal:
        if not request.app.state.policy.allows(user.role, policy_action):
            raise ForbiddenError(f"your role ({user.role}) may not {policy_action}")
        return user

    check.__name__ = f"require_{action.replace(':', '_').replace('-', '_')}"
    check.required_action = action  # type: ignore[attr-defined]  # read by the permissions test
    return Depends(check)


async def csrf_protect(request: Request) -> None:
    """Every state-changing call with a cookie session carries the session's CSRF token, as the form field
    `csrf_token` or the `X-CSRF-Token` header. Calls with an API token carry no cookie to ride on."""
    if request.method not in UNSAFE_METHODS or _bearer_token(request) is not None:
        return
    expected = request.session.get("csrf")
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(expected, sent):
        raise CsrfRefused("missing or wrong CSRF token: reload the page and try again")
