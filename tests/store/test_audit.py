"""The audit log is append-only and tamper-evident: any edit behind the application's back is named."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from sulo.store.audit import audit, verify_chain


def _write_entries(session: Session, count: int) -> None:
    for i in range(count):
        audit(session, "tina", "tips.assign", f"subject:{i}", {"to": "ivan", "note": "ünïcode ok"})
    session.commit()


def test_intact_chain_verifies(session: Session) -> None:
    _write_entries(session, 5)
    assert verify_chain(session) is None


def test_edited_row_is_named(session: Session, engine: Engine) -> None:
    _write_entries(session, 6)
    first_new = session.execute(text("SELECT min(id) FROM audit_log WHERE action = 'tips.assign'")).scalar_one()
    target = first_new + 3
    with engine.begin() as conn:  # behind the application's back
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = :id"), {"id": target})
    session.expire_all()
    broken = verify_chain(session)
    assert broken is not None and broken.entry_id == target
    assert "edited" in broken.reason


def test_deleted_row_is_named(session: Session, engine: Engine) -> None:
    _write_entries(session, 4)
    last = session.execute(text("SELECT max(id) FROM audit_log")).scalar_one()
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": last - 1})
    broken = verify_chain(session)
    assert broken is not None and broken.entry_id == last - 1


def test_truncated_tail_is_found(session: Session, engine: Engine) -> None:
    _write_entries(session, 4)
    last = session.execute(text("SELECT max(id) FROM audit_log")).scalar_one()
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": last})
    broken = verify_chain(session)
    assert broken is not None and broken.entry_id == last


def test_rolled_back_work_leaves_no_audit_row(session: Session) -> None:
    before = session.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    audit(session, "tina", "tips.assign", "subject:x", {})
    session.rollback()
    assert session.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == before
    assert verify_chain(session) is None


def test_cli_check_audit_reports_the_edited_row(session: Session, engine: Engine, db_url: str, tmp_path) -> None:
    _write_entries(session, 3)
    env = {**os.environ, "SULO_DATABASE_URL": db_url, "SULO_DATA_DIR": str(tmp_path)}
    ok = subprocess.run([sys.executable, "-m", "sulo", "db", "check-audit"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    target = session.execute(text("SELECT max(id) FROM audit_log")).scalar_one() - 1
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET detail = '{}' WHERE id = :id"), {"id": target})
    bad = subprocess.run([sys.executable, "-m", "sulo", "db", "check-audit"], env=env, capture_output=True, text=True)
    assert bad.returncode == 1
    assert f"broken at row {target}" in (bad.stdout + bad.stderr)
