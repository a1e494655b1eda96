"""The two-step approval of a service's quarter, and locking and reopening quarters.

Two steps: the service's head validates its submission of a quarter (:func:`validate`), then
the direction accepts it (:func:`approve`). A new delivery after acceptance reopens the
review: :func:`quarter_reviews` reports it with what changed since (count and per-value
diff). A quarter locks only when every delivered submission is accepted, or with a reason
(the override, recorded in the audit log).

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
from accounts.closed_plans import refuse_reopening_closed
from accounts.errors import AccountError
from accounts.publications import refuse_reopening_published
from accounts.roles import Actor, require_approver, require_locker, require_validator
from accounts.service_heads import heads_in, with_headed_services
from accounts.users import Acting, acting
from indicators.storage import cache, locks
from indicators.storage.engine import transaction
from indicators.storage.queries import values_frame
from indicators.storage.schema import Approval, Submission, SubmissionStatus

APPROVAL_COLUMNS = [
    "id",
    "service",
    "period",
    "submission_id",
    "approved_by",
    "approved_at",
    "step",
]
STEP_VALIDATED = "validated"
STEP_ACCEPTED = "accepted"
ACTION_VALIDATE = "validate"  # audit log action of the head's step (the direction's: approve)
# review states of a service's quarter
NOT_DELIVERED = "not_delivered"
PENDING_VALIDATION = "pending_validation"
PENDING_ACCEPTANCE = "pending_acceptance"
ACCEPTED = "accepted"
CHANGED = "changed"  # accepted, then a new delivery: to review again
LOCK_COLUMNS = ["period", "locked", "changed_by", "changed_at"]


@dataclass(frozen=True)
class ApprovalInfo:
    id: int
    service: str
    period: str
    submission_id: int
    approved_by: str
    approved_at: dt.datetime
    step: str = STEP_ACCEPTED


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


def _require_validation(session: Session, service: str, period: str, submission: int) -> None:
    """Acceptance is the second step: a service that has a head is accepted only once the
    head has validated that very submission (a service without a head is accepted directly;
    the command line's operator may validate for anyone first)."""
    if not heads_in(session, service):
        return
    validated = session.scalars(
        select(Approval.id).where(
            Approval.service == service,
            Approval.period == period,
            Approval.submission_id == submission,
            Approval.step == STEP_VALIDATED,
        )
    ).first()
    if validated is None:
        raise AccountError(
            "The head of {service} has not validated submission number {id} of {period} yet: "
            "it is accepted after the validation.",
            service=service,
            id=submission,
            period=period,
        )


def _record_step(
    engine: Engine, service: str, period: str, submission: int | None, *, by: Acting, step: str
) -> ApprovalInfo:
    with transaction(engine) as session:
        actor = acting(session, by)
        if step == STEP_VALIDATED:
            require_validator(with_headed_services(session, actor), service)
        else:
            require_approver(actor)
        sub = _submission_to_approve(session, service, period, submission)
        if step == STEP_ACCEPTED:
            _require_validation(session, service, period, sub.id)
        approval = Approval(
            service=service,
            period=period,
            submission_id=sub.id,
            approved_by=actor.name,
            approved_at=now(),
            step=step,
        )
        session.add(approval)
        session.flush()
        cache.data_changed(session)  # /lliuraments shows who approved: cached pages refresh
        record(
            session,
            actor.name,
            ACTION_VALIDATE if step == STEP_VALIDATED else ACTION_APPROVE,
            f"{service} {period}",
            {
                "service": service,
                "period": period,
                "submission_id": sub.id,
                **actor.audit_details(),
            },
        )
        return ApprovalInfo(
            approval.id, service, period, sub.id, actor.name, now(approval.approved_at), step
        )


def validate(
    engine: Engine, service: str, period: str, submission: int | None = None, *, by: Acting
) -> ApprovalInfo:
    """The first step: the service's head validates its current submission for the quarter
    (or ``submission``). Only a head of that service (or the command line's operator)."""
    return _record_step(engine, service, period, submission, by=by, step=STEP_VALIDATED)


def approve(
    engine: Engine, service: str, period: str, submission: int | None = None, *, by: Acting
) -> ApprovalInfo:
    """The second step: the direction accepts a service's quarter: its current submission,
    or ``submission`` if given (which must be that service's and quarter's). Only a
    director accepts."""
    return _record_step(engine, service, period, submission, by=by, step=STEP_ACCEPTED)


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
                "step": a.step,
            }
            for a in session.scalars(select(Approval).order_by(Approval.approved_at, Approval.id))
        ]
    frame = pd.DataFrame(rows, columns=APPROVAL_COLUMNS)
    frame["approved_at"] = pd.to_datetime(frame["approved_at"], utc=True)
    return frame


@dataclass(frozen=True)
class ValueChange:
    """One value that changed since the acceptance: before and after (None: no value)."""

    indicator: str
    before: float | str | None
    after: float | str | None


@dataclass(frozen=True)
class Review:
    """Where a service's quarter stands in the two steps."""

    service: str
    period: str
    state: str  # NOT_DELIVERED | PENDING_VALIDATION | PENDING_ACCEPTANCE | ACCEPTED | CHANGED
    submission_id: int | None
    validated: ApprovalInfo | None
    accepted: ApprovalInfo | None
    changes: tuple[ValueChange, ...] = ()


def _latest_steps(session: Session, period: str) -> dict[tuple[str, str], ApprovalInfo]:
    latest: dict[tuple[str, str], ApprovalInfo] = {}
    stmt = select(Approval).where(Approval.period == period).order_by(Approval.id)
    for a in session.scalars(stmt):
        latest[(a.service, a.step)] = ApprovalInfo(
            a.id, a.service, a.period, a.submission_id, a.approved_by, now(a.approved_at), a.step
        )
    return latest


def _keyed_values(frame: pd.DataFrame, service: str, period: str) -> dict[str, float | str]:
    rows = frame[(frame["service"] == service) & (frame["period"] == period)]
    out: dict[str, float | str] = {}
    for r in rows.to_dict("records"):
        value = r["value"]
        out[str(r["indicator"])] = str(r["stage"]) if pd.isna(value) else float(value)
    return out


def changes_since(
    engine: Engine, service: str, period: str, since: dt.datetime
) -> tuple[ValueChange, ...]:
    """The values of ``service`` for ``period`` that differ now from those in force at
    ``since`` (when the accepted submission arrived), by indicator."""
    before = _keyed_values(values_frame(engine, as_of=since), service, period)
    after = _keyed_values(values_frame(engine), service, period)
    return tuple(
        ValueChange(key, before.get(key), after.get(key))
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    )


def _state(
    current: int | None,
    validated: ApprovalInfo | None,
    accepted: ApprovalInfo | None,
    *,
    headed: bool = True,
) -> str:
    """``headed``: the service has a head, so acceptance waits for its validation (a service
    without one goes straight to the direction, :func:`_require_validation`)."""
    if current is None:
        return NOT_DELIVERED
    if accepted is not None and accepted.submission_id == current:
        return ACCEPTED
    if accepted is not None:
        return CHANGED
    if (validated is not None and validated.submission_id == current) or not headed:
        return PENDING_ACCEPTANCE
    return PENDING_VALIDATION


def quarter_reviews(engine: Engine, period: str, services: list[str]) -> dict[str, Review]:
    """Each service's review of ``period``: its state, the steps taken, the changes since an
    acceptance that a later delivery reopened."""
    with Session(engine) as session:
        current = _current_submissions(session, period)
        steps = _latest_steps(session, period)
        headed = {service for service in services if heads_in(session, service)}
        accepted_at = {  # when the accepted submission arrived: the baseline of the diff
            service: now(sub.uploaded_at)
            for (service, step), info in steps.items()
            if step == STEP_ACCEPTED and (sub := session.get(Submission, info.submission_id))
        }
    reviews: dict[str, Review] = {}
    for service in services:
        validated = steps.get((service, STEP_VALIDATED))
        accepted = steps.get((service, STEP_ACCEPTED))
        state = _state(current.get(service), validated, accepted, headed=service in headed)
        changes: tuple[ValueChange, ...] = ()
        if state == CHANGED and accepted is not None:
            changes = changes_since(engine, service, period, accepted_at[service])
        reviews[service] = Review(
            service, period, state, current.get(service), validated, accepted, changes
        )
    return reviews


def _current_submissions(session: Session, period: str) -> dict[str, int]:
    stmt = select(Submission.service, Submission.id).where(
        Submission.period == period, Submission.status == SubmissionStatus.CURRENT
    )
    return {str(service): int(sub_id) for service, sub_id in session.execute(stmt)}


def unaccepted_services(session: Session, period: str) -> list[str]:
    """The services whose delivered submission of ``period`` is not accepted (the lock rule)."""
    current = _current_submissions(session, period)
    accepted = {
        (a.service, a.submission_id)
        for a in session.scalars(
            select(Approval).where(Approval.period == period, Approval.step == STEP_ACCEPTED)
        )
    }
    return sorted(s for s, sub in current.items() if (s, sub) not in accepted)


def accepted_quarters(engine: Engine) -> set[tuple[str, str]]:
    """The (service, quarter) pairs whose current submission the direction accepted: what
    the board shows with ``BOARD_ACCEPTED_ONLY`` (a delivery after the acceptance reopens
    the pair, so it leaves this set until it is accepted again)."""
    stmt = (
        select(Submission.service, Submission.period)
        .join(
            Approval,
            (Approval.submission_id == Submission.id) & (Approval.step == STEP_ACCEPTED),
        )
        .where(Submission.status == SubmissionStatus.CURRENT)
        .distinct()
    )
    with engine.connect() as conn:
        return {(str(service), str(period)) for service, period in conn.execute(stmt)}


def _change_lock(
    engine: Engine, period: str, *, locked: bool, by: Acting, reason: str | None
) -> bool:
    with transaction(engine) as session:
        return change_lock_in(
            session, period, locked=locked, actor=acting(session, by), reason=reason
        )


def change_lock_in(
    session: Session, period: str, *, locked: bool, actor: Actor, reason: str | None
) -> bool:
    """Lock (or reopen) ``period`` in the caller's transaction, with the rules of
    :func:`lock_period` and :func:`reopen_period` (closing a plan locks all its quarters in
    one transaction, :mod:`accounts.plan_states`)."""
    require_locker(actor)
    reason = (reason or "").strip() or None
    pending = unaccepted_services(session, period) if locked else []
    if locked and locks.is_locked(session, period):
        return False
    if not locked and locks.is_locked(session, period):
        refuse_reopening_published(session, period)  # issue 19: a published figure stays
        refuse_reopening_closed(session, period)  # issue 18: a closed plan stays closed
    if pending and reason is None:
        raise AccountError(
            "Not every delivered submission of {period} is accepted ({services}): "
            "accept them, or give a reason to lock anyway.",
            period=period,
            services=", ".join(pending),
        )
    if not locks.set_lock(session, period, locked=locked, by=actor.name, at=now()):
        return False
    cache.data_changed(session)  # /enviar and the audit filters show it at once (issue 13)
    details: dict[str, Any] = {"reason": reason} if reason else {}
    if pending:
        details["not_accepted"] = pending
    record(
        session,
        actor.name,
        ACTION_LOCK if locked else ACTION_REOPEN,
        period,
        {**details, **actor.audit_details()},
    )
    return True


def lock_period(engine: Engine, period: str, *, by: Acting, reason: str | None = None) -> bool:
    """Lock a quarter: new uploads are refused until it is reopened. Only a director locks,
    and only when every delivered submission is accepted, unless a ``reason`` is given (the
    override: the services not accepted are recorded with it in the audit log).

    Returns False, changing and recording nothing, when the quarter is already locked."""
    return _change_lock(engine, period, locked=True, by=by, reason=reason)


def reopen_period(engine: Engine, period: str, *, by: Acting, reason: str | None = None) -> bool:
    """Reopen a locked quarter for uploads. Only a director reopens, and not while the
    quarter is published (unpublish it first: a published figure must not move) nor when it
    belongs to a closed plan (issue 18).

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
