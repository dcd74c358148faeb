"""Countries and channels as hash codes inside the screening: every possible text has its own code, on both
engines, and a shared code stops the screening instead of merging two places."""

from __future__ import annotations

import dataclasses

import duckdb
import pyarrow as pa
import pytest

from sulo.engine.dialect import DUCKDB, Dialect
from sulo.engine.duckdb_backend import DuckDBBackend
from sulo.finance.inputs import CHANNELS, _not_country
from sulo.finance.screen import place_codes_steps, place_texts
from tests.finance.conftest import backend_for


def test_every_country_and_channel_has_its_own_code(engine_name: str, request: pytest.FixtureRequest) -> None:
    b = backend_for(engine_name, request) or DuckDBBackend()
    place_codes_steps(b)
    codes = b.fetch_table("place_codes")
    assert sorted(codes.column("text").to_pylist()) == sorted(place_texts().column("text").to_pylist())
    assert codes.num_rows == 26 * 26 + 6 == len(set(codes.column("code").to_pylist()))


def test_a_shared_code_stops_the_screening() -> None:
    @dataclasses.dataclass(frozen=True)
    class Colliding(Dialect):
        def hash(self, *exprs: str) -> str:
            return "CAST(42 AS UBIGINT)"   # every text the same code

    b = DuckDBBackend()
    b.dialect = Colliding(**dataclasses.asdict(DUCKDB))
    with pytest.raises(RuntimeError, match="share one hash code"):
        place_codes_steps(b)


def test_the_codes_cover_exactly_what_the_loader_admits() -> None:
    """The closed set is the loader's: every one- and two-character text (ASCII and a few look-alikes) that
    passes its country check is one of the 676 codes, and the other texts with a code are the channels."""
    chars = [chr(c) for c in range(32, 127)] + ["É", "ß", "Ａ", "İ", "ı"]
    con = duckdb.connect()
    con.register("v", pa.table({"x": chars + [a + b for a in chars for b in chars]}))
    admitted = {row[0] for row in con.sql(f"SELECT x FROM v WHERE NOT {_not_country('x')}").fetchall()}
    texts = set(place_texts().column("text").to_pylist())
    assert len(admitted) == 676 and admitted <= texts
    assert texts - admitted == set(CHANNELS)
