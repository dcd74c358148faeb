"""Synthetic world generation rate and peak memory, with a row-by-row baseline measured in the same run.

Usage: uv run python benchmarks/synth.py [--medium]
Prints, for size small (median of 3 runs) and optionally medium (1 run: it takes a while on a shared box):
records/s (reports + transactions per second of wall time) and peak RSS. Each run is a fresh subprocess so
ru_maxrss is that run's peak. Baseline: a straightforward Python generator writing 100,000 transaction rows
one dict at a time (random module + csv.DictWriter), the obvious way to write such a generator.
"""

from __future__ import annotations

import csv
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import json, resource, sys, time
from pathlib import Path
from sulo.synth import generate_world
t = time.perf_counter()
m = generate_world(Path(sys.argv[1]), seed=1, size=sys.argv[2])
wall = time.perf_counter() - t
print(json.dumps({"wall": wall, "records": m.counts["reports"] + m.counts["transactions"],
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_size(size: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-c", CHILD, tmp, size], check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def baseline(rows: int = 100_000) -> float:
    """Row-by-row Python: records/s for writing `rows` transaction rows."""
    rng = random.Random(1)
    names = [f"Person {i}" for i in range(5000)]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, (Path(tmp) / "t.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, ["txn_id", "timestamp", "sender_id", "sender_name", "sender_country",
                                         "receiver_id", "receiver_name", "receiver_country", "amount",
                                         "currency", "channel", "reference"])
        writer.writeheader()
        for i in range(rows):
            s, r = rng.randrange(5000), rng.randrange(5000)
            ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1672531200 + rng.randrange(63_072_000)))
            writer.writerow({"txn_id": f"TX{i:010d}", "timestamp": ts, "sender_id": f"EW-PH-{s:09d}",
                             "sender_name": names[s], "sender_country": "PH", "receiver_id": f"EW-PH-{r:09d}",
                             "receiver_name": names[r], "receiver_country": "PH",
                             "amount": f"{800 * rng.lognormvariate(0, 1):.2f}", "currency": "PHP",
                             "channel": rng.choice(["ewallet", "bank"]), "reference": rng.choice(["", "rent"])})
    return rows / (time.perf_counter() - started)


def main() -> None:
    base = baseline()
    print(f"baseline row-by-row Python transactions (100k rows to CSV): {base:,.0f} records/s")
    small = [run_size("small") for _ in range(3)]
    rate = statistics.median(r["records"] / r["wall"] for r in small)
    print(f"small  (median of 3): {statistics.median(r['wall'] for r in small):.1f} s, {rate:,.0f} records/s, "
          f"peak RSS {max(r['rss_mb'] for r in small):,.0f} MB, {rate / base:.1f}x baseline")
    if "--medium" in sys.argv:
        med = run_size("medium")
        rate_m = med["records"] / med["wall"]
        print(f"medium (1 run): {med['wall']:.1f} s, {rate_m:,.0f} records/s, peak RSS {med['rss_mb']:,.0f} MB, "
              f"{rate_m / base:.1f}x baseline")


if __name__ == "__main__":
    main()
