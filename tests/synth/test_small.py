import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sulo.synth import generate_world


@pytest.mark.slow
def test_small_world_within_a_minute(tmp_path: Path) -> None:
    started = time.perf_counter()
    manifest = generate_world(tmp_path, seed=3, size="small")
    assert time.perf_counter() - started < 60
    assert manifest.counts["reports"] == 10_000
    assert pq.ParquetFile(tmp_path / "transactions.parquet").metadata.num_rows == 1_000_000
