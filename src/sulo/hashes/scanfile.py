"""The scan result file (docs/formats/hashes-scan.md): CSV or Parquet, one row per file, hashes only.

Read strictly: the web upload and `sulo hashes match` both come through `read_scan`, which names the row and
the column of every bad value and accepts nothing partially.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sulo.errors import Problem, ValidationError
from sulo.hashes.hashing import FileHashes

COLUMNS = ("path", "size", "kind", "md5", "sha1", "sha256", "pdq", "pdq_quality", "low_quality",
           "pdq_dihedral", "vpdq", "error")
KINDS = {"image", "video", "other", "error"}
_HEX = {"md5": 32, "sha1": 40, "sha256": 64, "pdq": 64}
_HEX_RE = re.compile(r"[0-9a-f]*")
_VPDQ_RE = re.compile(r"\d+,\d+,[0-9a-f]{64}")
MAX_PROBLEMS = 100


def _row(r: FileHashes) -> dict[str, Any]:
    d = asdict(r)
    d["low_quality"] = r.low_quality
    d["pdq_dihedral"] = ";".join(r.pdq_dihedral)
    d["vpdq"] = ";".join(r.vpdq)
    return {c: d[c] for c in COLUMNS}


def write_scan(records: list[FileHashes], out: Path) -> None:
    """Write atomically (temp file, then rename): a reader never sees half a result."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    rows = [_row(r) for r in records]
    if out.suffix.lower() == ".parquet":
        schema = pa.schema([("path", pa.string()), ("size", pa.int64()), ("kind", pa.string()),
                            ("md5", pa.string()), ("sha1", pa.string()), ("sha256", pa.string()),
                            ("pdq", pa.string()), ("pdq_quality", pa.int32()), ("low_quality", pa.bool_()),
                            ("pdq_dihedral", pa.string()), ("vpdq", pa.string()), ("error", pa.string())])
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), tmp)
    else:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
    tmp.replace(out)


def read_scan(data: bytes, filename: str) -> list[FileHashes]:
    """Parse a scan result (CSV, or Parquet when the name ends .parquet); all-or-nothing."""
    if filename.lower().endswith(".parquet"):
        try:
            rows = pq.read_table(io.BytesIO(data)).to_pylist()
        except (pa.ArrowException, OSError) as exc:
            raise ValidationError(Problem(f"not a readable Parquet file: {exc}", record=filename)) from exc
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(Problem("not UTF-8 text", record=filename)) from exc
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    return _validate(rows, filename)


def _validate(rows: list[dict[str, Any]], filename: str) -> list[FileHashes]:
    if rows and set(COLUMNS) - set(rows[0]):
        missing = ", ".join(sorted(set(COLUMNS) - set(rows[0])))
        raise ValidationError(Problem(f"missing columns: {missing}", record=filename))
    problems: list[Problem] = []
    out = []
    for n, row in enumerate(rows, start=1):
        record, found = _parse_row(row, f"row {n}")
        problems.extend(found)
        if len(problems) >= MAX_PROBLEMS:
            break
        out.append(record)
    if problems:
        raise ValidationError(problems)
    return out


def _text(row: dict[str, Any], col: str) -> str:
    value = row.get(col)
    return "" if value is None else str(value).strip()


def _parse_row(row: dict[str, Any], where: str) -> tuple[FileHashes, list[Problem]]:
    problems = []
    values = {c: _text(row, c) for c in COLUMNS}
    for col, length in _HEX.items():
        v = values[col] = values[col].lower()
        if v and (len(v) != length or not _HEX_RE.fullmatch(v)):
            problems.append(Problem(f"expected {length} hex digits", record=where, field=col))
    if values["kind"] not in KINDS:
        problems.append(Problem(f"kind must be one of {sorted(KINDS)}", record=where, field="kind"))
    size = _int(values["size"], where, "size", problems) or 0
    quality = _int(values["pdq_quality"], where, "pdq_quality", problems) if values["pdq_quality"] else None
    if quality is not None and not 0 <= quality <= 100:
        problems.append(Problem("quality is 0..100", record=where, field="pdq_quality"))
    dihedral = [h.lower() for h in values["pdq_dihedral"].split(";") if h]
    if dihedral and (len(dihedral) != 8 or not all(len(h) == 64 and _HEX_RE.fullmatch(h) for h in dihedral)):
        problems.append(Problem("expected 8 hashes of 64 hex digits", record=where, field="pdq_dihedral"))
    vpdq = [f for f in values["vpdq"].split(";") if f]
    if not all(_VPDQ_RE.fullmatch(f) for f in vpdq):
        problems.append(Problem("expected frame,quality,hex entries", record=where, field="vpdq"))
    record = FileHashes(values["path"], size, values["kind"], values["md5"], values["sha1"], values["sha256"],
                        values["pdq"], quality, dihedral, vpdq, values["error"])
    return record, problems


def _int(value: str, where: str, col: str, problems: list[Problem]) -> int | None:
    try:
        return int(value)
    except ValueError:
        problems.append(Problem("expected an integer", record=where, field=col))
        return None
