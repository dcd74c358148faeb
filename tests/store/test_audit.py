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


def _edit(engine: Engine, entry_id: int) -> None:
    with engine.begin() as conn:  # behind the application's back
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = :id"), {"id": entry_id})


def test_watch_checks_new_rows_between_full_checks_and_old_rows_when_due(session: Session, engine: Engine) -> None:
    import datetime as dt

    from sulo.store.audit import ChainWatch

    _write_entries(session, 5)
    watch = ChainWatch(full_every=dt.timedelta(hours=1))
    broken, full_at = watch.check(session)
    assert broken is None and full_at is not None
    # Between full checks only the rows written since are read: a new row edited is found at once ...
    _write_entries(session, 3)
    newest = session.execute(text("SELECT max(id) FROM audit_log")).scalar_one()
    _edit(engine, newest - 1)
    session.expire_all()
    broken, _ = watch.check(session)
    assert broken is not None and broken.entry_id == newest - 1
    # ... and after a break the next check reads every row again.
    assert watch.check(session)[0] is not None


def test_watch_finds_an_old_edit_at_the_next_full_check(session: Session, engine: Engine) -> None:
    import datetime as dt

    from sulo.store.audit import ChainWatch

    _write_entries(session, 5)
    first = session.execute(text("SELECT min(id) FROM audit_log")).scalar_one()
    hourly, every_time = ChainWatch(full_every=dt.timedelta(hours=1)), ChainWatch(full_every=dt.timedelta(0))
    assert hourly.check(session)[0] is None and every_time.check(session)[0] is None
    _edit(engine, first + 1)
    session.expire_all()
    assert hourly.check(session)[0] is None, "not due: rows before the last verified one are not read"
    broken, _ = every_time.check(session)
    assert broken is not None and broken.entry_id == first + 1


def test_watch_finds_the_last_verified_row_edited(session: Session, engine: Engine) -> None:
    import datetime as dt

    from sulo.store.audit import ChainWatch

    _write_entries(session, 4)
    last = session.execute(text("SELECT max(id) FROM audit_log")).scalar_one()
    watch = ChainWatch(full_every=dt.timedelta(hours=1))
    assert watch.check(session)[0] is None
    _edit(engine, last)
    session.expire_all()
    broken, _ = watch.check(session)
    assert broken is not None and broken.entry_id == last
