from pathlib import Path

import pytest
import yaml

from sulo.synth.config import DEFAULT_PARAMS, WorldConfigError, load_params


def _write(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load(DEFAULT_PARAMS.read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "world.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_bundled_parameters_load() -> None:
    params = load_params()
    assert params.facilitator_relation.parent == 0.41
    assert params.children.female_share == 0.86


def test_unknown_key_fails_naming_file_and_key(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda raw: raw["finance"].update({"round_shar": 0.5}))
    with pytest.raises(WorldConfigError) as info:
        load_params(path)
    assert info.value.key == "finance.round_shar"
    assert str(path) in str(info.value)


def test_bad_value_fails_naming_nested_key(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda raw: raw["sizes"]["tiny"].update({"reports": -1}))
    with pytest.raises(WorldConfigError) as info:
        load_params(path)
    assert info.value.key == "sizes.tiny.reports"


def test_missing_currency_fails(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda raw: raw["currencies"].pop("AUD"))
    with pytest.raises(WorldConfigError, match="AUD"):
        load_params(path)
