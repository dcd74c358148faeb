"""The PDQ index is kept between lookups and built afresh when a list's new version is imported."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sulo.hashes.service import PDQ_INDEXES, ListMeta, import_list, match_hashes

A = "f" * 16 + "0" * 48
A_NEAR = "e" + "f" * 15 + "0" * 48
B = "0" * 48 + "f" * 16
B_NEAR = "0" * 48 + "e" + "f" * 15


def _pdq_list(session: Session, version: str, value: str, category: str) -> None:
    import_list(session, ListMeta("pdq-cache", "ThreatExchange", "industry", "LE only", version), "pdq",
                f"pdq,quality,category\n{value},100,{category}\n".encode(), "test")


def _found(session: Session, query: str) -> list[tuple[str, str, int]]:
    return [(m.entry_value, m.category, m.distance) for m in match_hashes(session, [("pdq", query)])]


def test_lookups_reuse_the_index_until_a_new_version_is_imported(session: Session) -> None:
    _pdq_list(session, "1", A, "A1")
    builds = PDQ_INDEXES.builds
    assert _found(session, A_NEAR) == [(A, "A1", 1)]
    assert _found(session, A) == [(A, "A1", 0)]
    assert PDQ_INDEXES.builds == builds + 1, "the second lookup should reuse the index"
    _pdq_list(session, "2", B, "B1")   # the new version replaces the list's entries
    assert _found(session, A_NEAR) == []
    assert _found(session, B_NEAR) == [(B, "B1", 1)]
    assert PDQ_INDEXES.builds == builds + 2
