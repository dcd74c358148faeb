"""Benchmark: CyberTipline XML reports imported, enriched, grouped and scored, end to end.

    uv run python benchmarks/tips.py [--reports 100000] [--baseline-sample 2000]

Reports come from the synthetic world's own report generator (sulo.synth: population, reports, XML
zip batches, and the report->subject truth), at the requested count, without the million-row payment
files of the 'medium' world. Each measured run is a fresh subprocess on a fresh SQLite file, so its
peak memory (ru_maxrss) is the pipeline's alone.

Baseline: the straightforward implementation - parse one report, write it and its identifiers with the
ORM, query the database once per identifier to find an existing subject, merge subjects by updating
rows, commit per report - run on a sample (it is slow) and stated as such; its reports/s is compared.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from cotenants import CoTenants


def generate(out: Path, n: int, seed: int = 11) -> Path:
    from sulo.synth.config import load_params
    from sulo.synth.geo import IpPools, load_ranges
    from sulo.synth.images import make_images
    from sulo.synth.population import Population
    from sulo.synth.reports import make_reports
    from sulo.synth.xmlwrite import write_batches

    marker = out / f"done-{n}-{seed}"
    if marker.exists():
        return out
    params = load_params()
    ips = IpPools(load_ranges(), random.Random(f"{seed}:ips"), cgnat_pool_size=max(20, n // 200))
    pop = Population(params, random.Random(f"{seed}:population"), ips)
    images = make_images(out, random.Random(f"{seed}:images"), 500)
    reports = make_reports(pop, images, n)
    write_batches(out, reports)
    truth = out / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    with (truth / "report_subject.csv").open("w", encoding="utf-8") as handle:
        handle.write("report_id,subject_id,kind,duplicate_of\n")
        for r in reports:
            handle.write(f"{r.report_id},{r.subject.subject_id},{r.kind},{r.duplicate_of or ''}\n")
    marker.write_text("ok")
    return out


def run_pipeline(world: Path, db: Path) -> dict[str, object]:
    from sqlalchemy.orm import Session

    from sulo.store.db import make_engine, upgrade
    from sulo.tips.quality import evaluate
    from sulo.tips.service import load_context, run_import

    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    ctx = load_context()
    start = time.perf_counter()
    cpu0 = _cpu_seconds()
    result, rebuilt = run_import(engine, ctx, actor="bench", paths=[world / "reports"])
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu0
    with Session(engine) as session:
        q = evaluate(session, world)
    return {"reports": result.imported, "seconds": seconds, "subjects": rebuilt.subjects,
            "quarantined": result.quarantined, "precision": q.precision, "recall": q.recall,
            "live_subjects": q.live_subjects, "live_in_top": q.live_in_top_tier,
            "top_tier_subjects": q.top_tier_subjects, "cpu_seconds": cpu,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_peak_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "db_mib": sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 2**20}


def _cpu_seconds() -> float:
    """This process and its finished children (the parsing workers): every CPU-second the import used."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_baseline(world: Path, db: Path, sample: int) -> dict[str, object]:
    """Per report: parse, insert with the ORM, one SELECT per identifier, merge, commit."""
    import zipfile

    from sqlalchemy import select, update
    from sqlalchemy.orm import Session

    from sulo.store.db import make_engine, upgrade
    from sulo.tips.extract import extract
    from sulo.tips.parser import parse_report
    from sulo.tips.service import load_context
    from sulo.tips.tables import TipIdentifier, TipReport, TipReportRaw

    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    ctx = load_context()
    home = frozenset(ctx.rules.priority.home_countries)
    done = 0
    start = time.perf_counter()
    cpu0 = _cpu_seconds()
    with Session(engine) as session:
        for path in sorted((world / "reports").glob("*.zip")):
            with zipfile.ZipFile(path) as zf:
                for name in zf.namelist():
                    if done >= sample:
                        break
                    report = parse_report(zf.read(name), name)
                    rows = extract(report, name, ctx.enricher, home)
                    row = TipReport(**{k: v for k, v in rows.report.items() if k != "raw"})
                    session.add(row)
                    session.flush()
                    session.add(TipReportRaw(report_pk=row.id, raw=rows.report["raw"]))
                    found: set[str] = set()
                    for ident in rows.identifiers:
                        session.add(TipIdentifier(report_pk=row.id, **ident))
                        hits = session.scalars(select(TipReport.subject_key).join(
                            TipIdentifier, TipIdentifier.report_pk == TipReport.id).where(
                            TipIdentifier.kind == ident["kind"], TipIdentifier.value == ident["value"],
                            TipReport.subject_key.is_not(None)))
                        found.update(hits)
                    key = min(found) if found else f"S-{report.report_id}"
                    row.subject_key = key
                    for other in found - {key}:
                        session.execute(update(TipReport).where(TipReport.subject_key == other).values(subject_key=key))
                    session.commit()
                    done += 1
            if done >= sample:
                break
    seconds = time.perf_counter() - start
    return {"reports": done, "seconds": seconds, "cpu_seconds": _cpu_seconds() - cpu0,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _child(mode: str, world: Path, db: Path, sample: int) -> dict[str, object]:
    db.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--world", str(world), "--db", str(db),
                          "--baseline-sample", str(sample)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--baseline-sample", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3, help="pipeline runs; the median is quoted")
    parser.add_argument("--work", type=Path, default=Path("/tmp/sulo-bench-tips"))
    parser.add_argument("--child", choices=["pipeline", "baseline"])
    parser.add_argument("--world", type=Path)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    if args.child:
        fn = run_pipeline if args.child == "pipeline" else None
        result = fn(args.world, args.db) if fn else run_baseline(args.world, args.db, args.baseline_sample)
        print(json.dumps(result))
        return
    world = args.work / f"world-{args.reports}"
    t0 = time.perf_counter()
    generate(world, args.reports)
    input_mib = sum(p.stat().st_size for p in (world / "reports").glob("*.zip")) / 2**20
    print(f"input: {args.reports:,} XML reports in {len(list((world / 'reports').glob('*.zip')))} zips, "
          f"{input_mib:.0f} MiB zipped (generated/cached in {time.perf_counter() - t0:.1f} s -> {world})")
    print(f"machine: {resource_summary()}")
    runs = []
    for i in range(args.runs):
        load = os.getloadavg()[0]
        with CoTenants() as share:
            run = _child("pipeline", world, args.work / "pipeline.db", 0)
        run["load"] = load
        run["others"] = share.describe()
        runs.append(run)
        print(f"  run {i + 1}: {_rate(run):,.0f} reports/s, {run['seconds']:.1f} s wall, "
              f"{run['cpu_seconds']:.1f} CPU-s, load average before {load:.1f}; {share.describe()}")
    fast = sorted(runs, key=_rate)[len(runs) // 2]
    base_load = os.getloadavg()[0]
    with CoTenants() as base_share:
        base = _child("baseline", world, args.work / "baseline.db", args.baseline_sample)
    fast_rate, base_rate = _rate(fast), _rate(base)
    print(f"pipeline (median of {len(runs)}): {fast['reports']:,} reports in {fast['seconds']:.1f} s = "
          f"{fast_rate:,.0f} reports/s (import+enrich+group+score+route+letters); CPU {fast['cpu_seconds']:.1f} s "
          f"(main + workers) = {fast['reports'] / fast['cpu_seconds']:,.0f} reports per CPU-second; peak RSS "
          f"{fast['peak_rss_mib']:.0f} MiB main, {fast['worker_peak_rss_mib']:.0f} MiB largest worker; "
          f"database {fast['db_mib']:.0f} MiB; {fast['subjects']:,} subjects; load average {fast['load']:.1f}; "
          f"{fast['others']}")
    print(f"quality: B-cubed precision {fast['precision']:.4f}, recall {fast['recall']:.4f}; "
          f"live-abuse subjects in top tier {fast['live_in_top']}/{fast['live_subjects']} "
          f"(top tier holds {fast['top_tier_subjects']} subjects)")
    print(f"baseline (per-report, ORM, query per identifier; SAMPLE of the first {base['reports']:,} reports): "
          f"{base_rate:,.0f} reports/s, {base['reports'] / base['cpu_seconds']:,.0f} reports per CPU-second, "
          f"peak RSS {base['peak_rss_mib']:.0f} MiB; load average {base_load:.1f}; {base_share.describe()}")
    print(f"ratio: {fast_rate / base_rate:.1f}x; target >= 2,000 reports/s: "
          f"{'met' if fast_rate >= 2000 else 'NOT met'}")


def _rate(run: dict[str, object]) -> float:
    return run["reports"] / run["seconds"]  # type: ignore[operator, no-any-return]


def resource_summary() -> str:
    import os
    import platform

    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


if __name__ == "__main__":
    main()
