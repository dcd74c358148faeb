"""The engine interface: a small generic job runs on both backends with identical results; failures name
the step and carry the SQL; values are bound and identifiers quoted."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest

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
