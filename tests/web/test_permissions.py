"""Every route against the policy: each one is public, login-only, or guarded by exactly one named action,
and every role gets 403 exactly where policy.yaml does not grant that action."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from sulo.accounts.policy import load_policy
from tests.conftest import ROLE_USERS

PUBLIC = {"/login", "/logout", "/locale", "/healthz", "/api/healthz"}


def _dependency_calls(dependant: Any) -> list[Any]:
    calls = []
    for dep in dependant.dependencies:
        calls.append(dep.call)
        calls.extend(_dependency_calls(dep))
    return calls


def route_guards(app: FastAPI) -> list[tuple[str, str, str | None, bool]]:
    """(method, path, action or None, needs login) for every route of the app."""
    rows = []
    for route, path in _all_routes(app):
        calls = _dependency_calls(route.dependant)
        actions = [c.required_action for c in calls if hasattr(c, "required_action")]
        assert len(actions) <= 1, f"{route.path} checks several actions: {actions}"
        needs_login = any(getattr(c, "__name__", "") == "_current_user" for c in calls)
        for method in sorted(route.methods):
            rows.append((method, path, actions[0] if actions else None, needs_login))
    return rows


def _all_routes(app: FastAPI) -> list[tuple[APIRoute, str]]:
    """Every API route with its full path. FastAPI keeps included routers lazily, so walk them."""
    from fastapi.routing import _iter_routes_with_context

    found = []
    for route, context in _iter_routes_with_context(app.routes):
        if isinstance(route, APIRoute):
            found.append((route, context.path if context is not None else route.path))
    assert len(found) > 5, "route discovery found almost nothing: FastAPI internals changed?"
    return found


def test_every_route_is_public_or_needs_login(app: FastAPI) -> None:
    for method, path, _action, needs_login in route_guards(app):
        assert needs_login or path in PUBLIC, f"{method} {path} is reachable without login"


def test_every_guard_names_an_action_of_the_policy(app: FastAPI) -> None:
    policy = load_policy()
    for _method, path, action, _ in route_guards(app):
        if action is not None:
            assert action in policy.actions, f"{path} checks {action}, which policy.yaml does not define"


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_each_role_is_refused_exactly_where_the_policy_says(app: FastAPI, client_for, role: str) -> None:
    policy = load_policy()
    client = client_for(role)
    checked = 0
    for method, path, action, _ in route_guards(app):
        if action is None or method not in ("GET", "POST"):
            continue
        url = _concrete(path)
        if method == "GET":
            response = client.get(url, follow_redirects=False)
        else:
            response = client.post(url, headers={"X-CSRF-Token": client.csrf}, follow_redirects=False)
        allowed = policy.allows(role, action)
        if allowed:
            assert response.status_code != 403, f"{role} refused {method} {path} ({action})"
        else:
            assert response.status_code == 403, f"{role} reached {method} {path} ({action}): {response.status_code}"
        checked += 1
    assert checked > 0
