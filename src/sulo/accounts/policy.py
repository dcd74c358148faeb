"""The permission policy: roles granted named actions, loaded from policy.yaml and checked in one place."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import field_validator

from sulo.rules import StrictModel, load_rules

POLICY_FILE = Path(__file__).with_name("policy.yaml")


class RolePolicy(StrictModel):
    title: str
    actions: list[str]


class Policy(StrictModel):
    actions: dict[str, str]
    roles: dict[str, RolePolicy]

    @field_validator("roles")
    @classmethod
    def _actions_exist(cls, roles: dict[str, RolePolicy], info: object) -> dict[str, RolePolicy]:
        known = getattr(info, "data", {}).get("actions", {})
        for name, role in roles.items():
            unknown = [a for a in role.actions if a != "*" and a not in known]
            if unknown:
                raise ValueError(f"role {name} names unknown actions {unknown}")
        return roles

    def allows(self, role: str, action: str) -> bool:
        if action not in self.actions:
            raise KeyError(f"unknown action {action!r}: add it to policy.yaml")
        granted = self.roles.get(role)
        return granted is not None and ("*" in granted.actions or action in granted.actions)

    def actions_of(self, role: str) -> set[str]:
        granted = self.roles.get(role)
        if granted is None:
            return set()
        return set(self.actions) if "*" in granted.actions else set(granted.actions)


@cache
def load_policy(path: Path = POLICY_FILE) -> Policy:
    return load_rules(path, Policy)
