"""What every indicator SQL builder shares: the dialect, bound parameters, quoted names, common fragments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from sulo.engine import Dialect, Step

DAY = 86_400
HOUR = 3_600
# Every evidence query yields exactly these columns, so the evidence of all indicators can be unioned.
# Inside the job, account_id and txn_id are integers (dense account keys, input row numbers): windows and
# joins on integers are several times cheaper than on strings. Alerts map them back at the end.
EVIDENCE_COLUMNS = ("account_id", "role", "indicator_id", "txn_id", "ts", "usd")


@dataclass
class Ctx:
    """Builds one step's SQL: values are collected into `params` and referenced by placeholder."""

    d: Dialect
    params: dict[str, Any] = field(default_factory=dict)
    aux: dict[str, pa.Table] = field(default_factory=dict)   # small tables a step needs registered first
    # Steps to run first with Backend.run_frequent: (step yielding hashes h, the least count kept).
    frequent_steps: list[tuple[Step, int]] = field(default_factory=list)
    # Row conditions the flags step computes once per payment, as packed bits: name -> condition builder.
    row_flags: dict[str, Callable[[Ctx], str]] = field(default_factory=dict)

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return self.d.param(name)

    def bind_list(self, values: list[Any]) -> str:
        return "(" + ", ".join(self.bind(v) for v in values) + ")"

    def frequent(self, name: str, hashes: Callable[[Ctx], str], min_count: int) -> str:
        """A table (h) of the hashes that `hashes` (a query builder, given its own Ctx) yields >= min_count
        times, made before this step runs; returns its quoted name."""
        sub = Ctx(self.d, row_flags=self.row_flags)
        self.frequent_steps.append((Step(name, hashes(sub), sub.params), min_count))
        return self.q(name)

    def row_flag(self, name: str, condition: Callable[[Ctx], str]) -> str:
        """A boolean column of `flags`: `condition` (given the flags step's Ctx, over the columns of `txn`)
        evaluated once per payment while the text columns are read anyway, so a step filtering millions of
        payments on, say, channel reads one integer instead of the text again."""
        self.row_flags[name] = condition
        return self.q(f"r_{name}")

    def q(self, name: str) -> str:
        return self.d.ident(name)

    def flag(self, indicator_id: str) -> str:
        """The boolean column of a payment-level indicator in the `flags` table."""
        return self.d.ident(f"f_{indicator_id}")

    def of(self, indicator_id: str | None) -> str:
        return self.flag(indicator_id) if indicator_id else "TRUE"

    def rows(self, indicator_id: str | None) -> str:
        """The table holding the payments where `indicator_id` fired (all of `flags` for None): a step reading
        a few percent of the payments scans that subset, made once (screen.subset_steps), not all of them."""
        return self.q(subset_table(indicator_id)) if indicator_id else "flags"

    def cols(self, names: list[str] | tuple[str, ...], prefix: str = "") -> str:
        return ", ".join(prefix + self.d.ident(n) for n in names)

    def evidence(self, account: str, role: str, indicator_id: str, rel: str, where: str = "TRUE") -> str:
        """SELECT evidence rows (see EVIDENCE_COLUMNS) from relation `rel`."""
        return (f"SELECT {account} AS account_id, {self.bind(role)} AS role, {self.bind(indicator_id)} "
                f"AS indicator_id, txn_id, ts, usd FROM {rel} WHERE {where}")


def subset_table(indicator_id: str) -> str:
    return f"flags_{indicator_id}"


def seconds(days: float = 0, hours: float = 0) -> int:
    """Window lengths are whole seconds, rendered as integer literals (window frames take no parameters)."""
    return round(days * DAY + hours * HOUR)


def forward_mark_sql(c: Ctx, groups: list[str], base: str, points: str, window_s: int) -> str:
    """Rows of `base` (groups.., txn_id, ts, usd) that lie in a window (p - W, p] ending at a point of
    `points` (groups.., t) of the same group: p in [ts, ts + W) is found with one forward-looking window."""
    g = c.cols(groups)
    return f"""
        SELECT {g}, txn_id, ts, usd FROM (
            SELECT {g}, txn_id, ts, usd, is_p, MAX(is_p) OVER (PARTITION BY {g} ORDER BY ts
                   RANGE BETWEEN CURRENT ROW AND {int(window_s) - 1} FOLLOWING) AS hit
            FROM (SELECT {g}, txn_id, ts, usd, 0 AS is_p FROM {base}
                  JOIN (SELECT DISTINCT {g} FROM {points}) pg USING ({g})
                  UNION ALL
                  SELECT {g}, CAST(NULL AS BIGINT) AS txn_id, t AS ts, CAST(NULL AS DOUBLE) AS usd,
                         1 AS is_p FROM {points}) marked
        ) fw WHERE is_p = 0 AND hit = 1"""
