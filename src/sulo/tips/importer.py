"""Bulk, idempotent, per-file atomic import of CyberTipline reports.

Reports are parsed and enriched in Python, then written in chunks: one transaction per chunk, holding
every row of each report in it, so a report is either fully in or not at all (a killed import leaves
whole reports only, and a re-run adds exactly the missing ones). reportId is the natural key: the same
report again is skipped, the same number with different content is recorded in tips_conflict. Bad
input is quarantined with its reason; the rest of the batch goes in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, tuple_

from sulo.errors import Problem, ValidationError
from sulo.store.db import utcnow
from sulo.tips.enrich import IpEnricher
from sulo.tips.extract import extract
from sulo.tips.intake import Item, Refused, iter_items
from sulo.tips.jsonfmt import iter_csv, iter_json
from sulo.tips.model import Digests, ParsedReport, xml_digests
from sulo.tips.parser import parse_report
from sulo.tips.tables import TipConflict, TipFile, TipIdentifier, TipIpEvent, TipQuarantine, TipReport

CHUNK = 2000
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
    reports: list[tuple[str, ParsedReport, Digests]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)


class Importer:
    def __init__(self, engine: Engine, enricher: IpEnricher, home_countries: Iterable[str],
                 chunk_size: int = CHUNK) -> None:
        self.engine = engine
        self.enricher = enricher
        self.home = frozenset(home_countries)
        self.chunk_size = chunk_size

    def import_paths(self, paths: Sequence[Path], progress: Callable[[int], None] | None = None
                     ) -> ImportResult:
        return self.import_items(iter_items(list(paths)), progress)

    def import_items(self, items: Iterable[Item | Refused], progress: Callable[[int], None] | None = None
                     ) -> ImportResult:
        result = ImportResult()
        pending = _Pending()
        for item in items:
            self._take(item, pending, result)
            if progress:
                progress(1)
            if len(pending.reports) >= self.chunk_size or len(pending.quarantine) >= self.chunk_size:
                self._flush(pending, result)
                pending = _Pending()
        self._flush(pending, result)
        return result

    def _take(self, item: Item | Refused, pending: _Pending, result: ImportResult) -> None:
        if isinstance(item, Refused):
            self._quarantine(pending, result, item.source, Problem(item.reason, record=item.source),
                             item.data_sha256)
            return
        sha = hashlib.sha256(item.data).hexdigest()
        if item.kind == "xml":
            try:
                report = parse_report(item.data, item.source)
                pending.reports.append((item.source, report, xml_digests(item.data)))
            except ValidationError as exc:
                self._quarantine(pending, result, item.source, exc.problems[0], sha, str(exc))
            return
        records = iter_json(item.data, item.source) if item.kind == "json" else iter_csv(item.data, item.source)
        for record in records:
            if isinstance(record, ValidationError):
                self._quarantine(pending, result, item.source, record.problems[0], sha, str(record))
            else:
                pending.reports.append((item.source, record, record.digests()))

    @staticmethod
    def _quarantine(pending: _Pending, result: ImportResult, source: str, problem: Problem, sha: str,
                    reason: str | None = None) -> None:
        result.problems.append(problem)
        pending.quarantine.append({
            "source": source[-500:], "record": (problem.record or "")[:500] or None,
            "field": (problem.field or "")[:300] or None, "reason": reason or problem.message,
            # Quarantine is idempotent too: keyed on the source and on what was wrong with it.
            "content_sha256": hashlib.sha256(f"{sha}|{problem.record}|{problem.field}".encode()).hexdigest(),
        })

    def _flush(self, pending: _Pending, result: ImportResult) -> None:
        if not pending.reports and not pending.quarantine:
            return
        with self.engine.begin() as conn:
            new, conflicts = self._split_new(conn, pending.reports, result)
            self._write_reports(conn, new)
            result.imported += len(new)
            result.conflicts += _insert_missing(conn, TipConflict, ("report_id", "new_fingerprint"), conflicts)
            result.quarantined += _insert_missing(conn, TipQuarantine, ("source", "content_sha256"),
                                                  pending.quarantine)

    def _split_new(self, conn: Connection, reports: list[tuple[str, ParsedReport, Digests]], result: ImportResult
                   ) -> tuple[list[tuple[str, ParsedReport, Digests]], list[dict[str, Any]]]:
        ids = list({r.report_id for _, r, _d in reports})
        known: dict[str, str] = {}
        for start in range(0, len(ids), _IN_BATCH):
            part = ids[start:start + _IN_BATCH]
            rows = conn.execute(select(TipReport.report_id, TipReport.fingerprint)
                                .where(TipReport.report_id.in_(part)))
            known.update({row.report_id: row.fingerprint for row in rows})
        new: list[tuple[str, ParsedReport, Digests]] = []
        conflicts: list[dict[str, Any]] = []
        for source, report, digests in reports:
            fingerprint = digests.fingerprint
            existing = known.get(report.report_id)
            if existing is None:
                known[report.report_id] = fingerprint
                new.append((source, report, digests))
            elif existing == fingerprint:
                result.unchanged += 1
            else:
                conflicts.append({"report_id": report.report_id, "existing_fingerprint": existing,
                                  "new_fingerprint": fingerprint, "source": source[-500:],
                                  "raw": json.dumps({"source": source}), "created_at": utcnow()})
        return new, conflicts

    def _write_reports(self, conn: Connection, new: list[tuple[str, ParsedReport, Digests]]) -> None:
        if not new:
            return
        extracted = [extract(report, source, self.enricher, self.home, digests)
                     for source, report, digests in new]
        now = utcnow()
        report_rows = [{**rows.report, "imported_at": now} for rows in extracted]
        pks = conn.execute(insert(TipReport).returning(TipReport.id, sort_by_parameter_order=True),
                           report_rows).scalars().all()
        idents: list[dict[str, Any]] = []
        ips: list[dict[str, Any]] = []
        files: list[dict[str, Any]] = []
        for pk, rows in zip(pks, extracted, strict=True):
            idents.extend({**r, "report_pk": pk} for r in rows.identifiers)
            ips.extend({**r, "report_pk": pk} for r in rows.ip_events)
            files.extend({**r, "report_pk": pk} for r in rows.files)
        for table, rows_ in ((TipIdentifier, idents), (TipIpEvent, ips), (TipFile, files)):
            if rows_:
                conn.execute(insert(table), rows_)


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
