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
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
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
    """The CSV/Parquet columns for every alert at once (what flat_row gives for one): each evidence row's JSON
    made in DuckDB, then joined per alert in library order with Arrow (one sort of small integer keys; a list
    or string_agg aggregate in SQL copied every JSON text through a hash table: half the time of this step)."""
    weights = [(t, ind, w, alerts.order.index(ind)) for t, ws in alerts.weights.items() for ind, w in ws.items()
               if w > 0]
    local = duckdb.connect()
    try:
        local.register("alerts", alerts.alerts.append_column("alert_no", pa.array(range(len(alerts)), pa.int64())))
        local.register("evidence", alerts.evidence)
        local.register("weights", pa.table({n: [w[i] for w in weights] for i, n in
                                            enumerate(["typology", "indicator_id", "weight", "ord"])}))
        ev = local.sql(_EVIDENCE_JSON_SQL).to_arrow_table()
        base = local.sql(_ALERT_COLUMNS_SQL).to_arrow_table()
    finally:
        local.close()
    ev = ev.take(pc.sort_indices(ev, [("alert_no", "ascending"), ("ord", "ascending")]))
    counts = np.bincount(ev.column("alert_no").to_numpy(), minlength=len(alerts))
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]), pa.int32())

    def per_alert(column: str, sep: str, prefix: str = "", suffix: str = "") -> pa.Array:
        """Each alert's values of `column`, joined by `sep` (as large strings: a national screening's evidence
        texts may pass the 2 GiB that 32-bit offsets hold), narrowed back where they fit."""
        def large(x: str) -> pa.Scalar:
            return pa.scalar(x, pa.large_string())
        values = ev.column(column).cast(pa.large_string()).combine_chunks()
        joined = pc.binary_join(pa.ListArray.from_arrays(offsets, values), large(sep))
        if prefix or suffix:
            joined = pc.binary_join_element_wise(large(prefix), joined, large(suffix), large(""))
        try:
            return joined.cast(pa.string())
        except pa.ArrowInvalid:   # too large for 32-bit offsets: kept as large strings (same Parquet/CSV output)
            return joined

    names = base.column_names
    return (base.set_column(names.index("evidence"), "evidence", per_alert("j", ",", "[", "]"))
            .set_column(names.index("indicators"), "indicators", per_alert("indicator_id", ";")))


_STAMP = "strftime(make_timestamp(CAST({} AS BIGINT) * 1000000), '%Y-%m-%dT%H:%M:%SZ')"
# One JSON object per evidence row of an alert (indicators with weight 0 in the alert's typology left out).
_EVIDENCE_JSON_SQL = f"""
    SELECT a.alert_no, w.ord, e.indicator_id,
           CAST(to_json({{'indicator_id': e.indicator_id, 'n_txn': e.n_txn, 'total_usd': e.total_usd,
                         'first_ts': e.first_ts, 'last_ts': e.last_ts, 'txn_ids': e.txn_ids,
                         'first': {_STAMP.format("e.first_ts")}, 'last': {_STAMP.format("e.last_ts")}}})
                AS VARCHAR) AS j
    FROM alerts a JOIN evidence e ON e.key = a.key AND e.role = a.role
    JOIN weights w ON w.typology = a.typology AND w.indicator_id = e.indicator_id
"""
# The alert's own columns, in alert order; indicators and evidence are filled in by flat_table.
_ALERT_COLUMNS_SQL = """
    SELECT typology || ':' || role || ':' || account_id AS alert_id, account_id, role, typology,
           round(score, 3) AS score, threshold, '' AS indicators, coalesce(network_id, '') AS network_id,
           account_name, country, array_to_string(channels, ';') AS channels, '' AS evidence
    FROM alerts ORDER BY alert_no
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
