"""The shell in a real browser: every demo role logs in, reads the navigation in three languages, and is
refused a page outside its role."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from sulo.accounts.policy import load_policy
from sulo.web.labels import LABELS
from sulo.web.nav import NAV
from tests.browser.conftest import LiveServer, log_in
from tests.conftest import ROLE_USERS

NAV_WORDS = {
    "en": {"/tips": "Tips", "/hashes": "Hashes", "/finance": "Finance", "/audit": "Audit log"},
    "id": {"/tips": "Laporan", "/hashes": "Hash", "/finance": "Keuangan", "/audit": "Log audit"},
    "fil": {"/tips": "Mga ulat", "/hashes": "Mga hash", "/finance": "Pananalapi", "/audit": "Talaan ng audit"},
}
LOCALE_NAMES = {"id": "Bahasa Indonesia", "fil": "Filipino", "en": "English"}


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_role_logs_in_switches_language_and_is_refused_outside_its_role(
        browser: Browser, live_server: LiveServer, role: str) -> None:
    policy = load_policy()
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, ROLE_USERS[role])
    # the role by its name (English on first login), its code kept in the markup
    expect(page.locator("[data-role]")).to_have_attribute("data-role", role)
    expect(page.locator("[data-role]")).to_have_text(LABELS[role])
    visible = {item.href for item in NAV if policy.allows(role, item.action)}
    for locale in ("id", "fil", "en"):
        page.select_option("#locale-select", label=LOCALE_NAMES[locale])
        page.wait_for_load_state("load")
        expect(page.locator("html")).to_have_attribute("lang", locale)
        for href, word in NAV_WORDS[locale].items():
            link = page.locator(f"nav [data-nav='{href}']")
            if href in visible:
                expect(link).to_have_text(word)
            else:
                expect(link).to_have_count(0)
    if role != "admin":
        response = page.goto(f"{live_server.url}/audit")  # the audit log is the administrator's alone
        assert response is not None and response.status == 403
        expect(page.locator("[data-error=forbidden]")).to_be_visible()
    else:
        response = page.goto(f"{live_server.url}/audit")
        assert response is not None and response.status == 200
        expect(page.locator("[data-chain=intact]")).to_be_visible()
    context.close()


def test_wrong_password_shows_a_clear_refusal(browser: Browser, live_server: LiveServer) -> None:
    page = browser.new_page()
    page.goto(f"{live_server.url}/login")
    page.fill("#username", "tina")
    page.fill("#password", "not-the-password")
    page.click("form[action='/login'] button[type=submit]")
    expect(page.locator("[role=alert]")).to_have_text("Wrong username or password.")
    page.close()
