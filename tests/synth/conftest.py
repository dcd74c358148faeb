from pathlib import Path

import pytest

from sulo.synth import WorldManifest, generate_world


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, WorldManifest]:
    out = tmp_path_factory.mktemp("tiny-world")
    return out, generate_world(out, seed=11, size="tiny")
