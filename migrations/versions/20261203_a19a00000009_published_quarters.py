"""Published quarters (issue 19): a director's decision to publish a locked quarter.

Revision ID: a19a00000009
Revises: a17d00000008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a19a00000009"
down_revision = "a17d00000008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the publications table: one row per publication, marked when unpublished."""
    op.create_table(
        "published_quarters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.String(64), server_default="coss-2022-2025", nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(64), nullable=False),
        sa.Column("unpublished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unpublished_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_quarters")),
    )
    with op.batch_alter_table("published_quarters") as batch:
        batch.create_index("ix_published_quarters_plan_period", ["plan_id", "period"], unique=False)
        batch.create_index(
            "uq_published_quarters_in_force",
            ["plan_id", "period"],
            unique=True,
            sqlite_where=sa.text("unpublished_at IS NULL"),
            postgresql_where=sa.text("unpublished_at IS NULL"),
        )


def downgrade() -> None:
    """Drop the publications table."""
    with op.batch_alter_table("published_quarters") as batch:
        batch.drop_index("uq_published_quarters_in_force")
        batch.drop_index("ix_published_quarters_plan_period")
    op.drop_table("published_quarters")
