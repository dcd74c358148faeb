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

import pyarrow as pa
import pyarrow.parquet as pq

from sulo.errors import Problem, ValidationError
from sulo.finance.model import Alert

FLAT_COLUMNS = ["alert_id", "account_id", "role", "typology", "score", "threshold", "indicators", "network_id",
                "account_name", "country", "channels", "evidence"]


def flat_row(a: Alert) -> dict[str, Any]:
    d = a.as_dict()
    return {"alert_id": d["alert_id"], "account_id": a.account_id, "role": a.role, "typology": a.typology,
            "score": d["score"], "threshold": a.threshold, "indicators": ";".join(a.indicators),
            "network_id": a.network_id or "", "account_name": a.account_name, "country": a.country,
            "channels": ";".join(a.channels), "evidence": json.dumps(d["evidence"], ensure_ascii=False)}


def write_alerts(alerts: list[Alert], path: Path) -> None:
    suffix = path.suffix.lower()
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
