"""The audit log: who did what and when (logins, imports, approvals, locks, user changes).

Every change made by :mod:`accounts` is recorded here in the same transaction as the change.
Actions are stable machine codes (``ACTION_*``); pages translate them for display.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import Session

from accounts._clock import now, utc
from indicators.storage.engine import transaction
from indicators.storage.schema import AuditEvent

ACTION_LOGIN = "login"
ACTION_LOGIN_FAILED = "login_failed"
ACTION_LOGOUT = "logout"
ACTION_USER_CREATE = "user_create"
ACTION_USER_PASSWORD = "user_password"
ACTION_USER_DISABLE = "user_disable"
ACTION_USER_ENABLE = "user_enable"
ACTION_USER_SERVICES = "user_services"
ACTION_APPROVE = "approve"
ACTION_LOCK = "period_lock"
ACTION_REOPEN = "period_reopen"
ACTION_IMPORT = "import"  # written by indicators.storage.store with the stored submission
ACTION_PUBLISH = "period_publish"  # issue 19: accounts.publications
ACTION_UNPUBLISH = "period_unpublish"
AUDIT_COLUMNS = ["id", "at", "username", "action", "target", "details"]


def record(
    target_db: Engine | Session,
    username: str | None,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    *,
    at: dt.datetime | None = None,
) -> None:
    """Write one audit event, in the given session's transaction or a new one."""
    event = AuditEvent(
        at=now(at), username=username, action=action, target=target, details=details or None
    )
    if isinstance(target_db, Session):
        target_db.add(event)
        return
    with transaction(target_db) as session:
        session.add(event)


def _day_start(moment: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(moment, dt.datetime):
        return now(moment)
    return dt.datetime.combine(moment, dt.time.min, tzinfo=dt.UTC)


def _filtered(
    stmt: Select[AuditEvent],
    *,
    username: str | None,
    action: str | Iterable[str] | None,
    since: dt.datetime | dt.date | None,
    until: dt.datetime | dt.date | None,
    target: str | None,
) -> Select[AuditEvent]:
    if username:
        stmt = stmt.where(AuditEvent.username == username)
    if action:
        actions = [action] if isinstance(action, str) else list(action)
        stmt = stmt.where(AuditEvent.action.in_(actions))
    if target:
        stmt = stmt.where(AuditEvent.target == target)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= _day_start(since))
    if until is not None:
        end = until if isinstance(until, dt.datetime) else until + dt.timedelta(days=1)
        stmt = stmt.where(AuditEvent.at < _day_start(end))
    return stmt


def audit_frame(
    engine: Engine,
    *,
    username: str | None = None,
    action: str | Iterable[str] | None = None,
    since: dt.datetime | dt.date | None = None,
    until: dt.datetime | dt.date | None = None,
    target: str | None = None,
    limit: int | None = 5000,
) -> pd.DataFrame:
    """The audit log, newest first. ``until`` given as a date includes that whole day."""
    stmt = _filtered(
        select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
        username=username,
        action=action,
        since=since,
        until=until,
        target=target,
    )
    if limit:
        stmt = stmt.limit(limit)
    with Session(engine) as session:
        rows = [
            {
                "id": e.id,
                "at": utc(e.at),
                "username": e.username,
                "action": e.action,
                "target": e.target,
                "details": e.details,
            }
            for e in session.scalars(stmt)
        ]
    frame = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame


def audit_usernames(engine: Engine) -> list[str]:
    """Every user name in the audit log, sorted (for the audit page's filter)."""
    with Session(engine) as session:
        names = session.scalars(
            select(AuditEvent.username).where(AuditEvent.username.is_not(None)).distinct()
        )
        return sorted(n for n in names if n)
