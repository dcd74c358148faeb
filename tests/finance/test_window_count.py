"""A window count of payments (count_distinct: txn_id, as F2) has its own SQL form, one LAG window instead of
the sweep over distinct counterparties: on streams dense with same-second ties both name the same payments."""

from __future__ import annotations

import random

import duckdb
import pyarrow as pa
import pytest

from sulo.engine.dialect import DUCKDB
from sulo.finance import kinds
from sulo.finance import rules as r
from sulo.finance.sqlctx import Ctx


def _stream(seed: int, n: int = 3000) -> pa.Table:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        # Few senders and countries, whole hours over two weeks: many payments share a second.
        rows.append((i + 1, rng.randrange(8), rng.choice(["PH", "ID", "TH"]), rng.randrange(0, 14 * 86_400, 3600),
                     rng.choice([10.0, 50.0, 120.0]), rng.random() < 0.7))
    names = ["txn_id", "sender_id", "receiver_country", "ts", "usd", "f_F1"]
    table = pa.table({n: [row[i] for row in rows] for i, n in enumerate(names)})
    return table.append_column("txn_copy", table.column("txn_id"))   # the same values under another name


@pytest.mark.parametrize(("seed", "min_count", "days"), [(0, 1, 1.0), (1, 3, 1.0), (2, 4, 0.5), (3, 6, 2.0),
                                                        (4, 3, 1 / 24), (5, 12, 3.0)])
def test_payment_count_form_equals_the_sweep(seed: int, min_count: int, days: float) -> None:
    con = duckdb.connect()
    con.register("flags", _stream(seed))
    con.execute("CREATE VIEW flags_F1 AS SELECT * FROM flags WHERE f_F1")
    results = []
    for counted in ("txn_id", "txn_copy"):   # txn_copy takes the general sweep
        p = r.WindowCount.model_construct(of="F1", role="sender", group_by=["sender_id", "receiver_country"],
                                          count_distinct=counted, window_days=days, min_count=min_count,
                                          exclude_shared_surname=False)
        c = Ctx(DUCKDB)
        results.append(sorted(con.execute(kinds.window_count_sql(c, "F2", p), c.params).fetchall()))
    fast, sweep = results
    assert fast, "the stream should hold payments that fire"
    assert fast == sweep
