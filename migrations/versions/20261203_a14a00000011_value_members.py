"""Breakdown members of stored values (issue 14).

Revision ID: a14a00000011
Revises: a19b00000010
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "a14a00000011"
down_revision = "a19b00000010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """(to be written)"""


def downgrade() -> None:
    """(to be written)"""
