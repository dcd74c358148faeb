"""The input validator: clear errors (row, field, reason), quarantine, strict mode, nothing dropped silently."""

from __future__ import annotations

import csv
import string
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sulo.errors import ValidationError
from sulo.finance.inputs import COLUMNS, load_transactions, write_quarantine

GOOD = ["t1", "2024-03-01T23:10:00Z", "s1", "Ann", "US", "r1", "Ben", "PH", "50.00", "USD", "remittance", "gift"]


def write(path: Path, rows: list[list[str]], header: list[str] = COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def row(**changes: str) -> list[str]:
    values = dict(zip(COLUMNS, GOOD, strict=True))
    values.update(changes)
    return [values[c] for c in COLUMNS]


def problems(tmp: Path, rows: list[list[str]]) -> set[tuple[int, str, str]]:
    loaded = load_transactions(write(tmp / "in.csv", rows))
    assert loaded.n_clean + loaded.n_quarantined == loaded.n_rows == len(rows)
    return {(p["row"], p["field"], p["reason"]) for p in loaded.quarantine.to_pylist()}


@pytest.mark.parametrize(("change", "field", "reason"), [
    ({"timestamp": "2024-03-01T23:10:00"}, "timestamp", "no time zone: add Z or +hh:mm"),
    ({"timestamp": "yesterday"}, "timestamp", "not an ISO 8601 timestamp with a time zone"),
    ({"timestamp": "2024-02-30T10:00:00Z"}, "timestamp", "not an ISO 8601 timestamp with a time zone"),
    ({"amount": "abc"}, "amount", "not a number"),
    ({"amount": "-5"}, "amount", "must be greater than 0"),
    ({"amount": "1e20"}, "amount", "exceeds 10,000,000,000,000"),
    ({"amount": "inf"}, "amount", "not a finite number"),
    ({"currency": "XYZ"}, "currency", "unknown currency (not in the rate table)"),
    ({"channel": "wire"}, "channel", "not one of bank/remittance/ewallet/card/crypto/cash"),
    ({"sender_country": "USA"}, "sender_country", "not an ISO 3166 alpha-2 code"),
    ({"receiver_id": ""}, "receiver_id", "empty"),
    ({"txn_id": " "}, "txn_id", "empty"),
])
def test_bad_field_is_named(tmp_path: Path, change: dict[str, str], field: str, reason: str) -> None:
    assert problems(tmp_path, [row(txn_id="ok"), row(**change)]) == {(2, field, reason)}


@pytest.mark.parametrize("collation", ["nocase", "noaccent.nocase"])
def test_codes_are_checked_case_sensitively_on_any_connection(tmp_path: Path, collation: str) -> None:
    # A caller may pass its own connection (screen_file(con=...)); its default collation must not let a
    # lower-case country, channel or currency through.
    con = duckdb.connect(config={"default_collation": collation})
    rows = [row(txn_id="ok"), row(txn_id="a", receiver_country="ph"), row(txn_id="b", channel="Remittance"),
            row(txn_id="c", currency="usd")]
    loaded = load_transactions(write(tmp_path / "in.csv", rows), con=con)
    got = {(p["row"], p["field"]) for p in loaded.quarantine.to_pylist()}
    assert got == {(2, "receiver_country"), (3, "channel"), (4, "currency")}
    assert loaded.n_clean == 1


def test_duplicates_and_short_rows(tmp_path: Path) -> None:
    got = problems(tmp_path, [row(), row(), GOOD[:3]])
    assert got == {(2, "txn_id", "duplicate of row 1"),
                   (3, "row", "wrong number of fields (not as many as the header)")}


def test_offsets_are_converted_to_utc(tmp_path: Path) -> None:
    loaded = load_transactions(write(tmp_path / "in.csv", [row(timestamp="2024-03-02T07:10:00+08:00")]))
    assert loaded.con.sql("SELECT ts FROM txn").fetchall() == [(1709334600,)]


def test_strict_refuses_the_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as err:
        load_transactions(write(tmp_path / "in.csv", [row(), row(txn_id="t2", amount="x")]), strict=True)
    assert err.value.problems[0].record == "row 2" and err.value.problems[0].field == "amount"


def test_missing_column_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as err:
        load_transactions(write(tmp_path / "in.csv", [GOOD[:-1]], header=COLUMNS[:-1]))
    assert err.value.problems[0].field == "reference"


def test_quarantine_file_keeps_the_raw_values(tmp_path: Path) -> None:
    loaded = load_transactions(write(tmp_path / "in.csv", [row(), row(txn_id="t2", currency="ZZZ")]))
    write_quarantine(loaded, tmp_path / "q.csv")
    lines = list(csv.DictReader((tmp_path / "q.csv").open(encoding="utf-8")))
    assert lines == [{**dict(zip(COLUMNS, row(txn_id="t2", currency="ZZZ"), strict=True)), "row": "2",
                      "field": "currency", "reason": "unknown currency (not in the rate table)"}]


def test_parquet_without_time_zone_is_refused(tmp_path: Path) -> None:
    table = pa.table({c: [v] for c, v in zip(COLUMNS, GOOD, strict=True)})
    table = table.set_column(1, "timestamp", pa.array([pa.scalar(0, pa.timestamp("us")).as_py()]))
    pq.write_table(table, tmp_path / "in.parquet")
    with pytest.raises(ValidationError) as err:
        load_transactions(tmp_path / "in.parquet")
    assert err.value.problems[0].field == "timestamp"


# -- properties ------------------------------------------------------------------------------------------
FIELD_VALUES = {
    "timestamp": st.one_of(st.text(max_size=30), st.just("2024-03-01T10:00:00"), st.just("2024-03-01T10:00:00Z")),
    "amount": st.one_of(st.text(max_size=12), st.floats(allow_nan=True, allow_infinity=True).map(repr),
                        st.integers(min_value=-10**30, max_value=10**30).map(str)),
    "currency": st.one_of(st.text(string.ascii_uppercase, min_size=0, max_size=4), st.just("USD")),
    "reference": st.text(max_size=200),
    "sender_country": st.text(max_size=3),
    "channel": st.one_of(st.text(max_size=10), st.sampled_from(["bank", "ewallet"])),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.fixed_dictionaries({}, optional=FIELD_VALUES), min_size=1, max_size=6))
def test_every_row_is_either_clean_or_quarantined_with_a_reason(tmp_path: Path,
                                                                changes: list[dict[str, str]]) -> None:
    rows = [row(txn_id=f"t{i}", **{k: v.replace("\x00", "") for k, v in c.items()}) for i, c in enumerate(changes)]
    loaded = load_transactions(write(tmp_path / "p.csv", rows))
    bad_rows = {p["row"] for p in loaded.quarantine.to_pylist()}
    assert loaded.n_clean + len(bad_rows) == len(rows)
    assert all(p["field"] and p["reason"] for p in loaded.quarantine.to_pylist())
    clean = loaded.con.sql("SELECT txn_id, usd, reference FROM txn").fetchall()
    assert len(clean) == loaded.n_clean
    assert all(0 < usd < 1e14 for _, usd, _ in clean)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reference=st.text(max_size=300).map(lambda s: s.replace("\x00", "")))
def test_any_unicode_reference_survives_unchanged(tmp_path: Path, reference: str) -> None:
    loaded = load_transactions(write(tmp_path / "u.csv", [row(reference=reference)]))
    got = loaded.con.sql("SELECT reference FROM txn").fetchall()
    # csv normalises bare carriage returns inside fields only when quoted; the writer quotes them.
    assert got == [(reference,)]


# -- Parquet: typed columns, several row groups (checks may be answered from row-group statistics) --------
PQ_VALUES = {
    "txn_id": st.one_of(st.none(), st.sampled_from(["", "  ", "dup"]), st.text(max_size=6)),
    "sender_id": st.one_of(st.none(), st.sampled_from(["", " ", "s9"])),
    "sender_country": st.one_of(st.none(), st.sampled_from(["", "us", "USA", "U", "É1", "ZZ"])),
    "amount": st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.just(1e14)),
    "currency": st.one_of(st.none(), st.sampled_from(["", "XYZ", "usd", "PHP"])),
    "channel": st.one_of(st.none(), st.sampled_from(["", "wire", "ewallet"])),
    "reference": st.one_of(st.none(), st.just("x" * 10_001), st.text(max_size=20)),
}
KNOWN_CURRENCIES = {"USD", "PHP", "IDR", "EUR", "GBP", "AUD"}   # all in the shipped rate table


def _blank(v: str | None) -> bool:
    return v is None or v.strip(" ") == ""


def _oracle_bad(rows: list[dict[str, object]]) -> set[int]:
    """Which rows the documented rules refuse, worked out in plain Python (row numbers from 1)."""
    bad, first = set(), {}
    for n, r in enumerate(rows, 1):
        t = r["txn_id"]
        if isinstance(t, str) and not _blank(t):
            if t in first:
                bad.add(n)
            first.setdefault(t, n)
        amount = r["amount"]
        checks = [_blank(t), _blank(r["sender_id"]), _blank(r["receiver_id"]), r["timestamp"] is None,
                  not (isinstance(c := r["sender_country"], str) and len(c.encode()) == 2 and c.isascii()
                       and c.isalpha() and c.isupper()),
                  amount is None or amount != amount or amount in (float("inf"), float("-inf")) or amount <= 0
                  or amount > 1e13,
                  r["currency"] not in KNOWN_CURRENCIES, r["channel"] not in ("bank", "remittance", "ewallet",
                                                                              "card", "crypto", "cash"),
                  len(r["reference"] or "") > 10_000]
        if any(checks):
            bad.add(n)
    return bad


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.fixed_dictionaries({}, optional=PQ_VALUES), min_size=1, max_size=40))
def test_parquet_rows_are_refused_exactly_by_the_rules(tmp_path: Path, changes: list[dict[str, object]]) -> None:
    _check_parquet_against_oracle(tmp_path, changes, pa.float64())


# Decimal amounts (the usual type for money) cannot be infinite or NaN: the loader leaves that check out.
PQ_DECIMAL_VALUES = {**PQ_VALUES, "amount": st.one_of(
    st.none(), st.decimals(min_value=-10**15, max_value=10**15, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from([Decimal(0), Decimal("0.01"), Decimal(10**13), Decimal(10**13) + Decimal("0.01")]))}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.fixed_dictionaries({}, optional=PQ_DECIMAL_VALUES), min_size=1, max_size=40))
def test_parquet_decimal_amounts_are_refused_exactly_by_the_rules(tmp_path: Path,
                                                                  changes: list[dict[str, object]]) -> None:
    _check_parquet_against_oracle(tmp_path, changes, pa.decimal128(18, 2))


def _check_parquet_against_oracle(tmp_path: Path, changes: list[dict[str, object]], amount: pa.DataType) -> None:
    import datetime as dt

    base = {"txn_id": None, "timestamp": dt.datetime(2024, 3, 1, 10, tzinfo=dt.UTC), "sender_id": "s1",
            "sender_name": "Ann", "sender_country": "US", "receiver_id": "r1", "receiver_name": "Ben",
            "receiver_country": "PH", "amount": 50.0 if pa.types.is_floating(amount) else Decimal(50),
            "currency": "USD", "channel": "remittance", "reference": "gift"}
    rows = [{**base, "txn_id": f"t{i}", **c} for i, c in enumerate(changes)]
    types = {"timestamp": pa.timestamp("us", tz="UTC"), "amount": amount}
    table = pa.table({c: pa.array([r[c] for r in rows], types.get(c, pa.string())) for c in COLUMNS})
    pq.write_table(table, tmp_path / "in.parquet", row_group_size=7)
    loaded = load_transactions(tmp_path / "in.parquet")
    refused = {p["row"] for p in loaded.quarantine.to_pylist()}
    assert refused == _oracle_bad(rows)
    assert loaded.n_clean == len(rows) - len(refused) == loaded.con.sql("SELECT count(*) FROM txn").fetchall()[0][0]


def test_integer_amounts_are_checked_and_a_clean_file_quarantines_nothing_in_the_same_shape(tmp_path: Path) -> None:
    """A decimal or integer amount column skips the finiteness check (it cannot fail), not the others; a clean
    file skips the quarantine query but still returns the quarantine's columns."""
    import datetime as dt

    def table(amounts: list[int]) -> pa.Table:
        n = len(amounts)
        cols: dict[str, pa.Array] = {c: pa.array([f"{c}{i}" for i in range(n)]) for c in COLUMNS}
        cols.update({"timestamp": pa.array([dt.datetime(2024, 3, 1, tzinfo=dt.UTC)] * n, pa.timestamp("us", tz="UTC")),
                     "sender_country": pa.array(["US"] * n), "receiver_country": pa.array(["PH"] * n),
                     "currency": pa.array(["USD"] * n), "channel": pa.array(["ewallet"] * n),
                     "amount": pa.array(amounts, pa.int64())})
        return pa.table({c: cols[c] for c in COLUMNS})

    pq.write_table(table([50, 0, -5, 10**14]), tmp_path / "bad.parquet")
    bad = load_transactions(tmp_path / "bad.parquet")
    assert [(p["row"], p["field"], p["reason"]) for p in bad.quarantine.to_pylist()] == [
        (2, "amount", "must be greater than 0"), (3, "amount", "must be greater than 0"),
        (4, "amount", "exceeds 10,000,000,000,000")]
    pq.write_table(table([50, 7]), tmp_path / "clean.parquet")
    clean = load_transactions(tmp_path / "clean.parquet")
    assert clean.n_clean == 2 and clean.quarantine.num_rows == 0
    assert clean.quarantine.schema == bad.quarantine.schema


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
@pytest.mark.parametrize("span", ["two days", "beyond the table"])
def test_each_payment_converts_at_its_days_rate(tmp_path: Path, suffix: str, span: str) -> None:
    """PHP 1,000 on both sides of a yearly rate change, and before the table's first day (the earliest rate
    applies) and after its last (the last applies), from text and from typed files."""
    import datetime as dt

    when = ["2023-12-31T23:59:59Z", "2024-01-01T00:00:00Z"]
    if span == "beyond the table":
        when += ["1990-06-01T00:00:00Z", "2050-06-01T00:00:00Z"]
    expected = dict(list({"t0": 1000 / 55.63, "t1": 1000 / 57.29, "t2": 1000 / 51.8, "t3": 1000 / 57.5}.items())
                    [:len(when)])
    rows = [row(txn_id=f"t{i}", timestamp=w, amount="1000", currency="PHP") for i, w in enumerate(when)]
    if suffix == ".csv":
        path = write(tmp_path / "in.csv", rows)
    else:
        cols = {c: [r[i] for r in rows] for i, c in enumerate(COLUMNS)}
        stamps = [dt.datetime.fromisoformat(w.replace("Z", "+00:00")) for w in when]
        table = pa.table({**{c: pa.array(v) for c, v in cols.items()},
                          "timestamp": pa.array(stamps, pa.timestamp("us", tz="UTC")),
                          "amount": pa.array([1000.0] * len(rows))}).select(COLUMNS)
        pq.write_table(table, path := tmp_path / "in.parquet")
    loaded = load_transactions(path, strict=True)
    got = dict(loaded.con.sql("SELECT txn_id, usd FROM txn").fetchall())
    assert got.keys() == expected.keys()
    assert all(got[k] is not None and abs(got[k] - v) < 1e-9 for k, v in expected.items())
