"""sessions and logins: per-user session version, login throttle per (account, address)

Revision ID: a13a00000001
Revises: f6707eecf3af
Create Date: 2026-12-02 12:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "a13a00000001"
down_revision = "f6707eecf3af"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
