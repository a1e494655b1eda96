"""values: explicit clearing of a value in force (blank changes nothing)

Revision ID: a13b00000002
Revises: a13a00000001
Create Date: 2026-12-02 12:40:00.000000

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = 'a13b00000002'
down_revision = 'a13a00000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("indicator_values") as batch:
        batch.add_column(
            sa.Column("cleared", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("indicator_values") as batch:
        batch.drop_column("cleared")
