"""Against the synthetic world's ground truth: B-cubed >= 0.95 both ways; every in-country live-abuse
subject in the top tier."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sulo.tips.quality import bcubed, evaluate
from sulo.tips.service import TipsContext, run_import


def test_bcubed_literal_cases() -> None:
    truth = {"a": "1", "b": "1", "c": "2"}
    assert bcubed({"a": "x", "b": "x", "c": "y"}, truth) == (1.0, 1.0)
    p, r = bcubed({"a": "x", "b": "x", "c": "x"}, truth)
    assert (r == 1.0 and abs(p - (2 / 3 * 2 / 3 + 1 / 3 * 1 / 3) / 1) < 1e-9) or p < 1.0
    p, r = bcubed({"a": "x", "b": "y", "c": "z"}, truth)
    assert p == 1.0 and abs(r - (0.5 + 0.5 + 1) / 3) < 1e-9


def test_world_tiny_grouping_and_tiers(engine: Engine, tips_ctx: TipsContext, world_tiny: Path) -> None:
    result, _ = run_import(engine, tips_ctx, actor="t", paths=[world_tiny / "reports"])
    assert result.quarantined == 0
    with Session(engine) as s:
        q = evaluate(s, world_tiny)
    assert q.precision >= 0.95 and q.recall >= 0.95, q
    assert q.live_subjects > 0 and q.live_in_top_tier == q.live_subjects, q
