"""hashes: lists, list entries, uploaded scan results, matches.

Revision ID: hashes_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "hashes_0001"
down_revision = None
branch_labels = ("hashes",)
depends_on = "foundation_0001"


def upgrade() -> None:
    op.create_table(
        "hashes_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("category_scheme", sa.String(length=80), nullable=False),
        sa.Column("licence", sa.Text(), nullable=False),
        sa.Column("version", sa.String(length=80), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("own", sa.Boolean(), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(length=80), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hashes_list")),
        sa.UniqueConstraint("name", name=op.f("uq_hashes_list_name")),
    )
    op.create_table(
        "hashes_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=2048), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("victim_identified", sa.Boolean(), nullable=True),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["list_id"], ["hashes_list.id"], name=op.f("fk_hashes_entry_list_id_hashes_list"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hashes_entry")),
        sa.UniqueConstraint("list_id", "kind", "value", name="uq_hashes_entry_list_kind_value"),
    )
    op.create_table(
        "hashes_scan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_count", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("low_quality_count", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=80), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hashes_scan")),
        sa.UniqueConstraint("file_sha256", name=op.f("uq_hashes_scan_file_sha256")),
    )
    op.create_table(
        "hashes_scan_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scan_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("md5", sa.String(length=32), nullable=False),
        sa.Column("sha1", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pdq", sa.String(length=64), nullable=False),
        sa.Column("pdq_quality", sa.Integer(), nullable=True),
        sa.Column("pdq_dihedral", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scan_id"], ["hashes_scan.id"], name=op.f("fk_hashes_scan_file_scan_id_hashes_scan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hashes_scan_file")),
        sa.UniqueConstraint("scan_id", "path", name="uq_hashes_scan_file_scan_path"),
    )
    op.create_table(
        "hashes_match",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_kind", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.String(length=80), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("query_value", sa.String(length=2048), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(length=20), nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["hashes_entry.id"], name=op.f("fk_hashes_match_entry_id_hashes_entry"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["list_id"], ["hashes_list.id"], name=op.f("fk_hashes_match_list_id_hashes_list"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hashes_match")),
        sa.UniqueConstraint(
            "source_kind", "source_id", "entry_id", "variant", name="uq_hashes_match_source_entry_variant"
        ),
    )
    op.create_index("ix_hashes_entry_kind_value", "hashes_entry", ["kind", "value"], unique=False)
    op.create_index(op.f("ix_hashes_scan_file_scan_id"), "hashes_scan_file", ["scan_id"], unique=False)
    op.create_index(op.f("ix_hashes_match_entry_id"), "hashes_match", ["entry_id"], unique=False)
    op.create_index("ix_hashes_match_source", "hashes_match", ["source_kind", "source_id"], unique=False)
    op.create_index(op.f("ix_hashes_match_list_id"), "hashes_match", ["list_id"], unique=False)


def downgrade() -> None:
    for name in ("hashes_match", "hashes_scan_file", "hashes_scan", "hashes_entry", "hashes_list"):
        op.drop_table(name)
