"""The analytical engine: one interface, DuckDB (default, in-process) and Spark behind it.

A job is a list of named SQL steps. Each step is built by a small pure function that takes the
engine's `Dialect` (the only place engine differences live), binds every value as a parameter and
quotes every identifier. `Backend.run` executes a step in one place and re-raises any engine failure
as `EngineError` carrying the step name and the SQL.
"""

from sulo.engine.backend import Backend, EngineError, Step
from sulo.engine.dialect import DUCKDB, SPARK, Dialect
from sulo.engine.factory import make_backend

__all__ = ["DUCKDB", "SPARK", "Backend", "Dialect", "EngineError", "Step", "make_backend"]
