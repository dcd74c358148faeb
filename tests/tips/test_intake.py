"""Zip members read straight from their local headers give exactly what zipfile gives, and anything
unusual still goes through zipfile (so it is refused as before); member names are judged as pathlib did."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path, PurePosixPath

import pytest

from sulo.tips import intake
from sulo.tips.intake import Item, Refused, ZipMember, iter_items
from sulo.tips.model import raw_text
from tests.tips.xmlkit import report_xml


def _zip(path: Path, members: dict[str, tuple[bytes, int]]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, (data, method) in members.items():
            zf.writestr(name, data, compress_type=method)
    return path


def test_plain_members_read_as_zipfile_reads_them(tmp_path: Path) -> None:
    path = _zip(tmp_path / "a.zip", {
        "d.xml": (report_xml("1"), zipfile.ZIP_DEFLATED),
        "s.xml": (report_xml("2"), zipfile.ZIP_STORED),
        "sub/é.xml": (report_xml("3"), zipfile.ZIP_DEFLATED),  # UTF-8 name flag
        "empty.xml": (b"", zipfile.ZIP_DEFLATED),
    })
    lazy = [m for m in iter_items([path], lazy=True) if isinstance(m, ZipMember)]
    eager = list(iter_items([path]))
    assert [m.read() for m in lazy] == eager
    with zipfile.ZipFile(path) as zf:
        for item, info in zip(eager, zf.infolist(), strict=True):
            assert isinstance(item, Item) and item.data == zf.read(info)
            if info.compress_type == zipfile.ZIP_DEFLATED:
                assert item.stored is not None and zlib.decompress(item.stored) == item.data
                assert raw_text(item.stored) == item.data.decode()
            else:
                assert item.stored is None  # compressed later, as before


def test_corrupt_member_is_refused_as_zipfile_refuses_it(tmp_path: Path) -> None:
    data = report_xml("1")
    path = _zip(tmp_path / "c.zip", {"a.xml": (data, zipfile.ZIP_STORED), "b.xml": (data, zipfile.ZIP_STORED)})
    blob = bytearray(path.read_bytes())
    at = blob.index(b"<reportId>1") + len(b"<reportId>")
    blob[at] = ord("7")  # the first member's bytes no longer match its CRC-32
    path.write_bytes(bytes(blob))
    lazy = [m.read() for m in iter_items([path], lazy=True) if isinstance(m, ZipMember)]
    eager = list(iter_items([path]))
    assert lazy == eager
    assert isinstance(eager[0], Refused) and "CRC" in eager[0].reason
    assert isinstance(eager[1], Item) and eager[1].data == data


def test_zip_changed_after_listing_falls_back_to_zipfile(tmp_path: Path) -> None:
    path = _zip(tmp_path / "d.zip", {"a.xml": (report_xml("1"), zipfile.ZIP_DEFLATED)})
    member = next(m for m in iter_items([path], lazy=True) if isinstance(m, ZipMember))
    _zip(path, {"other-name.xml": (report_xml("2"), zipfile.ZIP_DEFLATED)})
    intake.close_open_zips()
    got = member.read()
    intake.close_open_zips()
    assert isinstance(got, Item) and got.data == report_xml("2")  # what zipfile reads at that position


@pytest.mark.parametrize("name", [
    "a.xml", "/a.xml", "a/../b.xml", "a/./b.XML", ".xml", "a.", "a//b.json", "..", "./x.csv", "x.tar.gz",
    "a\\b.xml", "//a.xml", "a/..b.xml", "..\\a.xml", "a/b/c.CSV", "c:x.xml", "noext",
])
def test_member_names_judged_as_pathlib_judges_them(name: str) -> None:
    info = zipfile.ZipInfo(name)
    got = intake._check_member("s", info)
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or ":" in name:
        assert isinstance(got, Refused) and "unsafe" in got.reason
    elif intake.SUFFIXES.get(path.suffix.lower()) is None:
        assert isinstance(got, Refused) and repr(path.suffix or "(none)") in got.reason
    else:
        assert got == intake.SUFFIXES[path.suffix.lower()]
