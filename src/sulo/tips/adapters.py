"""Read-only links to the hashes and finance stages, through one documented function each.

The tips stage must work before those stages hold any data (or exist at all): each adapter returns
an empty answer when the function is missing, when its tables are empty or absent, or when it fails,
and the failure is run inside a SAVEPOINT so a broken read never poisons the import's transaction.

Expected functions (see docs/tips.md):
  sulo.hashes.known_hash_matches(session, hashes: list[str]) -> Mapping[str, str]
      lower-case hex MD5 / SHA-1 / PDQ -> name of the known series or list it matched
  sulo.finance.alerts_for_identifiers(session, identifiers: list[tuple[str, str]])
      -> Mapping[tuple[str, str], list[str]]
      (kind, canonical value) with kind in email|phone|esp_id|screen_name -> alert ids naming it
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


def _function(module: str, name: str) -> Callable[..., Any] | None:
    try:
        return getattr(importlib.import_module(module), name, None)  # type: ignore[no-any-return]
    except ImportError:
        return None


def _guarded(session: Session, fn: Callable[..., Any], *args: Any) -> Any:
    try:
        with session.begin_nested():
            return fn(session, *args)
    except (SQLAlchemyError, LookupError, ValueError, TypeError) as exc:
        log.warning("tips: %s unavailable, treated as no data: %s", getattr(fn, "__name__", fn), exc)
        return None


def known_hash_matches(session: Session, hashes: list[str]) -> Mapping[str, str]:
    fn = _function("sulo.hashes", "known_hash_matches")
    if fn is None or not hashes:
        return {}
    found = _guarded(session, fn, hashes)
    return dict(found) if found else {}


def finance_alerts(session: Session, identifiers: list[tuple[str, str]]) -> Mapping[tuple[str, str], list[str]]:
    fn = _function("sulo.finance", "alerts_for_identifiers")
    if fn is None or not identifiers:
        return {}
    found = _guarded(session, fn, identifiers)
    return {k: list(v) for k, v in dict(found).items() if v} if found else {}
