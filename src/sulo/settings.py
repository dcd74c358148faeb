"""Settings: one typed object, built explicitly (never at import time), refusing bad values at start-up."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a deployment can set, read from `SULO_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="SULO_", extra="forbid")

    data_dir: Path = Path("sulo-data")
    # Empty means the embedded default: one SQLite file in data_dir.
    database_url: str = ""
    # Signs session cookies and CSRF tokens. Empty means: read or create data_dir/secret.key, so a
    # restart keeps users logged in without anybody committing a secret.
    secret_key: str = ""
    analytics_engine: Literal["duckdb", "spark"] = "duckdb"
    geoip_mmdb: Path | None = None
    # Cookies are sent only over HTTPS in production; the embedded demo runs on plain localhost.
    secure_cookies: bool = False
    session_max_age_s: int = Field(default=8 * 3600, gt=0)
    default_locale: Literal["en", "id", "fil"] = "en"

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("SULO_DATABASE_URL must be a sqlite:// or postgresql:// URL")
        if value.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; make the plain form work as people write it.
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'sulo.db').resolve()}"
        return self

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir

    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        key_file = self.ensure_data_dir() / "secret.key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()
