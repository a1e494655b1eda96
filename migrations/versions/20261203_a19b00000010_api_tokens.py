"""Personal API tokens (issue 19): stored hashed, scoped, with expiry, revocable.

Revision ID: a19b00000010
Revises: a19a00000009
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "a19b00000010"
down_revision = "a19a00000009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the api_tokens table (to be written)."""


def downgrade() -> None:
    """Drop the api_tokens table (to be written)."""
