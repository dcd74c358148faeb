"""What the tips stage asks of the finance stage: which alerts name an identifier of a reported person.

Payments carry social-media handles in their references (F7: "@name"), and e-wallet accounts are often
held under a mobile number or an e-mail. A tip's screen name, phone or e-mail found there links the
subject to the alert; tips raise the subject's priority and show the link as a reason."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from sulo.finance.service import HANDLE
from sulo.finance.tables import AlertPayment, FinanceAlert

_DIGITS = re.compile(r"\D+")


def _handle_of(value: str) -> str:
    # Tips scope screen names by platform ("streamnow:name"); references carry the bare handle.
    return value.rsplit(":", 1)[-1].lstrip("@").lower()


def alerts_for_identifiers(session: Session, identifiers: Iterable[tuple[str, str]]
                           ) -> dict[tuple[str, str], list[str]]:
    """(kind, canonical value) with kind in screen_name | phone | email -> keys of the alerts naming it."""
    wanted = list(identifiers)
    if not wanted:
        return {}
    by_handle: dict[str, set[str]] = defaultdict(set)
    rows = session.execute(select(FinanceAlert.alert_key, AlertPayment.reference)
                           .join(AlertPayment, AlertPayment.alert_id == FinanceAlert.id)
                           .where(AlertPayment.reference.like("%@%")))
    for alert_key, reference in rows:
        for handle in HANDLE.findall(reference or ""):
            by_handle[handle.lower()].add(alert_key)
    by_account: dict[str, set[str]] = defaultdict(set)
    for alert_key, account_id in session.execute(select(FinanceAlert.alert_key, FinanceAlert.account_id)):
        by_account[account_id.lower()].add(alert_key)
        digits = _DIGITS.sub("", account_id)
        if len(digits) >= 9:
            by_account[digits].add(alert_key)
    found: dict[tuple[str, str], list[str]] = {}
    for kind, value in wanted:
        if kind == "screen_name":
            keys = by_handle.get(_handle_of(value), set())
        elif kind == "phone":
            keys = by_account.get(_DIGITS.sub("", value), set())
        elif kind == "email":
            keys = by_account.get(value.lower(), set())
        else:
            keys = set()
        if keys:
            found[(kind, value)] = sorted(keys)
    return found
