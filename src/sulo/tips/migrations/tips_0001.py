"""tips: reports, identifiers, IP events, files, subjects, quarantine, conflicts, case referrals,
preservation requests.

Revision ID: tips_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "tips_0001"
down_revision = None
branch_labels = ("tips",)
depends_on = "foundation_0001"

TABLES = (
    "tips_preservation",
    "tips_case_referral",
    "tips_conflict",
    "tips_quarantine",
    "tips_file",
    "tips_ip_event",
    "tips_identifier",
    "tips_report_raw",
    "tips_subject",
    "tips_report",
)


def upgrade() -> None:
    op.create_table(
        "tips_case_referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=80), nullable=False),
        sa.Column("requested_by", sa.String(length=80), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tips_case_referral")),
    )
    op.create_index(op.f("ix_tips_case_referral_subject_key"), "tips_case_referral", ["subject_key"], unique=False)
    op.create_table(
        "tips_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.String(length=64), nullable=False),
        sa.Column("existing_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("new_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tips_conflict")),
        sa.UniqueConstraint("report_id", "new_fingerprint", name="uq_tips_conflict_report_id"),
    )
    op.create_index(op.f("ix_tips_conflict_report_id"), "tips_conflict", ["report_id"], unique=False)
    op.create_table(
        "tips_preservation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=80), nullable=False),
        sa.Column("isp", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("statute", sa.String(length=300), nullable=False),
        sa.Column("ips", sa.Text(), nullable=False),
        sa.Column("letter", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tips_preservation")),
        sa.UniqueConstraint("subject_key", "isp", name="uq_tips_preservation_subject_key"),
    )
    op.create_table(
        "tips_quarantine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("record", sa.String(length=500), nullable=True),
        sa.Column("field", sa.String(length=300), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tips_quarantine")),
        sa.UniqueConstraint("source", "content_sha256", name="uq_tips_quarantine_source"),
    )
    op.create_table(
        "tips_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("content_key", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("incident_type", sa.String(length=300), nullable=False),
        sa.Column("incident_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("esp_name", sa.String(length=200), nullable=True),
        sa.Column("annotations", sa.String(length=500), nullable=False),
        sa.Column("file_annotations", sa.String(length=500), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.Column("isp", sa.String(length=200), nullable=True),
        sa.Column("in_country_ip", sa.String(length=20), nullable=False),
        sa.Column("minor_victim", sa.Boolean(), nullable=False),
        sa.Column("minor_recipient", sa.Boolean(), nullable=False),
        sa.Column("victim_count", sa.Integer(), nullable=False),
        sa.Column("victim_in_country", sa.Boolean(), nullable=False),
        sa.Column("viral", sa.Boolean(), nullable=False),
        sa.Column("duplicate_of", sa.String(length=64), nullable=True),
        sa.Column("subject_key", sa.String(length=80), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tips_report")),
        sa.UniqueConstraint("report_id", name=op.f("uq_tips_report_report_id")),
    )
    op.create_index(op.f("ix_tips_report_content_key"), "tips_report", ["content_key"], unique=False)
    op.create_index(op.f("ix_tips_report_country"), "tips_report", ["country"], unique=False)
    op.create_index(op.f("ix_tips_report_subject_key"), "tips_report", ["subject_key"], unique=False)
    op.create_table(
        "tips_subject",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("ties", sa.Text(), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.Column("isp", sa.String(length=200), nullable=True),
        sa.Column("annotations", sa.String(length=500), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=True),
        sa.Column("viral", sa.Boolean(), nullable=False),
        sa.Column("latest_incident", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assigned_to", sa.String(length=80), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tips_subject")),
        sa.UniqueConstraint("key", name=op.f("uq_tips_subject_key")),
    )
    op.create_index(op.f("ix_tips_subject_country"), "tips_subject", ["country"], unique=False)
    op.create_index(op.f("ix_tips_subject_score"), "tips_subject", ["score"], unique=False)
    op.create_index(op.f("ix_tips_subject_tier"), "tips_subject", ["tier"], unique=False)
    op.create_table(
        "tips_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_pk", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=True),
        sa.Column("md5", sa.String(length=32), nullable=True),
        sa.Column("sha1", sa.String(length=40), nullable=True),
        sa.Column("pdq", sa.String(length=64), nullable=True),
        sa.Column("annotations", sa.String(length=300), nullable=False),
        sa.Column("industry_classification", sa.String(length=10), nullable=True),
        sa.Column("publicly_available", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_pk"], ["tips_report.id"], name=op.f("fk_tips_file_report_pk_tips_report"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tips_file")),
    )
    op.create_index(op.f("ix_tips_file_md5"), "tips_file", ["md5"], unique=False)
    op.create_index(op.f("ix_tips_file_report_pk"), "tips_file", ["report_pk"], unique=False)
    op.create_table(
        "tips_identifier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_pk", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.Column("raw", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_pk"], ["tips_report.id"], name=op.f("fk_tips_identifier_report_pk_tips_report"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tips_identifier")),
    )
    op.create_index("ix_tips_identifier_kind_value", "tips_identifier", ["kind", "value"], unique=False)
    op.create_index(op.f("ix_tips_identifier_report_pk"), "tips_identifier", ["report_pk"], unique=False)
    op.create_table(
        "tips_report_raw",
        sa.Column("report_pk", sa.Integer(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_pk"], ["tips_report.id"], name=op.f("fk_tips_report_raw_report_pk_tips_report"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("report_pk", name=op.f("pk_tips_report_raw")),
    )
    op.create_table(
        "tips_ip_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_pk", sa.Integer(), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("event_name", sa.String(length=40), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("isp", sa.String(length=200), nullable=True),
        sa.Column("asn_cidr", sa.String(length=50), nullable=True),
        sa.Column("network_class", sa.String(length=20), nullable=False),
        sa.Column("possible_proxy", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_pk"], ["tips_report.id"], name=op.f("fk_tips_ip_event_report_pk_tips_report"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tips_ip_event")),
    )
    op.create_index(op.f("ix_tips_ip_event_ip"), "tips_ip_event", ["ip"], unique=False)
    op.create_index(op.f("ix_tips_ip_event_report_pk"), "tips_ip_event", ["report_pk"], unique=False)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
