"""Every JSON endpoint, fuzzed from its own OpenAPI document (schemathesis): whatever an authenticated caller
sends, the answer is a clear 2xx/4xx, never a server error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import select

from sulo.accounts.service import issue_token
from sulo.accounts.tables import User
from sulo.settings import Settings
from sulo.store.db import session_scope
from tests.conftest import Databases


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory, databases: Databases) -> Iterator[Any]:
    from sulo.accounts.demo import seed_demo_users
    from sulo.web.app import create_app

    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("fuzz")), database_url=databases.new("sqlite"),
                        secret_key="fuzz-" + "x" * 40)
    app = create_app(settings)
    with session_scope(app.state.session_factory) as session:
        seed_demo_users(session)
        admin = session.scalar(select(User).where(User.username == "admin"))
        assert admin is not None
        app.state.fuzz_token = issue_token(session, admin, "fuzz")
    yield app


def test_no_endpoint_answers_a_server_error(fuzz_app: Any) -> None:
    # schemathesis' pytest plugin does not run under pytest 9; its strategies drive Hypothesis directly.
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", fuzz_app)
    headers = {"Authorization": f"Bearer {fuzz_app.state.fuzz_token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10, "the API document lists almost nothing"
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        fuzz()
