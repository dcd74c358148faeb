"""Cases with outcomes and survivors' aftercare, for reported live-abuse facilitators.

Stage dates follow investigation -> operation -> prosecution -> conviction / acquittal (or pending).
Aftercare rows carry pseudonymous survivor ids only: never a name.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sulo.synth.config import WorldParams
from sulo.synth.reports import Report

CHARGES = {"PH": ["RA 11930 (OSAEC)", "RA 9208 as amended by RA 10364 (trafficking)", "RA 9775 (child pornography)"],
           "ID": ["UU 12/2022 (TPKS)", "UU 21/2007 (TPPO)", "UU 35/2014 (Perlindungan Anak)"]}
SERVICES = ["protective custody", "shelter", "counselling", "medical", "education", "legal support",
            "family reintegration"]
PROVIDERS = {"PH": ["DSWD", "NGO shelter", "LGU social welfare"], "ID": ["UPTD PPA", "LPSK", "NGO shelter"]}


def _d(value: dt.datetime | dt.date, days: int) -> dt.date:
    base = value.date() if isinstance(value, dt.datetime) else value
    return base + dt.timedelta(days=days)


Rows = list[dict[str, object]]


def make_cases(params: WorldParams, rng: random.Random, reports: list[Report]) -> tuple[Rows, Rows]:
    """(cases rows, aftercare rows), for facilitators in report order of their first report."""
    first: dict[str, Report] = {}
    ids: dict[str, list[int]] = {}
    for rep in reports:
        if rep.subject.live_abuse and rep.kind != "duplicate":
            first.setdefault(rep.subject.subject_id, rep)
            ids.setdefault(rep.subject.subject_id, []).append(rep.report_id)
    cfg = params.cases
    cases: list[dict[str, object]] = []
    care: list[dict[str, object]] = []
    for sid, rep in first.items():
        if rng.random() >= cfg.case_share:
            continue
        person = rep.subject.person
        row: dict[str, object] = {
            "case_id": f"C{len(cases) + 1:06d}", "country": person.country, "region": person.region,
            "subject_id": sid, "person_id": person.person_id, "report_ids": ";".join(map(str, ids[sid])),
            "opened": _d(rep.time, rng.randint(7, 120)), "operation_date": None, "arrests": 0,
            "victims_rescued": 0, "charges": "", "charges_filed": None, "outcome": "investigation",
            "outcome_date": None}
        if rng.random() < cfg.operation_share:
            row["operation_date"] = _d(row["opened"], rng.randint(14, 180))  # type: ignore[arg-type]
            row["arrests"] = 1 + int(rng.random() < 0.3)
            row["victims_rescued"] = len(rep.subject.victims)
            row["outcome"] = "operation"
            care.extend(_aftercare(rng, row, rep))
            if rng.random() < cfg.prosecution_share:
                _prosecute(rng, params, row, person.country)
        cases.append(row)
    return cases, care


def _prosecute(rng: random.Random, params: WorldParams, row: dict[str, object], country: str) -> None:
    cfg = params.cases
    row["charges"] = ";".join(rng.sample(CHARGES[country], rng.randint(1, 2)))
    row["charges_filed"] = _d(row["operation_date"], rng.randint(3, 60))  # type: ignore[arg-type]
    roll = rng.random()
    if roll < cfg.conviction_share:
        row["outcome"], row["outcome_date"] = "conviction", _d(row["charges_filed"], rng.randint(90, 900))  # type: ignore[arg-type]
    elif roll < cfg.conviction_share + cfg.acquittal_share:
        row["outcome"], row["outcome_date"] = "acquittal", _d(row["charges_filed"], rng.randint(180, 900))  # type: ignore[arg-type]
    else:
        row["outcome"] = "prosecution"


def _aftercare(rng: random.Random, row: dict[str, object], rep: Report) -> list[dict[str, object]]:
    out = []
    for child in rep.subject.victims:
        start = row["operation_date"]
        assert isinstance(start, dt.date)
        for service in [SERVICES[0], *rng.sample(SERVICES[1:], rng.randint(1, 4))]:
            begin = start + dt.timedelta(days=rng.randint(0, 60))
            ended = rng.random() < 0.6
            out.append({"survivor_id": f"SV-{child.person_id[1:]}", "case_id": row["case_id"],
                        "country": child.country, "sex": child.sex, "age_at_rescue": child.age,
                        "service": service, "provider": rng.choice(PROVIDERS[child.country]),
                        "start_date": begin,
                        "end_date": begin + dt.timedelta(days=rng.randint(14, 400)) if ended else None,
                        "status": "completed" if ended else "ongoing"})
    return out


def write_parquet(path: Path, rows: list[dict[str, object]], schema: pa.Schema) -> None:
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_table(table, path, compression="zstd")


CASE_SCHEMA = pa.schema([
    ("case_id", pa.string()), ("country", pa.string()), ("region", pa.string()), ("subject_id", pa.string()),
    ("person_id", pa.string()), ("report_ids", pa.string()), ("opened", pa.date32()),
    ("operation_date", pa.date32()), ("arrests", pa.int32()), ("victims_rescued", pa.int32()),
    ("charges", pa.string()), ("charges_filed", pa.date32()), ("outcome", pa.string()),
    ("outcome_date", pa.date32())])
AFTERCARE_SCHEMA = pa.schema([
    ("survivor_id", pa.string()), ("case_id", pa.string()), ("country", pa.string()), ("sex", pa.string()),
    ("age_at_rescue", pa.int32()), ("service", pa.string()), ("provider", pa.string()),
    ("start_date", pa.date32()), ("end_date", pa.date32()), ("status", pa.string())])
