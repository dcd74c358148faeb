"""Creating users, checking passwords (argon2), API tokens."""

from __future__ import annotations

import contextlib
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from sulo.accounts.policy import load_policy
from sulo.accounts.tables import Agency, ApiToken, User
from sulo.errors import ConflictError, Problem, ValidationError
from sulo.store.audit import audit

_hasher = PasswordHasher()
# Verifying against this keeps the time of a login for an unknown user equal to that of a known one.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD = 10


def ensure_agency(session: Session, code: str, name: str, country: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        agency = Agency(code=code, name=name, country=country)
        session.add(agency)
        session.flush()
    return agency


def create_user(session: Session, username: str, password: str, role: str, agency: Agency,
                display_name: str | None = None, locale: str = "en", actor: str = "system") -> User:
    problems = []
    if role not in load_policy().roles:
        problems.append(Problem(f"unknown role {role!r}", record=username, field="role"))
    if len(password) < MIN_PASSWORD:
        problems.append(Problem(f"at least {MIN_PASSWORD} characters", record=username, field="password"))
    if not username or len(username) > 80 or not username.replace("_", "").replace(".", "").isalnum():
        problems.append(Problem("letters, digits, '.' and '_' only", record=username, field="username"))
    if problems:
        raise ValidationError(problems)
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise ConflictError(f"user {username!r} exists")
    user = User(username=username, display_name=display_name or username, password_hash=_hasher.hash(password),
                role=role, agency=agency, locale=locale, active=True)
    session.add(user)
    session.flush()
    audit(session, actor, "user.create", f"user:{username}", {"role": role, "agency": agency.code})
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def issue_token(session: Session, user: User, name: str) -> str:
    token = "sulo_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, token_hash=_digest(token)))
    audit(session, user.username, "token.issue", f"user:{user.username}", {"name": name})
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    return row.user if row is not None and row.user.active else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
