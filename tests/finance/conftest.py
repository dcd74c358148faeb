"""Finance fixtures: every analytical test runs on DuckDB and on Spark (one Spark session per test run)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sulo.engine import Backend


@pytest.fixture(scope="session")
def spark_backend() -> Iterator[Backend]:
    pytest.importorskip("pyspark")
    from sulo.engine.spark_backend import SparkBackend

    yield SparkBackend()


@pytest.fixture(scope="session", params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def backend_for(name: str, request: pytest.FixtureRequest) -> Backend | None:
    """None for DuckDB (screen_file makes one over the loaded data); the shared session for Spark."""
    if name == "spark":
        backend: Backend = request.getfixturevalue("spark_backend")
        return backend
    return None
