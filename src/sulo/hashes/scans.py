"""Uploaded scan results: store (hashes only), match against lists, summarise for the pages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from sulo.errors import NotFoundError
from sulo.hashes.hashing import LOW_QUALITY, FileHashes
from sulo.hashes.pdq_index import DEFAULT_THRESHOLD
from sulo.hashes.scanfile import read_scan
from sulo.hashes.service import (
    Match,
    dedupe_entries,
    match_variants,
    record_matches,
    scan_queries,
)
from sulo.hashes.tables import HashList, HashMatch, ScanFile, ScanResult
from sulo.store.audit import audit


@dataclass(frozen=True)
class ScanSummary:
    scan: ScanResult
    by_category: dict[str, int]  # files matched per category
    matched_files: list[tuple[ScanFile, list[HashMatch]]]
    errors: list[ScanFile]


def store_scan(session: Session, name: str, data: bytes, actor: str) -> ScanResult:
    """Validate and store an uploaded scan result; the same file uploaded again returns the first copy."""
    digest = hashlib.sha256(data).hexdigest()
    existing = session.scalar(select(ScanResult).where(ScanResult.file_sha256 == digest))
    if existing is not None:
        return existing
    records = read_scan(data, name)
    scan = ScanResult(name=name[:300], file_sha256=digest, file_count=len(records),
                      error_count=sum(1 for r in records if r.error),
                      low_quality_count=sum(1 for r in records if r.low_quality), uploaded_by=actor)
    session.add(scan)
    session.flush()
    rows = [{"scan_id": scan.id, "path": r.path, "size": r.size, "kind": r.kind, "md5": r.md5, "sha1": r.sha1,
             "sha256": r.sha256, "pdq": r.pdq, "pdq_quality": r.pdq_quality,
             "pdq_dihedral": ";".join(r.pdq_dihedral), "error": r.error} for r in records]
    for start in range(0, len(rows), 5000):
        session.execute(insert(ScanFile), rows[start : start + 5000])
    audit(session, actor, "hashes:scan", f"hashes_scan:{scan.id}", {"files": len(records), "sha256": digest})
    return scan


def _record(f: ScanFile) -> FileHashes:
    return FileHashes(f.path, f.size, f.kind, f.md5, f.sha1, f.sha256, f.pdq, f.pdq_quality,
                      [h for h in f.pdq_dihedral.split(";") if h], [], f.error)


def match_records(session: Session, records: list[FileHashes], lists: list[str] | None,
                  threshold: int = DEFAULT_THRESHOLD, dihedral: bool = True) -> dict[int, list[Match]]:
    """Matches per record position, the closest variant per (file, entry).

    Each distinct hash value is looked up once; a value can belong to several files under different variants
    (file b rotated is file a), so the variant is taken from each owner, not from the lookup.
    """
    owners: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for i, r in enumerate(records):
        for kind, value, variant in scan_queries(r, dihedral):
            owners.setdefault((kind, value), []).append((i, variant))
    lookups = [(kind, value, "original") for kind, value in owners]
    out: dict[int, list[Match]] = {}
    for m in match_variants(session, lookups, lists, threshold):
        for i, variant in owners.get((m.kind, m.query_value), []):
            out.setdefault(i, []).append(replace(m, variant=variant))
    return {i: dedupe_entries(ms) for i, ms in out.items()}


def match_scan(session: Session, scan_id: int, lists: list[str] | None, actor: str,
               threshold: int = DEFAULT_THRESHOLD) -> int:
    """Match a stored scan against lists (all when None); returns the number of new match rows."""
    scan = get_scan(session, scan_id)
    files = list(session.scalars(select(ScanFile).where(ScanFile.scan_id == scan.id).order_by(ScanFile.id)))
    found = match_records(session, [_record(f) for f in files], lists, threshold)
    added = sum(record_matches(session, "scan_file", str(files[i].id), ms) for i, ms in found.items())
    audit(session, actor, "hashes:match", f"hashes_scan:{scan.id}", {"lists": lists, "new_matches": added})
    return added


def get_scan(session: Session, scan_id: int) -> ScanResult:
    scan = session.get(ScanResult, scan_id)
    if scan is None:
        raise NotFoundError(f"no scan result {scan_id}")
    return scan


def summarise(session: Session, scan_id: int) -> ScanSummary:
    scan = get_scan(session, scan_id)
    files = {f.id: f for f in session.scalars(select(ScanFile).where(ScanFile.scan_id == scan.id))}
    matches: dict[int, list[HashMatch]] = {}
    for m in session.scalars(select(HashMatch).where(HashMatch.source_kind == "scan_file",
                                                     HashMatch.source_id.in_([str(i) for i in files]))
                             .order_by(HashMatch.id)):
        matches.setdefault(int(m.source_id), []).append(m)
    by_category: dict[str, int] = {}
    for ms in matches.values():
        for cat in {m.category for m in ms}:
            by_category[cat] = by_category.get(cat, 0) + 1
    matched = [(files[i], ms) for i, ms in sorted(matches.items())]
    errors = [f for f in files.values() if f.error]
    return ScanSummary(scan, dict(sorted(by_category.items())), matched, errors)


def get_match(session: Session, match_id: int) -> tuple[HashMatch, HashList]:
    m = session.get(HashMatch, match_id)
    if m is None:
        raise NotFoundError(f"no match {match_id}")
    hash_list = session.get(HashList, m.list_id)
    assert hash_list is not None  # foreign key
    return m, hash_list


def list_scans(session: Session) -> list[ScanResult]:
    return list(session.scalars(select(ScanResult).order_by(ScanResult.id.desc())))


def low_quality_count(session: Session, scan_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(ScanFile).where(
        ScanFile.scan_id == scan_id, ScanFile.pdq_quality < LOW_QUALITY)) or 0)
