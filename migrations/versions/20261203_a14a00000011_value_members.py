"""Breakdown members of stored values (issue 14).

Every value gets ``member_key`` (the canonical members it is for, ``abss=VIC;sex=D``; "" is
the total as reported) and, for a ratio indicator's member, its ``numerator`` and
``denominator``. Every value already stored becomes a total (``member_key`` ""), so nothing
changes for it. The unique key of a submission's values gains the members.

Revision ID: a14a00000011
Revises: a19b00000010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a14a00000011"
down_revision = "a19b00000010"
branch_labels = None
depends_on = None

_OLD_UNIQUE = "uq_indicator_values_submission_id_indicator_period"
_NEW_UNIQUE = "uq_indicator_values_submission_id_indicator_period_member_key"


def upgrade() -> None:
    """Add the members (every stored value a total) and make them part of the unique key."""
    with op.batch_alter_table("indicator_values") as batch:
        batch.add_column(sa.Column("member_key", sa.String(160), nullable=False, server_default=""))
        batch.add_column(sa.Column("numerator", sa.Float(), nullable=True))
        batch.add_column(sa.Column("denominator", sa.Float(), nullable=True))
        batch.drop_constraint(_OLD_UNIQUE, type_="unique")
        batch.create_unique_constraint(
            _NEW_UNIQUE, ["submission_id", "indicator", "period", "member_key"]
        )


def downgrade() -> None:
    """Keep the totals only (members cannot be told apart without their key), then drop it."""
    op.execute("DELETE FROM indicator_values WHERE member_key <> ''")
    with op.batch_alter_table("indicator_values") as batch:
        batch.drop_constraint(_NEW_UNIQUE, type_="unique")
        batch.create_unique_constraint(_OLD_UNIQUE, ["submission_id", "indicator", "period"])
        batch.drop_column("denominator")
        batch.drop_column("numerator")
        batch.drop_column("member_key")
