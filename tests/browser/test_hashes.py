"""An analyst views the hash lists and a scan result in a real browser: hashes and categories, no images."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import Page, expect

from sulo.hashes.scan import scan
from sulo.hashes.scans import match_scan, store_scan
from sulo.hashes.service import ListMeta, import_list
from sulo.store.db import session_scope
from tests.browser.conftest import LiveServer


def _seed(live_server: LiveServer, tmp_path: Path) -> int:
    root = tmp_path / "in"
    root.mkdir()
    rng = np.random.default_rng(9)
    Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)).resize((320, 240)).save(root / "a.png")
    (root / "empty.bin").write_bytes(b"")
    records = {r.path: r for r in scan(root, tmp_path / "scan.csv", workers=1)}
    with session_scope(live_server.app.state.session_factory) as session:
        import_list(session, ListMeta("synthetic-pdq", "ThreatExchange (synthetic)", "industry", "TLP:AMBER", "4"),
                    "pdq", f"pdq,quality,category\n{records['a.png'].pdq},100,B1\n".encode(), "test")
        stored = store_scan(session, "scan.csv", (tmp_path / "scan.csv").read_bytes(), "test")
        match_scan(session, stored.id, None, "test")
        return stored.id


def test_analyst_views_lists_and_scan_result(page_as: Callable[[str], Page], live_server: LiveServer,
                                             tmp_path: Path) -> None:
    scan_id = _seed(live_server, tmp_path)
    page = page_as("investigator")
    page.goto(f"{live_server.url}/hashes")
    expect(page.locator("#hash-lists")).to_contain_text("synthetic-pdq")
    expect(page.locator("#hash-lists")).to_contain_text("TLP:AMBER")
    expect(page.locator("img")).to_have_count(0)
    page.click(f"a[href='/hashes/scans/{scan_id}']")
    expect(page.locator("#by-category")).to_contain_text("B1")
    expect(page.locator("#problems")).to_contain_text("empty file")
    expect(page.locator("img")).to_have_count(0)
    page.locator("#matched a").first.click()
    expect(page.locator("dl")).to_contain_text("synthetic-pdq")
    expect(page.locator("img")).to_have_count(0)
