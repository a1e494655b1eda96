"""The life of a plan (issue 18): its state (active, closed...) and who closed it.

Revision ID: a18a00000012
Revises: a14a00000011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a18a00000012"
down_revision = "a14a00000011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the plan states table: one row per plan once its state was changed (closed)."""
    op.create_table(
        "plan_states",
        sa.Column("plan_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), server_default="active", nullable=False),
        sa.Column("first_period", sa.String(7), nullable=False),
        sa.Column("last_period", sa.String(7), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_plan_states")),
    )


def downgrade() -> None:
    """Drop the plan states table."""
    op.drop_table("plan_states")
