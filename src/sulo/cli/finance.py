"""`sulo finance ...`: screen transaction files, list alerts, measure quality. Thin: calls sulo.finance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sulo.errors import SuloError

app = typer.Typer(help="Payments: screen transactions against OSEC red-flag indicators.", no_args_is_help=True)

EngineOpt = Annotated[str, typer.Option("--engine", help="analytical engine: duckdb (default) or spark")]
IndicatorsOpt = Annotated[Path | None, typer.Option("--indicators", help="indicator library YAML (default: built in)")]


@app.command()
def screen(input: Annotated[Path, typer.Argument(help="transactions CSV or Parquet (docs/finance.md)")],
           out: Annotated[Path, typer.Option("--out", help="alerts file: .csv, .parquet or .json")],
           engine: EngineOpt = "duckdb", indicators: IndicatorsOpt = None,
           rates: Annotated[Path | None, typer.Option(help="dated rate table CSV (default: built in)")] = None,
           strict: Annotated[bool, typer.Option("--strict", help="refuse the file if any row is invalid")] = False,
           quarantine: Annotated[Path | None, typer.Option(help="where bad rows go (default: OUT.quarantine.csv)")]
           = None) -> None:
    """Validate INPUT, run the indicator library, write alerts to OUT; bad rows go to the quarantine file."""
    from sulo.cli import fail
    from sulo.cli.progress import console
    from sulo.finance.inputs import write_quarantine
    from sulo.finance.output import write_alerts
    from sulo.finance.rates import load_rates
    from sulo.finance.rules import load_library
    from sulo.finance.screen import screen_file

    try:
        lib = load_library(indicators)
        with console.status(f"screening {input.name} on {engine}"):
            loaded, result = screen_file(input, engine=engine, library=lib, rates=load_rates(rates), strict=strict,
                                         payment_details=False)
        write_alerts(result.alert_set, out)
    except SuloError as exc:
        raise fail(exc) from exc
    console.print(f"{loaded.n_rows} rows: {loaded.n_clean} screened, {loaded.n_quarantined} quarantined; "
                  f"{len(result.alert_set)} alerts -> {out}  ({result.timings})")
    if loaded.n_quarantined:
        qpath = quarantine or out.with_name(out.name + ".quarantine.csv")
        write_quarantine(loaded, qpath)
        console.print(f"[yellow]quarantined rows[/yellow] with reasons -> {qpath}")
        for problem in loaded.problems(10):
            console.print(f"  {problem}")


@app.command()
def alerts(file: Annotated[Path, typer.Argument(help="an alerts file written by `screen`")],
           typology: Annotated[str | None, typer.Option(help="only this typology")] = None,
           min_score: Annotated[float, typer.Option(help="only alerts scoring at least this")] = 0.0,
           limit: Annotated[int, typer.Option(help="at most this many rows")] = 30) -> None:
    """Show the top alerts of an alerts file."""
    from rich.table import Table

    from sulo.cli.progress import console
    from sulo.finance.output import read_alert_rows

    rows = [r for r in read_alert_rows(file) if (typology is None or r["typology"] == typology)
            and float(r["score"]) >= min_score]
    table = Table("score", "typology", "role", "account", "country", "indicators", "network")
    for r in rows[:limit]:
        inds = r["indicators"] if isinstance(r["indicators"], str) else ";".join(r["indicators"])
        table.add_row(f"{float(r['score']):.1f}", r["typology"], r["role"], r["account_id"], r.get("country") or "",
                      inds, r.get("network_id") or "")
    console.print(table)
    console.print(f"{len(rows)} alerts")


@app.command()
def evaluate(world: Annotated[Path, typer.Argument(help="a synthetic world folder (sulo synth)")],
             engine: EngineOpt = "duckdb", indicators: IndicatorsOpt = None) -> None:
    """Precision and recall per typology against the world's ground truth (truth/accounts.csv)."""
    from sulo.cli import fail
    from sulo.cli.progress import console
    from sulo.finance.evaluate import evaluate as run_eval
    from sulo.finance.evaluate import read_truth
    from sulo.finance.rules import load_library
    from sulo.finance.screen import screen_file

    try:
        lib = load_library(indicators)
        _, result = screen_file(world / "transactions.parquet", engine=engine, library=lib)
    except SuloError as exc:
        raise fail(exc) from exc
    for score in run_eval(result.alerts, read_truth(world / "truth" / "accounts.csv"), lib):
        console.print(score.line())
