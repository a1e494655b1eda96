"""Published quarters as stored: the ``published_quarters`` table, read and written.

Publishing a quarter is a director's decision (issue 19): only a published quarter leaves the
app (the public view, the open-data API). A row is never deleted: unpublishing marks the row
in force with who and when (:func:`unpublish`), and publishing again adds a new row, so
:func:`published_at_moment` can tell what was public at any moment. At most one row per plan
and quarter is in force (not unpublished), enforced by a partial unique index. Who may publish,
and the rule that only a locked quarter is published, live in :mod:`accounts.publications`,
which calls the writers here inside its transaction.

The readers take an ``Engine`` (a short session of their own) or a ``Session`` (to read
inside the caller's transaction).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, Select, or_, select
from sqlalchemy.orm import Session

from indicators.storage.engine import reading
from indicators.storage.queries import as_utc, utc_or_none
from indicators.storage.schema import DEFAULT_PLAN_ID, PublishedQuarter

Db = Engine | Session


@dataclass(frozen=True)
class PublicationInfo:
    """One publication of a quarter: who published it and when, and, once unpublished, who
    withdrew it and when (``None`` while it is in force)."""

    id: int
    plan_id: str
    period: str
    published_at: dt.datetime
    published_by: str
    unpublished_at: dt.datetime | None = None
    unpublished_by: str | None = None

    @property
    def in_force(self) -> bool:
        """Whether the quarter is public through this publication now (not unpublished)."""
        return self.unpublished_at is None


def _info(row: PublishedQuarter) -> PublicationInfo:
    published_at = utc_or_none(row.published_at)
    assert published_at is not None
    return PublicationInfo(
        id=row.id,
        plan_id=row.plan_id,
        period=row.period,
        published_at=published_at,
        published_by=row.published_by,
        unpublished_at=utc_or_none(row.unpublished_at),
        unpublished_by=row.unpublished_by,
    )


def _in_force(plan_id: str | None) -> Select[PublishedQuarter]:
    stmt = select(PublishedQuarter).where(PublishedQuarter.unpublished_at.is_(None))
    if plan_id is not None:
        stmt = stmt.where(PublishedQuarter.plan_id == plan_id)
    return stmt


def publication_in_force(
    db: Db, period: str, plan_id: str | None = DEFAULT_PLAN_ID
) -> PublicationInfo | None:
    """The publication of ``period`` in force for ``plan_id`` (``None``: of any plan), or
    ``None`` when the quarter is not published."""
    stmt = _in_force(plan_id).where(PublishedQuarter.period == period)
    with reading(db) as session:
        row = session.scalars(stmt.order_by(PublishedQuarter.id)).first()
        return None if row is None else _info(row)


def is_published(db: Db, period: str, plan_id: str | None = DEFAULT_PLAN_ID) -> bool:
    """Whether ``period`` is published now for ``plan_id`` (``None``: for any plan)."""
    return publication_in_force(db, period, plan_id) is not None


def published_periods(db: Db, plan_id: str = DEFAULT_PLAN_ID) -> dict[str, PublicationInfo]:
    """The quarters of ``plan_id`` published now, oldest quarter first, each with its
    publication in force: what the public view and the open-data API may show."""
    stmt = _in_force(plan_id).order_by(PublishedQuarter.period)
    with reading(db) as session:
        return {row.period: _info(row) for row in session.scalars(stmt)}


def published_at_moment(db: Db, moment: dt.datetime, plan_id: str = DEFAULT_PLAN_ID) -> list[str]:
    """The quarters of ``plan_id`` that were public at ``moment``, oldest first (the history:
    published at or before it and not unpublished by then)."""
    moment = as_utc(moment)
    stmt = (
        select(PublishedQuarter.period)
        .where(
            PublishedQuarter.plan_id == plan_id,
            PublishedQuarter.published_at <= moment,
            or_(
                PublishedQuarter.unpublished_at.is_(None),
                PublishedQuarter.unpublished_at > moment,
            ),
        )
        .distinct()
        .order_by(PublishedQuarter.period)
    )
    with reading(db) as session:
        return list(session.scalars(stmt))


def publication_history(db: Db, plan_id: str = DEFAULT_PLAN_ID) -> list[PublicationInfo]:
    """Every publication of ``plan_id``, in force or withdrawn, in the order they were made."""
    stmt = (
        select(PublishedQuarter)
        .where(PublishedQuarter.plan_id == plan_id)
        .order_by(PublishedQuarter.published_at, PublishedQuarter.id)
    )
    with reading(db) as session:
        return [_info(row) for row in session.scalars(stmt)]


def publish(
    session: Session,
    period: str,
    *,
    by: str,
    at: dt.datetime | None = None,
    plan_id: str = DEFAULT_PLAN_ID,
) -> PublicationInfo | None:
    """Publish ``period`` in the session's transaction, recorded as published ``by``.

    Returns ``None``, changing nothing, when the quarter is already published."""
    if publication_in_force(session, period, plan_id) is not None:
        return None
    row = PublishedQuarter(
        plan_id=plan_id,
        period=period,
        published_at=at or dt.datetime.now(dt.UTC),
        published_by=by,
    )
    session.add(row)
    session.flush()
    return _info(row)


def unpublish(
    session: Session,
    period: str,
    *,
    by: str,
    at: dt.datetime | None = None,
    plan_id: str = DEFAULT_PLAN_ID,
) -> PublicationInfo | None:
    """Withdraw the publication of ``period`` in force, in the session's transaction: its row
    is marked unpublished ``by`` (kept, never deleted). Returns the withdrawn publication, or
    ``None``, changing nothing, when the quarter is not published."""
    stmt = _in_force(plan_id).where(PublishedQuarter.period == period)
    row = session.scalars(stmt.order_by(PublishedQuarter.id)).first()
    if row is None:
        return None
    row.unpublished_at = at or dt.datetime.now(dt.UTC)
    row.unpublished_by = by
    session.flush()
    return _info(row)
