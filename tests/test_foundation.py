"""Settings refuse bad configuration at start-up; rule files fail naming the file and the key; the CLI
lists every command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError as PydanticValidationError

from sulo.accounts.policy import Policy, load_policy
from sulo.errors import ConfigError, Problem, ValidationError
from sulo.rules import StrictModel, load_rules
from sulo.settings import Settings


def test_default_database_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{(tmp_path / 'sulo.db').resolve()}"


def test_plain_postgresql_url_gets_the_psycopg_driver() -> None:
    assert Settings(database_url="postgresql://u@h/db").database_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize("bad", [{"database_url": "mysql://x"}, {"analytics_engine": "pandas"},
                                 {"session_max_age_s": 0}, {"no_such_setting": 1}])
def test_bad_settings_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(PydanticValidationError):
        Settings(**bad)  # type: ignore[arg-type]


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).resolved_secret_key()
    assert len(first) >= 40
    assert Settings(data_dir=tmp_path).resolved_secret_key() == first


class Rule(StrictModel):
    name: str
    weight: float


class RuleFile(StrictModel):
    rules: list[Rule]


def test_rule_file_with_an_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - name: a\n    weight: 1\n  - name: b\n    wieght: 2\n")
    with pytest.raises(ConfigError) as caught:
        load_rules(path, RuleFile)
    assert str(path) in str(caught.value) and "rules.1" in caught.value.key


def test_broken_yaml_and_toml_are_config_errors(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("rules: [\n")
    (tmp_path / "a.toml").write_text("rules = [\n")
    for name in ("a.yaml", "a.toml"):
        with pytest.raises(ConfigError):
            load_rules(tmp_path / name, RuleFile)


def test_policy_names_only_defined_actions(tmp_path: Path) -> None:
    policy = load_policy()
    assert policy.allows("admin", "admin:users")
    assert not policy.allows("caseworker", "tips:view")
    bad = tmp_path / "policy.yaml"
    bad.write_text("actions: {a:x: thing}\nroles: {r: {title: R, actions: [a:y]}}\n")
    with pytest.raises(ConfigError):
        load_rules(bad, Policy)


def test_validation_error_carries_record_and_field() -> None:
    error = ValidationError([Problem("not a number", record="row 7", field="amount")])
    assert error.as_dict()["problems"] == [{"record": "row 7", "field": "amount", "message": "not a number"}]
    assert "row 7" in str(error) and "amount" in str(error)


def test_cli_help_lists_every_command() -> None:
    result = subprocess.run([sys.executable, "-m", "sulo", "--help"], capture_output=True, text=True, check=True)
    for command in ("synth", "serve", "demo", "db", "users"):
        assert command in result.stdout
