"""The state of a plan as stored: the ``plan_states`` table, read and written (issue 18).

A plan is ``active`` while it runs; a director closes it at its end (``closed``: every quarter
locked, its final evaluation definitive). ``draft`` (a plan not started) and ``extended`` (a
plan run on past its last quarter) are the other states of a plan's life; no row means the
plan was never changed: active. A closed plan's row keeps the quarters it covered, so the
rule that its quarters cannot be reopened needs no plan file. Who may close a plan, and what
closing does, live in :mod:`accounts.plan_states`, which calls the writer here inside its
transaction.

The readers take an ``Engine`` (a short session of their own) or a ``Session`` (to read
inside the caller's transaction).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from indicators.storage.engine import reading
from indicators.storage.queries import utc_or_none
from indicators.storage.schema import PlanState

DRAFT = "draft"
ACTIVE = "active"
EXTENDED = "extended"
CLOSED = "closed"
STATES = (DRAFT, ACTIVE, EXTENDED, CLOSED)

Db = Engine | Session


@dataclass(frozen=True)
class PlanStateInfo:
    """A plan's state: which, the quarters it covers, and for a closed plan who closed it,
    when and why."""

    plan_id: str
    state: str
    first_period: str
    last_period: str
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    reason: str | None = None

    @property
    def closed(self) -> bool:
        """Whether the plan is closed (its figures final)."""
        return self.state == CLOSED

    def covers(self, period: str) -> bool:
        """Whether ``period`` (``2025-T3``) is one of the plan's quarters."""
        return self.first_period <= period <= self.last_period


def _info(row: PlanState) -> PlanStateInfo:
    return PlanStateInfo(
        plan_id=row.plan_id,
        state=row.state,
        first_period=row.first_period,
        last_period=row.last_period,
        closed_at=utc_or_none(row.closed_at),
        closed_by=row.closed_by,
        reason=row.reason,
    )


def stored_state(db: Db, plan_id: str) -> PlanStateInfo | None:
    """The stored state of plan ``plan_id``, or None when it was never changed (active)."""
    with reading(db) as session:
        row = session.get(PlanState, plan_id)
        return None if row is None else _info(row)


def closed_plans(db: Db) -> list[PlanStateInfo]:
    """Every closed plan, by id."""
    stmt = select(PlanState).where(PlanState.state == CLOSED).order_by(PlanState.plan_id)
    with reading(db) as session:
        return [_info(row) for row in session.scalars(stmt)]


def closed_plan_covering(db: Db, period: str) -> PlanStateInfo | None:
    """The closed plan one of whose quarters is ``period``, or None."""
    return next((info for info in closed_plans(db) if info.covers(period)), None)


def mark_closed(
    session: Session,
    plan_id: str,
    *,
    first_period: str,
    last_period: str,
    by: str,
    at: dt.datetime,
    reason: str | None = None,
) -> PlanStateInfo | None:
    """Record plan ``plan_id`` closed ``by`` someone ``at`` a moment, in the session's
    transaction. Returns None, changing nothing, when it is closed already."""
    row = session.get(PlanState, plan_id, with_for_update=True)
    if row is not None and row.state == CLOSED:
        return None
    if row is None:
        row = PlanState(plan_id=plan_id)
        session.add(row)
    row.state = CLOSED
    row.first_period = first_period
    row.last_period = last_period
    row.closed_at = at
    row.closed_by = by
    row.reason = reason
    row.changed_at = at
    session.flush()
    return _info(row)
