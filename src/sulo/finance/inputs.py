"""Transactions in: read CSV or Parquet in the documented format, validate every row, quarantine bad rows.

Validation runs in DuckDB (fast enough for tens of millions of rows) and yields, for each bad row, the
list of problems found. Clean rows are converted to USD with the dated rate table and exposed as the DuckDB
view `txn` (a view: materialising every column costs more than scanning the file again); rows with
problems go to the quarantine with their reasons, or, with `strict=True`, the whole file is refused.
Nothing is dropped silently: counts add up.
"""

from __future__ import annotations

import csv
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sulo.engine.duckdb_backend import frequent_values
from sulo.errors import Problem, ValidationError
from sulo.finance.rates import FIRST_DAY, LAST_DAY, daily_rates, load_rates

COLUMNS = ["txn_id", "timestamp", "sender_id", "sender_name", "sender_country", "receiver_id",
           "receiver_name", "receiver_country", "amount", "currency", "channel", "reference"]
CHANNELS = ("bank", "remittance", "ewallet", "card", "crypto", "cash")
MAX_AMOUNT = 1e13          # above any real single payment; larger values are typos or overflow
MAX_REFERENCE = 10_000     # characters
MAX_PROBLEMS_RAISED = 1000


@dataclass
class Loaded:
    con: duckdb.DuckDBPyConnection   # holds the clean, normalised view `txn`
    n_rows: int
    n_clean: int
    quarantine: pa.Table             # row, field, reason, then the row's fields as text

    @property
    def n_quarantined(self) -> int:
        return self.n_rows - self.n_clean

    def problems(self, limit: int = MAX_PROBLEMS_RAISED) -> list[Problem]:
        q = self.quarantine.slice(0, limit)
        return [Problem(record=f"row {r}", field=f, message=m) for r, f, m in
                zip(q["row"].to_pylist(), q["field"].to_pylist(), q["reason"].to_pylist(), strict=True)]


def load_transactions(path: Path, *, strict: bool = False, rates: pa.Table | None = None,
                      con: duckdb.DuckDBPyConnection | None = None) -> Loaded:
    con = con or duckdb.connect()
    con.execute("SET enable_progress_bar = false").fetchall()
    # Every step orders what it needs explicitly; keeping scan order would serialise most steps on one core.
    con.execute("SET preserve_insertion_order = false").fetchall()
    # The job's tables live for one screening: DuckDB's automatic checkpoint of the in-memory database
    # (compressing them once its log passes the threshold) cost ~0.2 s each time it fired, for tables dropped
    # seconds later. Peak memory stays ~2 GB for 10 million rows without it.
    con.execute("SET checkpoint_threshold = '64GB'").fetchall()
    # Codes are compared as bytes: a caller's connection set to a case-insensitive collation would let 'ph'
    # pass the country check (and then match no indicator's 'PH').
    con.execute("SET default_collation = 'binary'").fetchall()
    rates = rates if rates is not None else load_rates()
    con.register("rates_daily", daily_rates(rates))
    text, floating = _register_raw(con, Path(path))
    checks = _checks(text, sorted(set(rates.column("currency").to_pylist())), floating)
    hashes = con.sql("SELECT hash(txn_id) AS h FROM raw WHERE txn_id IS NOT NULL").to_arrow_table()
    # The numpy sort for duplicate ids runs on one core while DuckDB checks every other rule on the other.
    with ThreadPoolExecutor(1) as pool:
        repeated = pool.submit(frequent_values, hashes.column("h").to_numpy(), 2)
        con.execute(_bad_rows_sql(text, checks)).fetchall()
        has_dups = _find_duplicate_ids(con, repeated.result())
    if has_dups:
        con.execute("""INSERT INTO bad_rows SELECT DISTINCT raw._row FROM raw
                       JOIN dups ON raw.txn_id = dups.txn_id AND raw._row > dups.first_row
                       ANTI JOIN bad_rows b ON b._row = raw._row""").fetchall()
    n_rows = int(con.sql("SELECT count(*) FROM raw").fetchall()[0][0])
    n_bad = int(con.sql("SELECT count(*) FROM bad_rows").fetchall()[0][0])
    # A clean file skips the quarantine query: it would read every column of the file to find no rows.
    quarantine = (con.sql(_quarantine_sql(text, has_dups, checks)).to_arrow_table() if n_bad else
                  pa.schema([("row", pa.int64()), ("field", pa.string()), ("reason", pa.string()),
                             *((c, pa.string()) for c in COLUMNS)]).empty_table())
    loaded = Loaded(con=con, n_rows=n_rows, n_clean=n_rows - n_bad, quarantine=quarantine)
    if strict and n_bad:
        raise ValidationError(loaded.problems(), f"{n_bad} of {n_rows} rows are invalid "
                              f"(first: {loaded.problems(1)[0]})")
    con.execute(_txn_view_sql(text, n_bad > 0)).fetchall()
    con.execute(_txn_text_sql(text)).fetchall()
    return loaded


def write_quarantine(loaded: Loaded, path: Path) -> None:
    """One line per problem: the row number (1 = first data row), the field, the reason, the raw values."""
    if path.suffix == ".parquet":
        pq.write_table(loaded.quarantine, path)
        return
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(loaded.quarantine.column_names)
        for row in zip(*(c.to_pylist() for c in loaded.quarantine.columns), strict=True):
            writer.writerow(row)


def _register_raw(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[bool, bool]:
    """Make the view `raw` (_row + the 12 columns); return whether the values are text (CSV) and whether an
    amount can be infinite or NaN (text or a floating-point column; not a decimal or integer one)."""
    if path.suffix.lower() == ".parquet":
        schema = pq.read_schema(path)
        _check_header(list(schema.names), path)
        ts_type = schema.field("timestamp").type
        if not (pa.types.is_timestamp(ts_type) and ts_type.tz is not None):
            raise ValidationError(Problem(record=str(path), field="timestamp",
                                          message=f"must be a timestamp with a time zone, found {ts_type}"))
        con.read_parquet(str(path), file_row_number=True).create_view("raw_src")
        con.execute("CREATE OR REPLACE TEMP VIEW raw AS SELECT file_row_number + 1 AS _row, * "
                    "EXCLUDE (file_row_number) FROM raw_src").fetchall()
        amount = schema.field("amount").type
        return False, not (pa.types.is_decimal(amount) or pa.types.is_integer(amount))
    con.register("raw_arrow", _read_csv(path))
    con.execute("CREATE OR REPLACE TEMP VIEW raw AS SELECT * FROM raw_arrow").fetchall()
    return True, True


def _check_header(names: list[str], path: Path) -> None:
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise ValidationError([Problem(record=str(path), field=c, message="column missing") for c in missing])


def _read_csv(path: Path) -> pa.Table:
    """CSV to an all-text Arrow table; a row with the wrong number of fields is kept, marked, not dropped."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader, None) or []
        _check_header(header, path)
        idx = [header.index(c) for c in COLUMNS]
        cols: list[list[str | None]] = [[] for _ in COLUMNS]
        rows: list[int] = []
        widths: list[int] = []
        for n, rec in enumerate(reader, 1):
            rows.append(n)
            widths.append(len(rec))
            ok = len(rec) == len(header)
            for j, i in enumerate(idx):
                cols[j].append(rec[i] if ok else None)
    data: dict[str, pa.Array] = {"_row": pa.array(rows, pa.int64())}
    for name, values in zip(COLUMNS, cols, strict=True):
        data[name] = pa.array(values, pa.string())
    data["_width"] = pa.array([w - len(header) for w in widths], pa.int64())
    return pa.table(data)


def _find_duplicate_ids(con: duckdb.DuckDBPyConnection, repeated: np.ndarray) -> bool:
    """Make the table `dups` (txn_id, first_row) of ids seen on more than one row; True if there are any.
    Exact: only the rows whose 64-bit id hash repeats (`repeated`) are grouped by the id text."""
    if len(repeated) == 0:
        return False
    con.register("dup_hashes", pa.table({"h": pa.array(repeated, pa.uint64())}))
    con.execute("""
        CREATE OR REPLACE TEMP TABLE dups AS
        SELECT txn_id, min(_row) AS first_row FROM raw
        WHERE hash(txn_id) IN (SELECT h FROM dup_hashes) AND trim(txn_id) <> ''
        GROUP BY txn_id HAVING count(*) > 1""").fetchall()
    return bool(con.sql("SELECT count(*) FROM dups").fetchall()[0][0])


def _blank(col: str) -> str:
    """Empty or only spaces; trim() runs only on values that start with a space (trimming every id is slow)."""
    return f"({col} IS NULL OR {col} = '' OR (starts_with({col}, ' ') AND trim({col}) = ''))"


def _not_country(col: str) -> str:
    letters = f"{col}[1] BETWEEN 'A' AND 'Z' AND {col}[2] BETWEEN 'A' AND 'Z'"
    return f"({col} IS NULL OR NOT (strlen({col}) = 2 AND {letters}))"


def account_key(col: str) -> str:
    """The integer every window and join of the screening uses for an account instead of its text id: a 63-bit
    hash. Two different ids share a key with probability ~n^2/2^64 (2 million accounts: 1 in 4.6 million
    screenings); the alerts step refuses an alerting key that covers two ids, so a collision cannot pass
    unseen in an alert."""
    return f"CAST(hash({col}) & 9223372036854775807 AS BIGINT)"


def _typed(text: bool) -> tuple[str, str]:
    """The typed timestamp and amount of a raw row (text from CSV, typed from Parquet)."""
    if text:
        ts = ("CASE WHEN regexp_matches(\"timestamp\", '^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?"
              "(Z|[+-]\\d{2}(:?\\d{2})?)$') THEN TRY_CAST(\"timestamp\" AS TIMESTAMPTZ) END")
        return ts, "TRY_CAST(trim(amount) AS DOUBLE)"
    return "\"timestamp\"", "CAST(amount AS DOUBLE)"


def _checks(text: bool, currencies: list[str], floating: bool = True) -> list[tuple[str, str]]:
    """(condition that makes a row bad, the problem as 'field|reason'), over the raw columns plus p_ts and
    p_amount (typed). Each condition is TRUE or FALSE, never NULL (NULL-safe by its own IS NULL test, or
    implied by another check), so each can run as its own filtered scan. `floating=False` (a decimal or
    integer amount column) leaves out the finiteness check: it cannot fail, and it was the one check that
    read every amount of a clean file (0.1 s per 10 million rows) instead of its row groups' statistics."""
    if text:
        ts_reason = ("CASE WHEN regexp_matches(coalesce(\"timestamp\", ''), '^\\d{4}-\\d{2}-\\d{2}[T ][0-9:.]+$') "
                     "THEN 'timestamp|no time zone: add Z or +hh:mm' "
                     "ELSE 'timestamp|not an ISO 8601 timestamp with a time zone' END")
    else:
        ts_reason = "'timestamp|missing'"
    known = ", ".join("'" + c.replace("'", "''") + "'" for c in currencies)
    checks = [
        ("_width <> 0", "'row|wrong number of fields (not as many as the header)'"),
        (_blank("txn_id"), "'txn_id|empty'"),
        ("p_ts IS NULL", ts_reason),
        (_blank("sender_id"), "'sender_id|empty'"),
        (_blank("receiver_id"), "'receiver_id|empty'"),
        (_not_country("sender_country"), "'sender_country|not an ISO 3166 alpha-2 code'"),
        (_not_country("receiver_country"), "'receiver_country|not an ISO 3166 alpha-2 code'"),
        ("p_amount IS NULL", "'amount|not a number'"),
        # NULL only where p_amount IS NULL
        *([("NOT isfinite(p_amount)", "'amount|not a finite number'")] if floating else []),
        ("p_amount <= 0", "'amount|must be greater than 0'"),            # idem
        (f"isfinite(p_amount) AND p_amount > {MAX_AMOUNT:.0f}", f"'amount|exceeds {MAX_AMOUNT:,.0f}'"),
        (f"currency IS NULL OR currency NOT IN ({known})", "'currency|unknown currency (not in the rate table)'"),
        (f"channel IS NULL OR channel NOT IN {CHANNELS!r}", f"'channel|not one of {'/'.join(CHANNELS)}'"),
        (f"strlen(coalesce(reference, '')) > {MAX_REFERENCE} AND length(reference) > {MAX_REFERENCE}",
         f"'reference|longer than {MAX_REFERENCE}'"),
    ]
    return checks if text else checks[1:]


def _typed_raw(text: bool) -> str:
    ts, amount = _typed(text)
    return f"(SELECT *, {ts} AS p_ts, {amount} AS p_amount FROM raw)"


def _bad_rows_sql(text: bool, checks: list[tuple[str, str]]) -> str:
    """The table `bad_rows` (_row). One filtered scan per check, not one scan testing them all: DuckDB answers
    most single-column checks from Parquet's row-group statistics without reading the rows, so a clean file
    is proven clean cheaply; a file with bad rows pays only for the checks they fail."""
    parts = [f"SELECT _row FROM {_typed_raw(text)} WHERE {cond}" for cond, _ in checks]
    return "CREATE OR REPLACE TEMP TABLE bad_rows AS SELECT DISTINCT _row FROM (" + " UNION ALL ".join(parts) + ") b"


def _quarantine_sql(text: bool, has_dups: bool, checks: list[tuple[str, str]]) -> str:
    """One line per problem of each bad row, in row order; only the bad rows are read for it."""
    checks = [*checks, ("_dup_of IS NOT NULL", "'txn_id|duplicate of row ' || _dup_of")]
    problems = ", ".join(f"CASE WHEN coalesce({cond}, false) THEN {msg} END" for cond, msg in checks)
    dups = ("LEFT JOIN dups d ON d.txn_id = t.txn_id AND t._row > d.first_row" if has_dups
            else "LEFT JOIN (SELECT NULL AS txn_id, CAST(NULL AS BIGINT) AS first_row) d ON FALSE")
    # A row with the wrong number of fields has no values to check: that one problem is its only one.
    width = "CASE WHEN _width <> 0 THEN ['row|wrong number of fields (not as many as the header)'] END" \
        if text else "NULL"
    return f"""
        SELECT _row AS "row", split_part(pr, '|', 1) AS field, split_part(pr, '|', 2) AS reason,
               {", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in COLUMNS)}
        FROM (SELECT *, unnest(coalesce({width}, list_filter([{problems}], lambda x: x IS NOT NULL))) AS pr
              FROM (SELECT t.*, d.first_row AS _dup_of FROM {_typed_raw(text)} t {dups}
                    WHERE t._row IN (SELECT _row FROM bad_rows)) b)
        ORDER BY "row", field
    """


def _txn_text_sql(text: bool) -> str:
    """The view `txn_text`: each row's text and amount by its number, read only for the rows that end up as
    evidence (no keys, no rates), so the screening's own table can stay narrow."""
    return f"""
        CREATE OR REPLACE TEMP VIEW txn_text AS
        SELECT _row AS row_no, txn_id, sender_id, coalesce(sender_name, '') AS sender_name, receiver_id,
               coalesce(receiver_name, '') AS receiver_name, p_amount AS amount, currency,
               coalesce(reference, '') AS reference FROM {_typed_raw(text)} t
    """


def _txn_view_sql(text: bool, has_bad: bool) -> str:
    """The view `txn` of clean rows, typed: ts (epoch seconds) drives every time window, usd every USD
    threshold (before a currency's first dated rate, its earliest rate is used). A view, not a table:
    copying ten million rows costs more than the one scan the screening makes of them."""
    keep = "ANTI JOIN bad_rows USING (_row)" if has_bad else ""
    day = f"least(greatest(CAST(floor(epoch(t.p_ts) / 86400) AS BIGINT), {FIRST_DAY}), {LAST_DAY})"
    return f"""
        CREATE OR REPLACE TEMP VIEW txn AS
        SELECT t._row AS row_no, t.txn_id, t.p_ts AS "timestamp", CAST(floor(epoch(t.p_ts)) AS BIGINT) AS ts,
               t.sender_id, {account_key("t.sender_id")} AS sender_key, coalesce(t.sender_name, '') AS sender_name,
               t.sender_country, t.receiver_id, {account_key("t.receiver_id")} AS receiver_key,
               coalesce(t.receiver_name, '') AS receiver_name, t.receiver_country,
               t.p_amount AS amount, t.currency, t.channel, coalesce(t.reference, '') AS reference,
               t.p_amount / r.units_per_usd AS usd
        FROM (SELECT * FROM {_typed_raw(text)} {keep}) t
        LEFT JOIN rates_daily r ON r.currency = t.currency AND r.day = {day}
    """
