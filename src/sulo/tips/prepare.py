"""Everything an import does to one input before the database: parse, fingerprint, canonicalise, enrich,
compress the raw record, and lay the rows out as plain tuples in column order. Pure (no database), so it
runs in worker processes: on a many-core machine parsing is the bulk of an import's CPU and the single
writer only has to insert what comes back.

Results come back in input order (the import is deterministic whatever the number of workers), and at
most a bounded number of batches is in flight, so memory stays flat however large the zip.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import LargeBinary
from sqlalchemy.engine import Dialect

from sulo.errors import Problem, ValidationError
from sulo.tips.enrich import IpEnricher
from sulo.tips.extract import extract
from sulo.tips.intake import Item, Refused, ZipMember, close_open_zips
from sulo.tips.jsonfmt import iter_csv, iter_json
from sulo.tips.model import Digests, ParsedReport, xml_digests
from sulo.tips.parser import parse_report
from sulo.tips.tables import TipFile, TipIdentifier, TipIpEvent, TipReport

# Column order of the tuples below; the writer inserts with exactly these names.
REPORT_COLUMNS = (
    "report_id", "fingerprint", "content_key", "source", "incident_type", "incident_at", "esp_name",
    "annotations", "file_annotations", "country", "region", "isp", "in_country_ip", "minor_victim",
    "minor_recipient", "victim_count", "victim_in_country", "viral",
)
IDENT_COLUMNS = ("kind", "value", "raw", "role")
IP_COLUMNS = ("ip", "event_name", "at", "country", "region", "city", "isp", "asn_cidr", "network_class",
              "possible_proxy")
FILE_COLUMNS = ("file_name", "md5", "sha1", "pdq", "annotations", "industry_classification",
                "publicly_available")

BATCH = 250  # items per task sent to a worker: large enough that pickling overhead is noise
IN_FLIGHT = 40  # batches queued ahead of the writer: workers keep parsing while it commits a chunk
MIN_PARALLEL = 1000  # below this many items a pool costs more than it saves (start-up, pickling)

Row = tuple[Any, ...]


class Prepared(NamedTuple):
    """One report, ready to insert (the report row lacks only its primary key and imported_at). Values
    are already in the driver's form (see Converters). A NamedTuple: it pickles several times faster
    than a dataclass on its way back from a worker."""

    source: str
    report_id: str
    fingerprint: str
    report: Row
    raw: bytes  # tips_report_raw.raw (compressed)
    identifiers: tuple[Row, ...]
    ip_events: tuple[Row, ...]
    files: tuple[Row, ...]


class Quarantined(NamedTuple):
    problem: Problem
    row: dict[str, Any]  # a tips_quarantine row without created_at


class Converters:
    """Per table, SQLAlchemy's own bind processors for the columns that need one on this backend (dates
    on SQLite, booleans, binary): rows get exactly the values an ORM write would send, converted in the
    worker so the writer only inserts."""

    def __init__(self, dialect: Dialect) -> None:
        self.report = _Layout(REPORT_COLUMNS, bind_processors(TipReport, REPORT_COLUMNS, dialect))
        self.ident = _Layout(IDENT_COLUMNS, bind_processors(TipIdentifier, IDENT_COLUMNS, dialect))
        self.ip = _Layout(IP_COLUMNS, bind_processors(TipIpEvent, IP_COLUMNS, dialect))
        self.file = _Layout(FILE_COLUMNS, bind_processors(TipFile, FILE_COLUMNS, dialect))


Procs = list[tuple[int, Callable[[Any], Any]]]


def bind_processors(model: Any, columns: Sequence[str], dialect: Dialect) -> Procs:
    table = getattr(model, "__table__", model)  # a mapped class or a Table
    out: Procs = []
    for i, name in enumerate(columns):
        kind = table.c[name].type
        if isinstance(kind, LargeBinary):
            continue  # both drivers take bytes as they are; SQLite's wrapper (memoryview) cannot be pickled
        proc = kind.dialect_impl(dialect).bind_processor(dialect)
        if proc is not None:
            out.append((i, proc))
    return out


class _Layout:
    """One table's columns (at least two) and their bind processors: picks a row's values in column
    order with one itemgetter call (C), then converts only the columns that need it."""

    def __init__(self, columns: Sequence[str], procs: Procs) -> None:
        self.pick = itemgetter(*columns)
        self.procs = procs


def convert_row(values: dict[str, Any], layout: _Layout) -> Row:
    row: Row = layout.pick(values)
    if not layout.procs:
        return row
    out = list(row)
    for i, proc in layout.procs:
        out[i] = proc(out[i])
    return tuple(out)


Input = Item | Refused | ZipMember


def prepare_item(item: Input, enricher: IpEnricher, home: frozenset[str], conv: Converters
                 ) -> list[Prepared | Quarantined]:
    if isinstance(item, ZipMember):
        item = item.read()
    if isinstance(item, Refused):
        return [_quarantine(item.source, Problem(item.reason, record=item.source), item.data_sha256)]
    if item.kind == "xml":
        try:
            report = parse_report(item.data, item.source)
        except ValidationError as exc:
            return [_quarantine(item.source, exc.problems[0], _sha(item.data), str(exc))]
        return [_prepare(item.source, report, xml_digests(item.data), enricher, home, conv, item.stored)]
    records = iter_json(item.data, item.source) if item.kind == "json" else iter_csv(item.data, item.source)
    out: list[Prepared | Quarantined] = []
    sha: str | None = None
    for record in records:
        if isinstance(record, ValidationError):
            sha = sha or _sha(item.data)
            out.append(_quarantine(item.source, record.problems[0], sha, str(record)))
        else:
            out.append(_prepare(item.source, record, record.digests(), enricher, home, conv))
    return out


def _prepare(source: str, report: ParsedReport, digests: Digests, enricher: IpEnricher, home: frozenset[str],
             conv: Converters, stored_raw: bytes | None = None) -> Prepared:
    rows = extract(report, source, enricher, home, digests, stored_raw)
    return Prepared(
        source=source, report_id=report.report_id, fingerprint=digests.fingerprint,
        report=convert_row(rows.report, conv.report), raw=rows.report["raw"],
        identifiers=tuple(convert_row(r, conv.ident) for r in rows.identifiers),
        ip_events=tuple(convert_row(r, conv.ip) for r in rows.ip_events),
        files=tuple(convert_row(r, conv.file) for r in rows.files),
    )


def _quarantine(source: str, problem: Problem, sha: str, reason: str | None = None) -> Quarantined:
    return Quarantined(problem, {
        "source": source[-500:], "record": (problem.record or "")[:500] or None,
        "field": (problem.field or "")[:300] or None, "reason": reason or problem.message,
        # Quarantine is idempotent too: keyed on the source and on what was wrong with it.
        "content_sha256": hashlib.sha256(f"{sha}|{problem.record}|{problem.field}".encode()).hexdigest(),
    })


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def prepare_all(items: Iterable[Input], enricher: IpEnricher, home: frozenset[str], dialect: Dialect,
                workers: int | None = None) -> Iterator[list[Prepared | Quarantined]]:
    """prepare_item over `items`, in order: in this process for small inputs or one worker, else in a
    pool of worker processes."""
    workers = default_workers() if workers is None else workers
    stream = iter(items)
    head = list(islice(stream, MIN_PARALLEL))
    conv = Converters(dialect)
    if workers <= 1 or len(head) < MIN_PARALLEL or "fork" not in multiprocessing.get_all_start_methods():
        try:
            for item in chain(head, stream):
                yield prepare_item(item, enricher, home, conv)
        finally:
            close_open_zips()
        return
    yield from _parallel(chain(head, stream), (enricher, home, conv), workers)


def default_workers() -> int:
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


# The worker's enricher and home countries: set in the parent just before the pool forks, inherited.
_State = tuple[IpEnricher, frozenset[str], Converters]
_WORKER: _State | None = None


def _prepare_batch(batch: list[Input]) -> list[list[Prepared | Quarantined]]:
    assert _WORKER is not None
    enricher, home, conv = _WORKER
    return [prepare_item(item, enricher, home, conv) for item in batch]


def _parallel(items: Iterator[Input], state: _State, workers: int
              ) -> Iterator[list[Prepared | Quarantined]]:
    # fork, not spawn: workers inherit the loaded GeoIP data and rules (no reload per worker), and the
    # caller's __main__ is not re-imported (spawn would re-run a script without a main guard). Workers
    # never touch the parent's database connections and leave through os._exit, closing none of them.
    global _WORKER
    _WORKER = state
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending: deque[Any] = deque()
            while batch := list(islice(items, BATCH)):
                pending.append(pool.apply_async(_prepare_batch, (batch,)))
                if len(pending) >= IN_FLIGHT:
                    yield from pending.popleft().get()
            while pending:
                yield from pending.popleft().get()
    finally:
        _WORKER = None
