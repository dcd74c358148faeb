"""Series detection: the same unknown hash in several reports groups them.

Works over (report_id, kind, value) rows so any stage can feed it; `report_series` reads the tips stage's
stored file hashes through a plain Core table (no import of the tips package, which may call us).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import column, select, table
from sqlalchemy.orm import Session

from sulo.hashes.listformats import normalise
from sulo.hashes.pdq_index import DEFAULT_THRESHOLD, PDQIndex, hex_to_words
from sulo.hashes.tables import HashEntry

_TIPS_FILE = table("tips_file", column("report_pk"), column("md5"), column("sha1"), column("pdq"))
_TIPS_REPORT = table("tips_report", column("id"), column("report_id"))


@dataclass(frozen=True)
class Series:
    reports: tuple[str, ...]  # sorted report ids
    hashes: tuple[tuple[str, str], ...]  # the (kind, value) pairs that tie them


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def series(rows: Iterable[tuple[str, str, str]], known: set[tuple[str, str]],
           threshold: int = DEFAULT_THRESHOLD) -> list[Series]:
    """Groups of >= 2 reports tied by an unknown hash: equal MD5/SHA-1, or PDQ within threshold."""
    by_hash: dict[tuple[str, str], set[str]] = {}
    for report, kind, raw in rows:
        value = normalise(kind, raw) if kind in ("md5", "sha1", "sha256", "pdq") else None
        if value is not None and (kind, value) not in known:
            by_hash.setdefault((kind, value), set()).add(report)
    links = _pdq_links([v for k, v in by_hash if k == "pdq"], threshold)
    groups = _Union()
    for key, reports in by_hash.items():
        first = f"{key[0]}:{key[1]}"
        for r in reports:
            groups.join(f"r:{r}", first)
    for a, b in links:
        groups.join(f"pdq:{a}", f"pdq:{b}")
    members: dict[str, tuple[set[str], set[tuple[str, str]]]] = {}
    for key, reports in by_hash.items():
        root = groups.find(f"{key[0]}:{key[1]}")
        reps, keys = members.setdefault(root, (set(), set()))
        reps.update(reports)
        keys.add(key)
    out = [Series(tuple(sorted(r)), tuple(sorted(k))) for r, k in members.values() if len(r) >= 2]
    return sorted(out, key=lambda s: (-len(s.reports), s.reports))


def _pdq_links(values: list[str], threshold: int) -> list[tuple[str, str]]:
    if len(values) < 2:
        return []
    words = hex_to_words(values)
    hits = PDQIndex(words, threshold).search(words)
    return [(values[q], values[i]) for q, i in zip(hits.query.tolist(), hits.item.tolist(), strict=True) if q < i]


def report_series(session: Session, threshold: int = DEFAULT_THRESHOLD) -> list[Series]:
    """Series over the tips stage's stored report file hashes, leaving out hashes already on a list."""
    rows = []
    query = select(_TIPS_REPORT.c.report_id, _TIPS_FILE.c.md5, _TIPS_FILE.c.sha1, _TIPS_FILE.c.pdq).join(
        _TIPS_REPORT, _TIPS_REPORT.c.id == _TIPS_FILE.c.report_pk)
    for report_id, md5, sha1, pdq in session.execute(query):
        rows += [(str(report_id), k, v) for k, v in (("md5", md5), ("sha1", sha1), ("pdq", pdq)) if v]
    values = {v for _, _, v in rows}
    known: set[tuple[str, str]] = set()
    ordered = sorted(values)
    for start in range(0, len(ordered), 5000):  # bound the bind parameters per statement
        query_known = select(HashEntry.kind, HashEntry.value).where(HashEntry.value.in_(ordered[start : start + 5000]))
        known.update((str(k), str(v)) for k, v in session.execute(query_known))
    return series(rows, known, threshold)
