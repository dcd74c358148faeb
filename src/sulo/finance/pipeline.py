"""The finance step of `sulo demo`: screen the world's transactions with the shipped library and keep the
alerts. Safe to run again: a file already screened (same content) is not screened twice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sulo.finance.rates import load_rates
from sulo.finance.rules import load_library
from sulo.finance.screen import screen_file
from sulo.finance.service import save_screening
from sulo.finance.tables import Screening
from sulo.store.db import make_engine, make_session_factory, session_scope
from sulo.store.files import file_sha256

Progress = Callable[[str, int, int], None]
ACTOR = "demo-loader"


def load_world(settings: Any, world: Path, report: Progress) -> dict[str, int]:
    path = world / "transactions.parquet"
    if not path.exists():
        return {"alerts": 0}
    factory = make_session_factory(make_engine(settings.database_url))
    digest = file_sha256(path)
    with session_scope(factory) as session:
        held = session.scalar(select(Screening).where(Screening.content_sha256 == digest))
        if held is not None:
            return {"transactions": held.rows, "alerts": held.alert_count, "already_screened": 1}
    report("finance: screen", 0, 1)
    loaded, result = screen_file(path, engine=settings.analytics_engine, library=load_library(),
                                 rates=load_rates())
    report("finance: screen", 1, 1)
    with session_scope(factory) as session:
        screening = save_screening(session, path.name, digest, settings.analytics_engine, loaded, result, ACTOR)
        return {"transactions": screening.rows, "quarantined": screening.quarantined,
                "alerts": screening.alert_count}
