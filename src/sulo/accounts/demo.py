"""The demo agencies and one user per role, so a newcomer can log in as each actor of DOMAIN.md."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sulo.accounts.service import create_user, ensure_agency
from sulo.accounts.tables import User

DEMO_PASSWORD = "sulo-demo-2026"  # noqa: S105 - published on purpose: demo accounts on localhost only


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    agency: str
    display_name: str


DEMO_AGENCIES = {
    "DOJ-OOC": ("DOJ Office of Cybercrime", "PH"),
    "AMLC": ("Anti-Money Laundering Council", "PH"),
    "PNP-WCPC": ("PNP Women and Children Protection Center", "PH"),
    "DSWD": ("Department of Social Welfare and Development", "PH"),
    "PPATK": ("Pusat Pelaporan dan Analisis Transaksi Keuangan", "ID"),
    "BARESKRIM": ("Bareskrim Polri, Direktorat Tindak Pidana Siber", "ID"),
}

DEMO_USERS = [
    DemoUser("admin", "admin", "DOJ-OOC", "Demo administrator"),
    DemoUser("tina", "tip_analyst", "DOJ-OOC", "Tina (tip analyst)"),
    DemoUser("fajar", "financial_analyst", "PPATK", "Fajar (financial analyst)"),
    DemoUser("ivan", "investigator", "PNP-WCPC", "Ivan (investigator)"),
    DemoUser("carmen", "caseworker", "DSWD", "Carmen (caseworker)"),
    DemoUser("lia", "liaison", "BARESKRIM", "Lia (liaison)"),
    DemoUser("vic", "viewer", "AMLC", "Vic (viewer)"),
]


def seed_demo_users(session: Session) -> list[DemoUser]:
    """Create the demo agencies and users if missing; idempotent."""
    agencies = {code: ensure_agency(session, code, name, country)
                for code, (name, country) in DEMO_AGENCIES.items()}
    for demo in DEMO_USERS:
        if session.scalar(select(User).where(User.username == demo.username)) is None:
            create_user(session, demo.username, DEMO_PASSWORD, demo.role, agencies[demo.agency],
                        display_name=demo.display_name, actor="demo-seed")
    return DEMO_USERS
