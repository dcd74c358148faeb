"""A stored screening keeps every alert and, for each, exactly the payments its evidence names, with the
values of the input file. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sulo.errors import ValidationError
from sulo.finance.screen import screen_file
from sulo.finance.service import save_screening
from sulo.finance.tables import AlertPayment, FinanceAlert, Screening
from sulo.store.files import file_sha256
from tests.finance import casebook


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
            assert p.at.timestamp() == int(src["timestamp"].timestamp()) and p.at.tzinfo is not None
            assert p.reference == (src["reference"] or "")
            assert abs(p.usd - result.payments[p.txn_id]["usd"]) < 1e-9
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


AWKWARD = ["tab\there", "line\nbreak", "back\\slash", "\\N", "quote \" and ' and ,", "Selamat 😀 ñ", ""]


def test_references_are_stored_exactly(session: Session, tmp_path: Path) -> None:
    """Stored evidence payments keep each reference byte for byte, whatever the database's bulk path
    (PostgreSQL's COPY has its own escapes: tab, newline, backslash, \\N)."""
    book = casebook.Book()
    for i, ref in enumerate(AWKWARD * 2):   # 14 small payments from three foreign senders: F1, F3
        book.pay(i * 3600, f"aw-s{i % 3}", "aw-r", 50, ref=ref)
    path = book.write(tmp_path / "awkward.csv")
    loaded, result = screen_file(path)
    scr = save_screening(session, path.name, file_sha256(path), "duckdb", loaded, result, "tester")
    session.flush()
    stored = session.execute(select(AlertPayment.txn_id, AlertPayment.reference).join(
        FinanceAlert, FinanceAlert.id == AlertPayment.alert_id).where(FinanceAlert.screening_id == scr.id)).all()
    expected = {row[0]: row[-1] for row in book.rows}
    assert stored and {ref for _, ref in stored} == set(AWKWARD)
    assert all(ref == expected[txn] for txn, ref in stored)


def test_a_nul_character_is_refused_by_name_before_anything_is_written(session: Session, tmp_path: Path) -> None:
    """PostgreSQL cannot store NUL (0x00): the screening is refused on both databases, naming each payment and
    field, and nothing is written."""
    book = casebook.Book()
    for i in range(6):
        book.pay(i * 3600, f"nul-s{i % 3}", "nul-r", 50, ref="gift\x00" if i == 0 else "x",
                 rn="Ben\x00 Cruz" if i == 1 else None)
    path = book.write(tmp_path / "nul.csv")
    loaded, result = screen_file(path)
    assert loaded.n_quarantined == 0 and result.alerts   # the screening itself holds the character
    with pytest.raises(ValidationError) as caught:
        save_screening(session, path.name, file_sha256(path), "duckdb", loaded, result, "tester")
    named = {(p.record, p.field) for p in caught.value.problems}
    assert ("T00000", "reference") in named and ("nul-r", "account_name") in named
    assert session.scalar(select(func.count()).select_from(Screening)) == 0
