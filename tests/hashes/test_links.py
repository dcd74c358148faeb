"""Tips ask the hashes stage which of their reports' file hashes are known, by plain hex value."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sulo.hashes import known_hash_matches
from sulo.hashes.service import ListMeta, import_list

PDQ = "f" * 16 + "0" * 48
NEAR = "e" + "f" * 15 + "0" * 48  # one bit away from PDQ
FAR = "0" * 64


def test_known_md5_sha1_and_near_pdq_are_named_with_list_and_category(session: Session) -> None:
    ncmec = b"md5,sha1,category\n" + b"9e107d9d372bb6826bd81d3542a419d6,,A1\n" + \
        b",2fd4e1c67a2d28fced849ee1bb76e7391b93eb12,B1\n"
    import_list(session, ListMeta("ncmec-test", "NCMEC", "industry", "LE only", "1"), "ncmec", ncmec, "test")
    import_list(session, ListMeta("pdq-test", "ThreatExchange", "industry", "LE only", "1"), "pdq",
                f"pdq,quality,category\n{PDQ},100,A2\n".encode(), "test")
    found = known_hash_matches(session, ["9E107D9D372BB6826BD81D3542A419D6", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",
                                         NEAR, FAR, "not-a-hash"])
    assert found == {"9e107d9d372bb6826bd81d3542a419d6": "ncmec-test: A1",
                     "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12": "ncmec-test: B1",
                     NEAR: "pdq-test: A2"}


def test_no_lists_means_no_matches(session: Session) -> None:
    assert known_hash_matches(session, ["9e107d9d372bb6826bd81d3542a419d6"]) == {}
