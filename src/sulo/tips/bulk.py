"""Bulk writes of prepared reports, straight through the driver's executemany.

SQLAlchemy's per-row parameter handling (building a dict per row, then a type conversion per value) was
half of an import's write time. Here rows are tuples in column order, already converted to the driver's
form by the workers (prepare.Converters, SQLAlchemy's own bind processors, so values land exactly as an
ORM write would give them). Statements are built from table metadata with quoted identifiers; every
value is bound.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table, func, select

from sulo.store.db import utcnow
from sulo.tips.prepare import (
    FILE_COLUMNS,
    IDENT_COLUMNS,
    IP_COLUMNS,
    REPORT_COLUMNS,
    Prepared,
    Row,
    bind_processors,
)
from sulo.tips.tables import TipFile, TipIdentifier, TipIpEvent, TipReport, TipReportRaw


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: bulk passes allocate millions of short-lived tuples, none in a
    reference cycle, and every full collection would re-scan all the live ones (a rebuild spent a sixth
    of its time there). Reference counting still frees everything; the previous state is restored."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def write_reports(conn: Connection, new: Sequence[Prepared]) -> None:
    """Insert the reports and their identifier, IP and file rows (the caller holds the transaction)."""
    if not new:
        return
    report = _table(TipReport)
    stamp = report.c.imported_at.type.bind_processor(conn.dialect)
    now: Any = stamp(utcnow()) if stamp else utcnow()
    after = conn.execute(select(func.coalesce(func.max(TipReport.id), 0))).scalar_one()
    insert_rows(conn, report, (*REPORT_COLUMNS, "imported_at"), [(*p.report, now) for p in new])
    pks = _report_pks(conn, [p.report_id for p in new], after)
    insert_rows(conn, _table(TipReportRaw), ("report_pk", "raw"), [(pks[p.report_id], p.raw) for p in new])
    insert_rows(conn, _table(TipIdentifier), ("report_pk", *IDENT_COLUMNS),
                [(pks[p.report_id], *row) for p in new for row in p.identifiers])
    insert_rows(conn, _table(TipIpEvent), ("report_pk", *IP_COLUMNS),
                [(pks[p.report_id], *row) for p in new for row in p.ip_events])
    insert_rows(conn, _table(TipFile), ("report_pk", *FILE_COLUMNS),
                [(pks[p.report_id], *row) for p in new for row in p.files])


def insert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: list[Row]) -> None:
    """One executemany; `rows` must already hold driver values (prepare.Converters)."""
    if not rows:
        return
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))})")
    conn.exec_driver_sql(sql, rows)


def update_rows(conn: Connection, table: Table, columns: Sequence[str], key: str, rows: list[Row]) -> None:
    """One executemany of UPDATE ... SET columns WHERE key = ?; each row holds the column values (driver
    form, see convert_rows) and then the key."""
    if not rows:
        return
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sets = ", ".join(f"{quote(c)} = {mark}" for c in columns)
    conn.exec_driver_sql(f"UPDATE {quote(table.name)} SET {sets} WHERE {quote(key)} = {mark}", rows)


def convert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: list[Row]) -> list[Row]:
    """Python values -> the driver's (booleans, dates on SQLite) with SQLAlchemy's own bind processors,
    for rows whose leading values are `columns` (any trailing values are passed through)."""
    procs = bind_processors(table, columns, conn.dialect)
    if not procs or not rows:
        return rows
    # Column by column (transposed with zip, in C): a rebuild converts a few columns of 100,000s of rows.
    by_column: list[Any] = list(zip(*rows, strict=True))
    for i, proc in procs:
        by_column[i] = map(proc, by_column[i])
    return list(zip(*by_column, strict=True))


def _report_pks(conn: Connection, report_ids: list[str], after: int) -> dict[str, int]:
    """Primary keys of the reports just inserted, by report number: every row with an id above the
    largest one before the insert (ids only grow, on SQLite and with PostgreSQL's sequence), read as one
    range scan. Portable, where RETURNING from executemany is not; rows another writer committed
    meanwhile may come along and are simply not looked up."""
    pks = {report_id: pk for report_id, pk in conn.execute(
        select(TipReport.report_id, TipReport.id).where(TipReport.id > after))}
    missing = [r for r in report_ids if r not in pks]
    if missing:  # never expected; kept so a surprise cannot write identifiers to the wrong report
        raise RuntimeError(f"inserted reports not found by id range: {missing[:3]}")
    return pks


def _table(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]
