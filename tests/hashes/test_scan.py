"""Scanning: benign generated images, corrupt/odd files reported (never a crash), kill and resume."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sulo.hashes import scan as scan_mod
from sulo.hashes.hashing import hash_file
from sulo.hashes.scan import checkpoint_path, scan
from sulo.hashes.scanfile import read_scan


def _image(path: Path, seed: int, size: tuple[int, int] = (160, 120)) -> None:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, size=(6, 8, 3), dtype=np.uint8)
    Image.fromarray(small).resize(size, Image.Resampling.BILINEAR).save(path)


def test_exif_orientation_is_honoured(tmp_path: Path) -> None:
    _image(tmp_path / "up.jpg", 1, (200, 120))
    im = Image.open(tmp_path / "up.jpg")
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: viewers turn it 90 degrees clockwise
    im.transpose(Image.Transpose.ROTATE_90).save(tmp_path / "rotated.jpg", exif=exif)
    up, rotated = hash_file(tmp_path, tmp_path / "up.jpg"), hash_file(tmp_path, tmp_path / "rotated.jpg")
    d = sum(bin(int(a, 16) ^ int(b, 16)).count("1") for a, b in zip(up.pdq, rotated.pdq, strict=True))
    assert d <= 31


def test_problem_files_are_recorded(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    _image(root / "ok.png", 1)
    (root / "zero.bin").write_bytes(b"")
    (root / "truncated.jpg").write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(2000))
    (root / "notes.txt").write_text("hello")
    os.symlink(".", root / "sub" / "loop")
    os.symlink("selfloop", root / "selfloop")
    os.symlink("missing", root / "dangling")
    os.mkfifo(root / "fifo")
    with (root / "huge.bin").open("wb") as fh:
        fh.truncate(3 * 1024**3)  # sparse 3 GB: streamed for the crypto hashes, never decoded
    bomb = root / "bomb.png"
    Image.new("L", (12000, 10000)).save(bomb)
    out = tmp_path / "scan.csv"
    records = {r.path: r for r in scan(root, out, workers=2)}
    assert records["ok.png"].pdq and records["ok.png"].error == ""
    assert records["zero.bin"].error == "empty file"
    assert "decode failed" in records["truncated.jpg"].error
    assert records["notes.txt"].kind == "other" and records["notes.txt"].pdq == ""
    assert "not followed" in records["sub/loop"].error
    assert "symbolic links" in records["selfloop"].error
    assert "No such file" in records["dangling"].error
    assert records["fifo"].error == "not a regular file"
    assert records["huge.bin"].size == 3 * 1024**3 and records["huge.bin"].kind == "other"
    assert len(records["huge.bin"].sha256) == 64 and records["huge.bin"].error == ""
    assert "decode cap" in records["bomb.png"].error
    assert not checkpoint_path(out).exists()
    assert {r.path for r in read_scan(out.read_bytes(), "scan.csv")} == set(records)


def test_parquet_output(tmp_path: Path) -> None:
    _image(tmp_path / "a.png", 3)
    out = tmp_path / "out" / "scan.parquet"
    scan(tmp_path, out, workers=1)
    assert [r.path for r in read_scan(out.read_bytes(), "scan.parquet")] == ["a.png"]


@pytest.mark.slow
def test_kill_midway_and_resume(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "in"
    root.mkdir()
    for i in range(60):
        _image(root / f"img{i:03d}.png", i, (640, 480))
    out = tmp_path / "scan.csv"
    code = (f"from pathlib import Path; from sulo.hashes.scan import scan; "
            f"scan(Path({str(root)!r}), Path({str(out)!r}), workers=1)")
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    ckpt = checkpoint_path(out)
    deadline = time.time() + 120
    while time.time() < deadline and (not ckpt.exists() or ckpt.read_text().count("\n") < 10):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    with ckpt.open("a") as fh:
        fh.write('{"path": "half-writ')  # a kill mid-line
    done_before = ckpt.read_text().count("\n")
    assert 10 <= done_before < 60 and not out.exists()
    hashed: list[int] = []
    real = scan_mod._hash_all
    monkeypatch.setattr(scan_mod, "_hash_all", lambda root, todo, *a: (hashed.append(len(todo)), real(root, todo, *a)))
    records = scan(root, out, workers=2)
    assert hashed == [60 - done_before]  # no file hashed twice
    assert sorted(r.path for r in records) == [f"img{i:03d}.png" for i in range(60)]  # none missed
    fresh = {r.path: r.pdq for r in scan(root, tmp_path / "fresh.csv", workers=2)}
    assert {r.path: r.pdq for r in records} == fresh
