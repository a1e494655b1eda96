"""login throttling per account and address, issue 13

Growing delays per (account name as typed, client address) and per address replace the
account lock: ``users.failed_logins`` and ``users.locked_until`` go (the lock was transient
state; every user row and its other columns stay as they were).

Revision ID: a13c00000006
Revises: a17b00000005
Create Date: 2026-12-02 21:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "a13c00000006"
down_revision = "a17b00000005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "account", "address", name=op.f("pk_login_throttle")),
    )
    op.create_index(
        op.f("ix_login_throttle_last_failure_at"), "login_throttle", ["last_failure_at"]
    )
    # Not in batch mode: on SQLite a batch would copy ``users`` into a new table and drop the
    # old one, which the foreign keys of ``user_services`` forbid once accounts exist. SQLite
    # (3.35+) and PostgreSQL both drop a plain column in place.
    op.drop_column("users", "locked_until")
    op.drop_column("users", "failed_logins")


def downgrade() -> None:
    op.add_column(
        "users",
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("users", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.drop_index(op.f("ix_login_throttle_last_failure_at"), table_name="login_throttle")
    op.drop_table("login_throttle")
