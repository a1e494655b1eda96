"""milestone decisions (Ajornat / Desestimat) recorded by a director

Revision ID: a15a00000004
Revises: a17a00000003
Create Date: 2026-12-02 12:40:00.000000

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = 'a15a00000004'
down_revision = 'a17a00000003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
