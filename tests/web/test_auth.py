"""Login, sessions, CSRF and language: what every user meets before any stage."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from sulo.accounts.demo import DEMO_PASSWORD
from tests.conftest import ROLE_USERS, Client, login


def test_pages_redirect_to_login_and_api_answers_401(anon_client: Client) -> None:
    page = anon_client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=/")
    api = anon_client.get("/api/me")
    assert api.status_code == 401
    assert api.json()["error"] == "login_required"


def test_login_with_wrong_password_is_refused_clearly(anon_client: Client) -> None:
    response = anon_client.post_form("/login", {"username": "tina", "password": "wrong-password-x"})
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert anon_client.get("/api/me").status_code == 401


@pytest.mark.parametrize("form", [
    {"username": "", "password": ""},
    {"username": "tina"},
    {"username": "x" * 81, "password": DEMO_PASSWORD},
    {"username": "nobody", "password": DEMO_PASSWORD},
    {"username": "tina' OR '1'='1", "password": "' OR '1'='1"},
])
def test_bad_login_input_is_refused_without_a_session(anon_client: Client, form: dict[str, str]) -> None:
    response = anon_client.post_form("/login", form)
    assert response.status_code in (401, 422)
    assert anon_client.get("/api/me").status_code == 401


def test_login_without_csrf_token_is_refused(anon_client: Client) -> None:
    response = anon_client.post("/login", data={"username": "tina", "password": DEMO_PASSWORD})
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert anon_client.get("/api/me").status_code == 401


def test_state_change_with_a_foreign_csrf_token_is_refused(client_for) -> None:
    client = client_for("tip_analyst")
    response = client.post("/locale", data={"locale": "id", "csrf_token": "forged"})
    assert response.status_code == 403
    json_call = client.post("/api/tips/import", headers={"X-CSRF-Token": "forged"})
    assert json_call.status_code == 403 and json_call.json()["error"] == "csrf"
    unsent = client.post("/api/tips/import")
    assert unsent.status_code == 403 and unsent.json()["error"] == "csrf"


def test_login_then_logout(app: FastAPI) -> None:
    with Client(app) as client:
        login(client, "tina")
        me = client.get("/api/me").json()
        assert me["role"] == "tip_analyst" and me["country"] == "PH" and "tips:view" in me["actions"]
        client.post_form("/logout")
        assert client.get("/api/me").status_code == 401


def test_session_cookie_is_http_only_and_same_site(app: FastAPI) -> None:
    with Client(app) as client:
        client.refresh_csrf()
        response = client.post_form("/login", {"username": "tina", "password": DEMO_PASSWORD}, follow_redirects=False)
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie


def test_open_redirect_after_login_is_refused(anon_client: Client) -> None:
    response = anon_client.post_form("/login", {"username": "tina", "password": DEMO_PASSWORD,
                                                "next": "//evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/"


@pytest.mark.parametrize(("locale", "word"), [("id", "Keluar"), ("fil", "Mag-log out"), ("en", "Log out")])
def test_language_switch_translates_navigation(client_for, locale: str, word: str) -> None:
    client = client_for("admin")
    client.post_form("/locale", {"locale": locale, "next": "/"})
    assert word in client.get("/").text


def test_api_token_works_without_csrf(app: FastAPI, session_factory_for_app) -> None:
    from sqlalchemy import select

    from sulo.accounts.service import issue_token
    from sulo.accounts.tables import User

    with session_factory_for_app() as session:
        user = session.scalar(select(User).where(User.username == ROLE_USERS["financial_analyst"]))
        token = issue_token(session, user, "test")
        session.commit()
    with Client(app) as client:
        me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.json()["username"] == "fajar"
        assert client.get("/api/me", headers={"Authorization": "Bearer sulo_wrong"}).status_code == 401


def test_healthz(anon_client: Client, backend: str) -> None:
    body = anon_client.get("/api/healthz").json()
    assert body["status"] == "ok"
    assert body["database"] == ("postgresql" if backend == "postgres" else "sqlite")


def test_codes_render_as_translated_labels(app: FastAPI) -> None:
    from sulo.web.labels import LABELS

    env = app.state.templates
    template = env.from_string("{{ code|label }}")
    indonesian = app.state.catalogs.gettext("id")
    assert template.render(code="urgent", _=indonesian) == "Mendesak"
    assert template.render(code="no_such_code", _=indonesian) == "no_such_code"
    assert set(LABELS) >= {"immediate", "urgent", "standard", "monitor"}
