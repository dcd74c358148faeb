"""A financial analyst screens a file, opens the top alert, reads the evidence, escalates it and downloads
the STR draft - in a real browser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.finance import casebook


def test_analyst_screens_escalates_and_downloads_str(page_as: Callable[[str], Page], live_server: LiveServer,
                                                     tmp_path: Path) -> None:
    path = casebook.build().write(tmp_path / "payments.csv")
    page = page_as("financial_analyst")
    page.goto(f"{live_server.url}/finance")
    expect(page.locator("#alert-queue")).to_contain_text("No alerts")
    page.set_input_files("#screen-form input[type=file]", str(path))
    page.click("#screen-form button[type=submit]")
    expect(page.locator("#screenings")).to_contain_text("payments.csv")
    expect(page.locator("#alert-queue .alert-link").first).to_be_visible()

    page.locator("#alert-queue .alert-link").first.click()
    expect(page.locator("#evidence tr.indicator").first).to_be_visible()
    expect(page.locator("#evidence")).to_contain_text("F1")
    expect(page.locator("#evidence .ids").first).to_contain_text("T0")
    expect(page.locator("#payments-chart svg, #payments-chart canvas").first).to_be_visible()

    # the alert's network: direct counterparties first, and the whole network as a queue
    network_id = page.locator("#network-summary").inner_text().split(":")[0]
    page.click("#network-queue")
    expect(page.locator("#alert-filter input[name=network]")).to_have_value(network_id)
    rows = page.locator("#alert-queue tbody tr")
    assert rows.count() >= 2
    for i in range(rows.count()):
        expect(rows.nth(i).locator("td").nth(7)).to_have_text(network_id)
    page.go_back()

    page.select_option("#disposition-status", "escalated")
    page.fill("#disposition-reason", "pattern consistent with a facilitator")
    page.click("#disposition-form button[type=submit]")
    expect(page.locator("#alert-status")).to_contain_text("Escalated")

    with page.expect_download() as download:
        page.click("#str-pdf")
    saved = tmp_path / "str.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    page.click("#str-view")
    expect(page.locator("h1")).to_contain_text("DRAFT")
    expect(page.locator("#str-account")).not_to_be_empty()
