"""The navigation bar: one entry per stage, shown to users whose role grants the stage's view action."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str  # an English source string, translated when rendered
    href: str
    action: str


NAV = [
    NavItem("Tips", "/tips", "tips:view"),
    NavItem("Hashes", "/hashes", "hashes:view"),
    NavItem("Finance", "/finance", "finance:view"),
    NavItem("Audit log", "/audit", "audit:view"),
    NavItem("Users", "/admin/users", "admin:users"),
]
