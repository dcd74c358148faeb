"""Tips find the alerts whose payments name a reported screen name, phone or e-mail."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

import sulo.finance
from sulo.finance.tables import AlertPayment, FinanceAlert, Screening


def _alert(session: Session, key: str, account: str, reference: str) -> None:
    screening = session.query(Screening).first()
    if screening is None:
        screening = Screening(name="t.csv", content_sha256="0" * 64, engine="duckdb", rows=1, screened=1,
                              quarantined=0, alert_count=1, quarantine="[]", created_by="test")
        session.add(screening)
        session.flush()
    alert = FinanceAlert(screening_id=screening.id, alert_key=key, account_id=account, account_name="",
                         role="sender", typology="live_streaming_customer", score=5.0, threshold=4.0,
                         indicators="F1;F7", country="US", channels="remittance", status="open", evidence="[]")
    session.add(alert)
    session.flush()
    session.add(AlertPayment(alert_id=alert.id, txn_id=f"T-{key}", at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
                             sender_id=account, receiver_id="EW-PH-1", amount=20.0, currency="USD", usd=20.0,
                             channel="remittance", reference=reference))
    session.flush()


def test_screen_name_phone_and_email_find_their_alerts(session: Session) -> None:
    _alert(session, "a1", "EW-PH-639171234567", "gift for @Mdc_1988 thanks")
    _alert(session, "a2", "wallet.user@mail.example", "school fees")
    links = sulo.finance.alerts_for_identifiers(session, [
        ("screen_name", "streamnow:mdc_1988"), ("phone", "+639171234567"), ("email", "wallet.user@mail.example"),
        ("screen_name", "streamnow:someone_else"), ("esp_id", "streamnow:u-1")])
    assert links == {("screen_name", "streamnow:mdc_1988"): ["a1"], ("phone", "+639171234567"): ["a1"],
                     ("email", "wallet.user@mail.example"): ["a2"]}


def test_no_alerts_no_links(session: Session) -> None:
    assert sulo.finance.alerts_for_identifiers(session, [("screen_name", "x:y")]) == {}
