"""Load a synthetic world into the hashes stage (used by `sulo demo`): lists, a scan of its images, matches."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sulo.hashes.scan import Progress, scan
from sulo.hashes.scans import match_scan, store_scan
from sulo.hashes.service import ListMeta, import_list
from sulo.store.db import make_engine, make_session_factory, session_scope

ACTOR = "demo"
LISTS = (
    ("known-vics.json", "vics", ListMeta("synthetic-vics", "Project VIC (synthetic)", "vics",
                                         "synthetic demo data; law enforcement only", "1")),
    ("known-ncmec.csv", "ncmec", ListMeta("synthetic-ncmec", "NCMEC (synthetic)", "industry",
                                          "synthetic demo data; do not redistribute", "1")),
    ("known-pdq.csv", "pdq", ListMeta("synthetic-pdq", "ThreatExchange (synthetic)", "industry",
                                      "synthetic demo data; TLP:AMBER", "1")),
)


def load_world(settings: Any, world: Path, report: Progress) -> dict[str, int]:
    factory = make_session_factory(make_engine(settings.database_url))
    counts = {"lists": 0, "files": 0, "matches": 0}
    with session_scope(factory) as session:
        for file_name, fmt, meta in LISTS:
            path = world / "hashlists" / file_name
            if path.exists():
                import_list(session, meta, fmt, path.read_bytes(), ACTOR)
                counts["lists"] += 1
    images = world / "images"
    if images.is_dir():
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "scan-images.csv"
            records = scan(images, out, progress=report)
            with session_scope(factory) as session:
                stored = store_scan(session, "synthetic-images.csv", out.read_bytes(), ACTOR)
                counts["files"] = len(records)
                counts["matches"] = match_scan(session, stored.id, None, ACTOR)
    return counts
