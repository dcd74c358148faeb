from __future__ import annotations

import pytest

from sulo.tips.service import TipsContext, load_context


@pytest.fixture(scope="session")
def tips_ctx() -> TipsContext:
    return load_context()
