"""The abstract backend: four engine-specific methods, and the shared steps that are final."""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from sulo.engine.dialect import Dialect

log = logging.getLogger("sulo.engine")


class EngineError(Exception):
    """An engine failed on a step; carries the step name and the SQL so the failure can be found."""

    def __init__(self, step: str, sql: str, cause: BaseException) -> None:
        super().__init__(f"step {step!r} failed: {type(cause).__name__}: {cause}\n--- SQL ---\n{sql}")
        self.step = step
        self.sql = sql
        self.cause = cause


@dataclass(frozen=True)
class Step:
    """A named SQL query whose result becomes the table `name`; values travel in `params`, never in `sql`."""

    name: str
    sql: str
    params: dict[str, Any] = field(default_factory=dict)


class Backend(ABC):
    dialect: Dialect

    # -- engine-specific: each backend fills in these four ----------------------------------
    @abstractmethod
    def _register_arrow(self, name: str, table: pa.Table) -> None: ...

    @abstractmethod
    def _register_parquet(self, name: str, path: Path) -> None: ...

    @abstractmethod
    def _create_table(self, name: str, sql: str, params: dict[str, Any]) -> None: ...

    @abstractmethod
    def _fetch_arrow(self, sql: str, params: dict[str, Any]) -> pa.Table: ...

    @abstractmethod
    def _create_view(self, name: str, sql: str, params: dict[str, Any]) -> None: ...

    def close(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Release what the backend holds (temp tables); shared sessions stay up."""

    # -- shared, final ----------------------------------------------------------------------
    def register_arrow(self, name: str, table: pa.Table) -> None:
        self._guard(f"register {name}", "<arrow table>", lambda: self._register_arrow(name, table))

    def register_parquet(self, name: str, path: str | Path) -> None:
        p = Path(path)
        self._guard(f"register {name}", f"<parquet {p}>", lambda: self._register_parquet(name, p))

    def run(self, step: Step) -> None:
        """Execute one step: its result becomes the table `step.name`."""
        self._guard(step.name, step.sql, lambda: self._create_table(step.name, step.sql, step.params))

    def run_view(self, step: Step) -> None:
        """Like run, but `step.name` is a view: computed where it is read, never stored."""
        self._guard(step.name, step.sql, lambda: self._create_view(step.name, step.sql, step.params))

    def run_frequent(self, step: Step, min_count: int) -> None:
        """The table `step.name` (h) of the values of column `h` of `step.sql` that occur at least `min_count`
        times: a pre-filter for "groups with at least n rows" (the values are hashes of the group key, so the
        caller still checks the count on the real key; a shared hash can only let a group through, never drop
        one). Engines may answer this faster than a GROUP BY of ten million mostly single-row groups."""
        self._guard(step.name, step.sql, lambda: self._create_frequent(step.name, step.sql, step.params, min_count))

    def _create_frequent(self, name: str, sql: str, params: dict[str, Any], min_count: int) -> None:
        self._create_table(name, f"SELECT h FROM ({sql}) v GROUP BY h HAVING COUNT(*) >= {int(min_count)}", params)

    def run_all(self, steps: list[Step]) -> None:
        for step in steps:
            self.run(step)

    def fetch(self, step: Step) -> pa.Table:
        """Execute a step and return its result as Arrow (the step's name is used for errors only)."""
        result: list[pa.Table] = []
        self._guard(step.name, step.sql, lambda: result.append(self._fetch_arrow(step.sql, step.params)))
        return result[0]

    def fetch_table(self, name: str) -> pa.Table:
        return self.fetch(Step(f"fetch {name}", f"SELECT * FROM {self.dialect.ident(name)}"))

    def _guard(self, step: str, sql: str, action: Any) -> None:
        """The one place engine failures are caught and re-raised with the step and the SQL."""
        started = time.perf_counter()
        try:
            action()
        except EngineError:
            raise
        except Exception as exc:
            raise EngineError(step, sql, exc) from exc
        log.debug("%s step %s took %.3fs", self.dialect.name, step, time.perf_counter() - started)
