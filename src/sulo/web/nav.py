"""The navigation bar: one entry per stage, shown to users whose role grants the stage's view action."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str  # an English source string, translated when rendered
    href: str
    action: str


def N_(message: str) -> str:
    """Marks a string for the translation catalogs; it is translated when rendered."""
    return message


NAV = [
    NavItem(N_("Tips"), "/tips", "tips:view"),
    NavItem(N_("Hashes"), "/hashes", "hashes:view"),
    NavItem(N_("Finance"), "/finance", "finance:view"),
    NavItem(N_("Audit log"), "/audit", "audit:view"),
    NavItem(N_("Users"), "/admin/users", "admin:users"),
]
