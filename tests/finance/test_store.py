"""A stored screening keeps every alert and, for each, exactly the payments its evidence names, with the
values of the input file. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sulo.finance.screen import screen_file
from sulo.finance.service import save_screening
from sulo.finance.tables import AlertPayment, FinanceAlert
from sulo.store.files import file_sha256


def test_saved_alerts_hold_their_evidence_payments(session: Session, world_tiny: Path) -> None:
    path = world_tiny / "transactions.parquet"
    loaded, result = screen_file(path)
    scr = save_screening(session, path.name, file_sha256(path), "duckdb", loaded, result, "tester")
    session.flush()
    stored = {a.alert_key: a for a in session.scalars(select(FinanceAlert).where(FinanceAlert.screening_id == scr.id))}
    assert len(stored) == len(result.alerts) > 20
    source = {r["txn_id"]: r for r in pq.read_table(path).to_pylist()}
    for alert in result.alerts:
        row = stored[alert.alert_id]
        assert (row.account_id, row.typology, row.indicators) == (alert.account_id, alert.typology,
                                                                  ";".join(alert.indicators))
        payments = session.scalars(select(AlertPayment).where(AlertPayment.alert_id == row.id)).all()
        assert sorted(p.txn_id for p in payments) == sorted({t for e in alert.evidence for t in e.txn_ids})
        for p in payments:
            src = source[p.txn_id]
            assert (p.sender_id, p.receiver_id, p.currency, p.channel) == (
                src["sender_id"], src["receiver_id"], src["currency"], src["channel"])
            assert abs(p.amount - float(src["amount"])) < 1e-6
            assert p.at.timestamp() == int(src["timestamp"].timestamp())
    # The same file again changes nothing.
    again = save_screening(session, path.name, file_sha256(path), "duckdb", loaded, result, "tester")
    assert again.id == scr.id
    assert session.scalar(select(func.count()).select_from(FinanceAlert)) == len(result.alerts)


def test_a_screening_without_payment_details_gives_the_same_alerts_but_is_not_stored(
        session: Session, world_tiny: Path) -> None:
    """`sulo finance screen` skips the payments' amounts and references (its alert file does not show them):
    the alerts are the same, and such a result cannot be stored half-empty."""
    path = world_tiny / "transactions.parquet"
    loaded, full = screen_file(path)
    _, lean = screen_file(path, payment_details=False)
    assert lean.payments is None and full.payments is not None
    assert [a.key() for a in lean.alerts] == [a.key() for a in full.alerts]
    before = session.scalar(select(func.count()).select_from(FinanceAlert))
    with pytest.raises(ValueError, match="without payment details"):
        save_screening(session, path.name, file_sha256(path), "duckdb", loaded, lean, "tester")
    assert session.scalar(select(func.count()).select_from(FinanceAlert)) == before
