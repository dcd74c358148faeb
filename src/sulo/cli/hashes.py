"""`sulo hashes ...`: scan folders, import and export hash lists, match scans. Thin: calls the stage."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session, sessionmaker

from sulo.cli import fail, load_settings
from sulo.cli.progress import console, progress_bar
from sulo.errors import SuloError
from sulo.store.db import make_engine, make_session_factory, session_scope

app = typer.Typer(no_args_is_help=True, help="Hashes: scan folders, import hash lists, match. Never media.")
ACTOR = "cli"


@app.command("scan")
def scan_cmd(folder: Path, out: Annotated[Path, typer.Option("--out", help=".csv or .parquet")],
             workers: Annotated[int | None, typer.Option(help="processes (default: all cores)")] = None) -> None:
    """Hash every file under FOLDER (MD5, SHA-1, SHA-256, PDQ + dihedral, vPDQ). Rerun to resume."""
    from sulo.hashes.scan import scan

    if not folder.is_dir():
        console.print(f"[red]not a folder:[/red] {folder}")
        raise typer.Exit(code=2)
    with progress_bar() as report:
        records = scan(folder, out, workers=workers, progress=report)
    errors = [r for r in records if r.error]
    low = sum(1 for r in records if r.low_quality)
    console.print(f"{len(records)} files -> {out}; {len(errors)} with problems; {low} low-quality PDQ")
    for r in errors[:20]:
        console.print(f"  {r.path}: {r.error}")


@app.command("import-list")
def import_list_cmd(file: Path, name: Annotated[str, typer.Option()],
                    fmt: Annotated[str, typer.Option("--format", help="vics | ncmec | pdq | text")],
                    version: Annotated[str, typer.Option()], source: Annotated[str, typer.Option()],
                    licence: Annotated[str, typer.Option(help="sharing terms")],
                    scheme: Annotated[str, typer.Option("--category-scheme")] = "industry",
                    kind: Annotated[str, typer.Option(help="hash kind of a text list")] = "",
                    own: Annotated[bool, typer.Option(help="the project's own list (exportable)")] = False) -> None:
    """Import (or update to a newer version) a hash list; all-or-nothing."""
    from sulo.hashes.service import ListMeta, import_list

    meta = ListMeta(name, source, scheme, licence, version, own)
    try:
        with session_scope(_factory()) as session:
            hash_list = import_list(session, meta, fmt, file.read_bytes(), ACTOR, text_kind=kind)
            count, ver = hash_list.entry_count, hash_list.version
    except SuloError as exc:
        raise fail(exc) from exc
    console.print(f"list {name!r} version {ver}: {count} entries")


@app.command("export-list")
def export_list_cmd(name: str, out: Annotated[Path, typer.Option("--out")],
                    fmt: Annotated[str, typer.Option("--format", help="vics | ncmec | pdq | text")]) -> None:
    """Export one of the project's own lists."""
    from sulo.hashes.service import export_list

    try:
        with session_scope(_factory()) as session:
            data = export_list(session, name, fmt, ACTOR)
    except SuloError as exc:
        raise fail(exc) from exc
    out.write_bytes(data)
    console.print(f"{len(data)} bytes -> {out}")


@app.command("match")
def match_cmd(lists: Annotated[list[str], typer.Option("--list", help="list name (repeatable)")],
              scan_file: Annotated[Path, typer.Option("--in", help="a `sulo hashes scan` result")],
              out: Annotated[Path, typer.Option("--out", help="matches as CSV")],
              threshold: Annotated[int, typer.Option(help="PDQ distance")] = 31,
              dihedral: Annotated[bool, typer.Option(help="match rotated/flipped copies")] = True) -> None:
    """Match a scan result against lists; writes one row per (file, list entry)."""
    from sulo.hashes.scanfile import read_scan
    from sulo.hashes.scans import match_records

    try:
        records = read_scan(scan_file.read_bytes(), scan_file.name)
        with session_scope(_factory()) as session:
            found = match_records(session, records, lists, threshold, dihedral)
    except SuloError as exc:
        raise fail(exc) from exc
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "kind", "hash", "list", "category", "distance", "variant", "victim_identified"])
        for i, matches in sorted(found.items()):
            for m in matches:
                writer.writerow([records[i].path, m.kind, m.query_value, m.list_name, m.category, m.distance,
                                 m.variant, "" if m.victim_identified is None else m.victim_identified])
    console.print(f"{len(found)} of {len(records)} files matched -> {out}")


def _factory() -> sessionmaker[Session]:
    settings = load_settings()
    return make_session_factory(make_engine(settings.database_url))
