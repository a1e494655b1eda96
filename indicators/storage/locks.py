"""The quarter lock: its state (the ``period_locks`` table) and its one rule.

A row with ``locked = True`` closes a quarter. Reopening keeps the row with ``locked = False``
(who reopened it and when); no row means the quarter was never locked.

The rule, :func:`refused_periods`: a locked quarter takes no new data. The importer asks it
before validating a file and again inside the storing transaction; the upload page asks it
to mark and explain the locked quarters. Who may lock and reopen is a role rule
(:mod:`accounts.roles`); :mod:`accounts.approvals` changes the state through :func:`set_lock`.

The readers take an ``Engine`` (a short connection of their own), a ``Connection`` or a
``Session`` (to read inside the caller's transaction).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Select, select
from sqlalchemy.orm import Session

from indicators.storage.schema import PeriodLock

Db = Engine | Connection | Session


@dataclass(frozen=True)
class LockState:
    """One quarter's lock row: locked or reopened, by whom and when."""

    period: str
    locked: bool
    changed_by: str
    changed_at: dt.datetime


def _scalars(db: Db, stmt: Select[Any]) -> list[Any]:
    if isinstance(db, Engine):
        with db.connect() as conn:
            return list(conn.scalars(stmt))
    return list(db.scalars(stmt))


def locked_periods(db: Db, periods: Iterable[str] | None = None) -> set[str]:
    """The locked quarters: all of them, or those among ``periods`` (none if it is empty)."""
    stmt = select(PeriodLock.period).where(PeriodLock.locked.is_(True))
    if periods is not None:
        wanted = sorted(set(periods))
        if not wanted:
            return set()
        stmt = stmt.where(PeriodLock.period.in_(wanted))
    return set(_scalars(db, stmt))


def is_locked(db: Db, period: str) -> bool:
    """Whether ``period`` is locked now."""
    return period in locked_periods(db, [period])


def refused_periods(db: Db, periods: Iterable[str]) -> set[str]:
    """The lock rule: the quarters among ``periods`` that refuse new data (the locked ones).

    Empty when every quarter is open. Intake turns each into a ``locked_period`` error;
    the storing transaction refuses the whole file when any is returned."""
    return locked_periods(db, periods)


def set_lock(
    session: Session, period: str, *, locked: bool, by: str, at: dt.datetime | None = None
) -> bool:
    """Lock (or reopen) ``period`` in the session's transaction, recorded as changed ``by``.

    Returns False, changing nothing, when the quarter is already in that state (reopening
    a quarter that was never locked writes nothing either)."""
    row = session.get(PeriodLock, period)
    current = bool(row is not None and row.locked)
    if current == locked:
        return False
    moment = at or dt.datetime.now(dt.UTC)
    if row is None:
        session.add(PeriodLock(period=period, locked=locked, changed_by=by, changed_at=moment))
    else:
        row.locked = locked
        row.changed_by = by
        row.changed_at = moment
    return True


def lock_states(db: Engine | Session) -> list[LockState]:
    """Every quarter ever locked, by quarter: its current state and its last change."""
    stmt = select(PeriodLock).order_by(PeriodLock.period)
    if isinstance(db, Session):
        return [_state(r) for r in db.scalars(stmt)]
    with Session(db) as session:
        return [_state(r) for r in session.scalars(stmt)]


def _state(row: PeriodLock) -> LockState:
    return LockState(row.period, bool(row.locked), row.changed_by, row.changed_at)
