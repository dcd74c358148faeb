"""Victim and survivor fields are unreadable at rest and bound to their field."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sulo.errors import ConfigError
from sulo.store.crypto import DecryptionError, FieldCipher

CIPHER = FieldCipher(b"k" * 32)


@given(st.text())
def test_round_trip_any_text(value: str) -> None:
    token = CIPHER.encrypt("victim.age", value)
    assert CIPHER.decrypt("victim.age", token) == value
    if len(value) >= 4:
        assert value.encode() not in token


def test_same_value_encrypts_differently_each_time() -> None:
    assert CIPHER.encrypt("f", "9") != CIPHER.encrypt("f", "9")


def test_ciphertext_moved_to_another_field_does_not_decrypt() -> None:
    token = CIPHER.encrypt("survivor.name", "A")
    with pytest.raises(DecryptionError):
        CIPHER.decrypt("survivor.school", token)


def test_wrong_key_and_tampering_are_refused() -> None:
    token = CIPHER.encrypt("f", "secret")
    with pytest.raises(DecryptionError):
        FieldCipher(b"x" * 32).decrypt("f", token)
    raw = bytearray(base64.b64decode(token[6:]))
    raw[-1] ^= 1
    with pytest.raises(DecryptionError):
        CIPHER.decrypt("f", b"sulo1:" + base64.b64encode(bytes(raw)))


def test_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    first = FieldCipher.from_data_dir(tmp_path, env_key="")
    assert (tmp_path / "field.key").stat().st_mode & 0o777 == 0o600
    assert FieldCipher.from_data_dir(tmp_path, env_key="").key == first.key


def test_bad_configured_key_fails_at_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        FieldCipher.from_data_dir(tmp_path, env_key="not base64!!")
    with pytest.raises(ConfigError):
        FieldCipher.from_data_dir(tmp_path, env_key=base64.b64encode(b"short").decode())
