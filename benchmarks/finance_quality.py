"""Quality of the finance indicators, measured: precision and recall at account level.

    uv run python benchmarks/finance_quality.py [--world DIR | --size small --seed 7] [--amlsim DIR]

1. The synthetic world (sulo.synth) against its ground truth (truth/accounts.csv): per typology family,
   accounts alerted vs accounts labelled, with the built-in library as shipped.
2. IBM AMLSim samples (/work/shared/datasets/amlsim, unpacked to a temporary folder, never committed):
   graphs we did not design, labelled isFraud per node. They have no countries, currencies, channels or
   references, so only the indicators that need none of those are judged: many-to-one (F3), network
   expansion (F14) and pass-through (F12), each with the library's own thresholds (NOT tuned to these
   labels); `value` is read as USD, `time` (a day) as a date at 12:00 UTC. Compared with the plain
   baseline "receiver with >= k distinct senders" over the whole period.
"""

from __future__ import annotations

import argparse
import copy
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

from sulo.finance.evaluate import Score, evaluate, read_truth, score_sets
from sulo.finance.rules import DEFAULT_FILE, Library, load_library, resolve_library
from sulo.finance.screen import screen_file
from sulo.rules import read_data_file

AMLSIM = Path("/work/shared/datasets/amlsim")


def synthetic_world(world: Path) -> list[Score]:
    lib = load_library()
    started = time.perf_counter()
    loaded, result = screen_file(world / "transactions.parquet", library=lib)
    print(f"synthetic world {world.name}: {loaded.n_rows:,} transactions screened in "
          f"{time.perf_counter() - started:.1f}s, {len(result.alerts):,} alerts")
    return evaluate(result.alerts, read_truth(world / "truth" / "accounts.csv"), lib)


def amlsim_library() -> Library:
    """The shipped library with only the country/channel prerequisites lifted (data, not code):
    F3 counts all payments (F1 needs countries), F12 any channel, F14 expands from F3's receivers."""
    data: dict[str, Any] = copy.deepcopy(read_data_file(DEFAULT_FILE))
    by_id = {i["id"]: i for i in data["indicators"]}
    by_id["F3"]["params"]["of"] = None
    by_id["F12"]["params"]["inbound_channels"] = []
    by_id["F12"]["params"]["outbound_channels"] = []
    by_id["F14"]["params"].update({"of": None, "flagged_by": ["many_to_one"], "expand_from_receivers": True})
    data["indicators"] = [by_id[i] for i in ("F1", "F3", "F12", "F14")]
    title = {"en": "x", "id": "x"}
    data["typologies"] = [
        {"id": "many_to_one", "title": title, "role": "receiver", "threshold": 1.0, "weights": {"F3": 1.0}},
        {"id": "pass_through", "title": title, "role": "receiver", "threshold": 1.0, "weights": {"F12": 1.0}},
        {"id": "network_sender", "title": title, "role": "sender", "threshold": 1.0, "weights": {"F14": 1.0}},
        {"id": "network_receiver", "title": title, "role": "receiver", "threshold": 1.0, "weights": {"F14": 1.0}},
    ]
    return resolve_library(data, "amlsim variant of indicators.yaml")


def to_transactions(folder: Path, out: Path) -> None:
    con = duckdb.connect()
    con.read_csv(str(folder / "transactions.csv")).create_view("t")
    con.execute(f"""COPY (SELECT 'T' || CAST(row_number() OVER () AS VARCHAR) AS txn_id,
        TIMESTAMPTZ '2024-01-01 12:00:00+00' + to_days(CAST("time" AS INTEGER) - 1) AS "timestamp",
        'N' || CAST(sourceNodeId AS VARCHAR) AS sender_id, '' AS sender_name, 'XX' AS sender_country,
        'N' || CAST(targetNodeId AS VARCHAR) AS receiver_id, '' AS receiver_name, 'XX' AS receiver_country,
        CAST(value AS DECIMAL(18, 2)) AS amount, 'USD' AS currency, 'bank' AS channel, '' AS reference
        FROM t) TO '{out}' (FORMAT parquet)""").fetchall()


def amlsim_scores(folder: Path, lib: Library) -> list[Score]:
    with tempfile.TemporaryDirectory(prefix="sulo-amlsim-") as tmp:
        path = Path(tmp) / "transactions.parquet"
        to_transactions(folder, path)
        _, result = screen_file(path, library=lib, with_hits=True)
        con = duckdb.connect()
        fraud = {f"N{n}" for (n,) in con.sql(f"SELECT nodeid FROM read_csv('{folder / 'nodes.csv'}') "
                                             "WHERE isFraud = 1").fetchall()}
        indegree = dict(con.sql(f"SELECT 'N' || targetNodeId, count(DISTINCT sourceNodeId) FROM "
                                f"read_csv('{folder / 'transactions.csv'}') GROUP BY 1").fetchall())
    fired: dict[str, set[str]] = {}
    for h in result.hits:
        fired.setdefault(h["indicator_id"], set()).add(h["account_id"])
    scores = [score_sets(f"{i} {name}", fired.get(i, set()), fraud)
              for i, name in (("F3", "many-to-one"), ("F14", "network expansion"), ("F12", "pass-through"))]
    scores.append(score_sets("F3 + F14 together", fired.get("F3", set()) | fired.get("F14", set()), fraud))
    scores.append(score_sets("F3 + F14 + F12", fired.get("F3", set()) | fired.get("F14", set())
                             | fired.get("F12", set()), fraud))
    for k in (3, 5, 10):
        scores.append(score_sets(f"baseline distinct senders>={k}", {a for a, d in indegree.items() if d >= k},
                                 fraud))
    return scores


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", type=Path, default=None, help="an existing synthetic world folder")
    ap.add_argument("--size", default="small")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--amlsim", type=Path, default=AMLSIM)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="sulo-quality-") as tmp:
        world = a.world
        if world is None:
            from sulo.synth import generate_world

            world = Path(tmp) / f"{a.size}-{a.seed}"
            generate_world(world, seed=a.seed, size=a.size)
        for s in synthetic_world(world):
            print("  " + s.line())
        lib = amlsim_library()
        for archive in sorted(a.amlsim.glob("*.tgz")):
            with tarfile.open(archive) as tf:
                tf.extractall(tmp, filter="data")
            folder = Path(tmp) / archive.name.removesuffix(".tgz")
            print(f"AMLSim {folder.name} (value read as USD; thresholds as shipped):")
            for s in amlsim_scores(folder, lib):
                print("  " + s.line())


if __name__ == "__main__":
    main()
