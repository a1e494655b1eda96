"""Closing a plan (issue 18): a director's decision, in one transaction, audited.

:func:`close_plan` locks every quarter of the plan that is not locked yet (through
:func:`accounts.approvals.change_lock_in`, the rule of ``seguiment lock``: a quarter whose
deliveries are not all accepted locks only with a reason, recorded with the services not
accepted) and marks the plan closed, all in one transaction: either every quarter is locked and
the plan closed, or nothing changed. Closing a closed plan changes nothing and says so. A closed
plan's quarters cannot be reopened (:func:`accounts.closed_plans.refuse_reopening_closed`), so
nothing can be delivered into it any more (a locked quarter refuses imports) and its final
evaluation is definitive. The state lives in storage (:mod:`indicators.storage.plan_states`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from accounts._clock import now
from accounts.approvals import change_lock_in, unaccepted_services
from accounts.audit import record
from accounts.errors import AccountError
from accounts.roles import require_locker
from accounts.users import Acting, acting
from indicators.storage import cache, locks
from indicators.storage import plan_states as stored
from indicators.storage.engine import transaction
from indicators.storage.plan_states import ACTIVE, CLOSED, PlanStateInfo
from plan_model.models import Plan
from plan_model.periods import period_range

ACTION_PLAN_CLOSE = "plan_close"  # the audit log's action of closing a plan
REASON_LENGTH = 500  # a reason recorded in the audit log, at most

__all__ = ["ACTION_PLAN_CLOSE", "ACTIVE", "CLOSED", "Closing", "close_plan", "plan_state"]


@dataclass(frozen=True)
class Closing:
    """What closing a plan did: whether it closed it now (False: it was closed already), the
    quarters it locked, and, per quarter locked with the override, the services whose
    delivery was not accepted."""

    state: PlanStateInfo
    closed_now: bool
    locked: tuple[str, ...] = ()
    not_accepted: dict[str, list[str]] = field(default_factory=dict)


def plan_state(db: Engine, plan: Plan) -> PlanStateInfo:
    """The state of ``plan``: the stored one, or active when it was never changed."""
    found = stored.stored_state(db, plan.info.id)
    if found is not None:
        return found
    return PlanStateInfo(plan.info.id, ACTIVE, str(plan.first_period), str(plan.last_period))


def _reason(reason: str | None) -> str | None:
    text = (reason or "").strip()
    return text[:REASON_LENGTH] or None


def close_plan(engine: Engine, plan: Plan, *, by: Acting, reason: str | None = None) -> Closing:
    """Close ``plan``: lock every quarter not locked yet and mark the plan closed, in one
    transaction, audited. Only a director (or the command line's operator). When a quarter
    to lock has deliveries not accepted, a ``reason`` is required (the override of
    ``seguiment lock``): without one nothing changes (:class:`AccountError` naming them).

    Returns the closing; ``closed_now`` False, with nothing changed nor recorded, when the
    plan was closed already."""
    why = _reason(reason)
    periods = [str(p) for p in period_range(plan.first_period, plan.last_period)]
    with transaction(engine) as session:
        actor = acting(session, by)
        require_locker(actor)
        current = stored.stored_state(session, plan.info.id)
        if current is not None and current.closed:
            return Closing(current, closed_now=False)
        to_lock = sorted(set(periods) - locks.locked_periods(session, periods))
        pending = {p: s for p in to_lock if (s := unaccepted_services(session, p))}
        if pending and why is None:
            raise AccountError(
                "The plan {plan} cannot be closed without a reason: not every delivery of "
                "{periods} is accepted. Accept them, or give a reason to close it anyway.",
                plan=plan.info.id,
                periods=", ".join(pending),
            )
        for period in to_lock:
            change_lock_in(session, period, locked=True, actor=actor, reason=why)
        moment = now()
        state = stored.mark_closed(
            session,
            plan.info.id,
            first_period=periods[0],
            last_period=periods[-1],
            by=actor.name,
            at=moment,
            reason=why,
        )
        assert state is not None  # checked above, in this transaction
        cache.data_changed(session)  # the evaluation turns definitive on every page
        details: dict[str, Any] = {"plan_id": plan.info.id, "quarters_locked": to_lock}
        if why:
            details["reason"] = why
        if pending:
            details["not_accepted"] = pending
        record(
            session, actor.name, ACTION_PLAN_CLOSE, plan.info.id, details | actor.audit_details()
        )
        return Closing(state, closed_now=True, locked=tuple(to_lock), not_accepted=pending)
