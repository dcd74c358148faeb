"""Bulk, idempotent, per-file atomic import of CyberTipline reports.

Reports are parsed and enriched in Python, then written in chunks: one transaction per chunk, holding
every row of each report in it, so a report is either fully in or not at all (a killed import leaves
whole reports only, and a re-run adds exactly the missing ones). reportId is the natural key: the same
report again is skipped, the same number with different content is recorded in tips_conflict. Bad
input is quarantined with its reason; the rest of the batch goes in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, tuple_

from sulo.errors import Problem
from sulo.store.db import utcnow
from sulo.tips.bulk import write_reports
from sulo.tips.enrich import IpEnricher
from sulo.tips.intake import Item, Refused, ZipMember, iter_items
from sulo.tips.prepare import Prepared, Quarantined, prepare_all
from sulo.tips.tables import TipConflict, TipQuarantine, TipReport

# Reports per transaction: each commit rewrites every page of the random-key indexes (content key,
# identifier, IP, hash) that the chunk touched, so fewer, larger commits write far less (100k reports:
# 20 commits of 5,000 spent ~4 s more waiting on the disk than 5 of 20,000). ~100 MB held in memory.
CHUNK = 20000
_IN_BATCH = 500  # bound parameters per IN (...) query, well under SQLite's limit


@dataclass
class ImportResult:
    imported: int = 0
    unchanged: int = 0
    conflicts: int = 0
    quarantined: int = 0
    problems: list[Problem] = field(default_factory=list)  # the first few, for the caller to show

    def as_dict(self) -> dict[str, Any]:
        return {"imported": self.imported, "unchanged": self.unchanged, "conflicts": self.conflicts,
                "quarantined": self.quarantined, "problems": [p.as_dict() for p in self.problems[:50]]}


@dataclass
class _Pending:
    reports: list[Prepared] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)


class Importer:
    def __init__(self, engine: Engine, enricher: IpEnricher, home_countries: Iterable[str],
                 chunk_size: int = CHUNK, workers: int | None = None) -> None:
        self.engine = engine
        self.enricher = enricher
        self.home = frozenset(home_countries)
        self.chunk_size = chunk_size
        self.workers = workers  # processes that parse and enrich (None: one per core, at most 4)

    def import_paths(self, paths: Sequence[Path], progress: Callable[[int], None] | None = None
                     ) -> ImportResult:
        # Zip members are read by whoever parses them (the workers), not by this writer process.
        return self.import_items(iter_items(list(paths), lazy=True), progress)

    def import_items(self, items: Iterable[Item | Refused | ZipMember], progress: Callable[[int], None] | None = None
                     ) -> ImportResult:
        result = ImportResult()
        pending = _Pending()
        for prepared in prepare_all(items, self.enricher, self.home, self.engine.dialect, self.workers):
            for one in prepared:
                if isinstance(one, Quarantined):
                    result.problems.append(one.problem)
                    pending.quarantine.append(one.row)
                else:
                    pending.reports.append(one)
            if progress:
                progress(1)
            if len(pending.reports) >= self.chunk_size or len(pending.quarantine) >= self.chunk_size:
                self._flush(pending, result)
                pending = _Pending()
        self._flush(pending, result)
        return result

    def _flush(self, pending: _Pending, result: ImportResult) -> None:
        """One transaction: every row of every report in the chunk, or none of them."""
        if not pending.reports and not pending.quarantine:
            return
        with self.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                # A bigger page cache for this connection: index inserts into ~100 MB of tables thrash the
                # 2 MB default. Memory only; durability is untouched (WAL + synchronous=NORMAL stay).
                conn.exec_driver_sql("PRAGMA cache_size=-131072")
            new, conflicts = self._split_new(conn, pending.reports, result)
            write_reports(conn, new)
            result.imported += len(new)
            result.conflicts += _insert_missing(conn, TipConflict, ("report_id", "new_fingerprint"), conflicts)
            result.quarantined += _insert_missing(conn, TipQuarantine, ("source", "content_sha256"),
                                                  pending.quarantine)

    @staticmethod
    def _split_new(conn: Connection, reports: list[Prepared], result: ImportResult
                   ) -> tuple[list[Prepared], list[dict[str, Any]]]:
        ids = list({r.report_id for r in reports})
        known: dict[str, str] = {}
        for start in range(0, len(ids), _IN_BATCH):
            part = ids[start:start + _IN_BATCH]
            rows = conn.execute(select(TipReport.report_id, TipReport.fingerprint)
                                .where(TipReport.report_id.in_(part)))
            known.update({row.report_id: row.fingerprint for row in rows})
        new: list[Prepared] = []
        conflicts: list[dict[str, Any]] = []
        for report in reports:
            existing = known.get(report.report_id)
            if existing is None:
                known[report.report_id] = report.fingerprint
                new.append(report)
            elif existing == report.fingerprint:
                result.unchanged += 1
            else:
                conflicts.append({"report_id": report.report_id, "existing_fingerprint": existing,
                                  "new_fingerprint": report.fingerprint, "source": report.source[-500:],
                                  "raw": json.dumps({"source": report.source}), "created_at": utcnow()})
        return new, conflicts


def _insert_missing(conn: Connection, table: Any, key: tuple[str, str], rows: list[dict[str, Any]]) -> int:
    """Insert rows whose natural key is not there yet (portable 'ON CONFLICT DO NOTHING')."""
    if not rows:
        return 0
    cols = (getattr(table, key[0]), getattr(table, key[1]))
    wanted = {(r[key[0]], r[key[1]]): r for r in rows}
    keys = list(wanted)
    for start in range(0, len(keys), _IN_BATCH):
        part = keys[start:start + _IN_BATCH]
        for row in conn.execute(select(*cols).where(tuple_(*cols).in_(part))):
            wanted.pop((row[0], row[1]), None)
    if wanted:
        now = utcnow()
        conn.execute(insert(table), [{**r, "created_at": r.get("created_at", now)} for r in wanted.values()])
    return len(wanted)
