"""A reported screen name written as @handle in the references of an alerted account's payments links the
subject to that alert: the subject scores the `financial_alert` signal, with the reason shown."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sulo.tips.service import load_context, run_import
from sulo.tips.tables import TipSubject
from tests.finance.test_links import _alert

REPORT = """<?xml version="1.0" encoding="UTF-8"?>
<report>
  <reportId>{rid}</reportId>
  <incidentSummary><incidentType>Child Pornography (possession, manufacture, and distribution)</incidentType>
    <incidentDateTime>2024-03-05T14:22:10Z</incidentDateTime></incidentSummary>
  <reporter><espName>StreamNow</espName></reporter>
  <personOrUserReported><espIdentifier>u-{rid}</espIdentifier><screenName>{handle}</screenName>
    <ipCaptureEvent><ipAddress>8.8.4.4</ipAddress><eventName>Login</eventName>
      <dateTime>2024-03-05T13:58:00Z</dateTime></ipCaptureEvent></personOrUserReported>
</report>
"""


def test_alerted_handle_raises_the_subject(engine: Engine, session: Session, tmp_path: Path) -> None:
    _alert(session, "live_streaming_customer:sender:RM-US-1", "RM-US-1", "thanks @mdc_1988 for the show")
    session.commit()
    for rid, handle in (("900001", "mdc_1988"), ("900002", "someone_else")):
        (tmp_path / f"{rid}.xml").write_text(REPORT.format(rid=rid, handle=handle))
    result, _ = run_import(engine, load_context(), actor="test", paths=[tmp_path])
    assert result.imported == 2
    session.expire_all()
    reasons = {}
    for subject in session.scalars(select(TipSubject)):
        signals = {r["signal"] for r in json.loads(subject.reasons)}
        reasons[subject.key] = signals
    linked = [key for key, signals in reasons.items() if "financial_alert" in signals]
    assert linked == ["S-900001"], reasons
    assert "financial_alert" not in reasons["S-900002"]
