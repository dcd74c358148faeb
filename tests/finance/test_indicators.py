"""Every indicator on hand-built cases (fires, does not fire, boundary), on DuckDB and on Spark."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sulo.errors import ConfigError
from sulo.finance import rules
from sulo.finance.model import ScreenResult
from sulo.finance.screen import screen_file
from tests.finance import casebook
from tests.finance.conftest import backend_for

BOOK = casebook.build()


@pytest.fixture(scope="session")
def casebook_result(engine_name: str, request: pytest.FixtureRequest,
                    tmp_path_factory: pytest.TempPathFactory) -> ScreenResult:
    path = BOOK.write(tmp_path_factory.mktemp("casebook") / "cases.csv")
    loaded, result = screen_file(path, engine=engine_name, backend=backend_for(engine_name, request),
                                 with_hits=True, strict=True)
    assert loaded.n_quarantined == 0
    return result


def fired(result: ScreenResult) -> set[tuple[str, str, str]]:
    return {(h["indicator_id"], h["account_id"], h["role"]) for h in result.hits}


@pytest.mark.parametrize("case", BOOK.fires, ids=lambda c: f"{c[0]}-{c[1]}")
def test_fires(casebook_result: ScreenResult, case: tuple[str, str, str]) -> None:
    assert case in fired(casebook_result)


@pytest.mark.parametrize("case", BOOK.quiet, ids=lambda c: f"{c[0]}-{c[1]}")
def test_does_not_fire(casebook_result: ScreenResult, case: tuple[str, str, str]) -> None:
    assert case not in fired(casebook_result)


def test_every_indicator_has_cases() -> None:
    ids = {i.id for i in rules.load_library().indicators}
    assert {c[0] for c in BOOK.fires} == ids
    assert {c[0] for c in BOOK.quiet} == ids


def hit(result: ScreenResult, ind: str, account: str, role: str) -> dict[str, Any]:
    return next(h for h in result.hits if (h["indicator_id"], h["account_id"], h["role"]) == (ind, account, role))


def test_evidence_lists_transactions_counts_and_window(casebook_result: ScreenResult) -> None:
    h = hit(casebook_result, "F3", "f3-r", "receiver")
    assert h["n_txn"] == 3 and round(h["total_usd"], 2) == 150.0
    assert h["last_ts"] - h["first_ts"] == 4 * casebook.D
    assert len(h["txn_ids"]) == 3 and h["txn_ids"] == sorted(h["txn_ids"])


def test_network_alerts_share_a_network_id(casebook_result: ScreenResult) -> None:
    nets = {a.account_id: a.network_id for a in casebook_result.alerts}
    assert nets["f14-c1"] is not None and nets["f14-c1"] == nets["f14-c2"] == nets.get("f14-r", nets["f14-c1"])


def test_customer_alert_explains_itself(casebook_result: ScreenResult) -> None:
    alert = next(a for a in casebook_result.alerts
                 if a.account_id == "f14-c1" and a.typology == "live_streaming_customer")
    assert alert.indicators == ["F1", "F2", "F6", "F9", "F11"]
    assert alert.score == pytest.approx(4.5)
    assert [e.indicator_id for e in alert.evidence] == alert.indicators
    assert all(e.n_txn == 3 for e in alert.evidence)


def test_added_indicators_reuse_kinds(tmp_path: Path, engine_name: str, request: pytest.FixtureRequest) -> None:
    """A deployment adds indicators by data only: another threshold rule and another keyword list."""
    data = rules.read_data_file(rules.DEFAULT_FILE)
    data["indicators"].append({
        "id": "X1", "title": {"en": "Two senders in a week", "id": "Dua pengirim dalam seminggu"},
        "source": "test", "definition": "F1 from >= 2 senders in 7 days", "kind": "window_count",
        "params": {"of": "F1", "role": "receiver", "group_by": ["receiver_id"], "count_distinct": "sender_id",
                   "window_days": 7, "min_count": 2}, "ours": ["min_count"]})
    data["indicators"].append({
        "id": "X2", "title": {"en": "Video call word", "id": "Kata panggilan video"}, "source": "test",
        "definition": "reference mentions a video call", "kind": "reference_match",
        "params": {"keywords": ["vidcall", "video call"]}})
    data["typologies"][0]["weights"]["X2"] = 5.0
    lib = rules.resolve_library(data, "test")
    book = casebook.Book()
    book.pay(0, "a", "r1")
    book.pay(2 * casebook.D, "b", "r1", ref="via VidCall")
    book.pay(0, "c", "r2")
    book.pay(8 * casebook.D, "d", "r2")
    _, result = screen_file(book.write(tmp_path / "x.csv"), engine=engine_name, library=lib,
                            backend=backend_for(engine_name, request), with_hits=True)
    got = fired(result)
    assert ("X1", "r1", "receiver") in got and ("X1", "r2", "receiver") not in got
    assert ("X2", "b", "sender") in got and ("X2", "a", "sender") not in got
    assert any(a.account_id == "b" and "X2" in a.indicators for a in result.alerts)


def test_alerts_name_each_account_countries_and_channels(casebook_result: ScreenResult) -> None:
    """Inside the screening countries and channels are integer codes; alerts and stored payments carry the
    texts again: the alert's country is the smallest of the account's countries in its role, its channels
    every channel it used in that role, and each evidence payment its own channel."""
    seen: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    for row in BOOK.rows:
        for account, role, country in ((row[2], "sender", row[4]), (row[5], "receiver", row[7])):
            countries, channels = seen.setdefault((account, role), (set(), set()))
            countries.add(country)
            channels.add(row[10])
    alerts = casebook_result.alerts
    assert any(len(a.channels) > 1 for a in alerts), "the casebook should hold an account using two channels"
    for a in alerts:
        countries, channels = seen[(a.account_id, a.role)]
        assert (a.country, a.channels) == (min(countries), sorted(channels)), a.account_id
    victim = next(a for a in alerts if a.account_id == "f13-v")
    assert (victim.country, victim.channels) == ("AU", ["card", "ewallet"])
    channel_of = {row[0]: row[10] for row in BOOK.rows}
    assert len(casebook_result.payments) > 0
    assert all(p["channel"] == channel_of[txn_id] for txn_id, p in casebook_result.payments.items())


@pytest.mark.parametrize("pattern", ["a)|(b", r"(cam)\1", "(?x) cam # a comment", r"\Qcam"])
def test_a_pattern_that_is_not_one_whole_shared_expression_is_refused_at_load(pattern: str) -> None:
    """An indicator's patterns are matched as one alternation: a fragment, a backreference or the verbose flag
    would change meaning once joined (or differ between RE2 and Java), so the library refuses them by name."""
    data = rules.read_data_file(rules.DEFAULT_FILE)
    data["indicators"].append({"id": "X3", "title": {"en": "Cam", "id": "Kam"}, "source": "test",
                               "definition": "reference pattern", "kind": "reference_match",
                               "params": {"patterns": ["@[a-z]{3,}", pattern]}})
    with pytest.raises(ConfigError) as caught:
        rules.resolve_library(data, "test")
    assert "X3" in str(caught.value) and "patterns" in str(caught.value)
