"""Ground truth, written under truth/ apart from the data (docs/formats/synth-world.md)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from sulo.synth.accounts import AccountBook
from sulo.synth.geo import IpInfo
from sulo.synth.images import ImageRecord
from sulo.synth.names import name_aliases
from sulo.synth.population import Person, Subject
from sulo.synth.reports import Report


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _b(value: bool) -> str:
    return "true" if value else "false"


def write_truth(out: Path, reports: list[Report], subjects: list[Subject], people: list[Person],
                book: AccountBook, images: list[ImageRecord], ips: dict[str, IpInfo]) -> None:
    folder = out / "truth"
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / "report_subject.csv", ["report_id", "subject_id", "kind", "duplicate_of"],
           ([r.report_id, r.subject.subject_id, r.kind, r.duplicate_of or ""] for r in reports))
    _write(folder / "subjects.csv",
           ["subject_id", "person_id", "role", "country", "region", "live_abuse", "sextortion", "n_reports"],
           ([s.subject_id, s.person.person_id, s.role, s.person.country, s.person.region, _b(s.live_abuse),
             _b(s.sextortion), s.n_reports] for s in subjects))
    _write(folder / "accounts.csv", ["account_id", "person_id", "role", "typologies", "name", "country"],
           zip(book.ids, book.person_ids, book.roles, book.typologies, book.names, book.countries, strict=True))
    _write(folder / "people.csv",
           ["person_id", "canonical_name", "aliases", "country", "region", "household_id", "role", "sex",
            "age", "relation"],
           ([p.person_id, p.name.canonical if p.name else "", ";".join(name_aliases(p.name)) if p.name else "",
             p.country, p.region, p.household_id, p.role, p.sex, "" if p.age is None else p.age, p.relation]
            for p in people))
    _write(folder / "image_known.csv",
           ["file_name", "known", "list", "category", "transform", "viral", "md5", "pdq", "listed_pdq"],
           ([i.file_name, _b(i.known), ";".join(i.lists), i.category, i.transform, _b(i.viral), i.md5, i.pdq,
             i.listed_pdq] for i in images))
    _write(folder / "ips.csv", ["ip", "isp", "country", "kind"],
           ([info.ip, info.isp, info.country, info.kind] for _ip, info in sorted(ips.items())))
