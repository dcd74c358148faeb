"""What screening produces: alerts with their evidence. Plain data, the same from either engine."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any


def ts_iso(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Evidence:
    """Why one indicator fired for one account: the transactions, how many, how much, when."""

    indicator_id: str
    n_txn: int
    total_usd: float
    first_ts: int
    last_ts: int
    txn_ids: tuple[str, ...]   # at most the library's evidence_limit, in ascending order

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["txn_ids"] = list(self.txn_ids)
        d["first"], d["last"] = ts_iso(self.first_ts), ts_iso(self.last_ts)
        return d


@dataclass
class Alert:
    account_id: str
    role: str                  # sender | receiver
    typology: str
    score: float
    threshold: float
    indicators: list[str]
    evidence: list[Evidence]
    account_name: str = ""
    country: str = ""
    channels: list[str] = field(default_factory=list)
    network_id: str | None = None

    @property
    def alert_id(self) -> str:
        return f"{self.typology}:{self.role}:{self.account_id}"

    def key(self) -> tuple[Any, ...]:
        """Everything that must agree between engines (totals rounded: float sums depend on order)."""
        ev = tuple((e.indicator_id, e.n_txn, round(e.total_usd, 2), e.first_ts, e.last_ts, e.txn_ids)
                   for e in self.evidence)
        return (self.account_id, self.role, self.typology, round(self.score, 6), tuple(self.indicators), ev,
                self.account_name, self.country, tuple(self.channels), self.network_id)

    def as_dict(self) -> dict[str, Any]:
        return {"alert_id": self.alert_id, "account_id": self.account_id, "role": self.role,
                "typology": self.typology, "score": round(self.score, 3), "threshold": self.threshold,
                "indicators": self.indicators, "account_name": self.account_name, "country": self.country,
                "channels": self.channels, "network_id": self.network_id,
                "evidence": [e.as_dict() for e in self.evidence]}


@dataclass
class ScreenResult:
    alerts: list[Alert]
    n_transactions: int
    engine: str
    timings: dict[str, float] = field(default_factory=dict)
    hits: list[dict[str, Any]] = field(default_factory=list)
    # The payments named in the alerts' evidence, by txn_id: ts, sender_id, receiver_id, amount, currency,
    # usd, channel, reference.
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
