"""The hashes stage on the operational store: import/export lists, store scan results, match, series.

`match_hashes` is the entry point other stages call (tips: report file hashes; cases: evidence).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from sulo.errors import ConflictError, NotFoundError, Problem, ValidationError
from sulo.hashes import listformats
from sulo.hashes.hashing import DIHEDRAL, LOW_QUALITY, FileHashes
from sulo.hashes.pdq_index import DEFAULT_THRESHOLD, PDQIndex, hex_to_words
from sulo.hashes.tables import HashEntry, HashList, HashMatch, ScanFile, ScanResult
from sulo.store.audit import audit

SOURCE_KINDS = ("scan_file", "tip_file", "case")
EXACT_KINDS = ("md5", "sha1", "sha256", "photodna")
_BATCH = 5000


@dataclass(frozen=True)
class ListMeta:
    name: str
    source: str
    category_scheme: str
    licence: str
    version: str
    own: bool = False


@dataclass(frozen=True)
class Match:
    """A query hash found on a list: which list, which entry, how close, and which dihedral variant."""

    kind: str
    query_value: str  # the hash that was looked up
    list_id: int
    list_name: str
    entry_id: int
    entry_value: str
    category: str
    victim_identified: bool | None
    distance: int  # 0 for exact hashes
    variant: str  # "original" or the dihedral transform of the query that matched


def _version_key(version: str) -> list[tuple[int, int | str]]:
    """Natural order: "2024.10" after "2024.9"."""
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", version) if p]


def import_list(session: Session, meta: ListMeta, fmt: str, data: bytes, actor: str,
                text_kind: str = "") -> HashList:
    """Parse then write all entries in one transaction. Same version and content: nothing changes."""
    if fmt not in listformats.FORMATS:
        raise ValidationError(Problem(f"unknown format; one of {', '.join(listformats.FORMATS)}", field="format"))
    for field in ("name", "source", "category_scheme", "licence", "version"):
        if not getattr(meta, field).strip():
            raise ValidationError(Problem("required", record=meta.name or "list", field=field))
    if fmt == "text":
        entries = listformats.parse_text(data, meta.name, kind=text_kind)
    else:
        entries = listformats.PARSERS[fmt](data, meta.name)
    digest = hashlib.sha256(data).hexdigest()
    existing = session.scalar(select(HashList).where(HashList.name == meta.name))
    if existing is not None:
        if existing.version == meta.version:
            if existing.file_sha256 == digest:
                return existing  # idempotent re-import
            raise ConflictError(f"list {meta.name!r} version {meta.version} was imported with other content")
        if _version_key(meta.version) < _version_key(existing.version):
            raise ConflictError(f"list {meta.name!r} has newer version {existing.version} than {meta.version}")
        session.execute(delete(HashEntry).where(HashEntry.list_id == existing.id))
        hash_list = existing
    else:
        hash_list = HashList(name=meta.name)
        session.add(hash_list)
    for field in ("source", "category_scheme", "licence", "version", "own"):
        setattr(hash_list, field, getattr(meta, field))
    hash_list.format, hash_list.file_sha256 = fmt, digest
    hash_list.entry_count, hash_list.imported_by = len(entries), actor
    session.flush()
    rows = [{"list_id": hash_list.id, "kind": e.kind, "value": e.value, "category": e.category[:40],
             "victim_identified": e.victim_identified, "quality": e.quality} for e in entries]
    for start in range(0, len(rows), _BATCH):
        session.execute(insert(HashEntry), rows[start : start + _BATCH])
    audit(session, actor, "hashes:import-list", f"hashes_list:{hash_list.id}",
          {"name": meta.name, "version": meta.version, "entries": len(entries), "sha256": digest})
    return hash_list


def get_list(session: Session, name: str) -> HashList:
    found = session.scalar(select(HashList).where(HashList.name == name))
    if found is None:
        raise NotFoundError(f"no hash list named {name!r}")
    return found


def list_entries(session: Session, list_id: int) -> list[listformats.Entry]:
    rows = session.execute(select(HashEntry.kind, HashEntry.value, HashEntry.category,
                                  HashEntry.victim_identified, HashEntry.quality)
                           .where(HashEntry.list_id == list_id).order_by(HashEntry.id))
    return [listformats.Entry(*row) for row in rows]


def export_list(session: Session, name: str, fmt: str, actor: str) -> bytes:
    """Only the project's own lists leave sulo: others are bound by their providers' sharing terms."""
    hash_list = get_list(session, name)
    if not hash_list.own:
        raise ConflictError(f"list {name!r} is from {hash_list.source}; only the project's own lists export")
    data = listformats.export(fmt, list_entries(session, hash_list.id))
    audit(session, actor, "hashes:export", f"hashes_list:{hash_list.id}", {"format": fmt, "bytes": len(data)})
    return data


def _lists(session: Session, names: Iterable[str] | None) -> dict[int, HashList]:
    query = select(HashList)
    if names is not None:
        wanted = list(names)
        query = query.where(HashList.name.in_(wanted))
        found = {h.name for h in session.scalars(query)}
        missing = [n for n in wanted if n not in found]
        if missing:
            raise NotFoundError(f"no hash list named {missing[0]!r}")
    return {h.id: h for h in session.scalars(query)}


def match_hashes(session: Session, hashes: Iterable[tuple[str, str]], lists: Iterable[str] | None = None,
                 threshold: int = DEFAULT_THRESHOLD, include_low_quality: bool = False) -> list[Match]:
    """Look up (kind, value) pairs: exact kinds by equality, PDQ by Hamming distance <= threshold.

    A PDQ value may be given as "original" variant only; `match_variants` takes the dihedral set of a scan.
    List entries with PDQ quality below 50 are not matched unless include_low_quality.
    """
    variants = [(k, v, "original") for k, v in hashes]
    return match_variants(session, variants, lists, threshold, include_low_quality)


def match_variants(session: Session, hashes: Iterable[tuple[str, str, str]], lists: Iterable[str] | None = None,
                   threshold: int = DEFAULT_THRESHOLD, include_low_quality: bool = False) -> list[Match]:
    by_id = _lists(session, lists)
    exact: dict[str, set[str]] = {}
    pdq: list[tuple[str, str]] = []
    for kind, raw, variant in hashes:
        if kind not in listformats.KINDS:
            raise ValidationError(Problem(f"unknown hash kind {kind!r}", field="kind"))
        value = listformats.normalise(kind, raw)
        if value is None:
            continue  # a malformed hash cannot match anything; the caller validated its own input
        if kind == "pdq":
            pdq.append((value, variant))
        else:
            exact.setdefault(kind, set()).add(value)
    out = _exact(session, by_id, exact)
    if pdq:
        out += _pdq(session, by_id, pdq, threshold, include_low_quality)
    return out


def _exact(session: Session, by_id: dict[int, HashList], wanted: dict[str, set[str]]) -> list[Match]:
    out = []
    for kind, values in wanted.items():
        ordered = sorted(values)
        for start in range(0, len(ordered), _BATCH):
            rows = session.scalars(select(HashEntry).where(
                HashEntry.kind == kind, HashEntry.value.in_(ordered[start : start + _BATCH]),
                HashEntry.list_id.in_(list(by_id))))
            out += [Match(kind, e.value, e.list_id, by_id[e.list_id].name, e.id, e.value, e.category,
                          e.victim_identified, 0, "original") for e in rows]
    return out


_PdqEntry = tuple[int, int, str, str, bool | None]   # id, list_id, value, category, victim_identified


class _PdqIndexCache:
    """The PDQ index of the lists asked for, kept between calls: loading a million entries and indexing them
    takes seconds, a lookup milliseconds. Keyed by the database and, per list, what an import changes (file
    digest, version, entry count, import time), so a new list version is indexed afresh; lists change only
    through `import_list`. Holds the two most recent indexes."""

    def __init__(self, size: int = 2) -> None:
        self._items: OrderedDict[tuple[object, ...], tuple[PDQIndex, list[_PdqEntry]]] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size
        self.builds = 0

    def get(self, session: Session, by_id: dict[int, HashList], threshold: int, include_low_quality: bool
            ) -> tuple[PDQIndex, list[_PdqEntry]] | None:
        key = (str(session.get_bind().engine.url), threshold, include_low_quality,
               tuple(sorted((h.id, h.file_sha256, h.version, h.entry_count, h.imported_at.isoformat())
                            for h in by_id.values())))
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        built = self._build(session, by_id, threshold, include_low_quality)
        if built is None:
            return None
        with self._lock:
            self._items[key] = built
            self.builds += 1
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return built

    @staticmethod
    def _build(session: Session, by_id: dict[int, HashList], threshold: int, include_low_quality: bool
               ) -> tuple[PDQIndex, list[_PdqEntry]] | None:
        query = select(HashEntry.id, HashEntry.list_id, HashEntry.value, HashEntry.category,
                       HashEntry.victim_identified).where(HashEntry.kind == "pdq",
                                                          HashEntry.list_id.in_(list(by_id)))
        if not include_low_quality:
            query = query.where((HashEntry.quality.is_(None)) | (HashEntry.quality >= LOW_QUALITY))
        entries: list[_PdqEntry] = [tuple(row) for row in session.execute(query)]  # type: ignore[misc]
        if not entries:
            return None
        return PDQIndex(hex_to_words([e[2] for e in entries]), threshold), entries


PDQ_INDEXES = _PdqIndexCache()


def _pdq(session: Session, by_id: dict[int, HashList], queries: list[tuple[str, str]], threshold: int,
         include_low_quality: bool) -> list[Match]:
    cached = PDQ_INDEXES.get(session, by_id, threshold, include_low_quality)
    if cached is None:
        return []
    index, entries = cached
    hits = index.search(hex_to_words([q for q, _ in queries]))
    out = []
    for qi, ii, dist in zip(hits.query.tolist(), hits.item.tolist(), hits.distance.tolist(), strict=True):
        entry_id, list_id, value, category, victim = entries[ii]
        out.append(Match("pdq", queries[qi][0], list_id, by_id[list_id].name, entry_id, value, category,
                         victim, dist, queries[qi][1]))
    return out


def scan_queries(record: FileHashes, dihedral: bool = True) -> list[tuple[str, str, str]]:
    """(kind, value, variant) lookups for one scanned file. Low-quality PDQ is left out (flagged instead)."""
    out = [(k, getattr(record, k), "original") for k in ("md5", "sha1", "sha256") if getattr(record, k)]
    if record.pdq and not record.low_quality:
        if dihedral and len(record.pdq_dihedral) == len(DIHEDRAL):
            out += [("pdq", h, name) for h, name in zip(record.pdq_dihedral, DIHEDRAL, strict=True)]
        else:
            out.append(("pdq", record.pdq, "original"))
    return out


def dedupe_entries(matches: list[Match]) -> list[Match]:
    """One match per entry (for one file): the closest variant, original first on ties."""
    best: dict[int, Match] = {}
    order = {v: i for i, v in enumerate(DIHEDRAL)}
    for m in matches:
        key = m.entry_id
        cur = best.get(key)
        if cur is None or (m.distance, order.get(m.variant, 9)) < (cur.distance, order.get(cur.variant, 9)):
            best[key] = m
    return list(best.values())


def record_matches(session: Session, source_kind: str, source_id: str, matches: list[Match]) -> int:
    """Store matches for one source (idempotent: a match already stored is kept as it is)."""
    if source_kind not in SOURCE_KINDS:
        raise ValidationError(Problem(f"source_kind must be one of {', '.join(SOURCE_KINDS)}", field="source_kind"))
    have = set(session.execute(select(HashMatch.entry_id, HashMatch.variant).where(
        HashMatch.source_kind == source_kind, HashMatch.source_id == source_id)).all())
    rows = [{"source_kind": source_kind, "source_id": source_id, "entry_id": m.entry_id, "list_id": m.list_id,
             "kind": m.kind, "query_value": m.query_value, "category": m.category, "distance": m.distance,
             "variant": m.variant} for m in matches if (m.entry_id, m.variant) not in have]
    if rows:
        session.execute(insert(HashMatch), rows)
    return len(rows)


def count_by_category(session: Session, source_kind: str, source_ids: list[str]) -> dict[str, int]:
    rows = session.execute(select(HashMatch.category, func.count(func.distinct(HashMatch.source_id)))
                           .where(HashMatch.source_kind == source_kind, HashMatch.source_id.in_(source_ids))
                           .group_by(HashMatch.category))
    return {cat: int(n) for cat, n in rows}


__all__ = ["ListMeta", "Match", "ScanFile", "ScanResult", "export_list", "get_list", "import_list",
           "match_hashes", "match_variants", "record_matches", "scan_queries"]
