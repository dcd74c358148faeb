"""`sulo tips ...`: import referrals, show the triage queue, export. Thin: calls sulo.tips.service."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sulo.errors import SuloError
from sulo.settings import Settings

app = typer.Typer(help="CyberTipline referrals: import, triage, export.", no_args_is_help=True)


def _engine() -> tuple[Engine, Settings]:
    from sulo.cli import load_settings
    from sulo.store.db import make_engine, upgrade

    settings = load_settings()
    settings.ensure_data_dir()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine, settings


@app.command("import")
def import_(paths: Annotated[list[Path], typer.Argument(help="XML/JSON/CSV files, folders or zip batches")],
            actor: Annotated[str, typer.Option(help="who runs the import (audit log)")] = "cli") -> None:
    """Import referrals; bad reports are quarantined, the rest go in. Safe to run twice."""
    from sulo.cli import fail
    from sulo.cli.progress import console, progress_bar
    from sulo.tips.intake import count_items
    from sulo.tips.service import load_context, run_import

    try:
        engine, settings = _engine()
        ctx = load_context(settings.geoip_mmdb)
        total = count_items(list(paths))
        done = 0
        with progress_bar() as report:
            def tick(n: int) -> None:
                nonlocal done
                done += n
                if done % 500 == 0 or done == total:
                    report("import", done, total)
            result, rebuilt = run_import(engine, ctx, actor=actor, paths=list(paths), progress=tick)
            report("import", total, total)
    except SuloError as exc:
        raise fail(exc) from exc
    console.print(f"imported {result.imported}, unchanged {result.unchanged}, conflicts {result.conflicts}, "
                  f"quarantined {result.quarantined}; {rebuilt.subjects} subjects")
    for problem in result.problems[:20]:
        console.print(f"  [yellow]quarantined[/yellow] {problem}")


@app.command("triage")
def triage(limit: Annotated[int, typer.Option(help="rows to show")] = 20,
           tier: Annotated[str | None, typer.Option(help="only this tier")] = None,
           rerun: Annotated[bool, typer.Option(help="re-group and re-score first")] = False) -> None:
    """Show the top of the triage queue (re-grouping and re-scoring first with --rerun)."""
    from sulo.cli.progress import console
    from sulo.tips.service import load_context
    from sulo.tips.service import triage as run_triage
    from sulo.tips.tables import TipSubject

    engine, settings = _engine()
    with Session(engine) as session, session.begin():
        if rerun:
            run_triage(session, load_context(settings.geoip_mmdb))
        query = select(TipSubject).where(TipSubject.active).order_by(TipSubject.score.desc(), TipSubject.key)
        if tier:
            query = query.where(TipSubject.tier == tier)
        table = Table("subject", "tier", "score", "reports", "country", "region", "isp", "unit")
        for s in session.scalars(query.limit(limit)):
            table.add_row(s.key, s.tier, str(s.score), str(s.report_count), s.country or "", s.region or "",
                          s.isp or "", s.unit or "")
    console.print(table)


@app.command("export")
def export(out: Annotated[Path, typer.Option("--out", help="file.csv or file.parquet")],
           actor: Annotated[str, typer.Option(help="who exports (audit log)")] = "cli") -> None:
    """One row per report with subject id, score and tier."""
    from sulo.cli.progress import console
    from sulo.store.audit import audit
    from sulo.tips.export import export_reports

    engine, _settings = _engine()
    with Session(engine) as session, session.begin():
        count = export_reports(session, out)
        audit(session, actor, "tips:export", str(out), {"rows": count})
    console.print(f"wrote {count} rows to {out}")
