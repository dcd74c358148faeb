"""The indicator library as data: the model of indicators.yaml, loaded strictly and resolved early.

Each indicator names a *kind* (a SQL template) and that kind's parameters. A deployment adds an indicator
by adding an entry that reuses a kind with new parameters; a broken file fails at load naming the key.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from sulo.errors import ConfigError
from sulo.rules import StrictModel, read_data_file, validate_rules

DEFAULT_FILE = Path(__file__).resolve().parent / "indicators.yaml"
Role = Literal["sender", "receiver"]
Column = Literal["sender_id", "receiver_id", "sender_country", "receiver_country", "channel", "txn_id"]
Channel = Literal["bank", "remittance", "ewallet", "card", "crypto", "cash"]


class Titles(StrictModel):
    en: str = Field(min_length=1)
    id: str = Field(min_length=1)


def _both_roles() -> list[Role]:
    return ["sender", "receiver"]


# -- one parameter model per kind (the SQL template it drives lives in finance/kinds/) ---------------------

class PaymentRule(StrictModel):
    """A per-payment predicate; every field left out is not tested."""
    cross_border: bool | None = None
    receiver_in_hrj: bool | None = None
    receiver_countries: list[str] = Field(default_factory=list)
    sender_countries: list[str] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    usd_min: float | None = None
    usd_max: float | None = None
    amount_currency: str | None = None   # with amount_min/max: the amount in this currency
    amount_min: float | None = None
    amount_max: float | None = None
    amount_multiple_of: float | None = Field(default=None, gt=0)  # in the sending currency's units
    requires: list[str] = Field(default_factory=list)             # other payment-level indicators that must also fire
    roles: list[Role] = Field(default_factory=_both_roles)


class ReferenceMatch(StrictModel):
    """Case-folded whole-word keywords and/or regular expressions (RE2/Java common syntax) on `reference`."""
    keywords: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    requires: list[str] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=_both_roles)

    @field_validator("patterns")
    @classmethod
    def _one_whole_expression_each(cls, patterns: list[str]) -> list[str]:
        """The screening matches all of an indicator's patterns as one alternation, `(?:p1)|(?:p2)`: each must
        be a whole expression on its own (balanced groups), and nothing whose meaning changes once joined
        (backreferences renumber; the verbose flag turns the rest into a comment on Spark; RE2 rejects both)."""
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from exc
            if re.search(r"\\[1-9]|\\[kg]<|\(\?[a-zA-Z-]*x", pattern):
                raise ValueError(f"{pattern!r}: backreferences and the verbose flag (?x) are not in the syntax "
                                 f"both engines share")
        return patterns


class WindowCount(StrictModel):
    """>= min_count distinct `count_distinct` values in some window of window_days, per group."""
    of: str | None = None
    role: Role
    group_by: list[Column] = Field(min_length=1)
    count_distinct: Column
    window_days: float = Field(gt=0)
    min_count: int = Field(ge=1)
    exclude_shared_surname: bool = False


class TimeShare(StrictModel):
    """>= min_share of an account's payments at local hours [hour_from, hour_to) (wrapping midnight)."""
    of: str | None = None
    hour_from: int = Field(ge=0, le=23)
    hour_to: int = Field(ge=0, le=23)
    min_share: float = Field(gt=0, le=1)
    min_count: int = Field(ge=1)
    utc_offset_hours: dict[str, float]   # sender country -> standard offset (approximate, no DST)


class Escalation(StrictModel):
    of: str | None = None
    head: int = Field(ge=2)
    min_payments: int = Field(ge=4)
    amount_ratio: float = Field(gt=0)
    gap_shrink: float = Field(ge=0, lt=1)


class PairTotal(StrictModel):
    of: str | None = None
    window_days: float = Field(gt=0)
    max_usd: float = Field(gt=0)
    with_hit: str


class PassThrough(StrictModel):
    inbound_max_usd: float = Field(gt=0)
    min_inbound: int = Field(ge=1)
    share_out: float = Field(gt=0)
    window_hours: float = Field(gt=0)
    inbound_channels: list[Channel] = Field(default_factory=list)
    outbound_channels: list[Channel] = Field(default_factory=list)


class Burst(StrictModel):
    threshold_currency: str = "USD"
    window_hours: float = Field(gt=0)
    min_payments: int = Field(ge=1)
    first_max: float = Field(gt=0)
    total_max: float = Field(gt=0)
    quiet_days: float = Field(ge=0)
    cross_border: bool = True
    channels: list[Channel] = Field(default_factory=list)


class Network(StrictModel):
    of: str | None = None
    flagged_by: list[str] = Field(min_length=1)  # typologies whose first-pass alerts count as flagged
    min_flagged_senders: int = Field(ge=1)
    two_hop_senders: bool = True
    # Also: a sender paying a flagged receiver (1 hop), for typologies that flag receivers first.
    expand_from_receivers: bool = False


KINDS: dict[str, type[StrictModel]] = {
    "payment_rule": PaymentRule, "reference_match": ReferenceMatch, "window_count": WindowCount,
    "time_share": TimeShare, "escalation": Escalation, "pair_total": PairTotal,
    "pass_through": PassThrough, "burst": Burst, "network": Network,
}
TXN_KINDS = frozenset({"payment_rule", "reference_match"})


class Indicator(StrictModel):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
    title: Titles
    source: str = Field(min_length=1)
    definition: str = Field(min_length=1)
    kind: Literal["payment_rule", "reference_match", "window_count", "time_share", "escalation",
                  "pair_total", "pass_through", "burst", "network"]
    params: dict[str, Any]
    # Parameters that are our starting values, to be tuned per deployment.
    ours: list[str] = Field(default_factory=list)


class Typology(StrictModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    title: Titles
    description: str = ""
    # The broader typology this one belongs to when measured against labels (e.g. sextortion_offender ->
    # sextortion); defaults to the id.
    family: str | None = None
    role: Role
    threshold: float = Field(gt=0)
    weights: dict[str, float] = Field(min_length=1)
    # At least one of these must fire (the typology's defining signal).
    requires_any: list[str] = Field(default_factory=list)


class Library(StrictModel):
    version: Literal[1]
    hrj: list[str] = Field(min_length=1)
    evidence_limit: int = Field(default=50, ge=1, le=10_000)
    indicators: list[Indicator] = Field(min_length=1)
    typologies: list[Typology] = Field(min_length=1)

    def params(self, indicator_id: str) -> Any:
        """The typed parameters of one indicator (validated by `load_library`)."""
        ind = self.indicator(indicator_id)
        return KINDS[ind.kind].model_validate(ind.params)

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)


def load_library(path: Path | None = None) -> Library:
    path = path or DEFAULT_FILE
    return resolve_library(read_data_file(path), str(path))


def resolve_library(data: Any, source: str) -> Library:
    """Validate the file, then every indicator's parameters and every cross-reference, failing early."""
    lib = validate_rules(data, Library, source)
    ids = [ind.id for ind in lib.indicators]
    _unique(ids, source, "indicators")
    _unique([t.id for t in lib.typologies], source, "typologies")
    kinds = {ind.id: ind.kind for ind in lib.indicators}
    for i, ind in enumerate(lib.indicators):
        key = f"indicators.{i}({ind.id})"
        try:
            params = KINDS[ind.kind].model_validate(ind.params)
        except PydanticValidationError as exc:
            loc = ".".join(str(p) for p in exc.errors()[0]["loc"])
            raise ConfigError(source, f"{key}.params.{loc}", exc.errors()[0]["msg"]) from exc
        for name in ind.ours:
            if name not in ind.params:
                raise ConfigError(source, f"{key}.ours", f"{name!r} is not one of its parameters")
        for ref in _refs(params):
            if kinds.get(ref) not in TXN_KINDS:
                raise ConfigError(source, f"{key}.params", f"{ref!r} is not a payment-level indicator")
            if ids.index(ref) >= i:
                raise ConfigError(source, f"{key}.params", f"{ref!r} must be defined before {ind.id}")
        if isinstance(params, Network):
            typ_ids = {t.id for t in lib.typologies}
            for t in params.flagged_by:
                if t not in typ_ids:
                    raise ConfigError(source, f"{key}.params.flagged_by", f"unknown typology {t!r}")
    for j, typ in enumerate(lib.typologies):
        for ref in [*typ.weights, *typ.requires_any]:
            if ref not in kinds:
                raise ConfigError(source, f"typologies.{j}({typ.id})", f"unknown indicator {ref!r}")
    return lib


def _refs(params: Any) -> list[str]:
    refs = list(getattr(params, "requires", []))
    for name in ("of", "with_hit"):
        if getattr(params, name, None):
            refs.append(getattr(params, name))
    return refs


def _unique(ids: list[str], source: str, key: str) -> None:
    seen: set[str] = set()
    for i, x in enumerate(ids):
        if x in seen:
            raise ConfigError(source, f"{key}.{i}", f"duplicate id {x!r}")
        seen.add(x)
