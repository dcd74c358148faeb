"""Readers for a generated world, used by the synth tests."""

import csv
import zipfile
from collections.abc import Iterator
from pathlib import Path

from lxml import etree


def truth(world: Path, name: str) -> list[dict[str, str]]:
    with (world / "truth" / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def report_docs(world: Path) -> Iterator[tuple[str, etree._Element]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for batch in sorted((world / "reports").glob("batch-*.zip")):
        with zipfile.ZipFile(batch) as archive:
            for name in archive.namelist():
                yield name, etree.fromstring(archive.read(name), parser)
