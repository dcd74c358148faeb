"""The engine interface: a small generic job runs on both backends with identical results; failures name
the step and carry the SQL; values are bound and identifiers quoted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sulo.engine import DUCKDB, SPARK, Backend, EngineError, Step, make_backend


@pytest.fixture(scope="module", params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "spark":
        from sulo.engine.spark_backend import SparkBackend, get_spark

        b: Backend = SparkBackend(get_spark())
    else:
        b = make_backend("duckdb")
    yield b
    b.close()


PAYMENTS = pa.table({"acct": ["a", "a", "b", "c", "c", "c"], "amount": [5.0, 7.0, 1.0, 2.0, 2.0, 9.0],
                     "note": ["gift", "x'); DROP TABLE p; --", "", "Hadiah", "hadiah!", "no"]})


def job(b: Backend, min_total: float, word: str) -> list[dict[str, object]]:
    d = b.dialect
    b.register_arrow("payments", PAYMENTS)
    b.run(Step("totals", f"SELECT acct AS {d.ident('account id')}, SUM(amount) AS total, "
                         f"SUM(CASE WHEN {d.regex_match('lower(note)', d.param('w'))} THEN 1 ELSE 0 END) AS hits "
                         f"FROM payments GROUP BY acct HAVING SUM(amount) >= {d.param('m')}",
               {"m": min_total, "w": word}))
    out = b.fetch(Step("read", f"SELECT * FROM totals ORDER BY {d.ident('account id')}"))
    return out.to_pylist()


def test_generic_job(backend: Backend) -> None:
    assert job(backend, 10.0, "hadiah") == [{"account id": "a", "total": 12.0, "hits": 0},
                                            {"account id": "c", "total": 13.0, "hits": 2}]


def test_a_value_cannot_become_sql(backend: Backend) -> None:
    assert job(backend, 0.0, "x'\\); drop") == job(backend, 0.0, "x'\\); drop")
    assert backend.fetch(Step("still there", "SELECT COUNT(*) AS n FROM payments")).to_pylist() == [{"n": 6}]


def test_failure_names_step_and_sql(backend: Backend) -> None:
    with pytest.raises(EngineError) as err:
        backend.run(Step("broken step", "SELECT no_such_column FROM payments"))
    assert err.value.step == "broken step" and "no_such_column" in err.value.sql
    assert "broken step" in str(err.value)


def test_dialect_quotes_identifiers() -> None:
    assert DUCKDB.ident('a"b') == '"a""b"'
    assert SPARK.ident("a`b") == "`a``b`"
    with pytest.raises(ValueError):
        DUCKDB.param("x; drop")


def test_core_imports_without_spark() -> None:
    import subprocess
    import sys

    code = ("import sys; sys.modules['pyspark'] = None; import sulo.engine, sulo.finance.screen; "
            "from sulo.engine import make_backend; make_backend('duckdb')")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0



def _frequent(b: Backend, values: list[int], min_count: int) -> list[int]:
    b.register_arrow("vals", pa.table({"v": pa.array(values, pa.int64())}))
    b.run_frequent(Step("often", "SELECT v AS h FROM vals"), min_count)
    return sorted(r["h"] for r in b.fetch(Step("read often", "SELECT h FROM often")).to_pylist())


def _seen_often(values: list[int], min_count: int) -> list[int]:
    return sorted(v for v, n in Counter(values).items() if n >= min_count)


@pytest.mark.parametrize("min_count", [1, 2, 3, 6])
def test_frequent_values_on_both_engines(backend: Backend, min_count: int) -> None:
    values = [5, 5, 5, 2**63 - 1, 2**63 - 1, -(2**63), 0, 5, 7, 7, 7, 7, 7, 7, 1, 2, 2]
    assert _frequent(backend, values, min_count) == _seen_often(values, min_count)
    assert _frequent(backend, [], min_count) == []


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.sampled_from([0, 1, 7, -3]),
                       max_size=60),
       min_count=st.integers(min_value=1, max_value=6))
def test_frequent_values_are_exactly_those_seen_often_enough(values: list[int], min_count: int) -> None:
    """run_frequent on DuckDB (a numpy sort, not SQL) keeps each value seen >= min_count times, once, and
    nothing else: the pre-filter of F10 and F13 may never drop a pair that could fire."""
    b = make_backend("duckdb")
    try:
        assert _frequent(b, values, min_count) == _seen_often(values, min_count)
    finally:
        b.close()


def test_view_is_computed_where_it_is_read(backend: Backend) -> None:
    backend.register_arrow("payments", PAYMENTS)
    backend.run(Step("packed", "SELECT acct, CAST(CASE WHEN amount > 4 THEN 1 ELSE 0 END + "
                               "CASE WHEN note = '' THEN 2 ELSE 0 END AS BIGINT) AS bits FROM payments"))
    backend.run_view(Step("unpacked", "SELECT acct, ((bits & 1) <> 0) AS big, ((bits & 2) <> 0) AS blank FROM packed"))
    rows = backend.fetch(Step("read", "SELECT acct, big, blank FROM unpacked ORDER BY acct, big, blank")).to_pylist()
    assert [(r["acct"], r["big"], r["blank"]) for r in rows] == [
        ("a", True, False), ("a", True, False), ("b", False, True), ("c", False, False), ("c", False, False),
        ("c", True, False)]
