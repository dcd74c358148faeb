"""Quality, measured: precision and recall per typology at account level against a ground truth."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sulo.finance import rules as r
from sulo.finance.model import Alert


@dataclass(frozen=True)
class Score:
    name: str
    predicted: int
    actual: int
    true_positive: int

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.actual if self.actual else 0.0

    def line(self) -> str:
        return (f"{self.name:26s} alerts {self.predicted:6d}  labelled {self.actual:6d}  hits {self.true_positive:6d}"
                f"  precision {self.precision:.3f}  recall {self.recall:.3f}")


def read_truth(path: Path) -> dict[str, set[str]]:
    """truth/accounts.csv of the synthetic world: account_id -> its typologies."""
    with path.open(newline="", encoding="utf-8") as fh:
        return {row["account_id"]: {t for t in row["typologies"].split(";") if t} for row in csv.DictReader(fh)}


def score_sets(name: str, predicted: set[str], actual: set[str]) -> Score:
    return Score(name, len(predicted), len(actual), len(predicted & actual))


def evaluate(alerts: list[Alert], truth: dict[str, set[str]], lib: r.Library) -> list[Score]:
    """Per typology family (a typology's `family`, else its id): accounts alerted vs accounts labelled."""
    family = {t.id: t.family or t.id for t in lib.typologies}
    names = sorted(set(family.values()) | {t for ts in truth.values() for t in ts})
    scores = []
    for name in names:
        predicted = {a.account_id for a in alerts if family.get(a.typology) == name}
        actual = {acct for acct, ts in truth.items() if name in ts}
        scores.append(score_sets(name, predicted, actual))
    any_alert = {a.account_id for a in alerts}
    scores.append(score_sets("any (OSEC-linked)", any_alert, {k for k, v in truth.items() if v}))
    return scores
