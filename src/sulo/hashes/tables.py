"""Tables of the hashes stage: lists and their entries, uploaded scan results, matches. Hashes only."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sulo.store.db import Base, UTCDateTime, utcnow


class HashList(Base):
    """A named hash list, in the version last imported. Re-importing a newer version replaces the entries."""

    __tablename__ = "hashes_list"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    source: Mapped[str] = mapped_column(String(200), nullable=False)  # e.g. "Project VIC", "NCMEC", "own"
    category_scheme: Mapped[str] = mapped_column(String(80), nullable=False)  # e.g. "vics", "industry"
    licence: Mapped[str] = mapped_column(Text, nullable=False)  # sharing terms, shown on the lists page
    version: Mapped[str] = mapped_column(String(80), nullable=False)
    format: Mapped[str] = mapped_column(String(20), nullable=False)
    file_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    own: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # the project's own list
    entry_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    imported_by: Mapped[str] = mapped_column(String(80), nullable=False)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class HashEntry(Base):
    __tablename__ = "hashes_entry"
    __table_args__ = (
        UniqueConstraint("list_id", "kind", "value", name="uq_hashes_entry_list_kind_value"),
        Index("ix_hashes_entry_kind_value", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("hashes_list.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # md5 sha1 sha256 pdq photodna
    value: Mapped[str] = mapped_column(String(2048), nullable=False)
    category: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    victim_identified: Mapped[bool | None] = mapped_column(Boolean)
    quality: Mapped[int | None] = mapped_column(Integer)


class ScanResult(Base):
    """An uploaded `sulo hashes scan` result (hashes of files, never the files)."""

    __tablename__ = "hashes_scan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    file_sha256: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    file_count: Mapped[int] = mapped_column(Integer, nullable=False)
    error_count: Mapped[int] = mapped_column(Integer, nullable=False)
    low_quality_count: Mapped[int] = mapped_column(Integer, nullable=False)
    uploaded_by: Mapped[str] = mapped_column(String(80), nullable=False)
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class ScanFile(Base):
    __tablename__ = "hashes_scan_file"
    __table_args__ = (UniqueConstraint("scan_id", "path", name="uq_hashes_scan_file_scan_path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("hashes_scan.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    path: Mapped[str] = mapped_column(Text, nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    md5: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    sha1: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    pdq: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    pdq_quality: Mapped[int | None] = mapped_column(Integer)
    pdq_dihedral: Mapped[str] = mapped_column(Text, nullable=False, default="")  # 8 hex joined by ';'
    error: Mapped[str] = mapped_column(Text, nullable=False, default="")


class HashMatch(Base):
    """One hit of a source hash on a list entry. Sources: scan_file, tip_file, case (evidence, later)."""

    __tablename__ = "hashes_match"
    __table_args__ = (
        UniqueConstraint("source_kind", "source_id", "entry_id", "variant",
                         name="uq_hashes_match_source_entry_variant"),
        Index("ix_hashes_match_source", "source_kind", "source_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    source_id: Mapped[str] = mapped_column(String(80), nullable=False)
    entry_id: Mapped[int] = mapped_column(ForeignKey("hashes_entry.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("hashes_list.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    query_value: Mapped[str] = mapped_column(String(2048), nullable=False)
    category: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    distance: Mapped[int] = mapped_column(Integer, nullable=False)  # 0 for exact hashes
    variant: Mapped[str] = mapped_column(String(20), nullable=False, default="original")
    matched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
