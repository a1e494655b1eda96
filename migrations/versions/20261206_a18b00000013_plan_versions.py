"""Plan versions: amendments and extensions of a plan (issue 18).

Revision ID: a18b00000013
Revises: a18a00000012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a18b00000013"
down_revision = "a18a00000012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the plan versions table: one row per amendment or extension of a plan."""
    op.create_table(
        "plan_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("effective_period", sa.String(7), nullable=False),
        sa.Column("until_period", sa.String(7), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.String(200), nullable=True),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("plan_document", sa.Text(), nullable=True),
        sa.Column("catalog_document", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_versions")),
        sa.UniqueConstraint("plan_id", "version", name=op.f("uq_plan_versions_plan_id_version")),
    )
    with op.batch_alter_table("plan_versions") as batch:
        batch.create_index(batch.f("ix_plan_versions_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    """Drop the plan versions table."""
    with op.batch_alter_table("plan_versions") as batch:
        batch.drop_index(batch.f("ix_plan_versions_plan_id"))
    op.drop_table("plan_versions")
