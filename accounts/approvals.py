"""A director's approvals of a service's quarter, and locking and reopening quarters.

Each function takes who acts (``by``: an :class:`~accounts.roles.Actor`, a signed-in
account's ``UserInfo``, or the name of an account, looked up) and refuses anyone but a
director with :class:`~accounts.errors.PermissionDenied` before touching anything. The lock
state itself lives in storage (:mod:`indicators.storage.locks`), which the importer reads.
Every change is written to the audit log in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from accounts._clock import now, utc
from accounts.audit import ACTION_APPROVE, ACTION_LOCK, ACTION_REOPEN, record
from accounts.errors import AccountError
from accounts.roles import require_approver, require_locker
from accounts.users import Acting, acting
from indicators.storage import locks
from indicators.storage.engine import transaction
from indicators.storage.schema import Approval, Submission, SubmissionStatus

APPROVAL_COLUMNS = ["id", "service", "period", "submission_id", "approved_by", "approved_at"]
LOCK_COLUMNS = ["period", "locked", "changed_by", "changed_at"]


@dataclass(frozen=True)
class ApprovalInfo:
    id: int
    service: str
    period: str
    submission_id: int
    approved_by: str
    approved_at: dt.datetime


def _submission_to_approve(
    session: Session, service: str, period: str, submission: int | None
) -> Submission:
    if submission is None:
        sub = session.scalars(
            select(Submission).where(
                Submission.service == service,
                Submission.period == period,
                Submission.status == SubmissionStatus.CURRENT,
            )
        ).one_or_none()
    else:
        sub = session.get(Submission, submission)
        if sub is not None and (sub.service != service or sub.period != period):
            sub = None
    if sub is None:
        raise AccountError(
            "There is no submission of {service} for {period} to approve.",
            service=service,
            period=period,
        )
    return sub


def approve(
    engine: Engine, service: str, period: str, submission: int | None = None, *, by: Acting
) -> ApprovalInfo:
    """Approve a service's quarter: its current submission, or ``submission`` if given
    (which must be that service's and quarter's). Only a director approves."""
    with transaction(engine) as session:
        actor = acting(session, by)
        require_approver(actor)
        sub = _submission_to_approve(session, service, period, submission)
        approval = Approval(
            service=service,
            period=period,
            submission_id=sub.id,
            approved_by=actor.name,
            approved_at=now(),
        )
        session.add(approval)
        session.flush()
        record(
            session,
            actor.name,
            ACTION_APPROVE,
            f"{service} {period}",
            {
                "service": service,
                "period": period,
                "submission_id": sub.id,
                **actor.audit_details(),
            },
        )
        return ApprovalInfo(
            approval.id, service, period, sub.id, actor.name, now(approval.approved_at)
        )


def approvals_frame(engine: Engine) -> pd.DataFrame:
    """Every approval, oldest first."""
    with Session(engine) as session:
        rows = [
            {
                "id": a.id,
                "service": a.service,
                "period": a.period,
                "submission_id": a.submission_id,
                "approved_by": a.approved_by,
                "approved_at": utc(a.approved_at),
            }
            for a in session.scalars(select(Approval).order_by(Approval.approved_at, Approval.id))
        ]
    frame = pd.DataFrame(rows, columns=APPROVAL_COLUMNS)
    frame["approved_at"] = pd.to_datetime(frame["approved_at"], utc=True)
    return frame


def _change_lock(
    engine: Engine, period: str, *, locked: bool, by: Acting, reason: str | None
) -> bool:
    with transaction(engine) as session:
        actor = acting(session, by)
        require_locker(actor)
        if not locks.set_lock(session, period, locked=locked, by=actor.name, at=now()):
            return False
        details: dict[str, Any] = {"reason": reason} if reason else {}
        record(
            session,
            actor.name,
            ACTION_LOCK if locked else ACTION_REOPEN,
            period,
            {**details, **actor.audit_details()},
        )
        return True


def lock_period(engine: Engine, period: str, *, by: Acting, reason: str | None = None) -> bool:
    """Lock a quarter: new uploads are refused until it is reopened. Only a director locks.

    Returns False, changing and recording nothing, when the quarter is already locked."""
    return _change_lock(engine, period, locked=True, by=by, reason=reason)


def reopen_period(engine: Engine, period: str, *, by: Acting, reason: str | None = None) -> bool:
    """Reopen a locked quarter for uploads. Only a director reopens.

    Returns False, changing and recording nothing, when the quarter is not locked."""
    return _change_lock(engine, period, locked=False, by=by, reason=reason)


def period_locks_frame(engine: Engine) -> pd.DataFrame:
    """Every quarter ever locked: whether it is locked now, who changed it last and when."""
    rows = [
        {
            "period": s.period,
            "locked": s.locked,
            "changed_by": s.changed_by,
            "changed_at": utc(s.changed_at),
        }
        for s in locks.lock_states(engine)
    ]
    return pd.DataFrame(rows, columns=LOCK_COLUMNS)
