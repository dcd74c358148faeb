"""The transactions table: bulk ordinary traffic (vectorised with numpy) plus the planted rows, written to
Parquet (and CSV for the small sizes) in time-ordered chunks, one row group per chunk, in bounded memory.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sulo.synth.accounts import AccountBook, Ordinary
from sulo.synth.config import WorldParams
from sulo.synth.planted import Planted

CHUNK_ROWS = 500_000
SCHEMA = pa.schema([
    ("txn_id", pa.string()), ("timestamp", pa.timestamp("us", tz="UTC")), ("sender_id", pa.string()),
    ("sender_name", pa.string()), ("sender_country", pa.string()), ("receiver_id", pa.string()),
    ("receiver_name", pa.string()), ("receiver_country", pa.string()), ("amount", pa.decimal128(18, 2)),
    ("currency", pa.string()), ("channel", pa.string()), ("reference", pa.string()),
])
DOMESTIC_CHANNELS = ["ewallet", "bank", "cash", "card"]
DOMESTIC_CHANNEL_P = [0.65, 0.25, 0.05, 0.05]
# Median domestic payment (units of local currency): PHP 800, IDR 150,000 (lognormal, sigma 1.0). [ours]
DOMESTIC_MEDIAN = {"PH": 800.0, "ID": 150_000.0}


def decimal_from_cents(cents: np.ndarray) -> pa.Array:
    """Exact decimal128(18,2) from int64 cents: the 128-bit little-endian value is (cents, sign)."""
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(cents), [None, pa.py_buffer(words)])


class TxnWriter:
    def __init__(self, params: WorldParams, book: AccountBook, ordinary: Ordinary,
                 gen: np.random.Generator) -> None:
        self.params, self.book, self.ordinary, self.gen = params, book, ordinary, gen
        self.ids = pa.array(book.ids, pa.string())
        self.names = pa.array(book.names, pa.string())
        self.countries = pa.array(book.countries, pa.string())
        codes = params.country_currency
        self.currency = np.asarray([codes.get(c, "USD") for c in book.countries], dtype=object)
        self.per_usd = {k: v.per_usd for k, v in params.currencies.items()}
        self.decimals0 = {k for k, v in params.currencies.items() if v.decimals == 0}

    def _domestic(self, n: int, t: np.ndarray) -> tuple[np.ndarray, ...]:
        gen = self.gen
        is_ph = gen.random(n) < self.params.countries["PH"].share
        ph, idn = self.ordinary.domestic["PH"], self.ordinary.domestic["ID"]
        snd = np.where(is_ph, ph[gen.integers(0, len(ph), n)], idn[gen.integers(0, len(idn), n)])
        rcv = np.where(is_ph, ph[gen.integers(0, len(ph), n)], idn[gen.integers(0, len(idn), n)])
        median = np.where(is_ph, DOMESTIC_MEDIAN["PH"], DOMESTIC_MEDIAN["ID"])
        amount = median * gen.lognormal(0.0, 1.0, n)
        cents = np.where(is_ph, np.round(amount * 100), np.round(amount / 100) * 10_000).astype(np.int64)
        channel = np.asarray(DOMESTIC_CHANNELS, dtype=object)[gen.choice(4, n, p=DOMESTIC_CHANNEL_P)]
        return t, snd, rcv, np.maximum(cents, 100), channel

    def _ofw(self, n: int, t: np.ndarray) -> tuple[np.ndarray, ...]:
        """Family remittances: monthly larger amounts, and a 'small, frequent' confounder group."""
        gen, ordy = self.gen, self.ordinary
        pick = gen.integers(0, len(ordy.ofw), n)
        # Small-frequent senders send ~4x as often: resample a share of rows onto them.
        small_idx = np.flatnonzero(ordy.ofw_small)
        if len(small_idx):
            boost = gen.random(n) < 0.5
            pick = np.where(boost, small_idx[gen.integers(0, len(small_idx), n)], pick)
        small = ordy.ofw_small[pick]
        usd = np.where(small, gen.uniform(20, 110, n), gen.uniform(100, 800, n))
        snd, rcv = ordy.ofw[pick], ordy.ofw_family[pick]
        rate = np.asarray([self.per_usd[c] for c in self.currency[snd]])
        value = usd * rate
        value = np.where(gen.random(n) < 0.5, np.round(value / 10) * 10, value)  # families round too
        cents = np.round(value * 100).astype(np.int64)
        channel = np.where(gen.random(n) < 0.8, "remittance", "bank").astype(object)
        return t, snd, rcv, cents, channel, small

    def _ordinary_refs(self, n: int, small: np.ndarray | None, n_dom: int) -> list[str]:
        gen = self.gen
        refs = np.asarray(self.params.ordinary_references, dtype=object)[
            gen.integers(0, len(self.params.ordinary_references), n)]
        if small is not None and len(small):
            # The confounder: family senders use the same words as cover words (baon, school fees, ...).
            words = np.asarray(["baon", "school fees", "family support", "birthday", "gift", "allowance",
                                "pang-tuition", "uang saku", "medical bills"], dtype=object)
            use = small & (gen.random(len(small)) < 0.6)
            refs[n_dom:][use] = words[gen.integers(0, len(words), int(use.sum()))]
        return list(refs)

    def _chunk(self, n: int, lo_us: int, hi_us: int, planted: Planted, p_lo: int, p_hi: int,
               first_id: int) -> pa.Table:
        gen = self.gen
        t = np.sort(gen.integers(lo_us, hi_us, n))
        is_ofw = gen.random(n) < 0.1
        n_ofw = int(is_ofw.sum())
        n_dom = n - n_ofw
        dom = self._domestic(n_dom, t[~is_ofw])
        ofw = self._ofw(n_ofw, t[is_ofw])
        cur = self.currency
        ts = np.concatenate([dom[0], ofw[0], np.asarray(planted.ts[p_lo:p_hi], dtype=np.int64)])
        snd = np.concatenate([dom[1], ofw[1], np.asarray(planted.sender[p_lo:p_hi], dtype=np.int64)])
        rcv = np.concatenate([dom[2], ofw[2], np.asarray(planted.receiver[p_lo:p_hi], dtype=np.int64)])
        cents = np.concatenate([dom[3], ofw[3], np.asarray(planted.cents[p_lo:p_hi], dtype=np.int64)])
        channel = np.concatenate([dom[4], ofw[4], np.asarray(planted.channel[p_lo:p_hi], dtype=object)])
        currency = np.concatenate([cur[dom[1]], cur[ofw[1]], np.asarray(planted.currency[p_lo:p_hi], dtype=object)])
        whole = np.isin(currency, list(self.decimals0))
        cents = np.where(whole, np.round(cents / 100) * 100, cents).astype(np.int64)
        refs = self._ordinary_refs(n, ofw[5], n_dom) + planted.reference[p_lo:p_hi]
        order = np.argsort(ts, kind="stable")
        s_idx, r_idx = pa.array(snd[order]), pa.array(rcv[order])
        ids = np.char.add("TX", np.char.zfill(np.arange(first_id, first_id + len(ts)).astype("U12"), 10))
        return pa.table([
            pa.array(ids, pa.string()), pa.array(ts[order], pa.timestamp("us", tz="UTC")),
            self.ids.take(s_idx), self.names.take(s_idx), self.countries.take(s_idx),
            self.ids.take(r_idx), self.names.take(r_idx), self.countries.take(r_idx),
            decimal_from_cents(cents[order]), pa.array(currency[order], pa.string()),
            pa.array(channel[order], pa.string()), pa.array(refs, pa.string()).take(pa.array(order)),
        ], schema=SCHEMA)

    def write(self, out: Path, total: int, t0_us: int, span_us: int, planted: Planted, with_csv: bool,
              progress: Callable[[str, int, int], None] | None = None) -> int:
        """Write transactions.parquet (and .csv); returns the row count."""
        order = np.argsort(np.asarray(planted.ts, dtype=np.int64), kind="stable")
        planted = Planted(*[[getattr(planted, f)[i] for i in order] for f in Planted.__slots__])
        p_ts = np.asarray(planted.ts, dtype=np.int64)
        n_ordinary = max(0, total - len(p_ts))
        n_chunks = max(1, -(-n_ordinary // CHUNK_ROWS))
        bounds = [t0_us + span_us * k // n_chunks for k in range(n_chunks + 1)]
        bounds[-1] = max(bounds[-1], int(p_ts.max()) + 1) if len(p_ts) else bounds[-1]
        bounds[0] = min(bounds[0], int(p_ts.min())) if len(p_ts) else bounds[0]
        writer = pq.ParquetWriter(out / "transactions.parquet", SCHEMA, compression="zstd")
        csv_writer = None
        written = 0
        try:
            for k in range(n_chunks):
                lo, hi = bounds[k], bounds[k + 1]
                p_lo, p_hi = np.searchsorted(p_ts, [lo, hi])
                n = n_ordinary * (k + 1) // n_chunks - n_ordinary * k // n_chunks
                table = self._chunk(n, lo, hi, planted, int(p_lo), int(p_hi), written + 1)
                writer.write_table(table, row_group_size=len(table) + 1)
                if with_csv:
                    csv_table = table.set_column(1, "timestamp", _iso(table.column(1)))
                    if csv_writer is None:
                        csv_writer = pacsv.CSVWriter(out / "transactions.csv", csv_table.schema,
                                                     write_options=pacsv.WriteOptions(quoting_style="needed"))
                    csv_writer.write_table(csv_table)
                written += len(table)
                if progress is not None:
                    progress("transactions", written, total)
        finally:
            writer.close()
            if csv_writer is not None:
                csv_writer.close()
        return written


def _iso(column: pa.ChunkedArray) -> pa.Array:
    """ISO 8601 with 'Z' and whole seconds (the generator draws microseconds; CSV keeps them)."""
    values = column.to_numpy().astype("datetime64[us]")
    return pa.array(np.char.add(np.datetime_as_string(values, unit="us"), "Z"), pa.string())
