"""Where reports come from: single files, folders, zip batches. Yields raw items; never parses XML.

Zip batches are read in memory, member by member, never extracted to disk, so a member named
"../../etc/passwd" cannot write anywhere; such names are still refused, because an honest batch
never has them. Zip bombs are refused by the declared sizes *and* by counting bytes while reading
(the declared size can lie).
"""

from __future__ import annotations

import hashlib
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, NamedTuple

from sulo.tips.model import zlib_stored
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
    # `data` already in the stored raw form (model.compress_raw's zlib format), when the zip had it
    # deflated: its deflate stream is re-framed instead of inflating and deflating again.
    stored: bytes | None = None


class Entry(NamedTuple):
    """What reading a member needs from the zip's central directory (the ZipInfo fields of that name),
    taken when the writer lists the zip, so a worker reads the member without parsing the directory
    again."""

    orig_filename: str
    header_offset: int
    compress_type: int
    flag_bits: int
    compress_size: int
    file_size: int
    CRC: int  # ZipInfo's own name: _read_plain takes either

    @classmethod
    def of(cls, info: zipfile.ZipInfo) -> Entry:
        return cls(info.orig_filename, info.header_offset, info.compress_type, info.flag_bits,
                   info.compress_size, info.file_size, info.CRC)


class ZipMember(NamedTuple):
    """A zip member that passed every check that needs no reading (name, declared size, ratio), to be
    read where it is parsed: in a worker process, so the single writer neither inflates it nor ships
    its bytes. `read()` applies the remaining guard (the actual size, counted while reading). A
    NamedTuple: a hundred thousand of these are pickled to the workers."""

    source: str
    path: str
    position: int  # index in the zip's member list (names may repeat)
    kind: str
    entry: Entry

    def read(self) -> Item | Refused:
        limit = MAX_REPORT_BYTES if self.kind == "xml" else MAX_BATCH_FILE_BYTES
        try:
            fast = _read_plain(_open_file(self.path), None, self.entry, limit)
        except OSError:
            fast = None
        if fast is not None:
            return _item(self.source, self.kind, *fast)
        # Anything unusual (or a zip changed since it was listed): zipfile reads it, as it always did.
        try:
            zf = _open_zip(self.path)
        except (zipfile.BadZipFile, OSError) as exc:  # changed or removed since it was listed
            return Refused(self.source, f"cannot read member: {exc}", _sha(b""))
        return _read_member(zf, self.source, zf.infolist()[self.position], self.kind)


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
        where = str(path)
        for index, member in members:
            source = f"{where}!{member.filename}"
            checked = _check_member(source, member)
            if isinstance(checked, Refused):
                yield checked
            elif lazy:
                yield ZipMember(source, where, index, checked, Entry.of(member))
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
    path = member.filename.replace("\\", "/")
    # What PurePosixPath(path) would say (is_absolute, parts, suffix), without building one per
    # member: the writer lists every member of every zip, and pathlib was most of that.
    parts = [p for p in path.split("/") if p and p != "."]
    if path.startswith("/") or ".." in parts or ":" in member.filename:
        return Refused(source, "unsafe member path (absolute or '..'): refused", _sha(b""))
    suffix = _suffix(parts[-1] if parts else "")
    kind = SUFFIXES.get(suffix.lower())
    if kind is None:
        return Refused(source, f"unsupported member type {suffix or '(none)'!r}", _sha(b""))
    limit = MAX_REPORT_BYTES if kind == "xml" else MAX_BATCH_FILE_BYTES
    if member.file_size > limit:
        return Refused(source, f"member declares {member.file_size} bytes, over the {limit} limit", _sha(b""))
    if member.compress_size and member.file_size / member.compress_size > MAX_ZIP_RATIO:
        return Refused(source, f"compression ratio over {MAX_ZIP_RATIO}:1 (zip bomb)", _sha(b""))
    return kind


def _suffix(name: str) -> str:
    """PurePosixPath(name).suffix for one path component."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def _read_member(zf: zipfile.ZipFile, source: str, member: zipfile.ZipInfo, kind: str) -> Item | Refused:
    limit = MAX_REPORT_BYTES if kind == "xml" else MAX_BATCH_FILE_BYTES
    encoding = getattr(zf, "metadata_encoding", None)  # Python 3.11+, not in the stubs
    fast = _read_plain(zf.fp, encoding, member, limit) if zf.fp is not None else None
    if fast is not None:
        return _item(source, kind, *fast)
    try:
        with zf.open(member) as handle:
            data = handle.read(limit + 1)  # never trust the declared size
    except (zipfile.BadZipFile, OSError, NotImplementedError) as exc:
        return Refused(source, f"cannot read member: {exc}", _sha(b""))
    if len(data) > limit:
        return Refused(source, f"member expands past the {limit} byte limit (zip bomb)", _sha(b""))
    return Item(source, kind, data)


_LOCAL_HEADER = struct.Struct("<4sHHHHHLLLHH")  # zipfile's structFileHeader: signature .. extra length
_UNSUPPORTED_FLAGS = 0x1 | 0x20 | 0x40  # encrypted, compressed patched data, strong encryption


def _item(source: str, kind: str, data: bytes, deflated: bytes | None) -> Item:
    return Item(source, kind, data, zlib_stored(deflated, data) if deflated is not None else None)


def _read_plain(fp: BinaryIO | IO[bytes], metadata_encoding: str | None, member: zipfile.ZipInfo | Entry,
                limit: int) -> tuple[bytes, bytes | None] | None:
    """A stored or deflated member read straight from its local header: (data, its deflate stream or
    None). zipfile.open costs more than the inflating itself on a 3 KB report. Only the case where
    zipfile would give exactly these bytes is taken - the header and name agree with the directory,
    the sizes and the CRC-32 match, the stream ends where the member ends - and anything else returns
    None, so zipfile reads it (and refuses it) exactly as before."""
    if member.flag_bits & _UNSUPPORTED_FLAGS or member.file_size > limit:
        return None
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    fp.seek(member.header_offset)
    head = fp.read(_LOCAL_HEADER.size)
    if len(head) != _LOCAL_HEADER.size:
        return None
    signature, _, flags, _, _, _, _, _, _, name_len, extra_len = _LOCAL_HEADER.unpack(head)
    if signature != b"PK\x03\x04":
        return None
    try:
        name = fp.read(name_len).decode("utf-8" if flags & 0x800 else metadata_encoding or "cp437")
    except UnicodeDecodeError:
        return None
    if name != member.orig_filename:
        return None
    fp.seek(extra_len, 1)
    packed = fp.read(member.compress_size)
    if len(packed) != member.compress_size:
        return None
    if member.compress_type == zipfile.ZIP_STORED:
        data, deflated = packed, None
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            data = inflater.decompress(packed, limit + 1)
        except zlib.error:
            return None
        if not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
            return None
        deflated = packed
    if len(data) != member.file_size or zlib.crc32(data) != member.CRC:
        return None
    return data, deflated


# The zip a process last read a member from, kept open: a worker reads hundreds of members of one zip
# in a row, and opening it (reading its central directory) per member would cost more than reading.
_OPEN: dict[str, zipfile.ZipFile] = {}


def _open_zip(path: str) -> zipfile.ZipFile:
    zf = _OPEN.get(path)
    if zf is None:
        for other in _OPEN.values():
            other.close()
        _OPEN.clear()
        zf = _OPEN[path] = zipfile.ZipFile(path)
    return zf


# Likewise the file a worker last read a member from directly (ZipMember.read's usual path).
_FILES: dict[str, BinaryIO] = {}


def _open_file(path: str) -> BinaryIO:
    handle = _FILES.get(path)
    if handle is None:
        for other in _FILES.values():
            other.close()
        _FILES.clear()
        handle = _FILES[path] = open(path, "rb")  # noqa: SIM115 - kept open across calls, closed below
    return handle


def close_open_zips() -> None:
    for zf in _OPEN.values():
        zf.close()
    _OPEN.clear()
    for handle in _FILES.values():
        handle.close()
    _FILES.clear()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
