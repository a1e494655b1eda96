"""Drafts of the browser form (issue 17): a service's values for a quarter, not yet sent.

Revision ID: a17d00000008
Revises: a17c00000007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a17d00000008"
down_revision = "a17c00000007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the form drafts table (one draft per service and quarter)."""
    op.create_table(
        "form_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(32), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("saved_by", sa.String(64), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_drafts")),
        sa.UniqueConstraint("service", "period", name=op.f("uq_form_drafts_service_period")),
    )


def downgrade() -> None:
    """Drop the form drafts table."""
    op.drop_table("form_drafts")
