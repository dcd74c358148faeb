"""The PDQ index: exact recall within the threshold, no false positives, on random and planted data."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sulo.hashes.pdq_index import PDQIndex, brute_force, hex_to_words, plan_for, words_to_hex


def _near(rng: np.random.Generator, items: np.ndarray, count: int, max_flip: int) -> np.ndarray:
    out = items[rng.integers(0, len(items), count)].copy()
    for row in out:
        for b in rng.choice(256, size=int(rng.integers(0, max_flip + 1)), replace=False):
            row[b // 64] ^= np.uint64(1) << np.uint64(b % 64)
    return out


@pytest.mark.parametrize(("n", "threshold"), [(50, 31), (5000, 31), (60000, 31), (60000, 10), (20000, 45)])
def test_exact_recall(n: int, threshold: int) -> None:
    rng = np.random.default_rng(n + threshold)
    items = rng.integers(0, 2**64, size=(n, 4), dtype=np.uint64)
    queries = np.concatenate([_near(rng, items, 300, threshold + 6),
                              rng.integers(0, 2**64, size=(100, 4), dtype=np.uint64)])
    expected = brute_force(queries, items, threshold)
    assert len(expected) > 50
    assert PDQIndex(items, threshold).search(queries, batch=64).pairs() == expected.pairs()


def test_plan_satisfies_pigeonhole() -> None:
    for n in (10, 1000, 1_000_000):
        for t in (0, 16, 31):
            plan = plan_for(n, t)
            assert plan.brute_force or sum(c.radius + 1 for c in plan.chunks) > t


def test_hex_round_trip_and_errors() -> None:
    h = "d8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22"
    assert words_to_hex(hex_to_words([h])) == [h]
    with pytest.raises(ValueError):
        hex_to_words(["abc"])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=60),
       st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=20), st.integers(0, 80))
def test_duplicates_and_dense_data(items: list[bytes], queries: list[bytes], threshold: int) -> None:
    a = hex_to_words([b.hex() for b in items] * 3)  # duplicates on purpose
    q = hex_to_words([b.hex() for b in queries + items[:3]])
    assert PDQIndex(a, threshold).search(q).pairs() == brute_force(q, a, threshold).pairs()
