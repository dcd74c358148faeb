"""The world's parameters: world.yaml loaded strictly into typed models.

Unknown keys fail, and every failure names the file and the dotted key path, so a broken parameters file
stops generation before anything is written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sulo.errors import ConfigError

Size = Literal["tiny", "small", "medium", "large"]
ReportKind = Literal["in_country_live_abuse", "in_country_other", "viral", "foreign", "duplicate"]

DEFAULT_PARAMS = Path(__file__).with_name("world.yaml")


class WorldConfigError(ConfigError):
    """A parameters file that does not validate; `file` and `key` say where."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Timeline(Strict):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Timeline:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class SizeSpec(Strict):
    reports: int = Field(gt=0)
    transactions: int = Field(gt=0)
    images: int = Field(ge=20)
    ordinary_accounts: int = Field(gt=100)


class PerSubject(Strict):
    mean: float = Field(ge=1.0)
    cap: int = Field(ge=1)


class Region(Strict):
    name: str
    state: str
    cities: list[str] = Field(min_length=1)
    weight: float = Field(gt=0)


class CountrySpec(Strict):
    share: float = Field(gt=0, le=1)
    regions: list[Region] = Field(min_length=1)


class Relation(Strict):
    parent: float = Field(ge=0)
    other_relative: float = Field(ge=0)
    non_relative: float = Field(ge=0)


class Children(Strict):
    female_share: float = Field(ge=0, le=1)
    age_mean: float = Field(gt=0, lt=18)
    age_sd: float = Field(gt=0)
    per_household_mean: float = Field(ge=1)


class Currency(Strict):
    per_usd: float = Field(gt=0)
    decimals: Literal[0, 2]


class Range(Strict):
    min: float
    max: float


class IntRange(Strict):
    min: int = Field(ge=1)
    max: int = Field(ge=1)


class Finance(Strict):
    customers_per_facilitator_mean: float = Field(gt=0)
    facilitators_per_customer_max: int = Field(ge=1)
    payments_per_pair: IntRange
    amount_usd: Range
    round_share: float = Field(ge=0, le=1)
    odd_hour_share: float = Field(ge=0, le=1)
    cover_word_share: float = Field(ge=0, le=1)
    handle_share: float = Field(ge=0, le=1)
    escalation_share: float = Field(ge=0, le=1)
    pass_through_share: float = Field(ge=0, le=1)
    sextortion_payments: IntRange
    sextortion_amount_usd: Range
    ofw_senders_share: float = Field(ge=0, le=1)
    ofw_small_frequent_share: float = Field(ge=0, le=1)


class Cases(Strict):
    case_share: float = Field(ge=0, le=1)
    operation_share: float = Field(ge=0, le=1)
    prosecution_share: float = Field(ge=0, le=1)
    conviction_share: float = Field(ge=0, le=1)
    acquittal_share: float = Field(ge=0, le=1)


class WorldParams(Strict):
    timeline: Timeline
    sizes: dict[Size, SizeSpec]
    report_kinds: dict[ReportKind, float]
    reports_per_subject: dict[Literal["in_country_live_abuse", "in_country_other", "foreign", "viral"], PerSubject]
    sextortion_share: float = Field(ge=0, le=1)
    countries: dict[Literal["PH", "ID"], CountrySpec]
    facilitator_relation: Relation
    children: Children
    customer_countries: dict[str, float]
    ofw_countries: dict[str, float]
    currencies: dict[str, Currency]
    country_currency: dict[str, str]
    finance: Finance
    cover_words: list[str] = Field(min_length=1)
    ordinary_references: list[str] = Field(min_length=1)
    cases: Cases

    @model_validator(mode="after")
    def _complete(self) -> WorldParams:
        # Every country that sends or receives money needs a currency, and every currency a rate.
        for country in [*self.customer_countries, *self.ofw_countries, "PH", "ID"]:
            code = self.country_currency.get(country)
            if code is None:
                raise ValueError(f"country_currency lacks {country}")
            if code not in self.currencies:
                raise ValueError(f"currencies lacks {code}")
        if set(self.report_kinds) != set(ReportKind.__args__):  # type: ignore[attr-defined]
            raise ValueError("report_kinds must list every kind")
        return self


def load_params(path: Path = DEFAULT_PARAMS) -> WorldParams:
    """Read and validate a parameters file; raise WorldConfigError naming the file and the key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise WorldConfigError(str(path), "", f"cannot read: {exc}") from exc
    try:
        return WorldParams.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "<root>"
        raise WorldConfigError(str(path), key, first["msg"]) from exc
