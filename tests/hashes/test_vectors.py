"""Meta's public PDQ reference vectors (benign photos): hashing, dihedral matching, quality, haystack search."""

import csv
from pathlib import Path

import numpy as np
import pytest

from sulo.hashes.hashing import DIHEDRAL, hash_file
from sulo.hashes.pdq_index import PDQIndex, brute_force, distances, hex_to_words

VECTORS = Path("/work/shared/datasets/pdq-vectors")
pytestmark = pytest.mark.skipif(not VECTORS.exists(), reason="PDQ reference vectors not present")


def _expected() -> list[tuple[str, str]]:
    with (VECTORS / "expected.tsv").open() as fh:
        return [(r["file"], r["pdq_hex"]) for r in csv.DictReader(fh, delimiter="\t")]


def _dist(a: str, b: str) -> int:
    return int(distances(hex_to_words([a]), hex_to_words([b]))[0])


@pytest.mark.parametrize(("name", "expected"), _expected())
def test_hash_within_16_bits_of_reference(name: str, expected: str) -> None:
    record = hash_file(VECTORS, VECTORS / name)
    assert record.error == ""
    assert _dist(record.pdq, expected) <= 16


def test_low_quality_images_flagged() -> None:
    flagged = {n for n, _ in _expected() if hash_file(VECTORS, VECTORS / n).low_quality}
    assert flagged == {"images/q0003.jpg", "images/q0004.jpg", "images/small.jpg"}


@pytest.mark.parametrize("variant", range(8))
def test_every_dihedral_bridge_matches_the_original(variant: int) -> None:
    original = hash_file(VECTORS, VECTORS / "images/bridge-1-original.jpg")
    bridge = sorted((VECTORS / "images").glob("bridge-*.jpg"))[variant]
    transformed = hash_file(VECTORS, bridge)
    dists = [_dist(h, transformed.pdq) for h in original.pdq_dihedral]
    assert min(dists) <= 31
    assert DIHEDRAL[int(np.argmin(dists))] == DIHEDRAL[variant]


@pytest.mark.parametrize("mod", sorted(p.name for p in (VECTORS / "bridge-mods").glob("*.jpg")))
def test_bridge_mods_match_within_31(mod: str) -> None:
    original = hash_file(VECTORS, VECTORS / "images/bridge-1-original.jpg")
    assert _dist(hash_file(VECTORS, VECTORS / "bridge-mods" / mod).pdq, original.pdq) <= 31


@pytest.mark.parametrize("threshold", [0, 10, 31, 32, 40])
def test_needles_in_haystack_same_as_brute_force(threshold: int) -> None:
    # Meta's MIH regression test (pdq/cpp/reg_test: test-mih test2 32 needles haystack) checks that the
    # pruned index finds exactly what brute force finds.
    hay = hex_to_words((VECTORS / "haystack.txt").read_text().split())
    needles = hex_to_words((VECTORS / "needles.txt").read_text().split())
    assert (len(hay), len(needles)) == (1350, 100)
    found = PDQIndex(hay, threshold).search(needles).pairs()
    assert found == brute_force(needles, hay, threshold).pairs()
    if threshold >= 31:
        assert found  # the needles are near copies of haystack entries
