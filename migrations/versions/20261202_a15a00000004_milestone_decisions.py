"""milestone decisions (Ajornat / Desestimat) recorded by a director

Revision ID: a15a00000004
Revises: a17a00000003
Create Date: 2026-12-02 12:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "a15a00000004"
down_revision = "a17a00000003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "milestone_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.String(64), server_default="coss-2022-2025", nullable=False),
        sa.Column("indicator", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("effective", sa.String(7), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("body", sa.String(255), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("revoked_by", sa.String(64), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_decisions")),
    )
    with op.batch_alter_table("milestone_decisions") as batch:
        batch.create_index(
            "ix_milestone_decisions_plan_indicator", ["plan_id", "indicator"], unique=False
        )
        batch.create_index(
            "uq_milestone_decisions_active",
            ["plan_id", "indicator", "effective"],
            unique=True,
            sqlite_where=sa.text("revoked = 0"),
            postgresql_where=sa.text("revoked = false"),
        )


def downgrade() -> None:
    with op.batch_alter_table("milestone_decisions") as batch:
        batch.drop_index("uq_milestone_decisions_active")
        batch.drop_index("ix_milestone_decisions_plan_indicator")
    op.drop_table("milestone_decisions")
