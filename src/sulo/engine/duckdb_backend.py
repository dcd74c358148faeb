"""DuckDB: the default, in-process backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from sulo.engine.backend import Backend
from sulo.engine.dialect import DUCKDB


def frequent_values(values: np.ndarray, min_count: int) -> np.ndarray:
    """The distinct values occurring >= min_count times, by one sort: in sorted order such a value equals the
    one min_count - 1 places after it. numpy's sort releases the interpreter lock (other threads go on)."""
    k = max(1, int(min_count))
    ordered = np.sort(values)
    m = max(0, len(ordered) - k + 1)
    return np.unique(ordered[:m][ordered[k - 1:k - 1 + m] == ordered[:m]])


class DuckDBBackend(Backend):
    dialect = DUCKDB

    def __init__(self, con: duckdb.DuckDBPyConnection | None = None, threads: int | None = None) -> None:
        self.con = con if con is not None else duckdb.connect()
        if threads:
            self.con.execute(f"SET threads = {int(threads)}").fetchall()

    def _register_arrow(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)

    def _register_parquet(self, name: str, path: Path) -> None:
        # A view, so the file is scanned lazily and only the columns a step needs are read.
        self.con.read_parquet(str(path)).create_view(name)

    def _create_table(self, name: str, sql: str, params: dict[str, Any]) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {self.dialect.ident(name)} AS {sql}", params or None).fetchall()

    def _create_view(self, name: str, sql: str, params: dict[str, Any]) -> None:
        if params:   # DuckDB views take no bound values
            raise ValueError(f"view {name!r}: views cannot hold bound parameters")
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {self.dialect.ident(name)} AS {sql}").fetchall()

    def _create_frequent(self, name: str, sql: str, params: dict[str, Any], min_count: int) -> None:
        # Sorting the 64-bit values in numpy (a SIMD sort) costs a third of DuckDB's hash aggregate when
        # nearly every value is distinct, as with sender-receiver pairs.
        values = self.con.sql(sql, params=params or None).to_arrow_table().column("h").to_numpy()
        frequent = frequent_values(values, min_count)
        self.con.register(name, pa.table({"h": pa.array(frequent, type=pa.from_numpy_dtype(values.dtype))}))

    def _fetch_arrow(self, sql: str, params: dict[str, Any]) -> pa.Table:
        return self.con.sql(sql, params=params or None).to_arrow_table()

    def close(self) -> None:
        self.con.close()
