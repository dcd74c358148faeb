"""`sulo`: the command line. Thin: each command parses, calls a stage, prints."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from sulo.errors import SuloError
from sulo.settings import Settings

app = typer.Typer(help="sulo: tips, hashes and payments in; triaged, linked and explained out.",
                  no_args_is_help=True, pretty_exceptions_enable=False)


def load_settings() -> Settings:
    """Settings from SULO_* variables; a bad value stops here, named."""
    return Settings()


def fail(exc: SuloError) -> typer.Exit:
    from sulo.cli.progress import console

    console.print(f"[red]error ({exc.kind}):[/red] {exc.message}")
    for problem in getattr(exc, "problems", [])[:50]:
        console.print(f"  - {problem}")
    return typer.Exit(code=2)


def _add_subcommands() -> None:
    from sulo.cli import core

    app.add_typer(core.db_app, name="db", help="The operational database: migrations, audit check.")
    app.add_typer(core.users_app, name="users", help="Users and agencies.")
    app.command("synth")(core.synth)
    app.command("serve")(core.serve)
    app.command("demo")(core.demo)
    for stage in ("tips", "hashes", "finance"):
        try:
            module = importlib.import_module(f"sulo.cli.{stage}")
        except ModuleNotFoundError as exc:
            if exc.name == f"sulo.cli.{stage}":
                continue
            raise
        app.add_typer(module.app, name=stage, help=(module.app.info.help or f"The {stage} stage."))


_add_subcommands()

__all__ = ["Annotated", "app", "fail", "load_settings"]
