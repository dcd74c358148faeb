"""Lists, matching and the web/API: import idempotence and versions, matches with list/category/distance/variant,
tips hook, series, and each endpoint's success / not found / forbidden."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sulo.errors import ConflictError
from sulo.hashes.scan import scan
from sulo.hashes.series import series
from sulo.hashes.service import ListMeta, import_list, match_hashes
from sulo.hashes.tables import HashEntry
from sulo.store.db import session_scope

MD5 = "9e107d9d372bb6826bd81d3542a419d6"
PDQ = "d8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22"
NEAR = "d8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b2d"  # 4 bits away (2 -> d)


def _meta(version: str, own: bool = False) -> ListMeta:
    return ListMeta("known", "test", "industry", "test data only", version, own)


def test_reimport_is_idempotent_and_newer_version_updates(session: Session) -> None:
    data = f"MD5,SHA1,Category\n{MD5},,A1\n".encode()
    first = import_list(session, _meta("1"), "ncmec", data, "t")
    assert import_list(session, _meta("1"), "ncmec", data, "t").id == first.id
    with pytest.raises(ConflictError):
        import_list(session, _meta("1"), "ncmec", data + b"ffffffffffffffffffffffffffffffff,,B1\n", "t")
    import_list(session, _meta("2"), "ncmec", data + b"ffffffffffffffffffffffffffffffff,,B1\n", "t")
    assert session.scalar(select(func.count()).select_from(HashEntry)) == 2
    with pytest.raises(ConflictError):
        import_list(session, _meta("1"), "ncmec", data, "t")


def test_match_exact_and_pdq_with_low_quality_left_out(session: Session) -> None:
    import_list(session, _meta("1"), "ncmec", f"MD5,Category\n{MD5},A1\n".encode(), "t")
    low = "0" * 63 + "1"
    import_list(session, ListMeta("pdqs", "te", "industry", "t", "1"), "pdq",
                f"pdq,quality,category\n{PDQ},100,B2\n{low},10,A1\n".encode(), "t")
    found = match_hashes(session, [("md5", MD5.upper()), ("pdq", NEAR), ("pdq", "0" * 64)])
    assert sorted((m.kind, m.list_name, m.category, m.distance, m.variant) for m in found) == [
        ("md5", "known", "A1", 0, "original"), ("pdq", "pdqs", "B2", 4, "original")]
    with_low = match_hashes(session, [("pdq", "0" * 64)], include_low_quality=True)
    assert [m.distance for m in with_low] == [1]


def test_series_groups_reports_sharing_an_unknown_hash() -> None:
    rows = [("r1", "md5", "a" * 32), ("r2", "md5", "A" * 32), ("r3", "pdq", PDQ), ("r4", "pdq", NEAR),
            ("r5", "md5", MD5), ("r6", "md5", MD5), ("r7", "md5", "b" * 32)]
    groups = series(rows, known={("md5", MD5)})
    assert sorted(g.reports for g in groups) == [("r1", "r2"), ("r3", "r4")]


def _scan_csv(tmp_path: Path) -> tuple[bytes, str]:
    root = tmp_path / "in"
    root.mkdir()
    rng = np.random.default_rng(5)
    image = Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)).resize((320, 240))
    image.save(root / "a.png")
    image.transpose(Image.Transpose.ROTATE_90).save(root / "b.png")
    (root / "empty.bin").write_bytes(b"")
    records = {r.path: r for r in scan(root, tmp_path / "scan.csv", workers=1)}
    return (tmp_path / "scan.csv").read_bytes(), records["a.png"].pdq


def test_pages_and_api(tmp_path: Path, client_for, session_factory_for_app) -> None:  # type: ignore[no-untyped-def]
    data, pdq = _scan_csv(tmp_path)
    with session_scope(session_factory_for_app) as session:
        import_list(session, ListMeta("own-pdq", "own", "industry", "share with PH/ID units", "3", own=True),
                    "pdq", f"pdq,quality,category\n{pdq},100,A2\n".encode(), "t")
    inv = client_for("investigator")
    r = inv.post("/api/hashes/scans", files={"file": ("scan.csv", data, "text/csv")},
                 headers={"X-CSRF-Token": inv.csrf})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["by_category"] == {"A2": 2}  # a.png exactly, b.png through its rotate270 variant
    variants = {f["path"]: f["matches"][0]["variant"] for f in body["matched"]}
    assert variants["a.png"] == "original" and variants["b.png"] != "original"
    assert body["problems"] == [{"path": "empty.bin", "error": "empty file"}]
    scan_id, match_id = body["scan"]["id"], body["matched"][0]["matches"][0]["id"]
    refused = inv.post("/api/hashes/scans", files={"file": ("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * 50)},
                       headers={"X-CSRF-Token": inv.csrf})
    assert refused.status_code == 422
    for url in ("/hashes", f"/hashes/scans/{scan_id}", f"/hashes/matches/{match_id}", "/api/hashes/lists",
                f"/api/hashes/scans/{scan_id}", f"/api/hashes/matches/{match_id}",
                "/api/hashes/lists/own-pdq/export?format=pdq"):
        page = inv.get(url)
        assert page.status_code == 200, url
        assert "<img" not in page.text
    for url in ("/hashes/scans/999", "/hashes/matches/999", "/api/hashes/scans/999", "/api/hashes/matches/999",
                "/api/hashes/lists/nope/export?format=pdq"):
        assert inv.get(url).status_code == 404, url
    caseworker = client_for("caseworker")
    for url in ("/hashes", f"/hashes/scans/{scan_id}", f"/hashes/matches/{match_id}", "/api/hashes/lists",
                f"/api/hashes/scans/{scan_id}", f"/api/hashes/matches/{match_id}"):
        assert caseworker.get(url).status_code == 403, url
    analyst = client_for("tip_analyst")
    assert analyst.post("/api/hashes/scans", files={"file": ("scan.csv", data)},
                        headers={"X-CSRF-Token": analyst.csrf}).status_code == 403
    assert analyst.get("/api/hashes/lists/own-pdq/export?format=pdq").status_code == 403
    m = analyst.post_json("/api/hashes/match", {"hashes": [{"kind": "pdq", "value": pdq}]})
    assert m.status_code == 200 and m.json()["matches"][0]["category"] == "A2"
    assert caseworker.post_json("/api/hashes/match", {"hashes": []}).status_code == 403
