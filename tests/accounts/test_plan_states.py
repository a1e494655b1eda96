"""Closing a plan (issue 18): every quarter locked and the plan closed in one transaction, a
reason required when a delivery is not accepted, idempotent, audited, and a closed plan's
quarters never reopened (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from accounts import approvals, audit, plan_states, users
from accounts.errors import AccountError, PermissionDenied
from accounts.roles import Actor
from indicators.storage import cache, locks
from indicators.storage import plan_states as stored
from indicators.storage.engine import transaction
from indicators.storage.schema import AuditEvent, PeriodLock, Submission
from plan_model.models import Plan
from plan_model.periods import Period, period_label, period_range

OPERATOR = Actor.operator("op")


def _quarters(plan: Plan) -> list[str]:
    return [str(p) for p in period_range(plan.first_period, plan.last_period)]


def _submission(engine: Engine, service: str, period: str) -> int:
    with transaction(engine) as session:
        sub = Submission(
            service=service,
            period=period,
            filename="f.xlsx",
            content=b"x",
            sha256="0" * 64,
            size_bytes=1,
            uploaded_by="tec",
            source="cli",
            status="current",
            row_count=0,
        )
        session.add(sub)
        session.flush()
        return sub.id


def _events(engine: Engine, action: str) -> list[AuditEvent]:
    with Session(engine) as session:
        stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(session.scalars(stmt))


def test_an_unchanged_plan_is_active(engine: Engine, plan: Plan) -> None:
    state = plan_states.plan_state(engine, plan)
    assert state.state == "active" and not state.closed
    assert (state.first_period, state.last_period) == ("2022-T1", "2025-T4")
    assert stored.closed_plans(engine) == []


def test_close_locks_every_quarter_and_marks_the_plan_closed(engine: Engine, plan: Plan) -> None:
    users.create_user(engine, "boss", "longenough", "director")
    assert approvals.lock_period(engine, "2022-T1", by="boss")  # already locked: left as is
    before = cache.current_generation(engine)
    closing = plan_states.close_plan(engine, plan, by="boss", reason="  Fi del pla  ")
    assert closing.closed_now
    assert closing.locked == tuple(_quarters(plan)[1:])  # 15 quarters, oldest first
    assert locks.locked_periods(engine) == set(_quarters(plan))
    state = plan_states.plan_state(engine, plan)
    assert state.closed and state.closed_by == "boss" and state.reason == "Fi del pla"
    assert state.closed_at is not None and state.closed_at.tzinfo is not None
    assert cache.current_generation(engine) > before  # the pages refresh: definitive now
    # nothing can be delivered into it any more: every quarter refuses data
    assert locks.refused_periods(engine, ["2025-T4", "2022-T2"]) == {"2025-T4", "2022-T2"}
    closes = _events(engine, plan_states.ACTION_PLAN_CLOSE)
    assert [(e.username, e.target) for e in closes] == [("boss", "coss-2022-2025")]
    details = closes[0].details or {}
    assert details["quarters_locked"] == _quarters(plan)[1:]
    assert details["reason"] == "Fi del pla"
    assert len(_events(engine, audit.ACTION_LOCK)) == 16  # each quarter's lock audited too


def test_closing_a_closed_plan_changes_nothing(engine: Engine, plan: Plan) -> None:
    first = plan_states.close_plan(engine, plan, by=OPERATOR)
    assert first.closed_now
    again = plan_states.close_plan(engine, plan, by=OPERATOR, reason="una altra vegada")
    assert not again.closed_now and again.locked == ()
    assert again.state == first.state  # the first closing's who, when and why stay
    assert len(_events(engine, plan_states.ACTION_PLAN_CLOSE)) == 1
    assert len(_events(engine, audit.ACTION_LOCK)) == 16


def test_a_reason_is_required_when_a_delivery_is_not_accepted(engine: Engine, plan: Plan) -> None:
    _submission(engine, "SIS", "2025-T4")
    _submission(engine, "SAD", "2024-T2")
    for reason in (None, "", "   \n "):
        with pytest.raises(AccountError) as refused:
            plan_states.close_plan(engine, plan, by=OPERATOR, reason=reason)
        message = refused.value.message("ca")
        assert "coss-2022-2025" in message and "2024-T2, 2025-T4" in message
        assert "motiu" in message
    # one transaction: nothing locked, nothing closed, nothing recorded
    assert locks.locked_periods(engine) == set()
    assert not plan_states.plan_state(engine, plan).closed
    assert _events(engine, plan_states.ACTION_PLAN_CLOSE) == []
    closing = plan_states.close_plan(engine, plan, by=OPERATOR, reason="Tancament del pla")
    assert closing.not_accepted == {"2024-T2": ["SAD"], "2025-T4": ["SIS"]}
    details = _events(engine, plan_states.ACTION_PLAN_CLOSE)[0].details or {}
    assert details["not_accepted"] == {"2024-T2": ["SAD"], "2025-T4": ["SIS"]}
    assert details["operator"] is True


def test_an_accepted_delivery_needs_no_reason(engine: Engine, plan: Plan) -> None:
    _submission(engine, "SIS", "2025-T4")
    approvals.approve(engine, "SIS", "2025-T4", by=OPERATOR)
    assert plan_states.close_plan(engine, plan, by=OPERATOR).closed_now


def test_a_failure_midway_leaves_nothing_locked(
    engine: Engine, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(stored, "mark_closed", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        plan_states.close_plan(engine, plan, by=OPERATOR)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(PeriodLock)) == 0
    assert _events(engine, audit.ACTION_LOCK) == []


def test_only_a_director_closes_a_plan(engine: Engine, plan: Plan) -> None:
    users.create_user(engine, "reader", "longenough", "consulta")
    with pytest.raises(PermissionDenied):
        plan_states.close_plan(engine, plan, by="reader", reason="x")
    assert not plan_states.plan_state(engine, plan).closed
    assert locks.locked_periods(engine) == set()


def test_a_closed_plans_quarters_cannot_be_reopened(engine: Engine, plan: Plan) -> None:
    plan_states.close_plan(engine, plan, by=OPERATOR)
    for period in ("2022-T1", "2025-T4"):
        with pytest.raises(AccountError) as refused:
            approvals.reopen_period(engine, period, by=OPERATOR, reason="una correcció")
        message = refused.value.message("ca")
        label = period_label(Period.parse(period), "ca")  # «1r trimestre de 2022»
        assert "coss-2022-2025" in message and "tancat" in message and label in message
        assert "closed" in refused.value.message("en")
    assert locks.locked_periods(engine) == set(_quarters(plan))
    assert _events(engine, audit.ACTION_REOPEN) == []


def test_a_quarter_outside_a_closed_plan_can_still_be_reopened(engine: Engine, plan: Plan) -> None:
    plan_states.close_plan(engine, plan, by=OPERATOR)
    assert approvals.lock_period(engine, "2026-T1", by=OPERATOR)  # a next plan's quarter
    assert approvals.reopen_period(engine, "2026-T1", by=OPERATOR)


def test_a_long_reason_is_cut(engine: Engine, plan: Plan) -> None:
    closing = plan_states.close_plan(engine, plan, by=OPERATOR, reason="«" + "x" * 900)
    assert closing.state.reason is not None
    assert len(closing.state.reason) == plan_states.REASON_LENGTH
