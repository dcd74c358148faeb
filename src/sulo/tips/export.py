"""Export: one row per report with its subject, score and tier (CSV or Parquet). Pseudonymous by
construction: report numbers and subject keys only, no names, addresses or identifiers."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from sulo.tips.tables import TipReport, TipSubject

COLUMNS = ("report_id", "subject_key", "score", "tier", "country", "region", "isp", "incident_at", "viral",
           "duplicate_of", "unit")


def export_reports(session: Session, out: Path) -> int:
    rows = session.execute(
        select(TipReport.report_id, TipReport.subject_key, TipSubject.score, TipSubject.tier, TipSubject.country,
               TipSubject.region, TipSubject.isp, TipReport.incident_at, TipReport.viral, TipReport.duplicate_of,
               TipSubject.unit)
        .join(TipSubject, TipSubject.key == TipReport.subject_key, isouter=True).order_by(TipReport.id)
    ).all()
    records = [dict(zip(COLUMNS, row, strict=True)) for row in rows]
    if out.suffix.lower() == ".parquet":
        table = pa.Table.from_pylist(records) if records else pa.table({c: pa.array([]) for c in COLUMNS})
        pq.write_table(table, out)
    else:
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            for rec in records:
                writer.writerow({**rec, "incident_at": rec["incident_at"].isoformat()})
    return len(records)
