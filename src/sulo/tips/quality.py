"""Measure grouping and triage against the synthetic world's ground truth (truth/report_subject.csv).

B-cubed (Bagga & Baldwin 1998): for each report, precision = share of the reports in its predicted
subject that truly belong with it; recall = share of its true subject's reports that were predicted
with it; both averaged over reports. Top-tier recall: share of true in-country live-abuse subjects
whose reports all sit in subjects of the top tier.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from sulo.tips.tables import TipReport, TipSubject


@dataclass(frozen=True)
class Quality:
    reports: int
    precision: float
    recall: float
    live_subjects: int
    live_in_top_tier: int
    top_tier_subjects: int

    @property
    def top_tier_recall(self) -> float:
        return self.live_in_top_tier / self.live_subjects if self.live_subjects else 1.0


def bcubed(predicted: Mapping[str, str], truth: Mapping[str, str]) -> tuple[float, float]:
    """B-cubed precision and recall over the reports present in both mappings (report -> cluster)."""
    items = [r for r in truth if r in predicted]
    if not items:
        return 0.0, 0.0
    pair = Counter((predicted[r], truth[r]) for r in items)
    pred_size = Counter(predicted[r] for r in items)
    true_size = Counter(truth[r] for r in items)
    precision = sum(pair[(predicted[r], truth[r])] / pred_size[predicted[r]] for r in items) / len(items)
    recall = sum(pair[(predicted[r], truth[r])] / true_size[truth[r]] for r in items) / len(items)
    return precision, recall


def read_truth(world: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(report_id -> true subject, report_id -> kind) from truth/report_subject.csv."""
    subject, kind = {}, {}
    with (world / "truth" / "report_subject.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            subject[row["report_id"]] = row["subject_id"]
            kind[row["report_id"]] = row["kind"]
    return subject, kind


def evaluate(session: Session, world: Path, top_tier: str = "immediate") -> Quality:
    truth, kinds = read_truth(world)
    predicted = {rid: key for rid, key in session.execute(select(TipReport.report_id, TipReport.subject_key))
                 if key is not None}
    precision, recall = bcubed(predicted, truth)
    tier_of = {key: tier for key, tier in session.execute(select(TipSubject.key, TipSubject.tier))}
    live: dict[str, set[str]] = defaultdict(set)
    for rid, k in kinds.items():
        if k == "in_country_live_abuse" and rid in predicted:
            live[truth[rid]].add(tier_of.get(predicted[rid], "?"))
    in_top = sum(1 for tiers in live.values() if tiers == {top_tier})
    top_count = sum(1 for t in tier_of.values() if t == top_tier)
    return Quality(len(predicted), precision, recall, len(live), in_top, top_count)
