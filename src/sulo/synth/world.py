"""generate_world: the one entry point of the synth stage (the CLI `sulo synth` calls it)."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from sulo.store.files import file_sha256
from sulo.synth.accounts import AccountBook, add_ordinary
from sulo.synth.cases import AFTERCARE_SCHEMA, CASE_SCHEMA, make_cases, write_parquet
from sulo.synth.config import DEFAULT_PARAMS, Size, load_params
from sulo.synth.geo import IpPools, load_ranges
from sulo.synth.images import make_images, write_hash_lists
from sulo.synth.planted import Planter
from sulo.synth.population import Population
from sulo.synth.reports import make_reports
from sulo.synth.transactions import TxnWriter
from sulo.synth.truth import write_truth
from sulo.synth.xmlwrite import write_batches

Progress = Callable[[str, int, int], None]


class WorldManifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int
    size: str
    params_sha256: str
    counts: dict[str, int]
    files: dict[str, str]  # path relative to the world folder -> sha256


def generate_world(out_dir: Path, seed: int, size: Size, progress: Progress | None = None,
                   params_path: Path = DEFAULT_PARAMS) -> WorldManifest:
    """Write the synthetic world of `size` for `seed` under out_dir (created; existing files overwritten).

    Same seed and size give byte-identical files. `progress(stage, done, total)` is called as work advances.
    """
    params = load_params(params_path)
    spec = params.sizes[size]
    out_dir.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda _stage, _done, _total: None)
    # Independent streams per part, so changing one part's draws does not reshuffle the others.
    ips = IpPools(load_ranges(), random.Random(f"{seed}:ips"), cgnat_pool_size=max(20, spec.reports // 200))
    pop = Population(params, random.Random(f"{seed}:population"), ips)
    images = make_images(out_dir, random.Random(f"{seed}:images"), spec.images)
    write_hash_lists(out_dir, images)
    report("images", len(images), len(images))
    reports = make_reports(pop, images, spec.reports)
    write_batches(out_dir, reports, report)

    gen = np.random.default_rng(np.random.SeedSequence([seed, 7]))
    book = AccountBook()
    ordinary = add_ordinary(book, params, gen, spec.ordinary_accounts)
    t0 = dt.datetime.combine(params.timeline.start, dt.time(), tzinfo=dt.UTC)
    t0_us = int(t0.timestamp()) * 1_000_000
    span_us = ((params.timeline.end - params.timeline.start).days + 1) * 86_400_000_000
    planter = Planter(params, pop, book, t0_us, span_us)
    facs = planter.facilitators()
    customers = planter.customers(max(5, int(len(facs) * params.finance.customers_per_facilitator_mean / 2)))
    planter.live_streaming(customers, facs)
    planter.pass_through(facs)
    planter.sextortion(max(5, spec.reports // 200))
    n_txn = TxnWriter(params, book, ordinary, gen).write(
        out_dir, spec.transactions, t0_us, span_us, planter.rows, size in ("tiny", "small"), report)

    cases, care = make_cases(params, random.Random(f"{seed}:cases"), reports)
    write_parquet(out_dir / "cases.parquet", cases, CASE_SCHEMA)
    write_parquet(out_dir / "aftercare.parquet", care, AFTERCARE_SCHEMA)
    write_truth(out_dir, reports, pop.subjects, pop.people, book, images, ips.issued)
    counts = {"reports": len(reports), "subjects": len(pop.subjects), "people": len(pop.people),
              "transactions": n_txn, "planted_transactions": len(planter.rows.ts), "accounts": len(book.ids),
              "images": len(images), "cases": len(cases), "aftercare": len(care)}
    return _manifest(out_dir, seed, size, params_path, counts)


def _manifest(out_dir: Path, seed: int, size: str, params_path: Path, counts: dict[str, int]) -> WorldManifest:
    files = {p.relative_to(out_dir).as_posix(): file_sha256(p) for p in sorted(out_dir.rglob("*"))
             if p.is_file() and p.name != "manifest.json"}
    manifest = WorldManifest(seed=seed, size=size, params_sha256=file_sha256(params_path), counts=counts,
                             files=files)
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest.model_dump(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest
