"""The operational store: SQLAlchemy 2 engine and sessions, Alembic migrations, the audit log."""
