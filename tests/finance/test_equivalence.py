"""One definition, two engines: the whole library on DuckDB and on Spark gives identical alerts."""

from __future__ import annotations

from pathlib import Path

import pytest

from sulo.engine import Backend
from sulo.finance.screen import alerts_equal, screen_file


@pytest.fixture(scope="module")
def tiny_world(world_tiny: Path) -> Path:
    return world_tiny / "transactions.parquet"


@pytest.mark.spark
def test_duckdb_and_spark_agree_on_the_synthetic_world(tiny_world: Path, spark_backend: Backend) -> None:
    _, on_duckdb = screen_file(tiny_world, engine="duckdb", with_hits=True)
    _, on_spark = screen_file(tiny_world, engine="spark", backend=spark_backend, with_hits=True)
    assert len(on_duckdb.alerts) > 20, "the tiny world should raise alerts of several typologies"
    assert len({a.typology for a in on_duckdb.alerts}) >= 3
    assert alerts_equal(on_duckdb.alerts, on_spark.alerts)

    def hits(result: object) -> list[tuple[object, ...]]:
        return sorted((h["account_id"], h["role"], h["indicator_id"], h["n_txn"], round(h["total_usd"], 2),
                       h["first_ts"], h["last_ts"], tuple(h["txn_ids"])) for h in result.hits)  # type: ignore[attr-defined]

    assert hits(on_duckdb) == hits(on_spark)
