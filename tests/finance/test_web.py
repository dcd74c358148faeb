"""The finance pages and API: success, not found and forbidden for each endpoint; dispositions audited;
the STR draft only for escalated alerts, as HTML, PDF and JSON. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.finance import casebook

Client = Any


@pytest.fixture
def screened(client_for: Callable[[str], Client], tmp_path: Path) -> tuple[Client, dict[str, Any]]:
    analyst = client_for("financial_analyst")
    path = casebook.build().write(tmp_path / "cases.csv")
    with path.open("rb") as fh:
        r = analyst.post("/api/finance/screenings", files={"file": ("cases.csv", fh, "text/csv")},
                         headers={"X-CSRF-Token": analyst.csrf})
    assert r.status_code == 201, r.text
    return analyst, r.json()


def top(body: dict[str, Any], account: str) -> dict[str, Any]:
    return next(a for a in body["alerts"] if a["account_id"] == account)


def test_screen_then_queue_and_alert(screened: tuple[Client, dict[str, Any]]) -> None:
    analyst, body = screened
    assert body["alerts"] and body["screenings"][0]["screened"] == len(casebook.build().rows)
    alert = top(body, "f14-c1")
    got = analyst.get(f"/api/finance/alerts/{alert['id']}").json()
    assert [e["indicator_id"] for e in got["evidence"]] == alert["indicators"]
    assert got["chart"]["mark"]["type"] == "point" and len(got["chart"]["data"]["values"]) == 3
    assert got["network"] and got["linked_tips"] == []
    page = analyst.get(f"/finance/alerts/{alert['id']}")
    assert page.status_code == 200 and "payments-chart-spec" in page.text and "F14" not in alert["indicators"]


def test_network_lists_direct_counterparties_first_and_opens_in_the_queue(
        screened: tuple[Client, dict[str, Any]]) -> None:
    analyst, body = screened
    alert = top(body, "f14-c1")
    got = analyst.get(f"/api/finance/alerts/{alert['id']}").json()
    counterparties = {x for p in got["payments"] for x in (p["sender_id"], p["receiver_id"])} - {"f14-c1"}
    flags = [n["direct"] for n in got["network"]]
    assert any(flags) and flags == sorted(flags, reverse=True)   # every direct link before any other
    assert all(n["direct"] == (n["account_id"] in counterparties) for n in got["network"])
    members = analyst.get("/api/finance/alerts", params={"network": alert["network_id"]}).json()["alerts"]
    assert {a["network_id"] for a in members} == {alert["network_id"]}
    assert got["network_size"] == len(members) - 1 == len(got["network"])
    page = analyst.get(f"/finance/alerts/{alert['id']}").text
    assert 'class="direct"' in page and "network-summary" in page


def test_channel_filter_takes_wildcards_literally(screened: tuple[Client, dict[str, Any]]) -> None:
    analyst, _ = screened
    for text in ("%", "_", "remit%", "e_wallet"):
        assert analyst.get("/api/finance/alerts", params={"channel": text}).json()["alerts"] == [], text
    assert analyst.get("/api/finance/alerts", params={"channel": "remittance"}).json()["alerts"]


def test_queue_filters(screened: tuple[Client, dict[str, Any]]) -> None:
    analyst, _ = screened
    only = analyst.get("/api/finance/alerts", params={"typology": "facilitator", "country": "PH",
                                                      "channel": "remittance", "min_score": 3}).json()["alerts"]
    assert only and all(a["typology"] == "facilitator" and a["country"] == "PH" for a in only)
    assert analyst.get("/finance", params={"typology": "sextortion"}).status_code == 200


@pytest.mark.parametrize(("locale", "words", "absent"), [
    # English and Indonesian titles come from the indicator library; Filipino from the UI catalogue.
    ("en", ["Facilitator", "Live-streaming customer", "Receiver", "Open", "Remittance"], ["live_streaming_customer"]),
    ("id", ["Fasilitator", "Pelanggan siaran langsung", "Penerima", "Terbuka", "Pengiriman uang (remitansi)"],
     ["live_streaming_customer"]),
    ("fil", ["Customer ng live streaming", "Tumanggap", "Bukas", "Padala (remittance)"], ["live_streaming_customer"]),
])
def test_pages_name_typologies_roles_statuses_and_channels_in_the_users_language(
        screened: tuple[Client, dict[str, Any]], locale: str, words: list[str], absent: list[str]) -> None:
    analyst, body = screened
    analyst.post_form("/locale", {"locale": locale, "next": "/finance"})
    queue = analyst.get("/finance").text
    alert = analyst.get(f"/finance/alerts/{top(body, 'f14-r')['id']}").text
    for word in words:
        assert word in queue, (locale, word)
    # the ids stay in the markup for scripts and tests, never as the visible text of a cell
    for raw in absent:
        assert f">{raw}<" not in queue and f">{raw} ·" not in alert, (locale, raw)
    assert "data-typology=" in alert
    # the channel filter offers the input format's channels by name and filters by code
    assert '<option value="remittance"' in queue
    only = analyst.get("/finance", params={"channel": "remittance"})
    assert only.status_code == 200 and 'value="remittance" selected' in only.text


def test_same_file_twice_changes_nothing(screened: tuple[Client, dict[str, Any]], tmp_path: Path) -> None:
    analyst, body = screened
    path = casebook.build().write(tmp_path / "again.csv")
    with path.open("rb") as fh:
        again = analyst.post("/api/finance/screenings", files={"file": ("again.csv", fh, "text/csv")},
                             headers={"X-CSRF-Token": analyst.csrf}).json()
    assert again["screening_id"] == body["screening_id"] and len(again["alerts"]) == len(body["alerts"])


def test_disposition_audit_and_str(screened: tuple[Client, dict[str, Any]], session: Session) -> None:
    from sulo.store.audit import AuditEntry

    analyst, body = screened
    alert_id = top(body, "f14-r")["id"]
    assert analyst.get(f"/api/finance/alerts/{alert_id}/str").status_code == 409
    assert analyst.post_json(f"/api/finance/alerts/{alert_id}/disposition", {"status": "dismissed"}).status_code == 422
    assert analyst.post_json(f"/api/finance/alerts/{alert_id}/disposition", {"status": "nonsense"}).status_code == 422
    r = analyst.post_json(f"/api/finance/alerts/{alert_id}/disposition",
                          {"status": "escalated", "reason": "many foreign senders"})
    assert r.status_code == 200 and r.json()["status"] == "escalated"
    draft = analyst.get(f"/api/finance/alerts/{alert_id}/str").json()
    assert draft["subject"]["account_id"] == "f14-r" and draft["transactions"]
    assert draft["grounds"]["analyst_note"] == "many foreign senders"
    html = analyst.get(f"/finance/alerts/{alert_id}/str")
    assert html.status_code == 200 and "DRAFT" in html.text
    pdf = analyst.get(f"/finance/alerts/{alert_id}/str.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    form = analyst.post_form(f"/finance/alerts/{alert_id}/disposition", {"status": "reviewed", "reason": "ok"},
                             follow_redirects=False)
    assert form.status_code == 303
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target == f"finance_alert:{alert_id}"))
    assert list(actions) == ["finance:disposition", "finance:str", "finance:str", "finance:str",
                             "finance:disposition"]


@pytest.mark.parametrize("url", ["/api/finance/alerts/999999", "/api/finance/alerts/999999/str",
                                 "/finance/alerts/999999"])
def test_not_found(client_for: Callable[[str], Client], url: str) -> None:
    assert client_for("financial_analyst").get(url).status_code == 404


@pytest.mark.parametrize(("role", "method", "url"), [
    ("viewer", "get", "/api/finance/alerts"),
    ("tip_analyst", "get", "/finance"),
    ("liaison", "post", "/api/finance/screenings"),
    ("investigator", "post", "/api/finance/alerts/1/disposition"),
    ("liaison", "get", "/api/finance/alerts/1/str"),
])
def test_forbidden(client_for: Callable[[str], Client], role: str, method: str, url: str) -> None:
    client = client_for(role)
    r = client.post_json(url, {"status": "reviewed"}) if method == "post" else client.get(url)
    assert r.status_code == 403
