"""Transactions in: read CSV or Parquet in the documented format, validate every row, quarantine bad rows.

Validation runs in DuckDB (fast enough for tens of millions of rows) and yields, for each bad row, the
list of problems found. Clean rows are converted to USD with the dated rate table and exposed as the DuckDB
view `txn` (a view: materialising every column costs more than scanning the file again); rows with
problems go to the quarantine with their reasons, or, with `strict=True`, the whole file is refused.
Nothing is dropped silently: counts add up.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

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
    rates = rates if rates is not None else load_rates()
    con.register("rates_in", rates)
    con.register("rates_daily", daily_rates(rates))
    text = _register_raw(con, Path(path))
    con.execute(_DUPLICATES_SQL).fetchall()
    has_dups = con.sql("SELECT count(*) FROM dups").fetchall()[0][0] > 0
    con.execute(_parsed_sql(text, has_dups)).fetchall()
    con.execute(_CHECKED_SQL).fetchall()
    quarantine = con.sql(_QUARANTINE_SQL).to_arrow_table()
    n_rows = int(con.sql("SELECT count(*) FROM checked").fetchall()[0][0])
    n_bad = len(set(quarantine["row"].to_pylist()))
    loaded = Loaded(con=con, n_rows=n_rows, n_clean=n_rows - n_bad, quarantine=quarantine)
    if strict and n_bad:
        raise ValidationError(loaded.problems(), f"{n_bad} of {n_rows} rows are invalid "
                              f"(first: {loaded.problems(1)[0]})")
    con.execute(_NORMALISE_SQL).fetchall()
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


def _register_raw(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    """Make the view `raw` (_row + the 12 columns); return True when the values are text (CSV)."""
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
        return False
    con.register("raw_arrow", _read_csv(path))
    con.execute("CREATE OR REPLACE TEMP VIEW raw AS SELECT * FROM raw_arrow").fetchall()
    return True


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


def _parsed_sql(text: bool, has_dups: bool) -> str:
    """One pass: typed values, a `bad` flag, and for bad rows the list of 'field|reason' problems."""
    if text:
        ts = ("CASE WHEN regexp_matches(\"timestamp\", '^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?"
              "(Z|[+-]\\d{2}(:?\\d{2})?)$') THEN TRY_CAST(\"timestamp\" AS TIMESTAMPTZ) END")
        amount, width = "TRY_CAST(trim(amount) AS DOUBLE)", "_width <> 0"
        ts_reason = ("CASE WHEN regexp_matches(coalesce(\"timestamp\", ''), '^\\d{4}-\\d{2}-\\d{2}[T ][0-9:.]+$') "
                     "THEN 'timestamp|no time zone: add Z or +hh:mm' "
                     "ELSE 'timestamp|not an ISO 8601 timestamp with a time zone' END")
    else:
        ts, amount, width, ts_reason = "\"timestamp\"", "CAST(amount AS DOUBLE)", "false", "'timestamp|missing'"
    checks = [  # (condition that makes the row bad, the problem as 'field|reason')
        ("coalesce(trim(txn_id), '') = ''", "'txn_id|empty'"),
        ("_dup_of IS NOT NULL", "'txn_id|duplicate of row ' || _dup_of"),
        ("p_ts IS NULL", ts_reason),
        ("coalesce(trim(sender_id), '') = ''", "'sender_id|empty'"),
        ("coalesce(trim(receiver_id), '') = ''", "'receiver_id|empty'"),
        ("NOT regexp_matches(coalesce(sender_country, ''), '^[A-Z]{2}$')",
         "'sender_country|not an ISO 3166 alpha-2 code'"),
        ("NOT regexp_matches(coalesce(receiver_country, ''), '^[A-Z]{2}$')",
         "'receiver_country|not an ISO 3166 alpha-2 code'"),
        ("p_amount IS NULL", "'amount|not a number'"),
        ("NOT isfinite(p_amount)", "'amount|not a finite number'"),
        ("p_amount <= 0", "'amount|must be greater than 0'"),
        (f"isfinite(p_amount) AND p_amount > {MAX_AMOUNT:.0f}", f"'amount|exceeds {MAX_AMOUNT:,.0f}'"),
        ("currency IS NULL OR currency NOT IN (SELECT DISTINCT currency FROM rates_in)",
         "'currency|unknown currency (not in the rate table)'"),
        (f"channel IS NULL OR channel NOT IN {CHANNELS!r}", f"'channel|not one of {'/'.join(CHANNELS)}'"),
        (f"length(coalesce(reference, '')) > {MAX_REFERENCE}", f"'reference|longer than {MAX_REFERENCE}'"),
    ]
    # NULL from a comparison (e.g. NaN amount) counts as bad: coalesce(cond, true).
    bad = " OR ".join(f"coalesce({cond}, true)" for cond, _ in checks if not cond.startswith("p_amount IS"))
    bad += " OR p_amount IS NULL"
    problems = ", ".join(f"CASE WHEN coalesce({cond}, false) THEN {msg} END" for cond, msg in checks)
    src = ("(SELECT raw.*, dups.first_row AS _dup_of FROM raw LEFT JOIN dups ON raw.txn_id = dups.txn_id "
           "AND raw._row > dups.first_row)" if has_dups else "(SELECT *, CAST(NULL AS BIGINT) AS _dup_of FROM raw)")
    # The problem list is built only for bad rows: most rows pass, and lists are costly.
    return f"""
        CREATE OR REPLACE TEMP VIEW parsed AS
        WITH p AS (SELECT *, {ts} AS p_ts, {amount} AS p_amount FROM {src} s),
        q AS (SELECT *, ({width}) OR {bad} AS bad FROM p)
        SELECT *, CASE WHEN NOT bad THEN NULL
                       WHEN {width} THEN ['row|wrong number of fields (not as many as the header)']
                       ELSE list_filter([{problems}], lambda x: x IS NOT NULL) END AS problems FROM q
    """


_QUARANTINE_SQL = f"""
    SELECT _row AS "row", split_part(pr, '|', 1) AS field, split_part(pr, '|', 2) AS reason,
           {", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in COLUMNS)}
    FROM (SELECT *, unnest(problems) AS pr FROM checked WHERE bad)
    ORDER BY "row", field
"""

# Normalised table: ts (epoch seconds) drives every time window; usd drives every USD threshold.
# Before a currency's first dated rate, its earliest rate is used.
_DUPLICATES_SQL = """
    CREATE OR REPLACE TEMP TABLE dups AS
    SELECT txn_id, min(_row) AS first_row FROM raw WHERE trim(txn_id) <> '' GROUP BY txn_id HAVING count(*) > 1
"""

# One materialised pass: parse, check and convert every row once; later steps read this table.
_CHECKED_SQL = f"""
    CREATE OR REPLACE TEMP TABLE checked AS
    SELECT p.*, CAST(floor(epoch(p.p_ts)) AS BIGINT) AS ts, p.p_amount / r.units_per_usd AS usd
    FROM parsed p LEFT JOIN rates_daily r ON NOT p.bad AND r.currency = p.currency
     AND r.day = least(greatest(CAST(floor(epoch(p.p_ts) / 86400) AS BIGINT), {FIRST_DAY}), {LAST_DAY})
"""

# Normalised view: ts (epoch seconds) drives every time window; usd drives every USD threshold.
_NORMALISE_SQL = """
    CREATE OR REPLACE TEMP VIEW txn AS
    SELECT _row AS row_no, txn_id, p_ts AS "timestamp", ts,
           sender_id, coalesce(sender_name, '') AS sender_name, sender_country,
           receiver_id, coalesce(receiver_name, '') AS receiver_name, receiver_country,
           p_amount AS amount, currency, channel, coalesce(reference, '') AS reference, usd
    FROM checked WHERE NOT bad
"""
