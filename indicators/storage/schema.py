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
    Date,
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
    """The current time in UTC, timezone-aware: the default of every timestamp column."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """The declarative base of every table: constraint naming, aware timestamps, JSON dicts."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
    }


class SubmissionStatus:
    """A submission's ``status``: in force for its service and quarter, or superseded."""

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
    # issue 14: the breakdown members the value is for, canonical ("abss=VIC;sex=D", dimension
    # codes sorted; plan_model.breakdowns.member_key); "" is the total as reported
    member_key: Mapped[str] = mapped_column(String(160), default="", server_default="")
    # a ratio indicator's member (plan_model Indicator.ratio): its two counts, so that a total
    # is the ratio of the sums
    numerator: Mapped[float | None] = mapped_column(Float, nullable=True)
    denominator: Mapped[float | None] = mapped_column(Float, nullable=True)

    submission: Mapped[Submission] = relationship(back_populates="values")

    __table_args__ = (
        UniqueConstraint("submission_id", "indicator", "period", "member_key"),
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


DEFAULT_PLAN_ID = "coss-2022-2025"  # the plan rows belong to until plans are stored


class MilestoneDecisionRecord(Base):
    """A director's decision that a milestone is postponed (ajornat) or dropped (desestimat)
    from a quarter on. Never deleted: a revoked decision keeps its row, marked revoked."""

    __tablename__ = "milestone_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(
        String(64), default=DEFAULT_PLAN_ID, server_default=DEFAULT_PLAN_ID
    )
    indicator: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(32))  # the stage key: ajornat | desestimat
    effective: Mapped[str] = mapped_column(String(7))  # first quarter it applies to, "2025-T3"
    decided_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(String(255))  # the body that agreed it
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    revoked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    revoke_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (
        Index("ix_milestone_decisions_plan_indicator", "plan_id", "indicator"),
        # at most one decision in force per milestone and quarter, enforced by the database
        Index(
            "uq_milestone_decisions_active",
            "plan_id",
            "indicator",
            "effective",
            unique=True,
            sqlite_where=text("revoked = 0"),
            postgresql_where=text("revoked = false"),
        ),
    )


class ObjectiveAnalysis(Base):
    """An objective's analysis of a quarter (valoració): what happened, what will be done and
    by when, written by its responsible person. Never updated nor deleted: a re-write adds a
    row, and the latest row of an objective and quarter is the one in force."""

    __tablename__ = "objective_analyses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(
        String(64), default=DEFAULT_PLAN_ID, server_default=DEFAULT_PLAN_ID
    )
    objective: Mapped[str] = mapped_column(String(16))  # "P3.07"
    period: Mapped[str] = mapped_column(String(7))  # "2025-T3"
    what_happened: Mapped[str] = mapped_column(Text)
    next_steps: Mapped[str] = mapped_column(Text)
    due_by: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_objective_analyses_plan_period_objective", "plan_id", "period", "objective"),
    )


class User(Base):
    """A person who may sign in, with a role (director, tecnic or consulta)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # director | tecnic | consulta
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
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


class LoginThrottle(Base):
    """Failed logins of one (account name as typed, client address), or of one address for
    every name (``scope`` "address", ``account`` ""), and until when the next must wait
    (``accounts.users``: growing delays instead of an account lock)."""

    __tablename__ = "login_throttle"

    scope: Mapped[str] = mapped_column(String(8), primary_key=True)  # account | address
    account: Mapped[str] = mapped_column(String(64), primary_key=True)  # normalised, or ""
    address: Mapped[str] = mapped_column(String(64), primary_key=True)  # "" when unknown
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    last_failure_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


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


# --- issue 19: published quarters -------------------------------------------------------------


class PublishedQuarter(Base):
    """A director's decision to publish a locked quarter (issue 19): what of it may leave the
    app. Never deleted: unpublishing marks the row (who, when), and publishing again adds a
    row, so the history tells what was public when. At most one row in force (not
    unpublished) per plan and quarter, enforced by the database."""

    __tablename__ = "published_quarters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(
        String(64), default=DEFAULT_PLAN_ID, server_default=DEFAULT_PLAN_ID
    )
    period: Mapped[str] = mapped_column(String(7))  # "2025-T3"
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_by: Mapped[str] = mapped_column(String(64))
    unpublished_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    unpublished_by: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (
        Index("ix_published_quarters_plan_period", "plan_id", "period"),
        Index(
            "uq_published_quarters_in_force",
            "plan_id",
            "period",
            unique=True,
            sqlite_where=text("unpublished_at IS NULL"),
            postgresql_where=text("unpublished_at IS NULL"),
        ),
    )


# --- issue 19 (item 4): personal API tokens ---------------------------------------------------


class ApiToken(Base):
    """A personal API token of an account (issue 19): what a script or another system sends
    in ``Authorization: Bearer …``. Only the SHA-256 of its random secret is kept (never the
    secret), with the first characters (``prefix``) that recognise it in lists and find it.
    Scoped (``read`` or ``submit``), always expiring, never deleted: revoking marks the row."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(8))  # read | submit
    hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the secret
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


# --- issue 17 (item 2): drafts of the browser form --------------------------------------------


class FormDraft(Base):
    """What a service's people typed in the browser form of ``/enviar`` for a quarter and
    saved without sending (issue 17): one draft per service and quarter, replaced by each
    save (who and when), dropped once the values are sent. Not data of the plan: nothing on
    the board reads it."""

    __tablename__ = "form_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(7))  # "2025-T3"
    # [{"code": "P3.03-I1", "value": "1.234,5", "comment": "…"}, …], as typed
    entries: Mapped[list[Any]] = mapped_column(JSON)
    saved_by: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("service", "period"),)


# --- issue 17: evidence attachments -----------------------------------------------------------


class EvidenceAttachment(Base):
    """A document (a file, its bytes stored here) or a link attached to a stored value of an
    indicator (issue 17): the agreement, protocol or report behind a milestone's stage.
    Never deleted: removing marks the row (who, when), replacing marks it superseded."""

    __tablename__ = "evidence_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(
        String(64), default=DEFAULT_PLAN_ID, server_default=DEFAULT_PLAN_ID
    )
    indicator: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(7))  # "2025-T3"
    service: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(8))  # file | link
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    content_type: Mapped[str | None] = mapped_column(String(100), nullable=True)  # sniffed
    size_bytes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)  # http or https only
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_attachments.id"), nullable=True
    )
    removed_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    removed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (
        Index(
            "ix_evidence_attachments_plan_indicator_period",
            "plan_id",
            "indicator",
            "period",
        ),
    )


# --- issue 18 (item 4): the state of a plan ---------------------------------------------------


class PlanState(Base):
    """The state of a plan in its life (issue 18): ``active`` while it runs, ``closed`` once a
    director closed it (every quarter locked, the final evaluation definitive). No row: the
    plan is active. ``first_period`` and ``last_period`` are the quarters the state covers
    (a closed plan's quarters cannot be reopened); closing records who, when and why."""

    __tablename__ = "plan_states"

    plan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    first_period: Mapped[str] = mapped_column(String(7))  # "2022-T1"
    last_period: Mapped[str] = mapped_column(String(7))  # "2025-T4"
    closed_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# --- issue 18 (items 2 and 3): the versions of a plan ----------------------------------------


class PlanVersionRow(Base):
    """A version of a plan (issue 18): an ``amendment`` (the amended plan and catalog YAML
    documents, applying from ``effective_period``) or an ``extension`` (the plan run on until
    ``until_period``, from the quarter after its end). ``version`` numbers them per plan from
    1 (0 is the plan as approved, in its files); ``sha256`` fingerprints the documents (for an
    extension, its span). Never changed nor deleted: the history of the plan."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # "amendment" | "extension"
    effective_period: Mapped[str] = mapped_column(String(7))  # "2025-T4"
    until_period: Mapped[str | None] = mapped_column(String(7), nullable=True)  # extension
    reason: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    plan_document: Mapped[str | None] = mapped_column(Text, nullable=True)
    catalog_document: Mapped[str | None] = mapped_column(Text, nullable=True)
    sha256: Mapped[str] = mapped_column(String(64))
