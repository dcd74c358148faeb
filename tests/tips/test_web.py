"""Tips pages and API: success, not found, forbidden per endpoint; every change audited; no media."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from sulo.settings import Settings
from sulo.store.audit import AuditEntry
from sulo.store.db import make_engine
from sulo.tips.service import TipsContext, run_import
from sulo.tips.tables import TipCaseReferral, TipSubject
from tests.tips.xmlkit import report_xml

PH = "S-700000001"  # in-country PH subject with a live-streaming annotation
ID_SUBJECT = "S-700000009"  # an Indonesian subject: another country's agencies


@pytest.fixture
def seeded(settings: Settings, tips_ctx: TipsContext, tmp_path: Path) -> Settings:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "1.xml").write_bytes(report_xml("700000001", esp_id="u-1", victim_age=9, live=True,
                                              md5="9e107d9d372bb6826bd81d3542a419d6"))
    (folder / "2.xml").write_bytes(report_xml("700000002", esp_id="u-1"))
    (folder / "9.xml").write_bytes(report_xml("700000009", esp_id="u-9", ip="36.68.1.1", victim_country="ID"))
    engine = make_engine(settings.database_url)
    run_import(engine, tips_ctx, actor="seed", paths=[folder])
    engine.dispose()
    return settings


READS = ["/tips/", f"/tips/subjects/{PH}", "/tips/reports/700000001", "/tips/import",
         "/api/tips/subjects", f"/api/tips/subjects/{PH}", "/api/tips/reports/700000001", "/api/tips/quarantine"]


@pytest.mark.parametrize("url", READS)
def test_reads_succeed_for_analyst_and_are_forbidden_for_finance(seeded: Settings, client_for: Callable,
                                                                  url: str) -> None:
    assert client_for("tip_analyst").get(url).status_code == 200
    assert client_for("financial_analyst").get(url).status_code == 403


@pytest.mark.parametrize("url", ["/tips/subjects/S-nope", "/api/tips/subjects/S-nope", "/tips/reports/1",
                                 "/api/tips/reports/1", "/api/tips/preservations/999999"])
def test_not_found(seeded: Settings, client_for: Callable, url: str) -> None:
    assert client_for("tip_analyst").get(url).status_code == 404


def test_other_countrys_subject_is_forbidden(seeded: Settings, client_for: Callable) -> None:
    assert client_for("tip_analyst").get(f"/api/tips/subjects/{ID_SUBJECT}").status_code == 403
    assert client_for("admin").get(f"/api/tips/subjects/{ID_SUBJECT}").status_code == 200


def test_subject_page_shows_reasons_and_hashes_never_media(seeded: Settings, client_for: Callable) -> None:
    client = client_for("tip_analyst")
    page = client.get(f"/tips/subjects/{PH}").text
    assert 'data-signal="live_streaming"' in page and "immediate" in page
    report = client.get("/tips/reports/700000001").text
    assert "9e107d9d372bb6826bd81d3542a419d6" in report and "<img" not in report
    data = client.get(f"/api/tips/subjects/{PH}").json()
    assert data["subject"]["tier"] == "immediate" and data["ties"][0]["kind"] == "esp_id"


@pytest.mark.parametrize(("locale", "label", "detail"), [
    ("en", "Residential", r"<small>\d+ of \d+ reports: "), ("id", "Rumah tangga", r"<small>\d+ dari \d+ laporan: "),
    ("fil", "Residensyal", r"<small>\d+ sa \d+ ulat: ")])
def test_ip_network_class_and_reasons_read_in_the_users_language(seeded: Settings, client_for: Callable,
                                                                 locale: str, label: str, detail: str) -> None:
    client = client_for("tip_analyst")
    data = client.get(f"/api/tips/subjects/{PH}").json()
    assert "residential" in {e["network"] for e in data["ip_timeline"]}   # the API keeps the code
    client.post_form("/locale", {"locale": locale, "next": "/tips/"})
    for url in (f"/tips/subjects/{PH}", "/tips/reports/700000001"):
        page = client.get(url).text
        assert f"<td>{label}" in page and "<td>residential" not in page, url
    assert re.search(detail, client.get(f"/tips/subjects/{PH}").text)


def test_queue_filters_and_sorts(seeded: Settings, client_for: Callable) -> None:
    client = client_for("admin")
    everything = client.get("/api/tips/subjects").json()
    scores = [s["score"] for s in everything["subjects"]]
    assert scores == sorted(scores, reverse=True) and everything["total"] == 2
    assert client.get("/api/tips/subjects?country=ID").json()["total"] == 1
    assert client.get("/api/tips/subjects?annotation=liveStreaming").json()["subjects"][0]["key"] == PH
    assert client.get("/api/tips/subjects?tier=monitor").json()["total"] == 0


def test_actions_are_audited(seeded: Settings, client_for: Callable, session_factory_for_app) -> None:
    client = client_for("tip_analyst")
    assert client.post_json(f"/api/tips/subjects/{PH}/assign", {"assignee": "ivan"}).status_code == 200
    assert client.post_json(f"/api/tips/subjects/{PH}/case", {"note": "urgent"}).status_code == 201
    assert client.post_json(f"/api/tips/subjects/{PH}/not-actionable", {"reason": "dup"}).status_code == 200
    assert client.post_json("/api/tips/subjects/S-nope/assign", {"assignee": "x"}).status_code == 404
    viewer = client_for("viewer")
    assert viewer.post_json(f"/api/tips/subjects/{PH}/assign", {"assignee": "x"}).status_code == 403
    with session_factory_for_app() as s:
        actions = set(s.scalars(select(AuditEntry.action)))
        subject = s.scalar(select(TipSubject).where(TipSubject.key == PH))
        assert s.scalar(select(TipCaseReferral.requested_by)) == "tina"
    assert {"tips:assign", "tips:case-requested", "tips:not-actionable", "tips:import"} <= actions
    assert subject.assigned_to == "ivan" and subject.status == "not_actionable"


def test_pages_post_forms(seeded: Settings, client_for: Callable) -> None:
    client = client_for("tip_analyst")
    r = client.post_form(f"/tips/subjects/{PH}/assign", {"assignee": "ivan"}, follow_redirects=False)
    assert r.status_code == 303
    r = client.post_form(f"/tips/subjects/{PH}/case", {}, follow_redirects=False)
    assert r.status_code == 303
    assert "Case requested" in client.get(f"/tips/subjects/{PH}").text


def test_import_upload(seeded: Settings, client_for: Callable) -> None:
    client = client_for("tip_analyst")
    files = [("files", ("a.xml", report_xml("700000020", esp_id="u-20"), "application/xml")),
             ("files", ("b.xml", b"<report><reportId>x", "application/xml"))]
    r = client.post("/api/tips/import", files=files, headers={"X-CSRF-Token": client.csrf})
    assert r.status_code == 200 and r.json()["imported"] == 1 and r.json()["quarantined"] == 1
    page = client.post("/tips/import", files=files, data={"csrf_token": client.csrf})
    assert page.status_code == 200 and "quarantine" in page.text.lower()
    bad = client.post("/api/tips/import", files=[("files", ("x.exe", b"MZ", "application/octet-stream"))],
                      headers={"X-CSRF-Token": client.csrf})
    assert bad.status_code == 422
    assert client_for("viewer").post("/api/tips/import", files=files).status_code in (403,)
