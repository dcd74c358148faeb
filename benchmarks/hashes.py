"""Headline figures of the hashes stage, each against a baseline measured in the same run.

(a) PDQ hashing of generated 1024x768 JPEGs: `sulo hashes scan` (all cores) vs single-process hashing.
(b) PDQ matching, 100,000 queries against 1,000,000 list hashes at threshold 31: sulo's index vs
    threatexchange's PDQIndex (one query at a time, as its API serves), with the match sets compared and
    recall checked against brute force on a sample.

Run: uv run python benchmarks/hashes.py [--images 1000] [--items 1000000] [--queries 100000] [--repeats 3]
Images are benign smooth noise with shapes; hashes are uniform random with planted near-duplicates.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from sulo.hashes.hashing import hash_file
from sulo.hashes.pdq_index import PDQIndex, brute_force, words_to_hex
from sulo.hashes.scan import scan

THRESHOLD = 31


def make_images(folder: Path, count: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    for i in range(count):
        small = rng.integers(0, 256, size=(12, 16, 3), dtype=np.uint8)
        image = Image.fromarray(small).resize((1024, 768), Image.Resampling.BILINEAR)
        draw = ImageDraw.Draw(image)
        for _ in range(3):
            x, y = int(rng.integers(0, 900)), int(rng.integers(0, 650))
            draw.ellipse((x, y, x + 120, y + 110), fill=tuple(int(c) for c in rng.integers(0, 256, 3)))
        image.save(folder / f"img{i:05d}.jpg", quality=90)


def bench_hashing(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "images"
        root.mkdir()
        t0 = time.perf_counter()
        make_images(root, count)
        print(f"(a) generated {count} JPEGs 1024x768 in {time.perf_counter() - t0:.1f}s")
        files = sorted(root.iterdir())
        t0 = time.perf_counter()
        for f in files:
            hash_file(root, f)
        single = time.perf_counter() - t0
        t0 = time.perf_counter()
        records = scan(root, Path(tmp) / "scan.csv")
        parallel = time.perf_counter() - t0
        assert len(records) == count and not any(r.error for r in records)
    print(f"    baseline single-process (MD5+SHA1+SHA256+PDQ x8 dihedral): {count / single:.1f} files/s")
    print(f"    sulo hashes scan, {os.cpu_count()} workers, with checkpoint:  {count / parallel:.1f} files/s")
    print(f"    ratio: {single / parallel:.2f}x")


def flip_bits(rng: np.random.Generator, row: np.ndarray, k: int) -> np.ndarray:
    out = row.copy()
    for b in rng.choice(256, size=k, replace=False):
        out[b // 64] ^= np.uint64(1) << np.uint64(63 - b % 64)
    return out


def make_hashes(items: int, queries: int, planted: int, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 2**64, size=(items, 4), dtype=np.uint64)
    q = rng.integers(0, 2**64, size=(queries, 4), dtype=np.uint64)
    # Near-duplicates at every distance 0..40: those <= 31 must match, those above must not.
    for j, src in enumerate(rng.choice(items, size=planted, replace=False)):
        q[j] = flip_bits(rng, data[src], j % 41)
    return data, q


def run_ours(items: np.ndarray, queries: np.ndarray, repeats: int) -> tuple[set[tuple[int, int, int]], float]:
    tracemalloc.start()
    t0 = time.perf_counter()
    index = PDQIndex(items, THRESHOLD)
    build = time.perf_counter() - t0
    times = []
    hits = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        hits = index.search(queries, threads=os.cpu_count() or 1)
        times.append(time.perf_counter() - t0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert hits is not None
    rate = len(queries) / statistics.median(times)
    print(f"    sulo PDQIndex: build {build:.1f}s; search runs {[round(t, 2) for t in times]}s; "
          f"median {rate:,.0f} queries/s; peak traced memory {peak / 2**20:.0f} MiB "
          f"(list hashes alone {items.nbytes / 2**20:.0f} MiB)")
    print(f"    plan: {'; '.join(index.iter_plan())}")
    return hits.pairs(), rate


def run_threatexchange(items: np.ndarray, queries: np.ndarray) -> tuple[set[tuple[int, int, int]], float]:
    import faiss
    from threatexchange.signal_type.pdq.pdq_index import PDQIndex as TEIndex

    # One OpenMP thread: on a small shared machine FAISS's threads spin against each other and one-at-a-time
    # queries run ~16x slower (measured: 145 vs 2,400 queries/s); the fairest baseline is the single thread.
    faiss.omp_set_num_threads(1)

    item_hex, query_hex = words_to_hex(items), words_to_hex(queries)
    t0 = time.perf_counter()
    te = TEIndex(entries=[(h, i) for i, h in enumerate(item_hex)])
    build = time.perf_counter() - t0
    found = set()
    t0 = time.perf_counter()
    for qi, h in enumerate(query_hex):
        for m in te.query(h):
            found.add((qi, int(m.metadata), int(m.similarity_info.distance)))
    elapsed = time.perf_counter() - t0
    rate = len(queries) / elapsed
    print(f"    baseline threatexchange PDQIndex: build {build:.1f}s; {rate:,.0f} queries/s ({elapsed:.1f}s)")
    return found, rate


def bench_matching(n_items: int, n_queries: int, repeats: int) -> None:
    planted = min(4100, n_queries)
    items, queries = make_hashes(n_items, n_queries, planted)
    print(f"(b) {n_queries:,} query hashes vs {n_items:,} list hashes, threshold {THRESHOLD}, "
          f"{planted} planted near-duplicates at distances 0..40")
    ours, rate = run_ours(items, queries, repeats)
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"    process max RSS after sulo's part: {maxrss:.0f} MiB")
    sample = np.concatenate([np.arange(planted), np.arange(planted, min(n_queries, planted + 1000))])
    truth = brute_force(queries[sample], items, THRESHOLD).pairs()
    truth = {(int(sample[q]), i, d) for q, i, d in truth}
    ours_sample = {p for p in ours if p[0] in set(sample.tolist())}
    print(f"    recall vs brute force on {len(sample):,} queries: {len(truth & ours_sample)}/{len(truth)}; "
          f"false positives {len(ours_sample - truth)}")
    theirs, base = run_threatexchange(items, queries)
    print(f"    matches: sulo {len(ours)}, threatexchange {len(theirs)}; identical: {ours == theirs}")
    print(f"    ratio: {rate / base:.2f}x threatexchange")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-hashing", action="store_true")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, "
          f"numpy {np.__version__}")
    if not args.skip_hashing:
        bench_hashing(args.images)
    bench_matching(args.items, args.queries, args.repeats)


if __name__ == "__main__":
    main()
