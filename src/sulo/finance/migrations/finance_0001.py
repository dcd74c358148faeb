"""finance: screenings, alerts with evidence and dispositions, evidence payments.

Revision ID: finance_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "finance_0001"
down_revision = None
branch_labels = ("finance",)
depends_on = "foundation_0001"


def upgrade() -> None:
    op.create_table(
        "finance_screening",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("engine", sa.String(length=20), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("screened", sa.Integer(), nullable=False),
        sa.Column("quarantined", sa.Integer(), nullable=False),
        sa.Column("quarantine", sa.Text(), nullable=False),
        sa.Column("alert_count", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finance_screening")),
        sa.UniqueConstraint("content_sha256", name=op.f("uq_finance_screening_content_sha256")),
    )
    op.create_table(
        "finance_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("alert_key", sa.String(length=300), nullable=False),
        sa.Column("account_id", sa.String(length=200), nullable=False),
        sa.Column("account_name", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("typology", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("indicators", sa.String(length=300), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("channels", sa.String(length=100), nullable=False),
        sa.Column("network_id", sa.String(length=220), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["screening_id"], ["finance_screening.id"], ondelete="CASCADE",
                                name=op.f("fk_finance_alert_screening_id_finance_screening")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finance_alert")),
        sa.UniqueConstraint("screening_id", "alert_key", name="uq_finance_alert_screening_id"),
    )
    op.create_index(op.f("ix_finance_alert_screening_id"), "finance_alert", ["screening_id"])
    op.create_index(op.f("ix_finance_alert_account_id"), "finance_alert", ["account_id"])
    op.create_index(op.f("ix_finance_alert_typology"), "finance_alert", ["typology"])
    op.create_index(op.f("ix_finance_alert_network_id"), "finance_alert", ["network_id"])
    op.create_index("ix_finance_alert_status_score", "finance_alert", ["status", "score"])
    op.create_table(
        "finance_alert_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("txn_id", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sender_id", sa.String(length=200), nullable=False),
        sa.Column("receiver_id", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("usd", sa.Float(), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["finance_alert.id"], ondelete="CASCADE",
                                name=op.f("fk_finance_alert_payment_alert_id_finance_alert")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finance_alert_payment")),
    )
    op.create_index(op.f("ix_finance_alert_payment_alert_id"), "finance_alert_payment", ["alert_id"])


def downgrade() -> None:
    op.drop_table("finance_alert_payment")
    op.drop_table("finance_alert")
    op.drop_table("finance_screening")
