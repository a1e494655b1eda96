"""The life of a plan (issue 18): its state (active, closed...) and who closed it.

Revision ID: a18a00000012
Revises: a14a00000011
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "a18a00000012"
down_revision = "a14a00000011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """(to be written)"""


def downgrade() -> None:
    """(to be written)"""
