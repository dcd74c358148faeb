"""Rule sets are data: YAML or TOML files validated by strict pydantic models (unknown keys fail)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from sulo.errors import ConfigError

ModelT = TypeVar("ModelT", bound=BaseModel)


class StrictModel(BaseModel):
    """Base for every rule-file model: a key nobody defined is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def read_data_file(path: Path) -> Any:
    """Parse YAML or TOML by extension; a syntax error is a ConfigError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), "-", f"cannot read: {exc.strerror}") from exc
    try:
        if path.suffix == ".toml":
            return tomllib.loads(text)
        return yaml.safe_load(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(str(path), "-", f"not valid {path.suffix.lstrip('.')}: {exc}") from exc


def load_rules(path: Path, model: type[ModelT]) -> ModelT:
    """Load and validate a rule file, failing on the first bad key with its dotted path."""
    data = read_data_file(path)
    return validate_rules(data, model, str(path))


def validate_rules(data: Any, model: type[ModelT], source: str) -> ModelT:
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "-"
        raise ConfigError(source, key, first["msg"]) from exc
