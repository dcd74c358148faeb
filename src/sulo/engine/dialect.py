"""Every SQL difference between the engines, in one object.

Callers ask the dialect for a fragment ("a bound parameter", "a sorted list of strings") instead of
testing which engine they are on. Anything not here is written in the SQL subset both engines accept.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    name: str
    quote_char: str
    param_prefix: str
    regex_fn: str | None  # None: the engine uses the infix RLIKE operator
    str_type: str

    def ident(self, name: str) -> str:
        """Quote an identifier; a quote character inside it is doubled, so no name can break out."""
        q = self.quote_char
        return q + name.replace(q, q + q) + q

    def param(self, name: str) -> str:
        """A named, bound parameter. Names are ours (never user input): letters, digits, '_'."""
        if not name.replace("_", "").isalnum():
            raise ValueError(f"bad parameter name {name!r}")
        return self.param_prefix + name

    def regex_match(self, expr: str, pattern: str) -> str:
        """True where `expr` contains a match of `pattern` (a placeholder); RE2 and Java share our syntax."""
        if self.regex_fn is None:
            return f"({expr} RLIKE {pattern})"
        return f"{self.regex_fn}({expr}, {pattern})"

    def sorted_list(self, expr: str, limit: int) -> str:
        """Aggregate: the first `limit` values in ascending order, as a list (Arrow list<string>)."""
        n = int(limit)
        if self.name == "spark":
            return f"slice(array_sort(collect_list({expr})), 1, {n})"
        # DuckDB's top-n aggregate keeps n values per group instead of sorting the whole group.
        return f"min({expr}, {n})"

    def sorted_distinct_list(self, expr: str) -> str:
        if self.name == "spark":
            return f"array_sort(collect_set({expr}))"
        return f"list(DISTINCT {expr} ORDER BY {expr})"

    def empty_str_list(self) -> str:
        if self.name == "spark":
            return "CAST(array() AS ARRAY<STRING>)"
        return "CAST([] AS VARCHAR[])"

    def cte(self, name: str) -> str:
        """`name AS` for a WITH clause whose result several later parts read: DuckDB would otherwise compute it
        again for each (a window over millions of rows, three times); Spark reuses exchanges itself."""
        return f"{name} AS MATERIALIZED" if self.name == "duckdb" else f"{name} AS"

    def hash(self, *exprs: str) -> str:
        """A 64-bit hash of the values: a pre-filter key (callers re-check on the real values), or the code of a
        text from a closed set whose codes the caller has checked to be distinct."""
        if self.name == "spark":
            return f"xxhash64({', '.join(exprs)})"
        return f"hash({', '.join(exprs)})"

    def median(self, expr: str) -> str:
        # Both engines interpolate the two middle values of an even count.
        return f"median({expr})"


DUCKDB = Dialect(name="duckdb", quote_char='"', param_prefix="$", regex_fn="regexp_matches", str_type="VARCHAR")
SPARK = Dialect(name="spark", quote_char="`", param_prefix=":", regex_fn=None, str_type="STRING")
