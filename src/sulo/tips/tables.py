"""Tables of the tips stage. Natural keys carry the idempotency: tips_report.report_id is unique.

Report-side rows (identifiers, IP events, files) are written in bulk with SQLAlchemy Core; subjects are
rebuilt by grouping and keyed by `key` (the subject's lowest report number), so analyst state on a subject
(assignment, not-actionable) survives a regroup as long as that report stays in it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sulo.store.db import Base, UTCDateTime, utcnow


class TipReport(Base):
    __tablename__ = "tips_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    content_key: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    source: Mapped[str] = mapped_column(String(500), nullable=False)
    incident_type: Mapped[str] = mapped_column(String(300), nullable=False)
    incident_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    esp_name: Mapped[str | None] = mapped_column(String(200))
    annotations: Mapped[str] = mapped_column(String(500), nullable=False, default="")  # ';'-joined
    file_annotations: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    region: Mapped[str | None] = mapped_column(String(200))
    isp: Mapped[str | None] = mapped_column(String(200))
    in_country_ip: Mapped[str] = mapped_column(String(20), nullable=False, default="none")  # residential|mobile|none
    minor_victim: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    minor_recipient: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    victim_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    victim_in_country: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    viral: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    duplicate_of: Mapped[str | None] = mapped_column(String(64))
    subject_key: Mapped[str | None] = mapped_column(String(80), index=True)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class TipReportRaw(Base):
    """The record as received, zlib-compressed (model.compress_raw / raw_text); no media exists. Kept
    apart from tips_report so the rows every rebuild scans and updates stay narrow (~0.2 KB, not ~1.5)."""

    __tablename__ = "tips_report_raw"

    report_pk: Mapped[int] = mapped_column(ForeignKey("tips_report.id", ondelete="CASCADE"), primary_key=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class TipIdentifier(Base):
    __tablename__ = "tips_identifier"
    __table_args__ = (Index("ix_tips_identifier_kind_value", "kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_pk: Mapped[int] = mapped_column(ForeignKey("tips_report.id", ondelete="CASCADE"), nullable=False,
                                           index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # esp_id|screen_name|email|phone|device
    value: Mapped[str] = mapped_column(String(300), nullable=False)  # canonical (and scoped)
    raw: Mapped[str] = mapped_column(String(300), nullable=False)  # as the ESP wrote it
    role: Mapped[str] = mapped_column(String(20), nullable=False)  # reported|recipient


class TipIpEvent(Base):
    __tablename__ = "tips_ip_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_pk: Mapped[int] = mapped_column(ForeignKey("tips_report.id", ondelete="CASCADE"), nullable=False,
                                           index=True)
    ip: Mapped[str] = mapped_column(String(45), nullable=False, index=True)
    event_name: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(200))
    isp: Mapped[str | None] = mapped_column(String(200))
    asn_cidr: Mapped[str | None] = mapped_column(String(50))
    network_class: Mapped[str] = mapped_column(String(20), nullable=False)
    possible_proxy: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class TipFile(Base):
    """A file entry: names, hashes and annotations only. sulo never holds the media."""

    __tablename__ = "tips_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_pk: Mapped[int] = mapped_column(ForeignKey("tips_report.id", ondelete="CASCADE"), nullable=False,
                                           index=True)
    file_name: Mapped[str | None] = mapped_column(String(300))
    md5: Mapped[str | None] = mapped_column(String(32), index=True)
    sha1: Mapped[str | None] = mapped_column(String(40))
    pdq: Mapped[str | None] = mapped_column(String(64))
    annotations: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    industry_classification: Mapped[str | None] = mapped_column(String(10))
    publicly_available: Mapped[bool | None] = mapped_column(Boolean)


class TipSubject(Base):
    __tablename__ = "tips_subject"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    score: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    tier: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    reasons: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list of {signal, points, detail}
    ties: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list of {kind, value, reports}
    report_count: Mapped[int] = mapped_column(Integer, nullable=False)
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    region: Mapped[str | None] = mapped_column(String(200))
    isp: Mapped[str | None] = mapped_column(String(200))
    annotations: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    unit: Mapped[str | None] = mapped_column(String(200))
    viral: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    latest_incident: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    assigned_to: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open")  # open|not_actionable
    status_reason: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)  # false once merged away
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class TipQuarantine(Base):
    __tablename__ = "tips_quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(500), nullable=False)
    record: Mapped[str | None] = mapped_column(String(500))
    field: Mapped[str | None] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    content_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    __table_args__ = (UniqueConstraint("source", "content_sha256", name="uq_tips_quarantine_source"),)


class TipConflict(Base):
    """A report number re-sent with different content: kept for review, never silently overwritten."""

    __tablename__ = "tips_conflict"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    existing_fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    new_fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    source: Mapped[str] = mapped_column(String(500), nullable=False)
    raw: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    __table_args__ = (UniqueConstraint("report_id", "new_fingerprint", name="uq_tips_conflict_report_id"),)


class TipCaseReferral(Base):
    """'Open a case' from a subject: the cases stage consumes rows with status 'requested'."""

    __tablename__ = "tips_case_referral"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    requested_by: Mapped[str] = mapped_column(String(80), nullable=False)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="requested")


class TipPreservation(Base):
    """A data-preservation request to one ISP for one subject's in-country IPs, with its deadline."""

    __tablename__ = "tips_preservation"
    __table_args__ = (UniqueConstraint("subject_key", "isp", name="uq_tips_preservation_subject_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(80), nullable=False)
    isp: Mapped[str] = mapped_column(String(200), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    statute: Mapped[str] = mapped_column(String(300), nullable=False)
    ips: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list of {ip, at}
    letter: Mapped[str] = mapped_column(Text, nullable=False)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    deadline: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    extended: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="drafted")
