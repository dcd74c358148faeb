"""Exact-recall PDQ range search: multi-index hashing with the generalised pigeonhole principle.

A PDQ hash is 256 bits, held here as four big-endian uint64 words (word 0 = the first 16 hex digits).
The 256 bits are cut into m disjoint chunks; chunk i is probed within radius r_i. If two hashes are
within distance t and every chunk differed by more than its radius, the total distance would be at least
sum(r_i + 1) > t, a contradiction; so when sum(r_i + 1) > t every pair within t shares at least one chunk
within its radius, and enumerating those neighbourhoods finds *all* matches (exact recall). Candidates
are then verified by a full 256-bit popcount, so there are no false positives either.

Everything is batched numpy (bucket offset tables, gathers, np.bitwise_count): no per-query Python. Batches
run on a small thread pool; numpy releases the GIL in the gathers and ufuncs that dominate.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

WORDS = 4
BITS = 256
DEFAULT_THRESHOLD = 31  # Meta's PDQ_CONFIDENT_MATCH_THRESHOLD (pdq_utils.py): match when distance <= 31
# Relative cost of one probe (two gathers in the offset table) and of one candidate (range expansion,
# a 32-byte gather and a popcount); measured on the benchmark machine, only the ratio matters.
PROBE_COST = 1.0
CANDIDATE_COST = 2.5
MAX_TABLE_BYTES = 256 * 1024 * 1024  # all bucket offset tables together

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Chunk:
    word: int  # which uint64 word
    shift: int  # bit offset inside the word (from the least significant bit)
    bits: int
    radius: int

    def probe_masks(self) -> npt.NDArray[np.uint32]:
        """XOR masks of every key within `radius` bits of a key (0 first)."""
        masks = [0]
        for r in range(1, self.radius + 1):
            for combo in itertools.combinations(range(self.bits), r):
                masks.append(sum(1 << b for b in combo))
        return np.array(masks, dtype=np.uint32)


@dataclass(frozen=True)
class Plan:
    chunks: tuple[Chunk, ...]
    brute_force: bool  # when probing would cost more than scanning everything (tiny lists, huge thresholds)


@dataclass(frozen=True)
class Hits:
    """Matches as parallel arrays, sorted by (query, item)."""

    query: I64
    item: I64
    distance: npt.NDArray[np.int16]

    def __len__(self) -> int:
        return len(self.query)

    def pairs(self) -> set[tuple[int, int, int]]:
        return set(zip(self.query.tolist(), self.item.tolist(), self.distance.tolist(), strict=True))


def _binom_ball(bits: int, radius: int) -> int:
    return sum(math.comb(bits, r) for r in range(radius + 1))


def _layout(m: int) -> list[tuple[int, int, int]]:
    """(word, shift, bits) for m chunks spread evenly over the four words."""
    per_word = m // WORDS
    sizes = [64 // per_word + (1 if i < 64 % per_word else 0) for i in range(per_word)]
    out = []
    for word in range(WORDS):
        shift = 0
        for size in sizes:
            out.append((word, shift, size))
            shift += size
    return out


def _assign_radii(layout: list[tuple[int, int, int]], n: int, threshold: int) -> tuple[list[int], float]:
    """Greedy: raise the radius with the cheapest marginal cost until sum(r_i + 1) > threshold."""
    radii = [-1] * len(layout)  # -1: chunk not probed at all (contributes r+1 = 0)

    def cost(i: int, r: int) -> float:
        if r < 0:
            return 0.0
        probes = _binom_ball(layout[i][2], r)
        return float(PROBE_COST * probes + CANDIDATE_COST * probes * n / 2 ** layout[i][2])

    while sum(r + 1 for r in radii) <= threshold:
        best = min(range(len(layout)), key=lambda i: cost(i, radii[i] + 1) - cost(i, radii[i]))
        radii[best] += 1
    return radii, sum(cost(i, r) for i, r in enumerate(radii))


def plan_for(n: int, threshold: int) -> Plan:
    """Choose the chunking with the lowest modelled cost per query, or brute force."""
    best: tuple[float, list[Chunk]] | None = None
    for m in (4, 8, 12, 16, 20, 24, 32):
        layout = _layout(m)
        if sum(4 * (2 ** bits + 1) for _, _, bits in layout) > MAX_TABLE_BYTES:
            continue
        radii, cost = _assign_radii(layout, n, threshold)
        chunks = [Chunk(w, s, b, r) for (w, s, b), r in zip(layout, radii, strict=True) if r >= 0]
        if best is None or cost < best[0]:
            best = (cost, chunks)
    brute_cost = CANDIDATE_COST * 0.5 * n  # a sequential scan is cheaper per item than a random gather
    if best is None or best[0] >= brute_cost:
        return Plan(chunks=(), brute_force=True)
    return Plan(chunks=tuple(best[1]), brute_force=False)


class _ChunkTable:
    """Items sorted by one chunk's key, with the offset of every key's bucket."""

    def __init__(self, chunk: Chunk, hashes: U64) -> None:
        self.chunk = chunk
        self.masks = chunk.probe_masks()
        keys = self.keys(hashes)
        self.order = np.argsort(keys, kind="stable").astype(np.int32)
        counts = np.bincount(keys, minlength=2**chunk.bits)
        self.offsets = np.zeros(2**chunk.bits + 1, dtype=np.int32)
        np.cumsum(counts, out=self.offsets[1:])
        # Most probed buckets are empty; a bitmap of occupied buckets fits in cache (512 KB for 22 bits)
        # and spares a cache miss in the offset table for each empty probe.
        self.occupied = np.packbits(counts > 0, bitorder="little")

    def keys(self, hashes: U64) -> npt.NDArray[np.int64]:
        c = self.chunk
        return ((hashes[:, c.word] >> np.uint64(c.shift)) & np.uint64((1 << c.bits) - 1)).astype(np.int64)

    def candidates(self, queries: U64) -> tuple[I64, npt.NDArray[np.int32]]:
        """(query row, item) for every item in a probed bucket of every query."""
        probes = (self.keys(queries)[:, None] ^ self.masks[None, :].astype(np.int64)).ravel()
        bit = np.take(self.occupied, probes >> 3) >> (probes & 7).astype(np.uint8)
        hit = np.flatnonzero(bit & 1)
        if len(hit) == 0:
            return np.empty(0, np.int64), np.empty(0, np.int32)
        probes = probes[hit]
        starts = np.take(self.offsets, probes)
        lengths = np.take(self.offsets, probes + 1) - starts
        qrow = hit // len(self.masks)
        # Expand each [start, start+length) run into positions without a Python loop.
        ends = np.cumsum(lengths)
        positions = np.arange(ends[-1], dtype=np.int64) + np.repeat(starts - (ends - lengths), lengths)
        return np.repeat(qrow, lengths), np.take(self.order, positions)


def hex_to_words(hex_hashes: list[str]) -> U64:
    """64-hex-digit strings -> (n, 4) uint64. Raises ValueError on a malformed hash."""
    raw = bytes.fromhex("".join(hex_hashes)) if hex_hashes else b""
    if any(len(h) != 64 for h in hex_hashes):
        raise ValueError("a PDQ hash has 64 hex digits")
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(-1, WORDS)


def words_to_hex(words: U64) -> list[str]:
    data = np.ascontiguousarray(words.astype(">u8")).tobytes()
    return [data[i : i + 32].hex() for i in range(0, len(data), 32)]


def distances(a: U64, b: U64) -> npt.NDArray[np.int16]:
    """Row-wise Hamming distance between equal-length arrays of hashes."""
    c = np.bitwise_count(a ^ b)
    # Column adds beat .sum(axis=1) by ~5x on (n, 4) arrays.
    total: npt.NDArray[np.int16] = (c[:, 0] + c[:, 1] + c[:, 2] + c[:, 3]).astype(np.int16)
    return total


def brute_force(queries: U64, items: U64, threshold: int, block: int = 1 << 20) -> Hits:
    """Reference search: every query against every item, in tiles of about `block` pairs (memory stays
    flat). Used for tiny lists and to check the index's recall."""
    qs, its, ds = [], [], []
    qstep = max(1, min(len(queries), block // max(1, len(items))))
    istep = max(1, block // qstep)
    for q0 in range(0, len(queries), qstep):
        q = queries[q0 : q0 + qstep]
        for i0 in range(0, len(items), istep):
            c = np.bitwise_count(q[:, None, :] ^ items[None, i0 : i0 + istep, :])
            d = (c[..., 0] + c[..., 1] + c[..., 2] + c[..., 3]).astype(np.int16)
            qi, ii = np.nonzero(d <= threshold)
            qs.append(qi + q0)
            its.append(ii + i0)
            ds.append(d[qi, ii])
    return _sorted_hits(qs, its, ds)


def _sorted_hits(qs: list[I64], its: list[I64], ds: list[npt.NDArray[np.int16]]) -> Hits:
    if not qs:
        return Hits(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int16))
    q = np.concatenate(qs).astype(np.int64)
    i = np.concatenate(its).astype(np.int64)
    d = np.concatenate(ds).astype(np.int16)
    order = np.lexsort((i, q))
    return Hits(q[order], i[order], d[order])


class PDQIndex:
    """Range search over a fixed set of PDQ hashes with exact recall within `threshold`."""

    def __init__(self, items: U64, threshold: int = DEFAULT_THRESHOLD) -> None:
        if items.ndim != 2 or items.shape[1] != WORDS:
            raise ValueError("items must be an (n, 4) uint64 array")
        if not 0 <= threshold < BITS:
            raise ValueError("threshold must be between 0 and 255")
        self.items = np.ascontiguousarray(items, dtype=np.uint64)
        self.threshold = threshold
        self.plan = plan_for(len(items), threshold)
        self.tables = [_ChunkTable(c, self.items) for c in self.plan.chunks]

    def __len__(self) -> int:
        return len(self.items)

    def search(self, queries: U64, batch: int = 2048, threads: int = 2) -> Hits:
        queries = np.ascontiguousarray(queries, dtype=np.uint64)
        if self.plan.brute_force or len(self.items) == 0:
            return brute_force(queries, self.items, self.threshold)
        starts = range(0, len(queries), batch)
        with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
            parts = list(pool.map(lambda s: self._search_batch(queries[s : s + batch], s), starts))
        return _sorted_hits([p[0] for p in parts], [p[1] for p in parts], [p[2] for p in parts])

    def _search_batch(self, queries: U64, offset: int) -> tuple[I64, I64, npt.NDArray[np.int16]]:
        found_q, found_i = [], []
        for table in self.tables:
            qrow, item = table.candidates(queries)
            d = distances(np.take(queries, qrow, axis=0), np.take(self.items, item, axis=0))
            keep = d <= self.threshold
            found_q.append(qrow[keep])
            found_i.append(item[keep].astype(np.int64))
        q = np.concatenate(found_q)
        i = np.concatenate(found_i)
        # A pair close in several chunks is found once per chunk: keep one.
        key = np.unique(q * len(self.items) + i)
        q, i = key // len(self.items), key % len(self.items)
        d = distances(np.take(queries, q, axis=0), np.take(self.items, i, axis=0))
        return q + offset, i, d

    def iter_plan(self) -> Iterator[str]:
        for c in self.plan.chunks:
            yield f"word {c.word} bits {c.shift}..{c.shift + c.bits - 1} radius {c.radius}"
