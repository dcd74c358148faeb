"""The tips step of `sulo demo`: import the synthetic world's referral batches, then group and score.
Safe to run again: reports already held are counted as unchanged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sulo.store.db import make_engine
from sulo.tips.intake import count_items
from sulo.tips.service import load_context, run_import

Progress = Callable[[str, int, int], None]
ACTOR = "demo-loader"


def load_world(settings: Any, world: Path, report: Progress) -> dict[str, int]:
    batches = sorted((world / "reports").glob("*.zip"))
    if not batches:
        return {"reports": 0}
    engine = make_engine(settings.database_url)
    total = count_items(batches)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        report("tips: import", done, total)

    result, rebuilt = run_import(engine, load_context(settings.geoip_mmdb), actor=ACTOR, paths=batches,
                                 progress=tick)
    engine.dispose()
    return {"imported": result.imported, "unchanged": result.unchanged, "quarantined": result.quarantined,
            "subjects": rebuilt.subjects}
