"""Import: idempotent on reportId, conflicts recorded, bad input quarantined, zip guards, atomic per file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sulo.tips.intake import Item, Refused, ZipMember, iter_items
from sulo.tips.service import TipsContext, run_import
from sulo.tips.tables import TipConflict, TipIdentifier, TipQuarantine, TipReport, TipSubject
from tests.tips.xmlkit import report_xml


def _count(engine: Engine, table: type) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def _write(folder: Path, reports: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in reports.items():
        (folder / name).write_bytes(data)
    return folder


def test_same_report_twice_is_one_report(engine: Engine, tips_ctx: TipsContext, tmp_path: Path) -> None:
    folder = _write(tmp_path / "a", {"1.xml": report_xml("1"), "2.xml": report_xml("2", esp_id="u-2")})
    first, _ = run_import(engine, tips_ctx, actor="t", paths=[folder])
    again, _ = run_import(engine, tips_ctx, actor="t", paths=[folder])
    assert (first.imported, again.imported, again.unchanged) == (2, 0, 2)
    assert _count(engine, TipReport) == 2


def test_resent_report_with_other_content_is_a_conflict(engine: Engine, tips_ctx: TipsContext,
                                                          tmp_path: Path) -> None:
    run_import(engine, tips_ctx, actor="t", paths=[_write(tmp_path / "a", {"1.xml": report_xml("1")})])
    result, _ = run_import(engine, tips_ctx, actor="t",
                           paths=[_write(tmp_path / "b", {"1.xml": report_xml("1", esp_id="other")})])
    assert (result.imported, result.conflicts) == (0, 1)
    assert _count(engine, TipConflict) == 1 and _count(engine, TipReport) == 1
    with Session(engine) as s:
        assert s.scalar(select(TipIdentifier.value).where(TipIdentifier.kind == "esp_id")) == "examplesocial:u-1"


def test_bad_report_is_quarantined_and_the_rest_goes_in(engine: Engine, tips_ctx: TipsContext,
                                                         tmp_path: Path) -> None:
    bad = report_xml("3").replace(b"<incidentDateTime>2024-03-05T14:22:10Z</incidentDateTime>", b"")
    folder = _write(tmp_path / "a", {"1.xml": report_xml("1"), "3.xml": bad, "x.xml": b"<not xml"})
    result, _ = run_import(engine, tips_ctx, actor="t", paths=[folder])
    assert (result.imported, result.quarantined) == (1, 2)
    with Session(engine) as s:
        rows = s.execute(select(TipQuarantine.record, TipQuarantine.field)).all()
    assert ("3", "incidentSummary/incidentDateTime") in rows
    run_import(engine, tips_ctx, actor="t", paths=[folder])
    assert _count(engine, TipQuarantine) == 2  # quarantine is idempotent too


def test_grouping_links_shared_identifiers_and_scores(engine: Engine, tips_ctx: TipsContext,
                                                      tmp_path: Path) -> None:
    folder = _write(tmp_path / "a", {
        "1.xml": report_xml("1", esp_id="u-1", email="Ana.Cruz+x@gmail.com", ip="100.64.0.9"),
        "2.xml": report_xml("2", esp_id="u-2", email="anacruz@GMAIL.com", ip="100.64.0.9", victim_age=9,
                            live=True),
        "3.xml": report_xml("3", esp_id="u-3", ip="100.64.0.9"),  # same CGNAT address only: not linked
    })
    run_import(engine, tips_ctx, actor="t", paths=[folder])
    with Session(engine) as s:
        keys = dict(s.execute(select(TipReport.report_id, TipReport.subject_key)).all())
        top = s.scalar(select(TipSubject).where(TipSubject.key == "S-1"))
    assert keys["1"] == keys["2"] != keys["3"]
    assert top is not None and top.tier == "immediate"
    assert '"email"' in top.ties and "live_streaming" in top.reasons


def test_zip_guards(tmp_path: Path) -> None:
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ok.xml", report_xml("1"))
        zf.writestr("../evil.xml", report_xml("2"))
        zf.writestr("bomb.xml", b"<report>" + b" " * (4 * 1024 * 1024) + b"</report>")
    items = list(iter_items([path]))
    refused = {i.source.split("!")[1]: i.reason for i in items if isinstance(i, Refused)}
    assert set(refused) == {"../evil.xml", "bomb.xml"}
    assert "unsafe" in refused["../evil.xml"] and "bomb" in refused["bomb.xml"]
    # Lazy members (read later, in a worker) pass the same guards and read back the same bytes.
    lazy = list(iter_items([path], lazy=True))
    assert [i for i in lazy if isinstance(i, Refused)] == [i for i in items if isinstance(i, Refused)]
    assert [m.read() for m in lazy if isinstance(m, ZipMember)] == [i for i in items if isinstance(i, Item)]
    (tmp_path / "bad.zip").write_bytes(b"PK not a zip")
    assert isinstance(next(iter_items([tmp_path / "bad.zip"])), Refused)


def test_json_and_csv_equivalents(engine: Engine, tips_ctx: TipsContext, tmp_path: Path) -> None:
    import json

    from sulo.tips.jsonfmt import to_dict
    from sulo.tips.parser import parse_report
    doc = {"reports": [to_dict(parse_report(report_xml("10"))), {"report_id": "11", "bogus": 1}]}
    csv_text = ("report_id,incident_type,incident_at,esp_name,esp_identifier,ips,ip_times\n"
                "12,CSAM,2024-01-01T00:00:00Z,ExampleSocial,u-1,49.145.1.1,2024-01-01T00:00:00Z\n")
    folder = _write(tmp_path / "a", {"a.json": json.dumps(doc).encode(), "b.csv": csv_text.encode()})
    result, _ = run_import(engine, tips_ctx, actor="t", paths=[folder])
    assert (result.imported, result.quarantined) == (2, 1)
    with Session(engine) as s:
        keys = dict(s.execute(select(TipReport.report_id, TipReport.subject_key)).all())
    assert keys["10"] == keys["12"]  # same ESP user id across the JSON and the CSV record


KILLER = """
import sys
from pathlib import Path
from sulo.store.db import make_engine
from sulo.tips.importer import Importer
from sulo.tips.service import load_context
ctx = load_context()
imp = Importer(make_engine(sys.argv[1]), ctx.enricher, ["PH", "ID"], chunk_size=50)
def slow(_n):
    import time; time.sleep(0.002)
imp.import_paths([Path(sys.argv[2])], progress=slow)
"""


def test_killed_import_reruns_to_exactly_once(engine: Engine, db_url: str, tips_ctx: TipsContext,
                                              tmp_path: Path) -> None:
    folder = _write(tmp_path / "batch", {f"{i}.xml": report_xml(str(1000 + i), esp_id=f"u-{i}")
                                         for i in range(600)})
    script = tmp_path / "kill_me.py"
    script.write_text(KILLER)
    proc = subprocess.Popen([sys.executable, str(script), db_url, str(folder)], cwd=os.getcwd())
    deadline = time.time() + 60
    while _count(engine, TipReport) < 100 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = _count(engine, TipReport)
    assert 0 < partial < 600 and partial % 50 == 0  # whole chunks only: every report fully in or out
    result, _ = run_import(engine, tips_ctx, actor="t", paths=[folder])
    assert result.imported == 600 - partial and result.unchanged == partial
    assert _count(engine, TipReport) == 600
    with Session(engine) as s:
        per_report = s.execute(select(TipIdentifier.report_pk, func.count()).group_by(TipIdentifier.report_pk)).all()
    assert len(per_report) == 600 and all(n == 1 for _, n in per_report)


def test_worker_pool_gives_the_same_rows_as_one_process(engine: Engine, tips_ctx: TipsContext,
                                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool only starts on large inputs; force it on a small one and compare with the inline path."""
    import sulo.tips.prepare as prepare
    from sulo.tips.importer import Importer

    folder = _write(tmp_path / "batch", {f"{i}.xml": report_xml(str(2000 + i), esp_id=f"u-{i % 7}")
                                         for i in range(40)} | {"bad.xml": b"<not xml"})
    monkeypatch.setattr(prepare, "MIN_PARALLEL", 5)
    monkeypatch.setattr(prepare, "BATCH", 3)
    pooled = Importer(engine, tips_ctx.enricher, ["PH", "ID"], chunk_size=16, workers=2).import_paths([folder])
    assert (pooled.imported, pooled.quarantined) == (40, 1)
    with Session(engine) as s:
        rows = s.execute(select(TipReport.report_id, TipIdentifier.value, TipReport.incident_at)
                         .join(TipIdentifier, TipIdentifier.report_pk == TipReport.id)
                         .order_by(TipReport.report_id)).all()
    assert [r[1] for r in rows] == [f"examplesocial:u-{(int(r[0]) - 2000) % 7}" for r in rows]
    assert all(r[2].tzinfo is not None for r in rows)
    again = Importer(engine, tips_ctx.enricher, ["PH", "ID"], workers=1).import_paths([folder])
    assert (again.imported, again.unchanged, again.quarantined) == (0, 40, 0)
