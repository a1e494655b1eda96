"""two-step approval: responsable role, validation by the service's head, acceptance by the direction

Revision ID: a17a00000003
Revises: a13b00000002
Create Date: 2026-12-02 12:40:00.000000

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = 'a17a00000003'
down_revision = 'a13b00000002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("approvals") as batch:
        batch.add_column(
            sa.Column("step", sa.String(16), nullable=False, server_default="accepted")
        )


def downgrade() -> None:
    with op.batch_alter_table("approvals") as batch:
        batch.drop_column("step")
