"""Browser fixtures: the real app served by uvicorn on a free localhost port, driven by Playwright in
Debian's Chromium. Browser journeys run on SQLite; the same endpoints run on PostgreSQL in tests/web."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright

from sulo.accounts.demo import DEMO_PASSWORD
from sulo.settings import Settings
from sulo.store.db import make_engine, make_session_factory, session_scope, upgrade
from tests.conftest import ROLE_USERS, Databases

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags that keep Chromium from reaching out to the network, which this machine refuses anyway.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def sqlite_template(databases: Databases) -> str:
    from sulo.accounts.demo import seed_demo_users

    url = databases.new("sqlite")
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(make_session_factory(engine)) as session:
        seed_demo_users(session)
    engine.dispose()
    return url


@dataclass
class LiveServer:
    url: str
    app: FastAPI
    settings: Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(tmp_path: Path, databases: Databases, sqlite_template: str) -> Iterator[LiveServer]:
    from sulo.web.app import create_app

    settings = Settings(data_dir=tmp_path / "data", database_url=databases.new("sqlite", template=sqlite_template),
                        secret_key="browser-test-" + "x" * 32)
    app = create_app(settings)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    yield LiveServer(f"http://127.0.0.1:{port}", app, settings)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def log_in(page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{base_url}/")


@pytest.fixture
def page_as(browser: Browser, live_server: LiveServer) -> Iterator[Callable[[str], Page]]:
    """page_as("financial_analyst") -> a page logged in as that role's demo user."""
    contexts = []

    def make(role: str) -> Page:
        context = browser.new_context(accept_downloads=True)
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        log_in(page, live_server.url, ROLE_USERS[role])
        return page

    yield make
    for context in contexts:
        context.close()
