"""Pick a backend by name; Spark is imported only when asked for."""

from __future__ import annotations

from sulo.engine.backend import Backend


def make_backend(name: str = "duckdb") -> Backend:
    if name == "duckdb":
        from sulo.engine.duckdb_backend import DuckDBBackend

        return DuckDBBackend()
    if name == "spark":
        from sulo.engine.spark_backend import SparkBackend

        return SparkBackend()
    raise ValueError(f"unknown analytics engine {name!r}: expected 'duckdb' or 'spark'")
