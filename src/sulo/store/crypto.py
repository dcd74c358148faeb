"""Field encryption for victim and survivor data: AES-256-GCM, one random nonce per value, the field's
name bound in as associated data (a ciphertext moved to another column does not decrypt).

The key comes from SULO_FIELD_KEY (base64, 32 bytes) or, on the embedded default, from data_dir/field.key,
created on first use with mode 0600. Stages call the cipher explicitly where they write and read such fields,
so every read sits next to its audit call."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sulo.errors import ConfigError, SuloError

PREFIX = b"sulo1:"


class DecryptionError(SuloError):
    kind = "decryption"
    http_status = 500


@dataclass(frozen=True)
class FieldCipher:
    key: bytes

    def __post_init__(self) -> None:
        if len(self.key) != 32:
            raise ConfigError("SULO_FIELD_KEY", "-", "must be 32 bytes, base64-encoded")

    @classmethod
    def from_data_dir(cls, data_dir: Path, env_key: str | None = None) -> FieldCipher:
        encoded = env_key if env_key is not None else os.environ.get("SULO_FIELD_KEY")
        if encoded:
            try:
                return cls(base64.b64decode(encoded, validate=True))
            except ValueError as exc:
                raise ConfigError("SULO_FIELD_KEY", "-", "not valid base64") from exc
        key_file = data_dir / "field.key"
        if not key_file.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            key_file.write_bytes(base64.b64encode(AESGCM.generate_key(bit_length=256)))
            key_file.chmod(0o600)
        return cls(base64.b64decode(key_file.read_bytes()))

    def encrypt(self, field: str, value: str) -> bytes:
        nonce = os.urandom(12)
        sealed = AESGCM(self.key).encrypt(nonce, value.encode("utf-8"), field.encode("utf-8"))
        return PREFIX + base64.b64encode(nonce + sealed)

    def decrypt(self, field: str, token: bytes) -> str:
        if not token.startswith(PREFIX):
            raise DecryptionError(f"{field}: not an encrypted value")
        raw = base64.b64decode(token[len(PREFIX):])
        try:
            return AESGCM(self.key).decrypt(raw[:12], raw[12:], field.encode("utf-8")).decode("utf-8")
        except InvalidTag as exc:
            raise DecryptionError(f"{field}: wrong key or tampered value") from exc

    def encrypt_json(self, field: str, value: Any) -> bytes:
        return self.encrypt(field, json.dumps(value, ensure_ascii=False, sort_keys=True))

    def decrypt_json(self, field: str, token: bytes) -> Any:
        return json.loads(self.decrypt(field, token))
