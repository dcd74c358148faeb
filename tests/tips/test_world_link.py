"""On the synthetic world, reports and payments meet: customers who are also reported write their reported
screen name as an @handle, so loading finance then tips raises those subjects with the financial alert."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sulo.finance.pipeline import load_world as load_finance
from sulo.finance.service import HANDLE
from sulo.finance.tables import AlertPayment
from sulo.tips.pipeline import load_world as load_tips
from sulo.tips.tables import TipIdentifier, TipReport, TipSubject


def test_reported_customers_link_to_their_payments(settings: Any, session: Session, world_tiny: Path) -> None:
    def quiet(_stage: str, _done: int, _total: int) -> None:
        return None

    load_finance(settings, world_tiny, quiet)
    load_tips(settings, world_tiny, quiet)
    paid_handles = {m.lower() for (ref,) in session.execute(select(AlertPayment.reference))
                    for m in HANDLE.findall(ref)}
    linked = [s for s in session.scalars(select(TipSubject))
              if any(r["signal"] == "financial_alert" for r in json.loads(s.reasons))]
    assert paid_handles, "alerted payments should carry @handles"
    assert linked, "some reported customer should be linked to a financial alert"
    # The link is real: each linked subject was reported under a screen name that alerted payments carry.
    for subject in linked:
        names = set(session.scalars(
            select(TipIdentifier.raw).join(TipReport, TipReport.id == TipIdentifier.report_pk)
            .where(TipReport.subject_key == subject.key, TipIdentifier.kind == "screen_name")))
        assert {n.lower() for n in names} & paid_handles, (subject.key, names)
