"""The world's files conform to docs/formats/synth-world.md and docs/formats/cybertipline.md."""

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sulo.synth import WorldManifest
from tests.synth.helpers import report_docs, truth

EXPECTED_COLUMNS = ["txn_id", "timestamp", "sender_id", "sender_name", "sender_country", "receiver_id",
                    "receiver_name", "receiver_country", "amount", "currency", "channel", "reference"]


def test_reports_are_well_formed_and_carry_required_elements(tiny_world: tuple[Path, WorldManifest]) -> None:
    world, _ = tiny_world
    seen = 0
    for name, doc in report_docs(world):
        assert doc.tag == "report"
        assert name == f"{doc.findtext('reportId')}.xml"
        assert doc.findtext("incidentSummary/incidentType")
        assert doc.findtext("incidentSummary/incidentDateTime").endswith("Z")
        for code in doc.iterfind("fileDetails/industryClassification"):
            assert code.text in {"A1", "A2", "B1", "B2"}
        seen += 1
    assert seen == 500


def test_live_abuse_reports_carry_live_streaming_and_victims(tiny_world: tuple[Path, WorldManifest]) -> None:
    world, _ = tiny_world
    kinds = {r["report_id"]: r["kind"] for r in truth(world, "report_subject.csv")}
    live = [doc for _n, doc in report_docs(world) if kinds[doc.findtext("reportId")] == "in_country_live_abuse"]
    assert live
    assert all(doc.find("victim/victimPerson/age") is not None for doc in live)
    assert any(doc.find("fileDetails/fileAnnotations/liveStreaming") is not None for doc in live)


def test_transactions_schema_and_csv_match(tiny_world: tuple[Path, WorldManifest]) -> None:
    world, manifest = tiny_world
    table = pq.read_table(world / "transactions.parquet")
    assert table.column_names == EXPECTED_COLUMNS
    assert table.schema.field("timestamp").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("amount").type == pa.decimal128(18, 2)
    assert table.num_rows == manifest.counts["transactions"] == 20000
    assert len(set(table.column("txn_id").to_pylist())) == table.num_rows
    ts = table.column("timestamp").to_numpy()
    assert (ts[1:] >= ts[:-1]).all()  # sorted by time
    assert {"USD", "PHP", "IDR"} <= set(table.column("currency").to_pylist())
    assert set(table.column("channel").to_pylist()) <= {"bank", "remittance", "ewallet", "card", "crypto", "cash"}
    lines = (world / "transactions.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].replace('"', "") == ",".join(EXPECTED_COLUMNS)
    assert len(lines) == table.num_rows + 1


def test_hash_lists_have_documented_headers(tiny_world: tuple[Path, WorldManifest]) -> None:
    world, _ = tiny_world
    lists = world / "hashlists"
    assert (lists / "known-ncmec.csv").read_text().splitlines()[0] == "MD5,SHA1,Category"
    assert (lists / "known-pdq.csv").read_text().splitlines()[0] == "pdq,quality,category"
    vics = json.loads((lists / "known-vics.json").read_text())
    assert all({"MD5", "SHA1", "Category"} <= set(m) for m in vics["value"])
