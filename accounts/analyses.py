"""Writing an objective's analysis of a quarter (valoració): who may, and the audit trail.

A director may write any objective's analysis; a technician or a service head (``responsable``)
only that of an objective their service is responsible for (a service responsible for one of
its indicators in the catalog: :func:`plan_model.analyses.responsible_services`). The domain
function :func:`write_analysis` checks it itself, refusing anyone else with
:class:`~accounts.errors.PermissionDenied` before touching anything, so a page or a script
that forgets to check cannot let them through. Writing again supersedes the analysis in
force (kept in the history); a locked quarter is refused (the storage's lock rule). Every
write is in the audit log, in the same transaction, and bumps the data generation so every
page shows it at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from accounts._clock import now
from accounts.audit import record
from accounts.errors import AccountError, PermissionDenied
from accounts.roles import DIRECTOR, HEAD, TECHNICIAN, Actor, HasServices
from accounts.users import Acting, acting
from i18n import format_number
from indicators.storage import analyses as stored
from indicators.storage import cache
from indicators.storage.analyses import AnalysisInfo, AnalysisRefused
from indicators.storage.engine import transaction
from indicators.storage.schema import DEFAULT_PLAN_ID, User, UserService
from plan_model.analyses import responsible_services
from plan_model.models import Plan
from plan_model.periods import Period

ACTION_WRITE = "analysis_write"  # audit log action
SERVICE_ROLES = frozenset({TECHNICIAN, HEAD})  # write for their own services' objectives

REFUSALS: dict[str, str] = {  # storage's refusal codes, as English msgids
    stored.REFUSED_LOCKED: "A locked quarter never moves: {period} is locked, so its analyses "
    "cannot be written. Reopen the quarter first.",
    stored.REFUSED_EMPTY: "An analysis needs at least what happened.",
    stored.REFUSED_TOO_LONG: "Each text of an analysis has at most {limit} characters.",
    stored.REFUSED_PERIOD: "Not a quarter: {text} (write it as 2025-T3).",
    stored.REFUSED_OBJECTIVE: "{objective} is not an objective of the plan.",
}


def can_write_analysis(user: HasServices, services: Collection[str]) -> bool:
    """Writes the analysis of an objective whose responsible services are ``services``: a
    director (or the command line's operator), or a technician or head of one of them."""
    if getattr(user, "is_operator", False) or user.role == DIRECTOR:
        return True
    return user.role in SERVICE_ROLES and bool(set(user.services) & set(services))


def may_write(user: HasServices, plan: Plan, objective: str) -> bool:
    """:func:`can_write_analysis` for ``objective`` of ``plan`` (the pages ask it)."""
    return can_write_analysis(user, responsible_services(plan, objective))


def _with_services(session: Session, actor: Actor) -> Actor:
    """``actor`` with its assigned services from the database (a technician's or head's)."""
    if actor.is_operator or actor.role not in SERVICE_ROLES or actor.services:
        return actor
    rows = session.scalars(
        select(UserService.service)
        .join(User, User.id == UserService.user_id)
        .where(User.username == actor.name, User.active.is_(True))
        .order_by(UserService.service)
    )
    return replace(actor, services=tuple(rows))


def require_writer(actor: Actor, plan: Plan, objective: str) -> None:
    """Refuse (:class:`PermissionDenied`) someone who may not write ``objective``'s analysis."""
    if not may_write(actor, plan, objective):
        raise PermissionDenied(
            "Only a director or the objective's responsible service can write the analysis "
            "of {objective} ({username} cannot).",
            objective=objective,
            username=actor.name,
        )


def _refused(exc: AnalysisRefused) -> AccountError:
    params = dict(exc.params)
    if exc.code == stored.REFUSED_PERIOD:
        params["text"] = params.pop("period", "")
    if "limit" in params:
        params["limit"] = format_number(float(str(params["limit"])), "ca", decimals=0)
    return AccountError(REFUSALS[exc.code], **params)


def write_analysis(
    engine: Engine,
    plan: Plan,
    objective: str,
    period: str,
    *,
    what_happened: str,
    next_steps: str,
    by: Acting,
    due_by: dt.date | None = None,
    public: bool = False,
    plan_id: str = DEFAULT_PLAN_ID,
) -> AnalysisInfo:
    """Write ``objective``'s analysis of ``period``; it supersedes the one in force.

    Only a director or a technician or head of one of the objective's responsible services;
    refused (:class:`AccountError`) for an objective not in ``plan``, a locked quarter, an
    empty "what happened" or a text over the limit."""
    code = objective.strip().upper()
    if code not in plan.objective_by_code:
        raise AccountError(REFUSALS[stored.REFUSED_OBJECTIVE], objective=objective)
    quarter = Period.try_parse(period)
    if quarter is None:
        raise AccountError(REFUSALS[stored.REFUSED_PERIOD], text=period)
    with transaction(engine) as session:
        actor = _with_services(session, acting(session, by))
        require_writer(actor, plan, code)
        previous = stored.analysis_in_force(session, code, str(quarter), plan_id=plan_id)
        try:
            info = stored.add_analysis(
                session,
                objective=code,
                period=str(quarter),
                what_happened=what_happened,
                next_steps=next_steps,
                author=actor.name,
                due_by=due_by,
                public=public,
                plan_id=plan_id,
                at=now(),
            )
        except AnalysisRefused as exc:
            raise _refused(exc) from exc
        cache.data_changed(session)
        details = {
            "id": info.id,
            "period": info.period,
            "public": info.public,
            "due_by": info.due_by.isoformat() if info.due_by else None,
            "supersedes": previous.id if previous else None,
        }
        record(session, actor.name, ACTION_WRITE, code, {**details, **actor.audit_details()})
        return info
