"""Vectorised synthetic transactions for the finance benchmark (numpy -> Parquet, seconds for 10M rows).

Background payments between ordinary accounts (88% domestic), with planted OSEC patterns mixed in: customers abroad paying
small frequent amounts to facilitators in PH/ID with cover words at night, facilitators cashing out, and
sextortion bursts. Only the documented input format; nothing here is ground truth for quality (that is the
synthetic world's job: benchmarks/finance_quality.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

COUNTRIES = np.array(["PH", "ID", "US", "GB", "AU", "CA", "DE", "SA", "AE", "SG", "JP", "MY", "HK", "TH"])
COUNTRY_P = np.array([.30, .22, .12, .05, .05, .03, .03, .04, .04, .03, .03, .03, .02, .01])
CURRENCY = {"PH": ("PHP", 57.0), "ID": ("IDR", 15800.0), "US": ("USD", 1.0), "GB": ("GBP", 0.79),
            "AU": ("AUD", 1.52), "CA": ("CAD", 1.36), "DE": ("EUR", 0.92), "SA": ("SAR", 3.75),
            "AE": ("AED", 3.67), "SG": ("SGD", 1.35), "JP": ("JPY", 151.0), "MY": ("MYR", 4.7),
            "HK": ("HKD", 7.82), "TH": ("THB", 35.3)}
CHANNELS = np.array(["bank", "remittance", "ewallet", "card", "crypto", "cash"])
FIRST = np.array(["Maria", "Jose", "Ana", "Budi", "Siti", "John", "Mary", "Ahmad", "Dewi", "Juan", "Rosa", "Ken"])
LAST = np.array(["Santos", "Reyes", "Cruz", "Wijaya", "Pratama", "Smith", "Brown", "Garcia", "Lim", "Tan"])
REFS = np.array(["", "rent", "groceries", "salary", "padala", "kiriman", "bills", "allowance", "pulsa",
                 "payment", "gift", "school fees", "baon", "birthday treat", "hadiah", "via @cam_girl99",
                 "telegram"])
# Background: mostly blank or ordinary words; cover words now and then (family remittances use them too).
REF_P_BACKGROUND = np.array([.55, .05, .05, .05, .05, .05, .05, .05, .04, .04, .005, .005, .005, .005, .005,
                             .0025, .0025])
REF_P_PLANTED = np.array([.3, 0, 0, 0, 0, 0, 0, 0, 0, .05, .15, .1, .1, .1, .05, .1, .05])
T0 = 1_704_067_200  # 2024-01-01T00:00:00Z
YEAR = 365 * 86_400


def _ids(prefix: str, n: int) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(pa.array(np.arange(n)).cast(pa.string()), 9, "0"), "")


def generate(path: Path, n: int, seed: int = 7, row_group: int = 1_000_000) -> Path:
    rng = np.random.default_rng(seed)
    n_acc = max(1000, n // 12)
    acc_country = rng.choice(len(COUNTRIES), n_acc, p=COUNTRY_P)
    acc_name = pc.binary_join_element_wise(pa.array(FIRST[rng.integers(0, len(FIRST), n_acc)]),
                                           pa.array(LAST[rng.integers(0, len(LAST), n_acc)]), " ")
    acc_id = _ids("AC", n_acc)
    # Zipf-like activity: a few accounts are busy, most are not.
    weights = 1.0 / np.arange(1, n_acc + 1) ** 0.6
    weights /= weights.sum()
    sender = rng.choice(n_acc, n, p=weights)
    receiver = rng.choice(n_acc, n, p=weights[::-1].copy())
    # Most payments stay in the country (e-wallet volume is overwhelmingly domestic) [ours: 88%].
    domestic = rng.random(n) < 0.88
    by_country = np.argsort(acc_country, kind="stable")
    counts = np.bincount(acc_country, minlength=len(COUNTRIES))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    c = acc_country[sender[domestic]]
    receiver[domestic] = by_country[starts[c] + (rng.random(len(c)) * counts[c]).astype(np.int64)]
    ts = T0 + rng.integers(0, YEAR, n)
    usd = np.exp(rng.normal(4.0, 1.3, n))
    ref = rng.choice(len(REFS), n, p=REF_P_BACKGROUND / REF_P_BACKGROUND.sum())
    _plant(rng, n, n_acc, acc_country, sender, receiver, ts, usd, ref)
    order = np.argsort(ts, kind="stable")
    sender, receiver, ts, usd, ref = sender[order], receiver[order], ts[order], usd[order], ref[order]
    s_country = COUNTRIES[acc_country[sender]]
    cur = np.array([CURRENCY[c][0] for c in COUNTRIES])[acc_country[sender]]
    rate = np.array([CURRENCY[c][1] for c in COUNTRIES])[acc_country[sender]]
    amount = np.round(usd * rate, 2)
    round_mask = rng.random(n) < 0.3
    amount[round_mask] = np.maximum(5, np.round(amount[round_mask] / 5) * 5)
    table = pa.table({
        "txn_id": _ids("TX", n),
        "timestamp": pa.array(ts * 1_000_000, pa.int64()).cast(pa.timestamp("us", tz="UTC")),
        "sender_id": acc_id.take(pa.array(sender)), "sender_name": acc_name.take(pa.array(sender)),
        "sender_country": pa.array(s_country),
        "receiver_id": acc_id.take(pa.array(receiver)), "receiver_name": acc_name.take(pa.array(receiver)),
        "receiver_country": pa.array(COUNTRIES[acc_country[receiver]]),
        "amount": pa.array(amount).cast(pa.decimal128(18, 2)), "currency": pa.array(cur),
        "channel": pa.array(CHANNELS[rng.choice(6, n, p=[.3, .25, .3, .08, .02, .05])]),
        "reference": pa.array(REFS[ref]),
    })
    pq.write_table(table, path, row_group_size=row_group)
    return path


def _plant(rng: np.random.Generator, n: int, n_acc: int, acc_country: np.ndarray, sender: np.ndarray,
           receiver: np.ndarray, ts: np.ndarray, usd: np.ndarray, ref: np.ndarray) -> None:
    """Overwrite ~3% of rows with OSEC-like patterns: foreign customers -> PH/ID facilitators, small, frequent."""
    k = n // 33
    foreign = np.flatnonzero(~np.isin(acc_country, [0, 1]))
    local = np.flatnonzero(np.isin(acc_country, [0, 1]))
    customers = rng.choice(foreign, max(10, k // 12))
    facilitators = rng.choice(local, max(5, k // 40))
    rows = rng.choice(n, k, replace=False)
    cust = rng.integers(0, len(customers), k)
    sender[rows] = customers[cust]
    receiver[rows] = facilitators[cust % len(facilitators)]
    usd[rows] = rng.uniform(15, 150, k)
    base = T0 + rng.integers(0, YEAR - 40 * 86_400, len(customers))
    ts[rows] = base[cust] + rng.integers(0, 40 * 86_400, k)
    ref[rows] = rng.choice(len(REFS), k, p=REF_P_PLANTED / REF_P_PLANTED.sum())
