"""What the other stages ask of the hashes stage. Tips call `known_hash_matches` with the hashes of their
reports' files; a hash seen on a known list raises the subject's priority, and the match is explainable."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from sulo.hashes.service import Match, match_hashes

# CyberTipline file entries carry MD5, SHA-1 and PDQ; a 64-hex value may be PDQ or SHA-256, so both are tried.
_KINDS_BY_LENGTH = {32: ("md5",), 40: ("sha1",), 64: ("pdq", "sha256")}


def known_hash_matches(session: Session, hashes: Iterable[str]) -> dict[str, str]:
    """Lower-case hex hash -> "list name: category" of the closest known entry (exact first, then PDQ)."""
    queries = [(kind, value.lower()) for value in hashes for kind in _KINDS_BY_LENGTH.get(len(value), ())]
    if not queries:
        return {}
    best: dict[str, Match] = {}
    for match in match_hashes(session, queries):
        held = best.get(match.query_value)
        if held is None or (match.distance, match.list_name) < (held.distance, held.list_name):
            best[match.query_value] = match
    return {value: f"{m.list_name}: {m.category}" if m.category else m.list_name for value, m in best.items()}
