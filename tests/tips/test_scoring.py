"""The memoising Scorer gives exactly score_subject's score, tier and reasons, also across the recency
boundary and for subjects whose details differ only in text."""

from __future__ import annotations

import datetime as dt
import itertools
import json

from sulo.tips.priority import Scorer, SubjectFacts, load_priority_rules, score_subject


def _facts(flags: dict[str, str], count: int, latest: dt.datetime | None) -> SubjectFacts:
    return SubjectFacts(report_count=count, latest_incident=latest, flags=set(flags), details=dict(flags))


def test_scorer_matches_score_subject() -> None:
    rules = load_priority_rules()
    as_of = dt.datetime(2024, 6, 30, 12, tzinfo=dt.UTC)
    window = dt.timedelta(days=rules.recency.days)
    latests = [None, as_of, as_of - window, as_of - window - dt.timedelta(seconds=1),
               as_of - window + dt.timedelta(hours=1), as_of - dt.timedelta(days=400)]
    flag_sets = [
        {},
        {"live_streaming": "1 of 1 reports: liveStreaming"},
        {"live_streaming": "2 of 3 reports: liveStreaming", "minor_victim": "1 of 3 reports: victim under 18"},
        {"in_country_residential_ip": "1 of 1 reports: PLDT", "viral_only": "1 of 1 reports: viral files only"},
        {"in_country_residential_ip": "1 of 1 reports: Globe"},
        {"foreign_only": "1 of 1 reports: no in-country signal", "not_a_signal": "ignored"},
    ]
    scorer = Scorer(rules, as_of)
    for _ in range(2):  # the second pass is answered from the memo
        for flags, count, latest in itertools.product(flag_sets, [1, 2, 7, 40], latests):
            facts = _facts(flags, count, latest)
            want = score_subject(facts, rules, as_of)
            assert scorer.score(facts) == (want.score, want.tier, json.dumps([r.as_dict() for r in want.reasons]))
