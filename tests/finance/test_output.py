"""The alert file: written in one vectorised pass, it says exactly what the per-alert writer says."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from sulo.finance.output import FLAT_COLUMNS, flat_row, read_alert_rows, write_alerts
from sulo.finance.screen import screen_file


def _normal(row: dict[str, Any]) -> dict[str, Any]:
    out = {c: str(row[c]) for c in FLAT_COLUMNS if c not in ("score", "threshold", "evidence")}
    out["score"], out["threshold"] = float(row["score"]), float(row["threshold"])
    out["evidence"] = json.loads(row["evidence"])
    return out


@pytest.fixture(scope="module")
def tiny_result(world_tiny: Path) -> Any:
    return screen_file(world_tiny / "transactions.parquet")[1]


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_alert_file_matches_the_alert_objects(tiny_result: Any, tmp_path: Path, suffix: str) -> None:
    assert len(tiny_result.alert_set) > 20
    out = tmp_path / f"alerts{suffix}"
    write_alerts(tiny_result.alert_set, out)
    written = [_normal(r) for r in read_alert_rows(out)]
    expected = [_normal(flat_row(a)) for a in tiny_result.alerts]
    assert written == expected
    assert any(r["network_id"] for r in written) and any(len(r["evidence"]) > 1 for r in written)


def test_alert_file_columns(tiny_result: Any, tmp_path: Path) -> None:
    pq_out, csv_out = tmp_path / "a.parquet", tmp_path / "a.csv"
    write_alerts(tiny_result.alert_set, pq_out)
    write_alerts(tiny_result.alert_set, csv_out)
    assert pq.read_schema(pq_out).names == FLAT_COLUMNS
    with csv_out.open(newline="", encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == FLAT_COLUMNS


def test_two_accounts_on_one_key_stop_the_screening(world_tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Account keys are hashes: should two ids ever share one, the alert must not quietly merge them."""
    from sulo.finance import inputs
    from sulo.finance.screen import KeyCollision

    monkeypatch.setattr(inputs, "account_key", lambda col: "CAST(1 AS BIGINT)")
    with pytest.raises(KeyCollision, match="share one internal key"):
        screen_file(world_tiny / "transactions.parquet")


def test_cli_screen_writes_the_alert_file_and_the_quarantine(world_tiny: Path, tmp_path: Path,
                                                             tiny_result: Any) -> None:
    """`sulo finance screen` end to end: the alert file holds the library's alerts, bad rows go to the
    quarantine file with their reasons, nothing is dropped silently."""
    import subprocess
    import sys

    import pyarrow as pa

    source = pq.read_table(world_tiny / "transactions.parquet")
    bad = source.slice(0, 1).set_column(source.schema.get_field_index("currency"), "currency", pa.array(["XXX"]))
    bad = bad.set_column(bad.schema.get_field_index("txn_id"), "txn_id", pa.array(["TX-BAD-CURRENCY"]))
    path = tmp_path / "txn.parquet"
    pq.write_table(pa.concat_tables([source, bad.cast(source.schema)]), path)
    out = tmp_path / "alerts.csv"
    run = subprocess.run([sys.executable, "-m", "sulo", "finance", "screen", str(path), "--out", str(out)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    rows = read_alert_rows(out)
    assert [(r["alert_id"], float(r["score"])) for r in rows] == [
        (a.alert_id, round(a.score, 3)) for a in tiny_result.alerts]
    with (tmp_path / "alerts.csv.quarantine.csv").open(newline="", encoding="utf-8") as fh:
        quarantined = list(csv.DictReader(fh))
    assert [(q["row"], q["field"]) for q in quarantined] == [(str(source.num_rows + 1), "currency")]
    assert f"{source.num_rows + 1} rows: {source.num_rows} screened, 1 quarantined" in run.stdout + run.stderr
