"""Hash list file formats (docs/formats/hashes-lists.md): parse strictly, export the same layouts.

Formats: Project VIC / VICS JSON ("vics"), NCMEC-style CSV ("ncmec"), ThreatExchange-style PDQ CSV ("pdq"),
and plain text, one hash per line ("text"). A parser returns every entry or raises ValidationError naming
each bad record and field: a list is never half-read. PhotoDNA values are kept as opaque strings.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sulo.errors import Problem, ValidationError

KINDS = ("md5", "sha1", "sha256", "pdq", "photodna")
HEX_LENGTH = {"md5": 32, "sha1": 40, "sha256": 64, "pdq": 64}
FORMATS = ("vics", "ncmec", "pdq", "text")
MAX_PROBLEMS = 100
_HEX = re.compile(r"[0-9a-f]+")
_PHOTODNA = re.compile(r"[A-Za-z0-9+/=,]{16,2048}")  # base64 or comma-separated bytes; opaque beyond that


@dataclass(frozen=True)
class Entry:
    kind: str
    value: str
    category: str = ""
    victim_identified: bool | None = None
    quality: int | None = None  # PDQ quality when the list gives it


class _Collector:
    """Entries and problems of one file; raises once at the end with every problem."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.problems: list[Problem] = []

    def problem(self, record: str, field: str | None, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(message, record=record, field=field))

    def add_hash(self, record: str, field: str, kind: str, raw: Any, **extra: Any) -> None:
        if raw is None or raw == "":
            return
        if not isinstance(raw, str):
            self.problem(record, field, "expected a string")
            return
        value = normalise(kind, raw)
        if value is None:
            self.problem(record, field, _expected(kind))
            return
        self.entries.append(Entry(kind, value, **extra))

    def result(self) -> list[Entry]:
        if self.problems:
            raise ValidationError(self.problems)
        return self.entries


def _expected(kind: str) -> str:
    if kind == "photodna":
        return "expected an opaque PhotoDNA string (base64 or comma-separated bytes)"
    return f"expected {HEX_LENGTH[kind]} hex digits for {kind}"


def normalise(kind: str, raw: str) -> str | None:
    """The canonical form of a hash (lower-case hex), or None when it is not one."""
    value = raw.strip()
    if kind == "photodna":
        return value if _PHOTODNA.fullmatch(value) else None
    value = value.lower()
    if len(value) != HEX_LENGTH[kind] or not _HEX.fullmatch(value):
        return None
    return value


def _text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(Problem("not UTF-8 text", record=name)) from exc


def parse_vics(data: bytes, name: str = "file") -> list[Entry]:
    """Project VIC ODATA JSON: {"value": [{"MediaID", "Category", "MD5", "SHA1", "PhotoDNA", ...}]}."""
    try:
        doc = json.loads(_text(data, name))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ValidationError(Problem(f"not valid JSON: {exc}"[:300], record=name)) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("value"), list):
        raise ValidationError(Problem("expected an object with a 'value' list of media", record=name))
    out = _Collector()
    for n, media in enumerate(doc["value"]):
        record = f"value[{n}]"
        if not isinstance(media, dict):
            out.problem(record, None, "expected an object")
            continue
        if "MediaID" in media:
            record = f"MediaID {str(media['MediaID'])[:40]}"
        category = media.get("Category", "")
        if not isinstance(category, int | str) or isinstance(category, bool):
            out.problem(record, "Category", "expected a number or a code")
            continue
        victim = media.get("VictimIdentified")
        if victim is not None and not isinstance(victim, bool):
            out.problem(record, "VictimIdentified", "expected true or false")
            continue
        extra = {"category": str(category), "victim_identified": victim}
        for field, kind in (("MD5", "md5"), ("SHA1", "sha1"), ("SHA256", "sha256"), ("PhotoDNA", "photodna")):
            out.add_hash(record, field, kind, media.get(field), **extra)
        files = media.get("MediaFiles", [])
        if not isinstance(files, list):
            out.problem(record, "MediaFiles", "expected a list")
            continue
        for k, f in enumerate(files):
            if not isinstance(f, dict):
                out.problem(record, f"MediaFiles[{k}]", "expected an object")
                continue
            for field, kind in (("MD5", "md5"), ("SHA1", "sha1"), ("SHA256", "sha256")):
                out.add_hash(record, f"MediaFiles[{k}].{field}", kind, f.get(field), **extra)
    return _dedupe(out.result())


def _csv_rows(data: bytes, name: str, required: set[str]) -> list[tuple[int, dict[str, str]]]:
    text = _text(data, name)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = {h.strip().lower() for h in (reader.fieldnames or []) if h}
        if not required & header:
            raise ValidationError(Problem(f"header must name one of: {', '.join(sorted(required))}",
                                          record=name, field="header"))
        rows = []
        for n, row in enumerate(reader, start=2):  # line 1 is the header
            if None in row:
                raise ValidationError(Problem("more values than header columns", record=f"line {n}"))
            rows.append((n, {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}))
        return rows
    except csv.Error as exc:
        raise ValidationError(Problem(f"malformed CSV: {exc}", record=name)) from exc


def parse_ncmec(data: bytes, name: str = "file") -> list[Entry]:
    """CSV with columns MD5, SHA1 (SHA256 optional), Category; any hash column may be empty."""
    out = _Collector()
    for n, row in _csv_rows(data, name, {"md5", "sha1", "sha256"}):
        for kind in ("md5", "sha1", "sha256"):
            out.add_hash(f"line {n}", kind.upper(), kind, row.get(kind, ""), category=row.get("category", ""))
    return _dedupe(out.result())


def parse_pdq(data: bytes, name: str = "file") -> list[Entry]:
    """CSV with columns pdq, quality (optional), category (optional)."""
    out = _Collector()
    for n, row in _csv_rows(data, name, {"pdq"}):
        record = f"line {n}"
        quality: int | None = None
        if row.get("quality"):
            try:
                quality = int(row["quality"])
            except ValueError:
                quality = -1
            if not 0 <= quality <= 100:
                out.problem(record, "quality", "expected an integer 0..100")
                continue
        if not row.get("pdq"):
            out.problem(record, "pdq", "missing")
            continue
        out.add_hash(record, "pdq", "pdq", row["pdq"], category=row.get("category", ""), quality=quality)
    return _dedupe(out.result())


def parse_text(data: bytes, name: str = "file", kind: str = "", category: str = "") -> list[Entry]:
    """One hash per line; '#' starts a comment. The kind is given, or told from the length (32 or 40)."""
    out = _Collector()
    for n, line in enumerate(_text(data, name).splitlines(), start=1):
        value = line.split("#", 1)[0].strip()
        if not value:
            continue
        this = kind or {32: "md5", 40: "sha1"}.get(len(value), "")
        if not this:
            out.problem(f"line {n}", "hash", "64-digit hashes are SHA-256 or PDQ: give the kind")
            continue
        out.add_hash(f"line {n}", "hash", this, value, category=category)
    return _dedupe(out.result())


def _dedupe(entries: list[Entry]) -> list[Entry]:
    """One entry per (kind, value): the first wins (a list naming the same file twice means it once)."""
    seen: dict[tuple[str, str], Entry] = {}
    for e in entries:
        seen.setdefault((e.kind, e.value), e)
    return list(seen.values())


PARSERS: dict[str, Callable[[bytes, str], list[Entry]]] = {
    "vics": parse_vics, "ncmec": parse_ncmec, "pdq": parse_pdq, "text": parse_text,
}


def export(fmt: str, entries: list[Entry]) -> bytes:
    """The same layouts the parsers read; parse(export(x)) == x for the kinds a format carries."""
    buf = io.StringIO(newline="")
    if fmt == "vics":
        media = [_vics_media(i + 1, e) for i, e in enumerate(entries) if e.kind in ("md5", "sha1", "sha256",
                                                                                   "photodna")]
        return (json.dumps({"odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media",
                            "value": media}, indent=1) + "\n").encode()
    writer = csv.writer(buf, lineterminator="\n")
    if fmt == "ncmec":
        writer.writerow(["MD5", "SHA1", "SHA256", "Category"])
        for e in entries:
            if e.kind in ("md5", "sha1", "sha256"):
                cells = {"md5": "", "sha1": "", "sha256": "", e.kind: e.value}
                writer.writerow([cells["md5"], cells["sha1"], cells["sha256"], e.category])
    elif fmt == "pdq":
        writer.writerow(["pdq", "quality", "category"])
        writer.writerows([e.value, "" if e.quality is None else e.quality, e.category]
                         for e in entries if e.kind == "pdq")
    elif fmt == "text":
        buf.writelines(f"{e.value}\n" for e in entries if e.kind in ("md5", "sha1"))
    else:
        raise ValidationError(Problem(f"unknown format; one of {', '.join(FORMATS)}", field="format"))
    return buf.getvalue().encode()


def _vics_media(media_id: int, e: Entry) -> dict[str, Any]:
    field = {"md5": "MD5", "sha1": "SHA1", "sha256": "SHA256", "photodna": "PhotoDNA"}[e.kind]
    item: dict[str, Any] = {"MediaID": media_id, "Category": e.category, field: e.value}
    if e.victim_identified is not None:
        item["VictimIdentified"] = e.victim_identified
    return item
