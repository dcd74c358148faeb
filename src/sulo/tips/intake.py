"""Where reports come from: single files, folders, zip batches. Yields raw items; never parses XML.

Zip batches are read in memory, member by member, never extracted to disk, so a member named
"../../etc/passwd" cannot write anywhere; such names are still refused, because an honest batch
never has them. Zip bombs are refused by the declared sizes *and* by counting bytes while reading
(the declared size can lie).
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sulo.tips.parser import MAX_REPORT_BYTES

SUFFIXES = {".xml": "xml", ".json": "json", ".csv": "csv"}
MAX_BATCH_FILE_BYTES = 512 * 1024 * 1024  # one JSON/CSV batch file
MAX_ZIP_MEMBERS = 200_000
MAX_ZIP_TOTAL_BYTES = 4 * 1024 * 1024 * 1024
MAX_ZIP_RATIO = 200  # XML compresses ~10-20x; hundreds-to-one is a bomb


@dataclass(frozen=True, slots=True)
class Item:
    """One input unit: a report file's bytes (xml) or a batch file's bytes (json/csv)."""

    source: str
    kind: str  # xml | json | csv
    data: bytes


@dataclass(frozen=True, slots=True)
class ZipMember:
    """A zip member that passed every check that needs no reading (name, declared size, ratio), to be
    read where it is parsed: in a worker process, so the single writer neither inflates it nor ships
    its bytes. `read()` applies the remaining guard (the actual size, counted while reading)."""

    source: str
    path: str
    index: int  # position in the zip's member list (names may repeat)
    kind: str

    def read(self) -> Item | Refused:
        try:
            zf = _open_zip(self.path)
        except (zipfile.BadZipFile, OSError) as exc:  # changed or removed since it was listed
            return Refused(self.source, f"cannot read member: {exc}", _sha(b""))
        return _read_member(zf, self.source, zf.infolist()[self.index], self.kind)


@dataclass(frozen=True, slots=True)
class Refused:
    """An input refused before parsing (bad zip, traversal, bomb, unknown type): quarantined as is."""

    source: str
    reason: str
    data_sha256: str


def iter_items(paths: list[Path], lazy: bool = False) -> Iterator[Item | Refused | ZipMember]:
    """Every input under `paths`, in a stable order. With `lazy`, zip members come as ZipMember (read
    later, by whoever parses them); without it, as Item."""
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                yield from _from_file(child, lazy)
        elif path.is_file():
            yield from _from_file(path, lazy)
        else:
            yield Refused(str(path), "no such file or folder", _sha(b""))


def count_items(paths: list[Path]) -> int:
    """A cheap upper bound for progress bars: files plus zip members."""
    total = 0
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            if f.suffix.lower() == ".zip":
                try:
                    with zipfile.ZipFile(f) as zf:
                        total += len(zf.infolist())
                except (zipfile.BadZipFile, OSError):
                    total += 1
            else:
                total += 1
    return total


def _from_file(path: Path, lazy: bool) -> Iterator[Item | Refused | ZipMember]:
    suffix = path.suffix.lower()
    if suffix == ".zip":
        yield from _from_zip(path, lazy)
        return
    kind = SUFFIXES.get(suffix)
    if kind is None:
        return  # not ours (a README beside the batch, a manifest): skipped, not quarantined
    limit = MAX_REPORT_BYTES if kind == "xml" else MAX_BATCH_FILE_BYTES
    size = path.stat().st_size
    if size > limit:
        yield Refused(str(path), f"file is {size} bytes, over the {limit} limit", _sha(b""))
        return
    yield Item(str(path), kind, path.read_bytes())


def _from_zip(path: Path, lazy: bool) -> Iterator[Item | Refused | ZipMember]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield Refused(str(path), f"not a readable zip: {exc}", _sha(path.read_bytes()[:1 << 20]))
        return
    with zf:
        members = [(i, m) for i, m in enumerate(zf.infolist()) if not m.is_dir()]
        problem = _zip_problem([m for _, m in members])
        if problem:
            yield Refused(str(path), problem, _sha(path.read_bytes()[:1 << 20]))
            return
        for index, member in members:
            source = f"{path}!{member.filename}"
            checked = _check_member(source, member)
            if isinstance(checked, Refused):
                yield checked
            elif lazy:
                yield ZipMember(source, str(path), index, checked)
            else:
                yield _read_member(zf, source, member, checked)


def _zip_problem(members: list[zipfile.ZipInfo]) -> str | None:
    if len(members) > MAX_ZIP_MEMBERS:
        return f"zip has {len(members)} members, over the {MAX_ZIP_MEMBERS} limit"
    total = sum(m.file_size for m in members)
    if total > MAX_ZIP_TOTAL_BYTES:
        return f"zip expands to {total} bytes, over the {MAX_ZIP_TOTAL_BYTES} limit"
    return None


def _check_member(source: str, member: zipfile.ZipInfo) -> Refused | str:
    """The member's kind, or why it is refused, from its name and declared sizes (nothing read)."""
    name = PurePosixPath(member.filename.replace("\\", "/"))
    if name.is_absolute() or ".." in name.parts or ":" in member.filename:
        return Refused(source, "unsafe member path (absolute or '..'): refused", _sha(b""))
    kind = SUFFIXES.get(name.suffix.lower())
    if kind is None:
        return Refused(source, f"unsupported member type {name.suffix or '(none)'!r}", _sha(b""))
    limit = MAX_REPORT_BYTES if kind == "xml" else MAX_BATCH_FILE_BYTES
    if member.file_size > limit:
        return Refused(source, f"member declares {member.file_size} bytes, over the {limit} limit", _sha(b""))
    if member.compress_size and member.file_size / member.compress_size > MAX_ZIP_RATIO:
        return Refused(source, f"compression ratio over {MAX_ZIP_RATIO}:1 (zip bomb)", _sha(b""))
    return kind


def _read_member(zf: zipfile.ZipFile, source: str, member: zipfile.ZipInfo, kind: str) -> Item | Refused:
    limit = MAX_REPORT_BYTES if kind == "xml" else MAX_BATCH_FILE_BYTES
    try:
        with zf.open(member) as handle:
            data = handle.read(limit + 1)  # never trust the declared size
    except (zipfile.BadZipFile, OSError, NotImplementedError) as exc:
        return Refused(source, f"cannot read member: {exc}", _sha(b""))
    if len(data) > limit:
        return Refused(source, f"member expands past the {limit} byte limit (zip bomb)", _sha(b""))
    return Item(source, kind, data)


# The zip a process last read a member from, kept open: a worker reads hundreds of members of one zip
# in a row, and opening it (reading its central directory) per member would cost more than reading.
_OPEN: dict[str, zipfile.ZipFile] = {}


def _open_zip(path: str) -> zipfile.ZipFile:
    zf = _OPEN.get(path)
    if zf is None:
        close_open_zips()
        zf = _OPEN[path] = zipfile.ZipFile(path)
    return zf


def close_open_zips() -> None:
    for zf in _OPEN.values():
        zf.close()
    _OPEN.clear()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
