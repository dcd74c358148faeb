"""Ground truth agrees with the data, and report->subject grouping is recoverable from identifiers."""

import csv
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from sulo.synth import WorldManifest
from tests.synth.helpers import report_docs, truth


def test_every_report_in_truth_and_back(tiny_world: tuple[Path, WorldManifest]) -> None:
    world, _ = tiny_world
    rows = truth(world, "report_subject.csv")
    in_truth = {r["report_id"] for r in rows}
    in_data = {doc.findtext("reportId") for _n, doc in report_docs(world)}
    assert in_truth == in_data and len(rows) == len(in_truth)
    subjects = {r["subject_id"] for r in truth(world, "subjects.csv")}
    assert {r["subject_id"] for r in rows} <= subjects
    assert {r["kind"] for r in rows} == {"in_country_live_abuse", "in_country_other", "viral", "foreign",
                                         "duplicate"}


def test_duplicates_match_their_original(tiny_world: tuple[Path, WorldManifest]) -> None:
    world, _ = tiny_world
    rows = {r["report_id"]: r for r in truth(world, "report_subject.csv")}
    bodies = {n[:-4]: re.sub(r"<reportId>\d+</reportId>", "", _text(doc)) for n, doc in report_docs(world)}
    dups = [r for r in rows.values() if r["kind"] == "duplicate"]
    assert dups
    for dup in dups:
        assert rows[dup["duplicate_of"]]["subject_id"] == dup["subject_id"]
        assert bodies[dup["report_id"]] == bodies[dup["duplicate_of"]]


def _text(doc) -> str:
    from lxml import etree

    return etree.tostring(doc, encoding="unicode")


def test_planted_accounts_appear_in_transactions(tiny_world: tuple[Path, WorldManifest]) -> None:
    world, _ = tiny_world
    table = pq.read_table(world / "transactions.parquet", columns=["sender_id", "receiver_id"])
    used = set(pc.unique(table.column("sender_id")).to_pylist()) | set(
        pc.unique(table.column("receiver_id")).to_pylist())
    accounts = truth(world, "accounts.csv")
    planted = [a for a in accounts if a["role"] != "ordinary"]
    roles = {a["role"] for a in planted}
    assert {"customer", "facilitator", "sextortion_victim", "sextortion_offender"} <= roles
    missing = [a["account_id"] for a in planted if a["account_id"] not in used]
    assert not missing
    people = {p["person_id"] for p in truth(world, "people.csv")}
    assert all(a["person_id"] in people for a in planted)


def test_known_images_exist_and_match_lists(tiny_world: tuple[Path, WorldManifest]) -> None:
    world, _ = tiny_world
    images = truth(world, "image_known.csv")
    ncmec = {row["MD5"] for row in csv.DictReader((world / "hashlists" / "known-ncmec.csv").open())}
    vics = {m["MD5"].lower() for m in json.loads((world / "hashlists" / "known-vics.json").read_text())["value"]}
    pdq = {row["pdq"] for row in csv.DictReader((world / "hashlists" / "known-pdq.csv").open())}
    for image in images:
        path = world / "images" / image["file_name"]
        assert path.exists()
        md5 = hashlib.md5(path.read_bytes()).hexdigest()
        lists = set(filter(None, image["list"].split(";")))
        assert ("ncmec" in lists) == (md5 in ncmec)
        assert ("vics" in lists) == (md5 in vics)
        assert ("pdq" in lists) == (image["listed_pdq"] in pdq)
        assert image["known"] == ("true" if lists else "false")
        if image["transform"] != "none":
            assert image["listed_pdq"] != image["pdq"]
    assert any(i["transform"] != "none" for i in images)


def _norm_phone(text: str, code: str) -> str:
    digits = re.sub(r"\D", "", text)
    return code + digits[1:] if digits.startswith("0") else digits if digits.startswith(code) else code + digits


def _norm_email(text: str) -> str:
    local, domain = text.lower().split("@")
    return f"{local.replace('.', '') if domain == 'gmail.example' else local}@{domain}"


def _keys(doc) -> list[str]:
    keys = []
    reporter = doc.findtext("reporter/espName")
    for who in doc.iterfind("personOrUserReported"):
        keys.append(f"esp:{reporter}:{who.findtext('espIdentifier')}")
        keys += [f"email:{_norm_email(e.text)}" for e in who.iterfind("personOrUserReportedPerson/email")]
        keys += [f"phone:{_norm_phone(p.text, p.get('countryCode'))}"
                 for p in who.iterfind("personOrUserReportedPerson/phone")]
        keys += [f"device:{d.findtext('idValue')}" for d in who.iterfind("deviceId")]
    return keys


def _bcubed(pred: dict[str, str], gold: dict[str, str]) -> tuple[float, float]:
    def clusters(m: dict[str, str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for item, c in m.items():
            out[c].add(item)
        return out

    pc_, gc = clusters(pred), clusters(gold)
    p = sum(len(pc_[pred[i]] & gc[gold[i]]) / len(pc_[pred[i]]) for i in gold) / len(gold)
    r = sum(len(pc_[pred[i]] & gc[gold[i]]) / len(gc[gold[i]]) for i in gold) / len(gold)
    return p, r


def _group(docs: dict[str, list[str]]) -> dict[str, str]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for rid, keys in docs.items():
        for key in keys:
            parent[find(f"r:{rid}")] = find(key)
    return {rid: find(f"r:{rid}") for rid in docs}


def test_identifier_grouper_recovers_subjects(tiny_world: tuple[Path, WorldManifest]) -> None:
    """A grouper on platform id, e-mail, phone and device (normalised) reaches B-cubed >= 0.95; a naive
    grouper on IP address alone is fooled by shared CGNAT / VPN addresses."""
    world, _ = tiny_world
    gold = {r["report_id"]: r["subject_id"] for r in truth(world, "report_subject.csv")}
    docs = {doc.findtext("reportId"): doc for _n, doc in report_docs(world)}
    # Exact duplicates are grouped with their original by content (what a hashing de-duplicator does).
    body = {rid: re.sub(r"<reportId>\d+</reportId>", "", _text(d)) for rid, d in docs.items()}
    keyed = {rid: [*_keys(d), "body:" + hashlib.sha1(body[rid].encode()).hexdigest()] for rid, d in docs.items()}
    precision, recall = _bcubed(_group(keyed), gold)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)
    by_ip = {rid: [f"ip:{ip.text}" for ip in d.iterfind(".//ipAddress")] for rid, d in docs.items()}
    ip_precision, _ = _bcubed(_group(by_ip), gold)
    assert ip_precision < 0.9
