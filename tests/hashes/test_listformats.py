"""Hash list parsers: literal cases, round trips, and fuzzing (a clear ValidationError or entries, never a crash)."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sulo.errors import ValidationError
from sulo.hashes import listformats as lf

MD5 = "9e107d9d372bb6826bd81d3542a419d6"
SHA1 = "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"
PDQ = "d8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22"


def test_vics_reads_hashes_photodna_category_and_victim_flag() -> None:
    doc = {"value": [{"MediaID": 7, "Category": 1, "MD5": MD5.upper(), "SHA1": SHA1, "VictimIdentified": True,
                      "PhotoDNA": "QUJDREVGR0hJSktMTU5PUA==", "MediaFiles": [{"MD5": MD5}]}]}
    entries = lf.parse_vics(json.dumps(doc).encode())
    assert {(e.kind, e.value) for e in entries} == {("md5", MD5), ("sha1", SHA1),
                                                   ("photodna", "QUJDREVGR0hJSktMTU5PUA==")}
    assert all(e.category == "1" and e.victim_identified is True for e in entries)


def test_vics_error_names_record_and_field() -> None:
    doc = {"value": [{"MediaID": 3, "MD5": "xyz"}]}
    with pytest.raises(ValidationError) as exc:
        lf.parse_vics(json.dumps(doc).encode())
    assert (exc.value.problems[0].record, exc.value.problems[0].field) == ("MediaID 3", "MD5")


def test_ncmec_and_pdq_csv() -> None:
    ncmec = lf.parse_ncmec(f"MD5,SHA1,Category\n{MD5},{SHA1},A1\n".encode())
    assert [(e.kind, e.category) for e in ncmec] == [("md5", "A1"), ("sha1", "A1")]
    pdq = lf.parse_pdq(f"pdq,quality,category\n{PDQ},100,B2\n".encode())
    assert pdq == [lf.Entry("pdq", PDQ, "B2", None, 100)]
    with pytest.raises(ValidationError) as exc:
        lf.parse_pdq(f"pdq,quality\n{PDQ},101\n".encode())
    assert (exc.value.problems[0].record, exc.value.problems[0].field) == ("line 2", "quality")


def test_text_needs_a_kind_for_64_digit_hashes() -> None:
    assert lf.parse_text(f"# list\n{MD5}\n\n{SHA1} # note\n".encode())[1].kind == "sha1"
    with pytest.raises(ValidationError):
        lf.parse_text(f"{PDQ}\n".encode())
    assert lf.parse_text(f"{PDQ}\n".encode(), kind="pdq")[0].kind == "pdq"


@pytest.mark.parametrize("fmt", ["vics", "ncmec", "pdq"])
def test_export_round_trip(fmt: str) -> None:
    entries = [lf.Entry("md5", MD5, "A1"), lf.Entry("sha1", SHA1, "B1"), lf.Entry("pdq", PDQ, "A2", None, 90)]
    carried = {"vics": {"md5", "sha1"}, "ncmec": {"md5", "sha1"}, "pdq": {"pdq"}}[fmt]
    back = lf.PARSERS[fmt](lf.export(fmt, entries), "x")
    assert {(e.kind, e.value, e.category) for e in back} == {(e.kind, e.value, e.category)
                                                             for e in entries if e.kind in carried}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["vics", "ncmec", "pdq", "text"]), st.binary(max_size=400))
def test_fuzz_bytes_never_crash(fmt: str, data: bytes) -> None:
    try:
        lf.PARSERS[fmt](data, "fuzz")
    except ValidationError as exc:
        assert exc.problems and all(p.message for p in exc.problems)


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=70),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                         st.sampled_from(["value", "MediaID", "MD5", "SHA1", "Category", "PhotoDNA",
                                          "VictimIdentified", "MediaFiles"]), inner, max_size=5), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_json)
def test_fuzz_vics_structure_never_crash(doc: object) -> None:
    try:
        lf.parse_vics(json.dumps(doc).encode(), "fuzz")
    except ValidationError as exc:
        assert exc.problems


def test_deep_json_is_a_clear_error() -> None:
    with pytest.raises(ValidationError):
        lf.parse_vics(b"[" * 100000 + b"]" * 100000)
