"""The dated currency rate table: units of a currency per USD, valid from a date until the next row."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import numpy as np
import pyarrow as pa

from sulo.errors import ConfigError

DEFAULT_RATES = Path(__file__).resolve().parent / "data" / "rates.csv"
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def load_rates(path: Path | None = None) -> pa.Table:
    """Read and check the rate CSV (lines starting with '#' are comments); a bad row names its line."""
    path = path or DEFAULT_RATES
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(str(path), "-", f"cannot read: {exc.strerror}") from exc
    body = [(n, line) for n, line in enumerate(lines, 1) if line.strip() and not line.startswith("#")]
    reader = csv.reader(line for _, line in body)
    header = next(reader, None)
    if header != ["valid_from", "currency", "units_per_usd"]:
        raise ConfigError(str(path), "header", "expected columns valid_from,currency,units_per_usd")
    dates: list[dt.datetime] = []
    currencies: list[str] = []
    units: list[float] = []
    for (lineno, _), row in zip(body[1:], reader, strict=True):
        key = f"line {lineno}"
        if len(row) != 3:
            raise ConfigError(str(path), key, f"expected 3 fields, found {len(row)}")
        try:
            day = dt.datetime.strptime(row[0], "%Y-%m-%d").replace(tzinfo=dt.UTC)
            value = float(row[2])
        except ValueError as exc:
            raise ConfigError(str(path), key, str(exc)) from exc
        if not _CURRENCY.match(row[1]) or not value > 0 or value == float("inf"):
            raise ConfigError(str(path), key, "currency must be 3 capital letters and the rate a positive number")
        dates.append(day)
        currencies.append(row[1])
        units.append(value)
    if not dates:
        raise ConfigError(str(path), "-", "no rates")
    # From integers: converting aware datetimes directly makes pyarrow import pandas (seconds).
    micros = pa.array([int(d.timestamp()) * 1_000_000 for d in dates], pa.int64())
    return pa.table({"valid_from": micros.cast(pa.timestamp("us", tz="UTC")),
                     "currency": currencies, "units_per_usd": units})


def latest_units_per_usd(rates: pa.Table, currency: str) -> float:
    """The newest rate for a currency: used to express a threshold given in that currency in USD."""
    best: tuple[dt.datetime, float] | None = None
    for day, cur, units in zip(rates["valid_from"].to_pylist(), rates["currency"].to_pylist(),
                               rates["units_per_usd"].to_pylist(), strict=True):
        if cur == currency and (best is None or day > best[0]):
            best = (day, units)
    if best is None:
        raise ConfigError("rates", currency, "no rate for this currency")
    return best[1]


FIRST_DAY, LAST_DAY = 10_957, 25_566   # 2000-01-01 .. 2039-12-31, in days since 1970-01-01 (UTC)


def daily_rates(rates: pa.Table) -> pa.Table:
    """One rate per currency and day, so conversion is an equi-join rather than an as-of join per payment.
    Before a currency's first dated rate its earliest rate applies; after the last, the last."""
    days = np.arange(FIRST_DAY, LAST_DAY + 1, dtype=np.int64)
    valid = (rates["valid_from"].cast(pa.int64()).to_numpy() // 86_400_000_000).astype(np.int64)
    cur = np.asarray(rates["currency"].to_pylist(), dtype=object)
    units = rates["units_per_usd"].to_numpy()
    out_cur: list[str] = []
    out_days, out_units = [], []
    for c in sorted(set(cur)):
        idx = np.flatnonzero(cur == c)
        order = idx[np.argsort(valid[idx], kind="stable")]
        pos = np.searchsorted(valid[order], days, side="right") - 1
        out_cur += [c] * len(days)
        out_days.append(days)
        out_units.append(units[order][np.clip(pos, 0, None)])
    return pa.table({"currency": out_cur, "day": np.concatenate(out_days), "units_per_usd": np.concatenate(out_units)})
