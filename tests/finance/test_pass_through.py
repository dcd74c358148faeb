"""F12 has two SQL forms (a window sweep, an ASOF join on DuckDB): on payment streams dense with same-second
ties they must name exactly the same payments."""

from __future__ import annotations

import dataclasses
import random

import duckdb
import pyarrow as pa
import pytest

from sulo.engine.dialect import DUCKDB
from sulo.finance import kinds
from sulo.finance import rules as r
from sulo.finance.sqlctx import Ctx


def _stream(seed: int, n: int = 4000, start: int = 0) -> pa.Table:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        sender, receiver = rng.randrange(12), rng.randrange(12)
        # A few accounts, a short time span and whole minutes: many payments share a second.
        usd = rng.choice([5.0, 20.0, 60.0, 150.0, 400.0, 1500.0])
        rows.append((i + 1, sender, receiver, start + rng.randrange(0, 3 * 86_400, 60), usd,
                     rng.choice(["ewallet", "remittance", "bank"])))
    names = ["txn_id", "sender_id", "receiver_id", "ts", "usd", "channel"]
    return pa.table({n: [row[i] for row in rows] for i, n in enumerate(names)})


# The ASOF form packs time and row number into one integer: times before 1970 (negative) must unpack too.
@pytest.mark.parametrize(("seed", "start"), [(0, 0), (1, 0), (2, 0), (3, 1_700_000_000), (4, -1_000_000_000),
                                             (5, -86_400)])
def test_asof_and_window_forms_agree(seed: int, start: int) -> None:
    params = r.PassThrough(inbound_max_usd=200, min_inbound=3, share_out=0.5, window_hours=6,
                           inbound_channels=["ewallet", "remittance"])
    con = duckdb.connect()
    con.register("stream", _stream(seed, start=start))
    results = []
    for dialect in (DUCKDB, dataclasses.replace(DUCKDB, name="duckdb-window")):
        c = Ctx(dialect)
        sql = kinds.pass_through_sql(c, "F12", params)
        # The row conditions the flags step would compute (Ctx.row_flag: here, the inbound channels).
        x = Ctx(DUCKDB)
        conds = "".join(f", ({cond(x)}) AS r_{name}" for name, cond in c.row_flags.items())
        con.execute(f"CREATE OR REPLACE TABLE flags AS SELECT *{conds} FROM stream", x.params or None)
        results.append(sorted(con.execute(sql, c.params).fetchall()))
    asof, window = results
    assert asof, "the stream should contain pass-through segments"
    assert asof == window
