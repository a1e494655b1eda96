"""The stored data, as SQLAlchemy 2 models. Alembic (``migrations/``) owns the schema.

Nothing is ever deleted: a re-upload for the same service and quarter supersedes the earlier
submission (``status`` ``superseded``, ``superseded_by_id`` set); values keep the submission,
sheet and row they came from, so every number on a page can be traced back to a file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
    }


class SubmissionStatus:
    CURRENT = "current"
    SUPERSEDED = "superseded"


class Submission(Base):
    """One imported file: a service's values for a quarter (maybe with history)."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(32), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # "2025-T3"
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    source: Mapped[str] = mapped_column(String(16), default="cli")  # cli | web | demo | api
    status: Mapped[str] = mapped_column(String(16), default=SubmissionStatus.CURRENT)
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id"), nullable=True
    )
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), nullable=True)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)

    values: Mapped[list[Value]] = relationship(back_populates="submission")

    __table_args__ = (
        # exactly one current submission per service and quarter, enforced by the database
        Index(
            "uq_submissions_current",
            "service",
            "period",
            unique=True,
            sqlite_where=text("status = 'current'"),
            postgresql_where=text("status = 'current'"),
        ),
    )


class Value(Base):
    """One indicator value for one quarter, with where it came from."""

    __tablename__ = "indicator_values"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    indicator: Mapped[str] = mapped_column(String(16), index=True)
    service: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(7))
    value: Mapped[float | None] = mapped_column(Float, nullable=True)  # numeric indicators
    stage: Mapped[str | None] = mapped_column(String(32), nullable=True)  # milestone stage key
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    sheet: Mapped[str] = mapped_column(String(128))
    row: Mapped[int] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # an explicit clear (the cell said «esborrar»): the key has no value from this submission
    # on, until a later one gives it again; a blank cell stores no row and changes nothing
    cleared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    submission: Mapped[Submission] = relationship(back_populates="values")

    __table_args__ = (
        UniqueConstraint("submission_id", "indicator", "period"),
        Index("ix_indicator_values_indicator_period", "indicator", "period"),
    )


class PeriodLock(Base):
    """A quarter closed by a director: new uploads are refused until it is reopened."""

    __tablename__ = "period_locks"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Approval(Base):
    """One step of the approval of a service's quarter (of one submission): validated by
    the service's head, then accepted by the direction."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(7))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    approved_by: Mapped[str] = mapped_column(String(64))
    approved_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # the step: "validated" (the service's head) or "accepted" (the direction)
    step: Mapped[str] = mapped_column(String(16), default="accepted", server_default="accepted")

    __table_args__ = (Index("ix_approvals_service_period", "service", "period"),)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # director | tecnic | consulta
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)  # a director's digest
    # bumped on logout, password change and disable: sessions carrying an older one end
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    services: Mapped[list[UserService]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class UserService(Base):
    """A service a technician may submit for."""

    __tablename__ = "user_services"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    service: Mapped[str] = mapped_column(String(32), primary_key=True)

    user: Mapped[User] = relationship(back_populates="services")


class AuditEvent(Base):
    """Who did what and when: logins, imports, approvals, locks, user changes."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    username: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str | None] = mapped_column(String(128), nullable=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class SentMessage(Base):
    """An e-mail sent by ``seguiment remind``: a reminder to a service or a digest to the
    directors, for one quarter. ``key`` (kind, quarter, service, step) makes it once only."""

    __tablename__ = "sent_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(96), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # reminder | digest
    step: Mapped[str] = mapped_column(String(8))  # before | after | now
    period: Mapped[str] = mapped_column(String(7), index=True)
    service: Mapped[str | None] = mapped_column(String(32), nullable=True)  # None: a digest
    recipients: Mapped[str] = mapped_column(Text)  # comma-separated addresses
    subject: Mapped[str] = mapped_column(String(255))
    sent_by: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CacheEntry(Base):
    """A shared cache (across workers and machines), keyed by the data generation."""

    __tablename__ = "cache_entries"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DataGeneration(Base):
    """A counter bumped by every change of stored values; caches compare against it."""

    __tablename__ = "data_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
