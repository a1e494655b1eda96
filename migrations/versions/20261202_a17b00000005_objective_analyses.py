"""objective analyses (valoracions) per quarter, issue 17

Revision ID: a17b00000005
Revises: a15a00000004
Create Date: 2026-12-02 21:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "a17b00000005"
down_revision = "a15a00000004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "objective_analyses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.String(64), server_default="coss-2022-2025", nullable=False),
        sa.Column("objective", sa.String(16), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("what_happened", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), nullable=False),
        sa.Column("due_by", sa.Date(), nullable=True),
        sa.Column("public", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objective_analyses")),
    )
    with op.batch_alter_table("objective_analyses") as batch:
        batch.create_index(
            "ix_objective_analyses_plan_period_objective",
            ["plan_id", "period", "objective"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("objective_analyses") as batch:
        batch.drop_index("ix_objective_analyses_plan_period_objective")
    op.drop_table("objective_analyses")
