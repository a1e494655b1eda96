"""Recording and revoking milestone decisions (Ajornat / Desestimat): only a director.

A technician's "Ajornat" or "Desestimat" is a proposal until the direction records the
decision: the date, the reason and the body that agreed it (issue 15). Each function takes
who acts (``by``: an :class:`~accounts.roles.Actor`, a signed-in account's ``UserInfo`` or
an account's name) and refuses anyone but a director with
:class:`~accounts.errors.PermissionDenied` before touching anything. A locked quarter never
moves: a decision that would change the status of a locked quarter (effective in it or
before it) is refused, and so is revoking one. Every change is written to the audit log in
the same transaction, and bumps the data generation so every page shows it at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from accounts._clock import now
from accounts.audit import record
from accounts.errors import AccountError, PermissionDenied
from accounts.roles import DIRECTOR, Actor, HasRole
from accounts.users import Acting, acting
from indicators.storage import cache, locks
from indicators.storage import decisions as stored
from indicators.storage.decisions import DecisionInfo
from indicators.storage.engine import transaction
from indicators.storage.schema import DEFAULT_PLAN_ID
from plan_model.decisions import DECISION_STAGES, MilestoneDecision, normalise_stage
from plan_model.periods import Period, period_range

ACTION_DECIDE = "milestone_decide"  # audit log actions
ACTION_REVOKE = "milestone_revoke"
DECISION_ROLES = frozenset({DIRECTOR})
TEXT_LENGTH = 255  # the body column


def can_decide(user: HasRole) -> bool:
    """Records or revokes a milestone decision (Ajornat / Desestimat): a director."""
    return user.role in DECISION_ROLES


def require_decider(actor: Actor) -> None:
    """Refuse (:class:`PermissionDenied`) a decision by someone who may not decide."""
    if not can_decide(actor):
        raise PermissionDenied(
            "Only a director can record or revoke a milestone decision ({username} cannot).",
            username=actor.name,
        )


def latest_locked_quarter(db: Engine | Session) -> Period | None:
    """The latest locked quarter (None when none is locked): a decision may only take effect
    after it, since one effective in it or before it would move it."""
    parsed = (Period.try_parse(p) for p in locks.locked_periods(db))
    return max((p for p in parsed if p is not None), default=None)


def _moved_locked_quarters(session: Session, effective: Period) -> list[str]:
    """The locked quarters whose status a decision effective from ``effective`` would move."""
    latest = latest_locked_quarter(session)
    if latest is None or latest < effective:
        return []
    quarters = [str(p) for p in period_range(effective, latest)]
    return sorted(locks.refused_periods(session, quarters))


def _refuse_locked(session: Session, effective: Period) -> None:
    moved = _moved_locked_quarters(session, effective)
    if moved:
        raise AccountError(
            "A locked quarter never moves: a decision effective in {effective} would change "
            "{quarters}. Reopen the quarter first or choose a later one.",
            effective=str(effective),
            quarters=", ".join(moved),
        )


def _checked(
    indicator: str,
    stage: str,
    effective: str,
    reason: str,
    body: str,
    milestones: Collection[str] | None,
) -> tuple[str, Period, str, str]:
    key = normalise_stage(stage)
    if key not in DECISION_STAGES:
        raise AccountError("A decision is Ajornat or Desestimat, not {stage}.", stage=stage)
    if milestones is not None and indicator not in milestones:
        raise AccountError("{indicator} is not a milestone of the plan.", indicator=indicator)
    quarter = Period.try_parse(effective)
    if quarter is None:
        raise AccountError("Not a quarter: {text} (write it as 2025-T3).", text=effective)
    reason, body = reason.strip(), body.strip()[:TEXT_LENGTH]
    if not reason or not body:
        raise AccountError("A decision needs its reason and the body that agreed it.")
    return key, quarter, reason, body


def record_decision(
    engine: Engine,
    indicator: str,
    stage: str,
    effective: str,
    *,
    reason: str,
    body: str,
    by: Acting,
    decided_on: dt.date | None = None,
    milestones: Collection[str] | None = None,
    plan_id: str = DEFAULT_PLAN_ID,
) -> DecisionInfo:
    """Record that ``indicator`` is postponed or dropped from quarter ``effective`` on.

    Only a director; ``milestones`` (the plan's milestone codes), when given, must contain
    ``indicator``. Refused when a decision for the same milestone and quarter is in force
    (revoke it first) or when it would move a locked quarter."""
    key, quarter, reason, body = _checked(indicator, stage, effective, reason, body, milestones)
    with transaction(engine) as session:
        actor = acting(session, by)
        require_decider(actor)
        _refuse_locked(session, quarter)
        if stored.active_decision_at(session, indicator, str(quarter), plan_id=plan_id):
            raise AccountError(
                "{indicator} already has a decision from {effective}: revoke it first.",
                indicator=indicator,
                effective=str(quarter),
            )
        moment = now()
        decision = MilestoneDecision(
            indicator, key, str(quarter), decided_on or moment.date(), reason, body, actor.name
        )
        info = stored.add_decision(session, decision, plan_id=plan_id, at=moment)
        cache.data_changed(session)
        details = {"id": info.id, "stage": key, "effective": str(quarter), "body": body}
        record(
            session,
            actor.name,
            ACTION_DECIDE,
            indicator,
            {**details, "reason": reason, **actor.audit_details()},
        )
        return info


def revoke_decision(
    engine: Engine, decision_id: int, *, by: Acting, reason: str | None = None
) -> DecisionInfo:
    """Revoke a recorded decision (kept, marked revoked): the milestone's reported stage is
    a proposal again. Only a director; refused when it would move a locked quarter."""
    with transaction(engine) as session:
        actor = acting(session, by)
        require_decider(actor)
        current = stored.get_decision(session, decision_id)
        if current is None or current.revoked:
            raise AccountError("No decision {id} in force.", id=decision_id)
        _refuse_locked(session, current.decision.effective_period)
        reason = (reason or "").strip() or None
        info = stored.revoke_decision(session, decision_id, by=actor.name, reason=reason, at=now())
        assert info is not None
        cache.data_changed(session)
        details = {"id": decision_id, "effective": current.decision.effective}
        record(
            session,
            actor.name,
            ACTION_REVOKE,
            current.decision.indicator,
            {**details, **({"reason": reason} if reason else {}), **actor.audit_details()},
        )
        return info
