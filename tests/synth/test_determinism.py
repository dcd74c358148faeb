import hashlib
from pathlib import Path

from sulo.synth import WorldManifest, generate_world


def test_same_seed_gives_identical_files(tiny_world: tuple[Path, WorldManifest], tmp_path: Path) -> None:
    _world, first = tiny_world
    again = generate_world(tmp_path / "again", seed=11, size="tiny")
    assert again.files == first.files
    assert (tmp_path / "again" / "manifest.json").read_bytes() == (_world / "manifest.json").read_bytes()


def test_manifest_lists_every_file_with_its_sha256(tiny_world: tuple[Path, WorldManifest]) -> None:
    world, manifest = tiny_world
    on_disk = {p.relative_to(world).as_posix() for p in world.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(manifest.files) == on_disk
    for rel, digest in manifest.files.items():
        assert hashlib.sha256((world / rel).read_bytes()).hexdigest() == digest


def test_different_seed_gives_different_files(tiny_world: tuple[Path, WorldManifest], tmp_path: Path) -> None:
    _world, first = tiny_world
    other = generate_world(tmp_path / "other", seed=12, size="tiny")
    for rel in ("transactions.parquet", "truth/report_subject.csv", "reports/batch-0001.zip"):
        assert other.files[rel] != first.files[rel]
