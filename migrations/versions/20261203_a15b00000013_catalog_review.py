"""The catalog reviewed (issue 15): stored values follow their indicators to the services that now report them.

Revision ID: a15b00000013
Revises: a18a00000012
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "a15b00000013"
down_revision = "a18a00000012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """(to be written)"""


def downgrade() -> None:
    """(to be written)"""
