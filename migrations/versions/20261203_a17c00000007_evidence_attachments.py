"""Evidence attachments (issue 17): documents and links attached to a stored value.

Revision ID: a17c00000007
Revises: a13c00000006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a17c00000007"
down_revision = "a13c00000006"
branch_labels = None
depends_on = None

INDEX = "ix_evidence_attachments_plan_indicator_period"


def upgrade() -> None:
    """Create the evidence table: a row per file or link, never deleted (removed rows are
    marked)."""
    op.create_table(
        "evidence_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.String(64), server_default="coss-2022-2025", nullable=False),
        sa.Column("indicator", sa.String(16), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("service", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("content_type", sa.String(100), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_by", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"],
            ["evidence_attachments.id"],
            name=op.f("fk_evidence_attachments_superseded_by_id_evidence_attachments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_attachments")),
    )
    with op.batch_alter_table("evidence_attachments") as batch:
        batch.create_index(INDEX, ["plan_id", "indicator", "period"], unique=False)


def downgrade() -> None:
    """Drop the evidence table."""
    with op.batch_alter_table("evidence_attachments") as batch:
        batch.drop_index(INDEX)
    op.drop_table("evidence_attachments")
