"""The audit log: append-only and hash-chained. Each row holds the hash of the row before it, so an edit,
a deletion or a truncation anywhere is found by `verify_chain` (and `sulo db check-audit`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from sulo.store.db import Base, UTCDateTime, utcnow

GENESIS = "0" * 64


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    action: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    target: Mapped[str] = mapped_column(String(300), nullable=False, index=True)
    detail: Mapped[str] = mapped_column(Text, nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


class AuditHead(Base):
    """One row: the newest sequence number and hash. Updating it first serialises concurrent writers,
    so the chain never forks."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    last_hash: Mapped[str] = mapped_column(String(64), nullable=False)


def entry_hash(seq: int, at: dt.datetime, actor: str, action: str, target: str, detail: str,
               prev_hash: str) -> str:
    body = json.dumps([seq, at.astimezone(dt.UTC).isoformat(timespec="microseconds"), actor, action,
                       target, detail, prev_hash], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def audit(session: Session, actor: str, action: str, target: str, detail: dict[str, Any] | None = None
          ) -> AuditEntry:
    """Append one entry in the caller's transaction: if the work is rolled back, so is its audit row."""
    claimed = session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.last_hash)
    ).one_or_none()
    if claimed is None:
        session.add(AuditHead(id=1, seq=1, last_hash=GENESIS))
        session.flush()
        seq, prev = 1, GENESIS
    else:
        seq, prev = claimed
    at = utcnow()
    detail_text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    digest = entry_hash(seq, at, actor, action, target, detail_text, prev)
    entry = AuditEntry(id=seq, at=at, actor=actor, action=action, target=target, detail=detail_text,
                       prev_hash=prev, hash=digest)
    session.add(entry)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=digest))
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


@dataclass(frozen=True)
class Checkpoint:
    """The last row verified: checking again can start after it (and re-check that row itself)."""

    entry_id: int
    hash: str


def verify_chain(session: Session, batch: int = 5000) -> ChainBreak | None:
    """Recompute the chain; return the first row that does not fit, or None when all is intact."""
    return verify_from(session, None, batch)[0]


def verify_from(session: Session, start: Checkpoint | None, batch: int = 5000
                ) -> tuple[ChainBreak | None, Checkpoint | None]:
    """Verify the rows after `start` (all rows when None) and the head; `start`'s own row must still hold the
    hash it had. Rows before `start` are not read: only a full verification finds an edit there."""
    expected_prev, expected_id, last = GENESIS, 1, None
    query = select(AuditEntry).order_by(AuditEntry.id)
    if start is not None:
        row = session.get(AuditEntry, start.entry_id)
        if row is None or row.hash != start.hash or _recomputed(row) != row.hash:
            return ChainBreak(start.entry_id, "it changed since it was last verified"), None
        expected_prev, expected_id, last = start.hash, start.entry_id + 1, start
        query = query.where(AuditEntry.id > start.entry_id)
    for (entry,) in session.execute(query.execution_options(yield_per=batch)):
        if entry.id != expected_id:
            return ChainBreak(expected_id, f"row {expected_id} is missing (next row is {entry.id})"), None
        if entry.prev_hash != expected_prev:
            return ChainBreak(entry.id, "its prev_hash does not match the hash of the row before"), None
        if _recomputed(entry) != entry.hash:
            return ChainBreak(entry.id, "its content does not match its hash (edited)"), None
        expected_prev, expected_id, last = entry.hash, entry.id + 1, Checkpoint(entry.id, entry.hash)
    last_id = last.entry_id if last else 0
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != last_id or head.last_hash != expected_prev):
        return ChainBreak(last_id + 1, f"the log ends at row {last_id} but {head.seq} rows were written"), None
    return None, last


def _recomputed(entry: AuditEntry) -> str:
    return entry_hash(entry.id, entry.at, entry.actor, entry.action, entry.target, entry.detail, entry.prev_hash)


class ChainWatch:
    """What a page showing the chain's state uses (one per process): the whole chain is verified at most every
    `full_every` (30 s per million rows on the development machine), and in between only the rows written
    since the last verified one. A break found sends the next check back to a full verification."""

    def __init__(self, full_every: dt.timedelta = dt.timedelta(minutes=15)) -> None:
        self.full_every = full_every
        self._lock = threading.Lock()
        self._checkpoint: Checkpoint | None = None
        self._full_at: dt.datetime | None = None

    def check(self, session: Session) -> tuple[ChainBreak | None, dt.datetime | None]:
        """The first break (or None) and when the last full verification ran."""
        with self._lock:
            full_due = self._full_at is None or utcnow() - self._full_at >= self.full_every
            start = None if full_due else self._checkpoint
        started = utcnow()
        broken, checkpoint = verify_from(session, start)
        with self._lock:
            if broken is not None:
                self._full_at, self._checkpoint = None, None
            else:
                self._checkpoint = checkpoint
                if full_due:
                    self._full_at = started
            return broken, self._full_at
