"""Stored codes and texts shown in the user's language: the tip reasons' details."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from sulo.tips import subjects as sj
from sulo.web.i18n import load_catalogs
from sulo.web.labels import DETAIL_PHRASES, reason_detail

# Signals whose detail ends in data (ISP names, hash series) or in an NCMEC annotation name, not a phrase.
DATA_DETAILS = {"in_country_residential_ip", "in_country_mobile_ip", "known_series", "live_streaming",
                "sextortion", "solicitation"}


def _phrases(sums: tuple[int, ...]) -> set[str]:
    report = SimpleNamespace(incident_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), isp="ISP", hashes=[],
                             in_country_ip="residential")
    facts = sj.subject_facts([report, report], sums, {})  # type: ignore[list-item]
    return {d.split(": ", 1)[1] for s, d in facts.details.items() if s not in DATA_DETAILS}


def test_the_translated_phrases_are_exactly_those_subject_facts_writes() -> None:
    every = tuple([1] * 14)
    foreign_viral = tuple(2 if i == sj.VIRAL else 0 for i in range(14))   # both reports viral, none in country
    located = tuple(1 if i == sj.IN_HOME else 0 for i in range(14))       # in the country by location only
    assert _phrases(every) | _phrases(foreign_viral) | _phrases(located) == set(DETAIL_PHRASES)


def _render(locale: str, detail: str) -> str:
    context: Any = {"_": load_catalogs().gettext(locale)}
    return str(reason_detail(context, detail))


@pytest.mark.parametrize(("locale", "detail", "shown"), [
    ("id", "6 of 8 reports: victim under 18", "6 dari 8 laporan: korban di bawah 18 tahun"),
    ("fil", "6 of 8 reports: victim under 18", "6 sa 8 ulat: biktimang wala pang 18"),
    ("id", "3 of 8 reports: PT Telekomunikasi Indonesia", "3 dari 8 laporan: PT Telekomunikasi Indonesia"),
    ("id", "6 of 8 reports: liveStreaming", "6 dari 8 laporan: liveStreaming"),
    ("id", "8 reports", "8 laporan"),
    ("id", "latest incident 2025-02-16", "insiden terakhir 2025-02-16"),
    ("en", "6 of 8 reports: victim under 18", "6 of 8 reports: victim under 18"),
    ("id", "something else", "something else"),
    ("id", "", ""),
])
def test_reason_details_read_in_the_users_language(locale: str, detail: str, shown: str) -> None:
    assert _render(locale, detail) == shown
