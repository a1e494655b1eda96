"""Approvals, locking and reopening quarters: audited, and refused inside the domain function
to anyone but a director (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from accounts import approvals, audit, roles, users
from accounts.errors import AccountError, PermissionDenied
from accounts.roles import Actor
from indicators.storage import locks
from indicators.storage.engine import transaction
from indicators.storage.schema import Approval, PeriodLock, Submission

PERIOD = "2025-T1"


def _submission(engine: Engine, service: str, period: str) -> int:
    with Session(engine) as session, session.begin():
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


def test_approve_lock_reopen_are_audited(engine: Engine) -> None:
    users.create_user(engine, "boss", "longenough", "director")
    with pytest.raises(AccountError, match="no submission"):
        approvals.approve(engine, "SIS", "2025-T1", by="boss")
    sub_id = _submission(engine, "SIS", "2025-T1")
    approval = approvals.approve(engine, "SIS", "2025-T1", by="boss")
    assert approval.submission_id == sub_id
    with pytest.raises(AccountError):
        approvals.approve(engine, "SAD", "2025-T1", sub_id, by="boss")
    frame = approvals.approvals_frame(engine)
    assert list(frame["submission_id"]) == [sub_id]
    assert not locks.is_locked(engine, "2025-T1")
    approvals.lock_period(engine, "2025-T1", by="boss")
    assert locks.is_locked(engine, "2025-T1")
    assert locks.locked_periods(engine) == {"2025-T1"}
    approvals.reopen_period(engine, "2025-T1", by="boss")
    assert not locks.is_locked(engine, "2025-T1")
    with Session(engine) as session:
        assert not locks.is_locked(session, "2025-T1")
    log = audit.audit_frame(engine, username="boss")
    assert list(log["action"]) == ["period_reopen", "period_lock", "approve"]
    only_locks = audit.audit_frame(engine, action=["period_lock"])
    assert list(only_locks["target"]) == ["2025-T1"]


# --- the role rule, inside the domain -------------------------------------------------------


def _services_for(role: str) -> list[str]:
    """A technician reports for SIS; a reader is assigned no service (accounts.roles)."""
    return ["SIS"] if roles.takes_services(role) else []


def _as_account(engine: Engine, role: str) -> Any:
    return users.create_user(engine, "anna", "longenough", role, _services_for(role))


def _as_username(engine: Engine, role: str) -> Any:
    users.create_user(engine, "anna", "longenough", role, _services_for(role))
    return "anna"


def _as_actor(engine: Engine, role: str) -> Any:
    return Actor("anna", role)


ACTORS: dict[str, Callable[[Engine, str], Any]] = {
    "account": _as_account,
    "username": _as_username,
    "actor": _as_actor,
}
OPERATIONS: dict[str, Callable[[Engine, Any], object]] = {
    "approve": lambda engine, by: approvals.approve(engine, "SIS", PERIOD, by=by),
    "lock": lambda engine, by: approvals.lock_period(engine, PERIOD, by=by, reason="final"),
    "reopen": lambda engine, by: approvals.reopen_period(engine, PERIOD, by=by),
}


def _approvals(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Approval)) or 0)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("kind", sorted(ACTORS))
@pytest.mark.parametrize("role", ["tecnic", "consulta"])
def test_a_non_director_is_refused_inside_the_domain(
    engine: Engine, role: str, kind: str, operation: str
) -> None:
    users.create_user(engine, "boss", "longenough", "director")
    _submission(engine, "SIS", PERIOD)
    if operation == "reopen":
        approvals.lock_period(engine, PERIOD, by="boss", reason="setup")
    before = audit.audit_frame(engine)
    by = ACTORS[kind](engine, role)
    with pytest.raises(PermissionDenied) as refused:
        OPERATIONS[operation](engine, by)
    assert refused.value.message().startswith("Només un director pot ")
    assert "anna no pot" in refused.value.message()
    # nothing changed, nothing recorded
    assert _approvals(engine) == 0
    assert locks.is_locked(engine, PERIOD) is (operation == "reopen")
    after = audit.audit_frame(engine)
    assert len(after) == len(before) + (1 if kind != "actor" else 0)  # + the user_create
    assert not set(after["action"]) & {"approve", "period_reopen"}
    assert list(after["action"]).count("period_lock") == (operation == "reopen")


def test_unknown_or_disabled_names_cannot_act(engine: Engine) -> None:
    _submission(engine, "SIS", PERIOD)
    users.create_user(engine, "boss", "longenough", "director")
    users.create_user(engine, "old", "longenough", "director")
    users.disable_user(engine, "old", by="boss")
    for name in ("ghost", "old"):
        for operation in OPERATIONS.values():
            with pytest.raises(PermissionDenied):
                operation(engine, name)
    assert _approvals(engine) == 0 and not locks.is_locked(engine, PERIOD)


def test_a_director_account_approves_and_locks(engine: Engine) -> None:
    boss = users.create_user(engine, "boss", "longenough", "director")
    sub_id = _submission(engine, "SIS", PERIOD)
    approval = approvals.approve(engine, "SIS", PERIOD, by=boss)
    assert (approval.submission_id, approval.approved_by) == (sub_id, "boss")
    assert approvals.lock_period(engine, PERIOD, by=boss, reason="final data") is True
    event = audit.audit_frame(engine, action="period_lock").iloc[0]
    assert (event["username"], event["details"]) == ("boss", {"reason": "final data"})


def test_an_operator_is_recorded_by_name_as_an_operator(engine: Engine) -> None:
    sub_id = _submission(engine, "SIS", PERIOD)
    operator = Actor.operator("root")  # no such account
    assert approvals.approve(engine, "SIS", PERIOD, by=operator).approved_by == "root"
    assert approvals.lock_period(engine, PERIOD, by=operator, reason="closing") is True
    log = audit.audit_frame(engine, username="root")
    details = dict(zip(log["action"], log["details"], strict=True))
    assert details["approve"] == {
        "service": "SIS",
        "period": PERIOD,
        "submission_id": sub_id,
        "operator": True,
        "rights": "director",
    }
    assert details["period_lock"] == {"reason": "closing", "operator": True, "rights": "director"}
    assert users.get_user(engine, "root") is None


def test_locking_twice_changes_and_records_nothing_the_second_time(engine: Engine) -> None:
    users.create_user(engine, "boss", "longenough", "director")
    users.create_user(engine, "boss2", "longenough", "director")
    assert approvals.lock_period(engine, PERIOD, by="boss") is True
    assert approvals.lock_period(engine, PERIOD, by="boss2") is False
    with Session(engine) as session:
        row = session.get(PeriodLock, PERIOD)
        assert row is not None and row.locked and row.changed_by == "boss"
    assert len(audit.audit_frame(engine, action="period_lock")) == 1
    assert approvals.reopen_period(engine, PERIOD, by="boss2") is True
    assert approvals.reopen_period(engine, PERIOD, by="boss") is False
    frame = approvals.period_locks_frame(engine)
    assert frame.to_dict("records")[0] | {"changed_at": None} == {
        "period": PERIOD,
        "locked": False,
        "changed_by": "boss2",
        "changed_at": None,
    }
    assert len(audit.audit_frame(engine, action="period_reopen")) == 1


def test_reopening_a_quarter_never_locked_writes_nothing(engine: Engine) -> None:
    users.create_user(engine, "boss", "longenough", "director")
    assert approvals.reopen_period(engine, "2024-T4", by="boss") is False
    assert approvals.period_locks_frame(engine).empty
    assert audit.audit_frame(engine, action="period_reopen").empty
    with transaction(engine) as session:
        assert session.get(PeriodLock, "2024-T4") is None
