"""Grouping and triage quality against the synthetic world's ground truth.

    uv run python benchmarks/tips_quality.py [--size tiny|small] [--seed 7] [--world DIR]

Generates the world with sulo.synth.generate_world (or reads --world), imports its XML reports into a
fresh SQLite database, and prints B-cubed precision / recall of report->subject grouping and the share
of in-country live-abuse subjects that land in the top tier.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session

from sulo.store.db import make_engine, upgrade
from sulo.tips.quality import evaluate
from sulo.tips.service import load_context, run_import


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="small", choices=["tiny", "small", "medium", "large"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--world", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sulo-tips-q-") as tmp:
        world = args.world
        if world is None:
            from sulo.synth import generate_world

            world = Path(tmp) / "world"
            generate_world(world, seed=args.seed, size=args.size)
        engine = make_engine(f"sqlite:///{Path(tmp) / 'tips.db'}")
        upgrade(engine)
        start = time.perf_counter()
        result, rebuilt = run_import(engine, load_context(), actor="quality", paths=[world / "reports"])
        seconds = time.perf_counter() - start
        with Session(engine) as session:
            q = evaluate(session, world)
        engine.dispose()
    print(f"world: {world} ({args.size if args.world is None else 'given'}, seed {args.seed}); "
          f"{result.imported} reports imported in {seconds:.1f} s, {result.quarantined} quarantined, "
          f"{rebuilt.subjects} subjects")
    print(f"B-cubed precision {q.precision:.4f}  recall {q.recall:.4f}  (target >= 0.95 each)")
    print(f"in-country live-abuse subjects in the top tier: {q.live_in_top_tier}/{q.live_subjects} "
          f"({q.top_tier_recall:.1%}); the top tier holds {q.top_tier_subjects} subjects")


if __name__ == "__main__":
    main()
