"""Write alerts as CSV, Parquet or JSON (by the file's extension): the documented alert file format.

Columns (CSV/Parquet): alert_id, account_id, role, typology, score, threshold, indicators (';'-joined),
network_id, account_name, country, channels (';'-joined), evidence (JSON: per indicator the transaction
ids, count, USD total, first and last time). JSON holds the same fields with evidence as objects.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sulo.errors import Problem, ValidationError
from sulo.finance.model import Alert, AlertSet

FLAT_COLUMNS = ["alert_id", "account_id", "role", "typology", "score", "threshold", "indicators", "network_id",
                "account_name", "country", "channels", "evidence"]


def flat_row(a: Alert) -> dict[str, Any]:
    d = a.as_dict()
    return {"alert_id": d["alert_id"], "account_id": a.account_id, "role": a.role, "typology": a.typology,
            "score": d["score"], "threshold": a.threshold, "indicators": ";".join(a.indicators),
            "network_id": a.network_id or "", "account_name": a.account_name, "country": a.country,
            "channels": ";".join(a.channels), "evidence": json.dumps(d["evidence"], ensure_ascii=False)}


def flat_table(alerts: AlertSet) -> pa.Table:
    """The CSV/Parquet columns for every alert at once (what flat_row gives for one), built in DuckDB."""
    weights = [(t, ind, w, alerts.order.index(ind)) for t, ws in alerts.weights.items() for ind, w in ws.items()
               if w > 0]
    local = duckdb.connect()
    try:
        local.register("alerts", alerts.alerts.append_column("alert_no", pa.array(range(len(alerts)), pa.int64())))
        local.register("evidence", alerts.evidence)
        local.register("weights", pa.table({n: [w[i] for w in weights] for i, n in
                                            enumerate(["typology", "indicator_id", "weight", "ord"])}))
        return local.sql(_FLAT_SQL).to_arrow_table()
    finally:
        local.close()


_STAMP = "strftime(make_timestamp(CAST({} AS BIGINT) * 1000000), '%Y-%m-%dT%H:%M:%SZ')"
_FLAT_SQL = f"""
    WITH a AS (SELECT * FROM alerts),
    ev AS (SELECT a.alert_no, w.ord, e.* EXCLUDE (key, role) FROM a
           JOIN evidence e ON e.key = a.key AND e.role = a.role
           JOIN weights w ON w.typology = a.typology AND w.indicator_id = e.indicator_id),
    -- One JSON object per evidence row; each alert's rows put in library order by sorting its short list
    -- (a string_agg with ORDER BY sorted all rows with their text: four times slower).
    js AS (SELECT alert_no, ord, indicator_id,
                  to_json({{'indicator_id': indicator_id, 'n_txn': n_txn, 'total_usd': total_usd,
                           'first_ts': first_ts, 'last_ts': last_ts, 'txn_ids': txn_ids,
                           'first': {_STAMP.format("first_ts")}, 'last': {_STAMP.format("last_ts")}}}) AS j
           FROM ev),
    agg AS (SELECT alert_no, array_to_string(list_transform(l, lambda x: x.i), ';') AS indicators,
                   '[' || array_to_string(list_transform(l, lambda x: x.j), ',') || ']' AS evidence
            FROM (SELECT alert_no, list_sort(list({{'o': ord, 'i': indicator_id, 'j': CAST(j AS VARCHAR)}})) AS l
                  FROM js GROUP BY alert_no) g)
    SELECT a.typology || ':' || a.role || ':' || a.account_id AS alert_id, a.account_id, a.role, a.typology,
           round(a.score, 3) AS score, a.threshold, coalesce(agg.indicators, '') AS indicators,
           coalesce(a.network_id, '') AS network_id, a.account_name, a.country,
           array_to_string(a.channels, ';') AS channels, coalesce(CAST(agg.evidence AS VARCHAR), '[]') AS evidence
    FROM a LEFT JOIN agg USING (alert_no) ORDER BY a.alert_no
"""


def write_alerts(alerts: list[Alert] | AlertSet, path: Path) -> None:
    suffix = path.suffix.lower()
    if isinstance(alerts, AlertSet) and suffix in (".parquet", ".csv"):
        table = flat_table(alerts)
        if suffix == ".parquet":
            pq.write_table(table, path)
        else:
            pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
        return
    if isinstance(alerts, AlertSet):
        alerts = alerts.to_alerts()
    if suffix == ".json":
        path.write_text(json.dumps([a.as_dict() for a in alerts], ensure_ascii=False, indent=1), encoding="utf-8")
    elif suffix == ".parquet":
        rows = [flat_row(a) for a in alerts]
        pq.write_table(pa.table({c: [r[c] for r in rows] for c in FLAT_COLUMNS}), path)
    elif suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, FLAT_COLUMNS)
            writer.writeheader()
            writer.writerows(flat_row(a) for a in alerts)
    else:
        raise ValidationError(Problem(record=str(path), field="--out",
                                      message="use a .csv, .parquet or .json file name"))


def read_alert_rows(path: Path) -> list[dict[str, Any]]:
    """Read an alert file back (for `sulo finance alerts` and evaluation)."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        rows: list[dict[str, Any]] = list(json.loads(path.read_text(encoding="utf-8")))
        return rows
    if suffix == ".parquet":
        table_rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
        return table_rows
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))
