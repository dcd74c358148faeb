"""Foundation commands: db, users, synth, serve, demo."""

from __future__ import annotations

import importlib
import time
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from sulo.cli import fail, load_settings
from sulo.cli.progress import console, progress_bar
from sulo.errors import SuloError
from sulo.store.db import make_engine, make_session_factory, session_scope, upgrade

db_app = typer.Typer(no_args_is_help=True)
users_app = typer.Typer(no_args_is_help=True)

# The order the demo loads the intake stages: hash matches and financial alerts exist before tips are
# scored, so a subject linked to either ranks as it would in production.
DEMO_STAGES = ("hashes", "finance", "tips")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the newest revision of every stage."""
    settings = load_settings()
    settings.ensure_data_dir()
    upgrade(make_engine(settings.database_url))
    console.print(f"database at the newest revision: {settings.database_url.split('@')[-1]}")


@db_app.command("check-audit")
def db_check_audit() -> None:
    """Verify the audit log's hash chain; name the first row that was edited, removed or cut off."""
    from sulo.store.audit import verify_chain

    settings = load_settings()
    factory = make_session_factory(make_engine(settings.database_url))
    with session_scope(factory) as session:
        broken = verify_chain(session)
    if broken is None:
        console.print("[green]audit log intact[/green]")
        return
    console.print(f"[red]audit log broken at row {broken.entry_id}[/red]: {broken.reason}")
    raise typer.Exit(code=1)


@users_app.command("add")
def users_add(username: str, role: str, agency: Annotated[str, typer.Option(help="agency code")],
              password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
              country: Annotated[str, typer.Option(help="agency country, for a new agency")] = "PH",
              name: Annotated[str | None, typer.Option(help="display name")] = None) -> None:
    """Create a user in an agency (the agency is created if new)."""
    from sulo.accounts.service import create_user, ensure_agency

    settings = load_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    try:
        with session_scope(make_session_factory(engine)) as session:
            found = ensure_agency(session, agency, agency, country.upper())
            create_user(session, username, password, role, found, display_name=name, actor="cli")
    except SuloError as exc:
        raise fail(exc) from exc
    console.print(f"user {username} ({role}, {agency}) created")


@users_app.command("list")
def users_list() -> None:
    """List users with their role and agency."""
    from sqlalchemy import select

    from sulo.accounts.tables import User

    settings = load_settings()
    factory = make_session_factory(make_engine(settings.database_url))
    table = Table("username", "role", "agency", "country", "active")
    with session_scope(factory) as session:
        for user in session.scalars(select(User).order_by(User.username)):
            table.add_row(user.username, user.role, user.agency.code, user.country, str(user.active))
    console.print(table)


def synth(seed: Annotated[int, typer.Option(help="same seed, same bytes")] = 7,
          size: Annotated[str, typer.Option(help="tiny | small | medium | large")] = "small",
          out: Annotated[Path, typer.Option(help="output folder")] = Path("sulo-data/world")) -> None:
    """Generate the synthetic Philippines-Indonesia world, with its ground truth apart."""
    from sulo.synth import generate_world

    if size not in ("tiny", "small", "medium", "large"):
        raise typer.BadParameter("size must be tiny, small, medium or large", param_hint="--size")
    started = time.perf_counter()
    try:
        with progress_bar() as report:
            manifest = generate_world(out, seed=seed, size=size, progress=report)  # type: ignore[arg-type]
    except SuloError as exc:
        raise fail(exc) from exc
    console.print(f"world written to {out} in {time.perf_counter() - started:.1f}s: {manifest.counts}")


def serve(host: Annotated[str, typer.Option()] = "127.0.0.1", port: Annotated[int, typer.Option()] = 8000) -> None:
    """Serve the web UI and the API (migrations run on start)."""
    import uvicorn

    from sulo.web.app import create_app

    uvicorn.run(create_app(load_settings()), host=host, port=port, log_level="info")


def demo(seed: Annotated[int, typer.Option()] = 7,
         size: Annotated[Literal["tiny", "small"], typer.Option()] = "small",
         serve_after: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
         port: Annotated[int, typer.Option()] = 8000) -> None:
    """Generate the synthetic world, load it through every stage, print the demo accounts, serve the UI."""
    from sulo.accounts.demo import DEMO_PASSWORD, seed_demo_users

    settings = load_settings()
    settings.ensure_data_dir()
    world = settings.data_dir / f"world-{size}-{seed}"
    if not (world / "manifest.json").exists():
        synth(seed=seed, size=size, out=world)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        users = seed_demo_users(session)
    for stage in DEMO_STAGES:
        _load_stage(stage, settings, world)
    table = Table("username", "password", "role", "agency", title="demo accounts (localhost only)")
    for demo_user in users:
        table.add_row(demo_user.username, DEMO_PASSWORD, demo_user.role, demo_user.agency)
    console.print(table)
    if serve_after:
        console.print(f"open http://127.0.0.1:{port}/")
        serve(port=port)


def _load_stage(stage: str, settings: object, world: Path) -> None:
    try:
        pipeline = importlib.import_module(f"sulo.{stage}.pipeline")
    except ModuleNotFoundError as exc:
        if exc.name in (f"sulo.{stage}", f"sulo.{stage}.pipeline"):
            console.print(f"[yellow]{stage}: stage not built yet, skipped[/yellow]")
            return
        raise
    started = time.perf_counter()
    with progress_bar() as report:
        counts = pipeline.load_world(settings, world, report)
    console.print(f"{stage}: {counts} in {time.perf_counter() - started:.1f}s")
