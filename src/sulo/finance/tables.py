"""Operational tables of the finance stage: screenings, their alerts (with evidence) and the evidence payments."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sulo.store.db import Base, UTCDateTime, utcnow

STATUSES = ("open", "reviewed", "escalated", "dismissed")


class Screening(Base):
    """One screened file: who ran it, on which engine, how many rows were screened or quarantined."""

    __tablename__ = "finance_screening"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    content_sha256: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    engine: Mapped[str] = mapped_column(String(20), nullable=False)
    rows: Mapped[int] = mapped_column(Integer, nullable=False)
    screened: Mapped[int] = mapped_column(Integer, nullable=False)
    quarantined: Mapped[int] = mapped_column(Integer, nullable=False)
    quarantine: Mapped[str] = mapped_column(Text, nullable=False, default="[]")  # JSON: first problems
    alert_count: Mapped[int] = mapped_column(Integer, nullable=False)
    created_by: Mapped[str] = mapped_column(String(80), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class FinanceAlert(Base):
    __tablename__ = "finance_alert"
    __table_args__ = (UniqueConstraint("screening_id", "alert_key", name="uq_finance_alert_screening_id"),
                      Index("ix_finance_alert_status_score", "status", "score"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("finance_screening.id", ondelete="CASCADE"),
                                              nullable=False, index=True)
    alert_key: Mapped[str] = mapped_column(String(300), nullable=False)   # typology:role:account
    account_id: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    account_name: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    role: Mapped[str] = mapped_column(String(10), nullable=False)
    typology: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    threshold: Mapped[float] = mapped_column(Float, nullable=False)
    indicators: Mapped[str] = mapped_column(String(300), nullable=False)   # ';'-joined
    country: Mapped[str] = mapped_column(String(2), nullable=False, default="")
    channels: Mapped[str] = mapped_column(String(100), nullable=False, default="")  # ';'-joined
    network_id: Mapped[str | None] = mapped_column(String(220), index=True)
    evidence: Mapped[str] = mapped_column(Text, nullable=False)   # JSON list, see model.Evidence.as_dict
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="open")
    status_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    updated_by: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class AlertPayment(Base):
    """The payments shown as evidence for one alert (at most the library's evidence limit per indicator)."""

    __tablename__ = "finance_alert_payment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("finance_alert.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    txn_id: Mapped[str] = mapped_column(String(200), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    sender_id: Mapped[str] = mapped_column(String(200), nullable=False)
    receiver_id: Mapped[str] = mapped_column(String(200), nullable=False)
    amount: Mapped[float] = mapped_column(Float, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    usd: Mapped[float] = mapped_column(Float, nullable=False)
    channel: Mapped[str] = mapped_column(String(12), nullable=False)
    reference: Mapped[str] = mapped_column(Text, nullable=False, default="")
