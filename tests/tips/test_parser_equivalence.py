"""The single-pass parser gives exactly what the first, straightforward parser gave (kept as
reference_parser.py): the same reports, and the same problems in the same order on bad input."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sulo.errors import ValidationError
from sulo.tips.parser import parse_report
from tests.tips import reference_parser
from tests.tips.xmlkit import report_xml


def _outcome(parse: object, data: bytes) -> object:
    try:
        return parse(data, "f.xml")  # type: ignore[operator]
    except ValidationError as exc:
        return [p.as_dict() for p in exc.problems]


def test_same_reports_on_the_synthetic_world(world_tiny: Path) -> None:
    import zipfile

    root = world_tiny / "reports"
    checked = 0
    for path in sorted(root.glob("*.zip")):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                data = zf.read(name)
                assert _outcome(parse_report, data) == _outcome(reference_parser.parse_report, data)
                checked += 1
    assert checked > 100


BASE = report_xml(email="a@b.example", phone="0917 123 4567", victim_age=9, live=True,
                  md5="9e107d9d372bb6826bd81d3542a419d6")


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=0, max_value=len(BASE) - 1), st.binary(min_size=1, max_size=12))
def test_same_outcome_on_mutated_reports(position: int, junk: bytes) -> None:
    data = BASE[:position] + junk + BASE[position + len(junk):]
    assert _outcome(parse_report, data) == _outcome(reference_parser.parse_report, data)
