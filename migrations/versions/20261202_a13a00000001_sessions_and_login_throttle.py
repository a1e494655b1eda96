"""sessions and logins: per-user session version, login throttle per (account, address)

Revision ID: a13a00000001
Revises: f6707eecf3af
Create Date: 2026-12-02 12:40:00.000000

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = 'a13a00000001'
down_revision = 'f6707eecf3af'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
