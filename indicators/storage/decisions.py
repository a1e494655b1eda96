"""Milestone decisions as stored: the ``milestone_decisions`` table, read and written.

A decision (Ajornat / Desestimat, recorded by a director) is never deleted: revoking it keeps
its row with ``revoked`` set, who revoked it, when and why. The status engine receives the
decisions in force (not revoked) as :class:`plan_model.decisions.MilestoneDecision` values
through :func:`active_decisions`. Who may record or revoke, and the lock rule, are checked by
:mod:`accounts.milestone_decisions`, which calls the writers here inside its transaction.

The readers take an ``Engine`` (a short session of their own) or a ``Session`` (to read
inside the caller's transaction).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import Session

from indicators.storage.engine import reading
from indicators.storage.queries import utc_or_none
from indicators.storage.schema import DEFAULT_PLAN_ID, MilestoneDecisionRecord
from plan_model.decisions import MilestoneDecision


@dataclass(frozen=True)
class DecisionInfo:
    """One stored decision with its bookkeeping: its id, plan and whether it was revoked."""

    id: int
    plan_id: str
    decision: MilestoneDecision
    recorded_at: dt.datetime
    revoked: bool = False
    revoked_by: str | None = None
    revoked_at: dt.datetime | None = None
    revoke_reason: str | None = None


def _decision(row: MilestoneDecisionRecord) -> MilestoneDecision:
    return MilestoneDecision(
        indicator=row.indicator,
        stage=row.stage,
        effective=row.effective,
        decided_on=row.decided_on,
        reason=row.reason,
        body=row.body,
        by=row.recorded_by,
    )


def _info(row: MilestoneDecisionRecord) -> DecisionInfo:
    recorded_at = utc_or_none(row.recorded_at)
    assert recorded_at is not None
    return DecisionInfo(
        id=row.id,
        plan_id=row.plan_id,
        decision=_decision(row),
        recorded_at=recorded_at,
        revoked=bool(row.revoked),
        revoked_by=row.revoked_by,
        revoked_at=utc_or_none(row.revoked_at),
        revoke_reason=row.revoke_reason,
    )


def _ordered(
    stmt: Select[MilestoneDecisionRecord],
) -> Select[MilestoneDecisionRecord]:
    return stmt.order_by(
        MilestoneDecisionRecord.indicator,
        MilestoneDecisionRecord.effective,
        MilestoneDecisionRecord.id,
    )


def decision_records(
    db: Engine | Session, *, plan_id: str = DEFAULT_PLAN_ID, include_revoked: bool = True
) -> list[DecisionInfo]:
    """The plan's decisions (revoked ones too, unless told), by indicator and quarter."""
    stmt = select(MilestoneDecisionRecord).where(MilestoneDecisionRecord.plan_id == plan_id)
    if not include_revoked:
        stmt = stmt.where(MilestoneDecisionRecord.revoked.is_(False))
    with reading(db) as session:
        return [_info(row) for row in session.scalars(_ordered(stmt))]


def active_decisions(
    db: Engine | Session, *, plan_id: str = DEFAULT_PLAN_ID, as_of: dt.datetime | None = None
) -> list[MilestoneDecision]:
    """The decisions in force (not revoked), as the status engine takes them; with ``as_of``,
    those in force at that moment (recorded by then, not yet revoked then)."""
    if as_of is None:
        infos = decision_records(db, plan_id=plan_id, include_revoked=False)
        return [info.decision for info in infos]
    moment = utc_or_none(as_of)
    assert moment is not None
    return [
        info.decision
        for info in decision_records(db, plan_id=plan_id)
        if info.recorded_at <= moment
        and not (info.revoked and info.revoked_at is not None and info.revoked_at <= moment)
    ]


def get_decision(session: Session, decision_id: int) -> DecisionInfo | None:
    """One stored decision by its id, or None."""
    row = session.get(MilestoneDecisionRecord, decision_id)
    return None if row is None else _info(row)


def active_decision_at(
    session: Session, indicator: str, effective: str, *, plan_id: str = DEFAULT_PLAN_ID
) -> DecisionInfo | None:
    """The decision in force for ``indicator`` from exactly ``effective``, or None."""
    stmt = select(MilestoneDecisionRecord).where(
        MilestoneDecisionRecord.plan_id == plan_id,
        MilestoneDecisionRecord.indicator == indicator,
        MilestoneDecisionRecord.effective == effective,
        MilestoneDecisionRecord.revoked.is_(False),
    )
    row = session.scalars(stmt).one_or_none()
    return None if row is None else _info(row)


def add_decision(
    session: Session,
    decision: MilestoneDecision,
    *,
    plan_id: str = DEFAULT_PLAN_ID,
    at: dt.datetime | None = None,
) -> DecisionInfo:
    """Store ``decision`` in the session's transaction (recorded by ``decision.by``)."""
    row = MilestoneDecisionRecord(
        plan_id=plan_id,
        indicator=decision.indicator,
        stage=decision.stage,
        effective=decision.effective,
        decided_on=decision.decided_on,
        reason=decision.reason,
        body=decision.body,
        recorded_by=decision.by,
        recorded_at=at or dt.datetime.now(dt.UTC),
    )
    session.add(row)
    session.flush()
    return _info(row)


def revoke_decision(
    session: Session,
    decision_id: int,
    *,
    by: str,
    reason: str | None = None,
    at: dt.datetime | None = None,
) -> DecisionInfo | None:
    """Mark a decision revoked in the session's transaction; None when there is no such
    decision or it was already revoked (nothing changes then)."""
    row = session.get(MilestoneDecisionRecord, decision_id)
    if row is None or row.revoked:
        return None
    row.revoked = True
    row.revoked_by = by
    row.revoked_at = at or dt.datetime.now(dt.UTC)
    row.revoke_reason = reason
    session.flush()
    return _info(row)
