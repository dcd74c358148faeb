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
