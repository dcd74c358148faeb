"""Transactions in: read CSV or Parquet in the documented format, validate every row, quarantine bad rows.

Validation runs in DuckDB in one pass (fast enough for tens of millions of rows) and yields, per row, the
list of problems found. Clean rows are converted to USD with the dated rate table (an ASOF join) and kept
in the DuckDB table `txn`; rows with problems go to the quarantine with their reasons, or, with
`strict=True`, the whole file is refused. Nothing is dropped silently: counts add up.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from sulo.errors import Problem, ValidationError
from sulo.finance.rates import load_rates

COLUMNS = ["txn_id", "timestamp", "sender_id", "sender_name", "sender_country", "receiver_id",
           "receiver_name", "receiver_country", "amount", "currency", "channel", "reference"]
CHANNELS = ("bank", "remittance", "ewallet", "card", "crypto", "cash")
MAX_AMOUNT = 1e13          # above any real single payment; larger values are typos or overflow
MAX_REFERENCE = 10_000     # characters
MAX_PROBLEMS_RAISED = 1000


@dataclass
class Loaded:
    con: duckdb.DuckDBPyConnection   # holds the clean, normalised table `txn`
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
    con.register("rates", rates if rates is not None else load_rates())
    text = _register_raw(con, Path(path))
    con.execute(_parsed_sql(text)).fetchall()
    n_rows, n_bad = con.sql(
        "SELECT count(*), count(*) FILTER (WHERE len(problems) > 0) FROM parsed").fetchall()[0]
    quarantine = con.sql(_QUARANTINE_SQL).to_arrow_table()
    loaded = Loaded(con=con, n_rows=int(n_rows), n_clean=int(n_rows) - int(n_bad), quarantine=quarantine)
    if strict and n_bad:
        raise ValidationError(loaded.problems(), f"{n_bad} of {n_rows} rows are invalid "
                              f"(first: {loaded.problems(1)[0]})")
    con.execute(_NORMALISE_SQL).fetchall()
    con.execute("DROP TABLE parsed").fetchall()
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
        con.execute("CREATE OR REPLACE TEMP VIEW raw AS SELECT file_row_number + 1 AS _row, * "
                    "EXCLUDE (file_row_number) FROM read_parquet($p, file_row_number = true)",
                    {"p": str(path)}).fetchall()
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


def _parsed_sql(text: bool) -> str:
    """One pass: typed values plus the list of problems of each row ('field|reason' strings)."""
    if text:
        ts = ("CASE WHEN regexp_matches(\"timestamp\", '^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?"
              "(Z|[+-]\\d{2}(:?\\d{2})?)$') THEN TRY_CAST(\"timestamp\" AS TIMESTAMPTZ) END")
        amount = "TRY_CAST(trim(amount) AS DOUBLE)"
        width = "_width <> 0"
        ts_reason = ("CASE WHEN regexp_matches(coalesce(\"timestamp\", ''), '^\\d{4}-\\d{2}-\\d{2}[T ][0-9:.]+$') "
                     "THEN 'timestamp|no time zone: add Z or +hh:mm' "
                     "ELSE 'timestamp|not an ISO 8601 timestamp with a time zone' END")
    else:
        ts, amount, width = "\"timestamp\"", "CAST(amount AS DOUBLE)", "false"
        ts_reason = "'timestamp|missing'"
    checks = f"""
        CASE WHEN coalesce(trim(txn_id), '') = '' THEN 'txn_id|empty' END,
        CASE WHEN _dup_of IS NOT NULL THEN 'txn_id|duplicate of row ' || _dup_of END,
        CASE WHEN p_ts IS NULL THEN {ts_reason} END,
        CASE WHEN coalesce(trim(sender_id), '') = '' THEN 'sender_id|empty' END,
        CASE WHEN coalesce(trim(receiver_id), '') = '' THEN 'receiver_id|empty' END,
        CASE WHEN NOT regexp_matches(coalesce(sender_country, ''), '^[A-Z]{{2}}$')
             THEN 'sender_country|not an ISO 3166 alpha-2 code' END,
        CASE WHEN NOT regexp_matches(coalesce(receiver_country, ''), '^[A-Z]{{2}}$')
             THEN 'receiver_country|not an ISO 3166 alpha-2 code' END,
        CASE WHEN p_amount IS NULL THEN 'amount|not a number'
             WHEN NOT isfinite(p_amount) THEN 'amount|not a finite number'
             WHEN p_amount <= 0 THEN 'amount|must be greater than 0'
             WHEN p_amount > {MAX_AMOUNT:.0f} THEN 'amount|exceeds {MAX_AMOUNT:,.0f}' END,
        CASE WHEN currency IS NULL OR currency NOT IN (SELECT currency FROM rates)
             THEN 'currency|unknown currency (not in the rate table)' END,
        CASE WHEN channel IS NULL OR channel NOT IN {CHANNELS!r}
             THEN 'channel|not one of {"/".join(CHANNELS)}' END,
        CASE WHEN length(coalesce(reference, '')) > {MAX_REFERENCE} THEN 'reference|longer than {MAX_REFERENCE}' END
    """
    dup = ("CASE WHEN _row > min(_row) OVER (PARTITION BY txn_id) AND trim(txn_id) <> '' "
           "THEN min(_row) OVER (PARTITION BY txn_id) END")
    return f"""
        CREATE OR REPLACE TEMP TABLE parsed AS
        WITH p AS (SELECT *, {ts} AS p_ts, {amount} AS p_amount, {dup} AS _dup_of FROM raw)
        SELECT *, CASE WHEN {width} THEN ['row|wrong number of fields (not as many as the header)']
                       ELSE list_filter([{checks}], lambda x: x IS NOT NULL) END AS problems FROM p
    """


_QUARANTINE_SQL = f"""
    SELECT _row AS "row", split_part(pr, '|', 1) AS field, split_part(pr, '|', 2) AS reason,
           {", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in COLUMNS)}
    FROM (SELECT *, unnest(problems) AS pr FROM parsed WHERE len(problems) > 0)
    ORDER BY "row", field
"""

# Normalised table: ts (epoch seconds) drives every time window; usd drives every USD threshold.
# Before a currency's first dated rate, its earliest rate is used.
_NORMALISE_SQL = """
    CREATE OR REPLACE TEMP TABLE txn AS
    WITH first_rate AS (SELECT currency, arg_min(units_per_usd, valid_from) AS units FROM rates GROUP BY currency)
    SELECT p.txn_id, p.p_ts AS "timestamp", CAST(floor(epoch(p.p_ts)) AS BIGINT) AS ts,
           p.sender_id, coalesce(p.sender_name, '') AS sender_name, p.sender_country,
           p.receiver_id, coalesce(p.receiver_name, '') AS receiver_name, p.receiver_country,
           p.p_amount AS amount, p.currency, p.channel, coalesce(p.reference, '') AS reference,
           p.p_amount / coalesce(r.units_per_usd, f.units) AS usd
    FROM (SELECT * FROM parsed WHERE len(problems) = 0) p
    ASOF LEFT JOIN rates r ON p.currency = r.currency AND p.p_ts >= r.valid_from
    JOIN first_rate f ON f.currency = p.currency
    ORDER BY p._row
"""
