"""Shared fixtures. Every database test runs on SQLite and on PostgreSQL: a migrated template database
(with the demo users) is made once per backend, and each test gets its own copy of it."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from sulo.accounts.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo_users
from sulo.settings import Settings
from sulo.store.db import make_engine, make_session_factory, session_scope, upgrade

PG_ADMIN_URL = os.environ.get("SULO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgres"]


def _pg_admin() -> Engine | None:
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        engine.dispose()
        return None
    return engine


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine | None]:
    engine = _pg_admin()
    yield engine
    if engine is not None:
        engine.dispose()


def _pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


class Databases:
    """Creates throwaway databases and removes them when the test session ends."""

    def __init__(self, admin: Engine | None, root: Path) -> None:
        self.admin, self.root, self.created = admin, root, []  # type: ignore[var-annotated]

    def new(self, backend: str, template: str | None = None) -> str:
        name = f"sulo_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
        if backend == "sqlite":
            path = self.root / f"{name}.db"
            if template is not None:
                shutil.copyfile(template.split("///", 1)[1], path)
            return f"sqlite:///{path}"
        if self.admin is None:
            pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
        with self.admin.connect() as conn:
            clause = f' TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        self.created.append(name)
        return _pg_url(name)

    def drop_all(self) -> None:
        if self.admin is None:
            return
        with self.admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def databases(pg_admin: Engine | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    dbs = Databases(pg_admin, tmp_path_factory.mktemp("databases"))
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def template_url(backend: str, databases: Databases) -> str:
    """A database at the newest revision with the demo agencies and users, copied for each test."""
    url = databases.new(backend)
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(make_session_factory(engine)) as session:
        seed_demo_users(session)
    engine.dispose()  # PostgreSQL copies a template only while nobody is connected to it
    return url


@pytest.fixture
def db_url(backend: str, template_url: str, databases: Databases) -> str:
    return databases.new(backend, template=template_url)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    factory = make_session_factory(engine)
    with factory() as sess:
        yield sess


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=db_url, secret_key="test-secret-" + "x" * 32)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    from sulo.web.app import create_app

    return create_app(settings)


class Client(TestClient):
    """A TestClient that knows its CSRF token, so tests read like what a browser does."""

    csrf: str = ""

    def refresh_csrf(self) -> str:
        page = self.get("/login")
        found = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        assert found, "every page carries its CSRF token"
        self.csrf = found.group(1)
        return self.csrf

    def post_form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)

    def post_json(self, url: str, body: Any, **kwargs: Any) -> Any:
        return self.post(url, json=body, headers={"X-CSRF-Token": self.csrf}, **kwargs)


def login(client: Client, username: str, password: str = DEMO_PASSWORD) -> Client:
    client.refresh_csrf()
    response = client.post_form("/login", {"username": username, "password": password, "next": "/"},
                                follow_redirects=False)
    assert response.status_code == 303, f"login of {username} failed: {response.status_code}"
    client.refresh_csrf()  # the token rotates at login
    return client


ROLE_USERS = {demo.role: demo.username for demo in DEMO_USERS}


@pytest.fixture
def anon_client(app: FastAPI) -> Iterator[Client]:
    with Client(app) as client:
        client.refresh_csrf()
        yield client


@pytest.fixture
def client_for(app: FastAPI) -> Iterator[Callable[[str], Client]]:
    """client_for("tip_analyst") -> a client logged in as that role's demo user."""
    clients: list[Client] = []

    def make(role: str) -> Client:
        client = Client(app)
        client.__enter__()
        clients.append(client)
        return login(client, ROLE_USERS[role])

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture(scope="session")
def world_tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny synthetic world (seeded), generated once per test session."""
    from sulo.synth import generate_world

    out = tmp_path_factory.mktemp("world") / "tiny-7"
    generate_world(out, seed=7, size="tiny")
    return out


@pytest.fixture
def session_factory_for_app(app: FastAPI) -> Any:
    return app.state.session_factory
