"""Spark (PySpark): for deployments that outgrow one machine.

Creating a session costs seconds, so it is made lazily, once per process, and reused; tests share it.
Defaults suit one machine and tests: local[2], few shuffle partitions, no UI, bound to loopback.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from sulo.engine.backend import Backend
from sulo.engine.dialect import SPARK

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

_lock = threading.Lock()
_session: SparkSession | None = None


def get_spark(master: str = "local[2]") -> SparkSession:
    """The process-wide Spark session, created on first use."""
    global _session
    with _lock:
        if _session is None:
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            from pyspark.sql import SparkSession

            _session = (
                SparkSession.builder.master(master)
                .appName("sulo")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.default.parallelism", "2")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                .getOrCreate()
            )
            _session.sparkContext.setLogLevel("ERROR")
        return _session


class SparkBackend(Backend):
    dialect = SPARK

    def __init__(self, spark: SparkSession | None = None) -> None:
        self._spark = spark
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._names: list[str] = []

    @property
    def spark(self) -> SparkSession:
        if self._spark is None:
            self._spark = get_spark()
        return self._spark

    def _register_arrow(self, name: str, table: pa.Table) -> None:
        # Through Parquet: the one route that keeps Arrow types (timestamps, decimals) intact.
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="sulo-spark-")
        path = Path(self._tmp.name) / f"{len(self._names)}.parquet"
        pq.write_table(table, path)
        self._register_parquet(name, path)

    def _register_parquet(self, name: str, path: Path) -> None:
        self.spark.read.parquet(str(path)).createOrReplaceTempView(name)
        self._names.append(name)

    def _create_table(self, name: str, sql: str, params: dict[str, Any]) -> None:
        df = self.spark.sql(sql, args=params or None)
        # Materialise: later steps read a table several times; recomputing the lineage would repeat work.
        df.localCheckpoint(eager=True).createOrReplaceTempView(name)
        self._names.append(name)

    def _create_view(self, name: str, sql: str, params: dict[str, Any]) -> None:
        self.spark.sql(sql, args=params or None).createOrReplaceTempView(name)
        self._names.append(name)

    def _fetch_arrow(self, sql: str, params: dict[str, Any]) -> pa.Table:
        return self.spark.sql(sql, args=params or None).toArrow()

    def close(self) -> None:
        for name in set(self._names):
            self.spark.catalog.dropTempView(name)
        self._names.clear()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
