"""What screening produces: alerts with their evidence. Plain data, the same from either engine."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa


def ts_iso(seconds: int) -> str:
    # time.gmtime is several times cheaper than an aware datetime; alert files format ~10 of these per alert.
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


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
        # Spelled out: dataclasses.asdict deep-copies every id (millions in a large screening).
        return {"indicator_id": self.indicator_id, "n_txn": self.n_txn, "total_usd": self.total_usd,
                "first_ts": self.first_ts, "last_ts": self.last_ts, "txn_ids": list(self.txn_ids),
                "first": ts_iso(self.first_ts), "last": ts_iso(self.last_ts)}


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
class AlertSet:
    """Alerts as Arrow tables, the form screening produces and the alert file is written from; `to_alerts`
    makes the Python objects only where one is asked for (storing, the web), since a national screening
    raises tens of thousands of alerts naming millions of transactions.

    alerts: account_id, role, typology, score, threshold, account_name, country, channels, network_id (and
    key, the account's integer key), in alert order. evidence: key, role, indicator_id, n_txn, total_usd,
    first_ts, last_ts, txn_ids, one row per indicator that fired for an alerting account in a role."""

    alerts: pa.Table
    evidence: pa.Table
    weights: dict[str, dict[str, float]]   # typology -> indicator -> weight
    order: list[str]                       # indicator ids in library order

    def __len__(self) -> int:
        return int(self.alerts.num_rows)

    def to_alerts(self) -> list[Alert]:
        rank = {ind: i for i, ind in enumerate(self.order)}
        by_acct: dict[tuple[int, str], list[Evidence]] = {}
        cols = [self.evidence.column(n).to_pylist() for n in
                ("key", "role", "indicator_id", "n_txn", "total_usd", "first_ts", "last_ts", "txn_ids")]
        for key, role, ind, n, total, first, last, ids in zip(*cols, strict=True):
            by_acct.setdefault((key, role), []).append(Evidence(ind, n, total, first, last, tuple(ids)))
        alerts = []
        for a in self.alerts.to_pylist():
            w = self.weights[a["typology"]]
            ev = sorted((e for e in by_acct.get((a["key"], a["role"]), []) if w.get(e.indicator_id, 0) > 0),
                        key=lambda e: rank[e.indicator_id])
            alerts.append(Alert(a["account_id"], a["role"], a["typology"], float(a["score"]), float(a["threshold"]),
                                [e.indicator_id for e in ev], ev, a["account_name"], a["country"],
                                list(a["channels"]), a["network_id"]))
        return alerts


class ScreenResult:
    def __init__(self, alert_set: AlertSet, n_transactions: int, engine: str, timings: dict[str, float],
                 payments: PaymentTable | None) -> None:
        self.alert_set = alert_set
        self.n_transactions = n_transactions
        self.engine = engine
        self.timings = timings
        # The payments named in the alerts' evidence, by txn_id: ts, sender_id, receiver_id, amount, currency,
        # usd, channel, reference. None when screened without payment details (an alert file only).
        self.payments = payments
        self.hits: list[dict[str, Any]] = []
        self._alerts: list[Alert] | None = None

    @property
    def alerts(self) -> list[Alert]:
        if self._alerts is None:
            self._alerts = self.alert_set.to_alerts()
        return self._alerts


class PaymentTable(Mapping[str, dict[str, Any]]):
    """The evidence payments (one Arrow table), turned into dicts only when first asked for: writing an alert
    file never looks at them; storing a screening reads them all, once."""

    def __init__(self, table: pa.Table) -> None:
        self._table = table
        self._rows: dict[str, dict[str, Any]] | None = None

    def _by_id(self) -> dict[str, dict[str, Any]]:
        if self._rows is None:
            self._rows = {row["txn_id"]: row for row in self._table.to_pylist()}
        return self._rows

    @property
    def table(self) -> pa.Table:
        return self._table

    def __getitem__(self, txn_id: str) -> dict[str, Any]:
        return self._by_id()[txn_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id())

    def __len__(self) -> int:
        return int(self._table.num_rows)
