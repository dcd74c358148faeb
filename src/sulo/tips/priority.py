"""Score and tier each subject, with the reasons that produced the score (data: priority.yaml)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import field_validator, model_validator

from sulo.rules import StrictModel, load_rules

PRIORITY_FILE = Path(__file__).with_name("priority.yaml")
TIER_NAMES = ("immediate", "urgent", "standard", "monitor")


class Signals(StrictModel):
    in_country_residential_ip: int
    in_country_mobile_ip: int
    in_country_location: int
    live_streaming: int
    production: int
    sextortion: int
    solicitation: int
    minor_victim: int
    victim_in_country: int
    minor_recipient: int
    known_series: int
    financial_alert: int
    prior_report_link: int
    viral_only: int
    foreign_only: int


class Recency(StrictModel):
    days: int
    weight: int


class Tier(StrictModel):
    name: str
    min_score: int


class PriorityRules(StrictModel):
    home_countries: list[str]
    signals: Signals
    per_report: int
    per_report_cap: int
    recency: Recency
    tiers: list[Tier]

    @field_validator("tiers")
    @classmethod
    def _tiers_ordered(cls, tiers: list[Tier]) -> list[Tier]:
        if [t.name for t in tiers] != list(TIER_NAMES):
            raise ValueError(f"tiers must be exactly {', '.join(TIER_NAMES)} in that order")
        mins = [t.min_score for t in tiers]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise ValueError("tier minimums must strictly decrease")
        return tiers

    @model_validator(mode="after")
    def _caps(self) -> PriorityRules:
        if self.per_report_cap < 0 or self.per_report < 0 or self.recency.days <= 0:
            raise ValueError("per_report, per_report_cap must be >= 0 and recency.days > 0")
        return self


def load_priority_rules(path: Path = PRIORITY_FILE) -> PriorityRules:
    return load_rules(path, PriorityRules)


@dataclass
class SubjectFacts:
    """What the scorer needs to know about one subject, gathered from its reports and the adapters."""

    report_count: int = 0
    latest_incident: dt.datetime | None = None
    flags: set[str] = field(default_factory=set)  # names of Signals present
    details: dict[str, str] = field(default_factory=dict)  # signal -> short human detail


@dataclass(frozen=True)
class Reason:
    signal: str
    points: int
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"signal": self.signal, "points": self.points, "detail": self.detail}


@dataclass(frozen=True)
class Priority:
    score: int
    tier: str
    reasons: tuple[Reason, ...]


def score_subject(facts: SubjectFacts, rules: PriorityRules, as_of: dt.datetime,
                  weights: dict[str, int] | None = None) -> Priority:
    """`weights` is rules.signals.model_dump(), passed in by callers scoring many subjects at once."""
    weights = weights if weights is not None else rules.signals.model_dump()
    reasons = [Reason(name, weights[name], facts.details.get(name, "")) for name in sorted(facts.flags)
               if name in weights]
    extra = min(rules.per_report_cap, rules.per_report * max(0, facts.report_count - 1))
    if extra:
        reasons.append(Reason("many_reports", extra, f"{facts.report_count} reports"))
    if facts.latest_incident is not None and as_of - facts.latest_incident <= dt.timedelta(
            days=rules.recency.days):
        reasons.append(Reason("recent", rules.recency.weight,
                              f"latest incident {facts.latest_incident.date().isoformat()}"))
    reasons.sort(key=lambda r: (-r.points, r.signal))
    score = sum(r.points for r in reasons)
    return Priority(score=score, tier=tier_for(score, rules), reasons=tuple(reasons))


class Scorer:
    """score_subject for many subjects at once, each distinct outcome worked out (and its reasons
    serialised) once: most subjects are single reports whose signals and details repeat exactly, and a
    subject's score depends only on its signal details, its report count and whether (and on what
    date) its latest incident is recent."""

    def __init__(self, rules: PriorityRules, as_of: dt.datetime) -> None:
        self.rules = rules
        self.as_of = as_of
        self.weights = rules.signals.model_dump()
        self.window = dt.timedelta(days=rules.recency.days)
        self._seen: dict[tuple[object, ...], tuple[int, str, str]] = {}

    def score(self, facts: SubjectFacts) -> tuple[int, str, str]:
        """(score, tier, reasons as JSON) - exactly score_subject's, serialised."""
        latest = facts.latest_incident
        recent = latest.date() if latest is not None and self.as_of - latest <= self.window else None
        key = (frozenset(facts.details.items()), frozenset(facts.flags), facts.report_count, recent)
        found = self._seen.get(key)
        if found is None:
            prio = score_subject(facts, self.rules, self.as_of, self.weights)
            found = self._seen[key] = (prio.score, prio.tier, json.dumps([r.as_dict() for r in prio.reasons]))
        return found


def tier_for(score: int, rules: PriorityRules) -> str:
    for tier in rules.tiers:
        if score >= tier.min_score:
            return tier.name
    return rules.tiers[-1].name


def tier_rank(tier: str) -> int:
    return TIER_NAMES.index(tier)


def signals_in(names: Iterable[str]) -> set[str]:
    return set(names) & set(Signals.model_fields)
