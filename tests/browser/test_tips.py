"""An analyst imports a batch, opens the top subject, sees the reasons, assigns it and opens a case."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.tips.xmlkit import report_xml


def _batch(tmp_path: Path) -> Path:
    path = tmp_path / "batch-0001.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("800000001.xml", report_xml("800000001", esp_id="u-1", victim_age=9, live=True,
                                                md5="9e107d9d372bb6826bd81d3542a419d6"))
        zf.writestr("800000002.xml", report_xml("800000002", esp_id="u-1"))
        zf.writestr("800000003.xml", report_xml("800000003", esp_id="u-3", ip="8.8.8.8"))
        zf.writestr("800000004.xml", b"<report><reportId>800000004</reportId></report>")
    return path


def test_analyst_imports_triages_assigns_and_opens_a_case(page_as: Callable[[str], Page], tmp_path: Path) -> None:
    page = page_as("tip_analyst")
    base = page.url.split("/", 3)[:3]
    page.goto("/".join(base) + "/tips/import")
    page.set_input_files("#import-form input[type=file]", str(_batch(tmp_path)))
    page.click("#import-form button[type=submit]")
    expect(page.locator("#import-result")).to_contain_text("Imported 3")
    expect(page.locator("#quarantine")).to_contain_text("incidentSummary/incidentType")
    page.goto("/".join(base) + "/tips/")
    first = page.locator("#queue tbody tr").first
    expect(first).to_have_attribute("data-tier", "immediate")
    first.locator("a[data-subject]").click()
    expect(page.locator("#reasons [data-signal='live_streaming']")).to_be_visible()
    expect(page.locator("#reasons [data-signal='victim_in_country']")).to_be_visible()
    page.fill("#assign-form input[name=assignee]", "ivan")
    page.click("#assign-form button[type=submit]")
    expect(page.locator("#assigned")).to_have_text("ivan")
    page.click("#case-form button[type=submit]")
    expect(page.locator("#referrals")).to_contain_text("Case requested")
    assert "<img" not in page.content()
