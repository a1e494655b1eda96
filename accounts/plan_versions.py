"""Amending and extending a plan (issue 18): a director's decision, checked, stored, audited.

:func:`amend_plan` records a new version of the plan (the amended plan and catalog YAML, as
validated by the loader) that applies from its effective quarter; the versions before keep
governing the quarters before it (:mod:`plan_model.versions`). The effective quarter must be
a quarter of the plan that is neither locked nor published: a locked quarter never moves.
:func:`extend_plan` runs the plan on until a later quarter (each new year's targets its last
year's) and leaves the plan ``extended``. A closed plan is neither amended nor extended. Both
record the decision in the audit log and bump the data generation, so every page recomputes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from accounts._clock import now
from accounts.audit import record
from accounts.errors import AccountError
from accounts.roles import Actor, require_locker
from accounts.users import Acting, acting
from indicators.storage import cache, locks, plan_states, publications
from indicators.storage import plan_versions as stored
from indicators.storage.engine import transaction
from plan_model.models import Plan
from plan_model.periods import Period
from plan_model.versions import AMENDMENT, EXTENSION

ACTION_PLAN_AMEND = "plan_amend"  # the audit log's action of amending a plan
ACTION_PLAN_EXTEND = "plan_extend"  # the audit log's action of extending a plan
TEXT_LENGTH = 500  # a reason recorded, at most
APPROVER_LENGTH = 200  # who approved an amendment, at most (its column's size)

__all__ = [
    "ACTION_PLAN_AMEND",
    "ACTION_PLAN_EXTEND",
    "Amendment",
    "Recorded",
    "amend_plan",
    "extend_plan",
]


@dataclass(frozen=True)
class Amendment:
    """An amended plan to record: the plan as loaded and validated, and the two YAML
    documents it was loaded from (plan, then catalog), stored as written."""

    plan: Plan
    plan_document: str
    catalog_document: str


@dataclass(frozen=True)
class Recorded:
    """What recording a version did: its number, the quarter it applies from and, for an
    extension, the plan's new last quarter."""

    number: int
    effective: str
    until: str | None = None


MISSING_REASON = "Give a reason: it is recorded with the plan's new version."
MISSING_APPROVER = "Say who approved the amendment (--approved-by): it is recorded with it."


def _text(value: str | None, missing: str, length: int = TEXT_LENGTH) -> str:
    text = (value or "").strip()[:length]
    if not text:
        raise AccountError(missing)
    return text


def _refuse_closed(session: Session, plan: Plan) -> None:
    state = plan_states.stored_state(session, plan.info.id)
    if state is not None and state.closed:
        raise AccountError(
            "The plan {plan} is closed (by {by}): a closed plan cannot be amended or extended.",
            plan=plan.info.id,
            by=state.closed_by or "–",
        )


def _check_effective(session: Session, now_plan: Plan, period: Period) -> None:
    """Refuse an effective quarter outside the plan, locked or published."""
    if not now_plan.first_period <= period <= now_plan.last_period:
        raise AccountError(
            "The {period} is not a quarter of the plan ({first} to {last}).",
            period=str(period),
            first=str(now_plan.first_period),
            last=str(now_plan.last_period),
        )
    if locks.is_locked(session, str(period)):
        raise AccountError(
            "The {period} is locked: an amendment cannot apply from a locked quarter, whose "
            "figures never move. Choose a later quarter.",
            period=str(period),
        )
    if publications.is_published(session, str(period), plan_id=None):
        raise AccountError(
            "The {period} is published: an amendment cannot apply from a published quarter. "
            "Choose a later quarter.",
            period=str(period),
        )


def _check_same_plan(original: Plan, amended: Plan) -> None:
    if amended.info.id != original.info.id:
        raise AccountError(
            "The amended plan's id is {found}, not {plan}: an amendment is a version of the "
            "same plan.",
            found=amended.info.id,
            plan=original.info.id,
        )
    if (amended.info.start_year, amended.info.end_year) != (
        original.info.start_year,
        original.info.end_year,
    ):
        raise AccountError(
            "The amended plan must keep the plan's years ({start} to {end}); to run it on "
            "past its end, extend it (seguiment plan extend).",
            start=original.info.start_year,
            end=original.info.end_year,
        )


def _audit(
    session: Session, actor: Actor, action: str, plan: Plan, details: dict[str, Any]
) -> None:
    record(
        session,
        actor.name,
        action,
        plan.info.id,
        {"plan_id": plan.info.id, **details, **actor.audit_details()},
    )


def amend_plan(
    engine: Engine,
    original: Plan,
    amendment: Amendment,
    *,
    effective: str,
    reason: str,
    approved_by: str,
    by: Acting,
) -> Recorded:
    """Record ``amendment`` as the next version of ``original`` (the plan as approved),
    applying from the quarter ``effective``. Only a director (or the command line's
    operator); refused (:class:`AccountError`) for a closed plan, another plan's file, other
    years, or an effective quarter outside the plan, locked or published."""
    period = Period.parse(effective)
    why, approver = (
        _text(reason, MISSING_REASON),
        _text(approved_by, MISSING_APPROVER, APPROVER_LENGTH),
    )
    _check_same_plan(original, amendment.plan)
    with transaction(engine) as session:
        actor = acting(session, by)
        require_locker(actor)
        _refuse_closed(session, original)
        _check_effective(session, stored.plan_for_quarter(session, original), period)
        moment = now()
        number = stored.add_version(
            session,
            original.info.id,
            kind=AMENDMENT,
            effective=str(period),
            reason=why,
            approved_by=approver,
            recorded_by=actor.name,
            at=moment,
            documents=(amendment.plan_document, amendment.catalog_document),
        )
        cache.data_changed(session)
        details = {"version": number, "effective": str(period), "reason": why}
        _audit(session, actor, ACTION_PLAN_AMEND, original, details | {"approved_by": approver})
        return Recorded(number, str(period))


def extend_plan(engine: Engine, original: Plan, *, until: str, reason: str, by: Acting) -> Recorded:
    """Run ``original`` (the plan as approved, with its versions) on until the quarter
    ``until``, from the quarter after its present end; the plan becomes ``extended``. Only a
    director; refused for a closed plan or a quarter not after the plan's end."""
    last = Period.parse(until)
    why = _text(reason, MISSING_REASON)
    with transaction(engine) as session:
        actor = acting(session, by)
        require_locker(actor)
        _refuse_closed(session, original)
        current = stored.plan_for_quarter(session, original)
        if last <= current.last_period:
            raise AccountError(
                "The plan already runs until the {last}: an extension must end after it "
                "(the {period} is not).",
                last=str(current.last_period),
                period=str(last),
            )
        start = current.last_period.next()
        moment = now()
        number = stored.add_version(
            session,
            original.info.id,
            kind=EXTENSION,
            effective=str(start),
            until=str(last),
            reason=why,
            recorded_by=actor.name,
            at=moment,
        )
        stored.mark_extended(
            session,
            original.info.id,
            first_period=str(original.first_period),
            last_period=str(last),
            at=moment,
        )
        cache.data_changed(session)
        details = {"version": number, "from": str(start), "until": str(last), "reason": why}
        _audit(session, actor, ACTION_PLAN_EXTEND, original, details)
        return Recorded(number, str(start), str(last))
