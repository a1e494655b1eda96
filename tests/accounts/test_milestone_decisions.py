"""Milestone decisions (Ajornat / Desestimat): only a director records or revokes them, inside
the domain function; audited; a locked quarter never moves (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import pytest
from sqlalchemy import Engine

from accounts import audit, milestone_decisions, users
from accounts.errors import AccountError, PermissionDenied
from accounts.roles import Actor
from accounts.users import Acting
from indicators.storage import cache, decisions, locks
from indicators.storage.decisions import DecisionInfo
from indicators.storage.engine import transaction

MILESTONE = "P1.02-I1"


def _decide(
    engine: Engine,
    by: Acting,
    effective: str = "2025-T3",
    *,
    stage: str = "Ajornat",
    decided_on: dt.date | None = None,
    milestones: Collection[str] | None = None,
) -> DecisionInfo:
    return milestone_decisions.record_decision(
        engine,
        MILESTONE,
        stage,
        effective,
        reason="Manca de finançament",
        body="Comissió de direcció",
        by=by,
        decided_on=decided_on,
        milestones=milestones,
    )


@pytest.mark.parametrize("role", ["tecnic", "responsable", "consulta"])
def test_only_a_director_records_a_decision(engine: Engine, role: str) -> None:
    users.create_user(engine, "someone", "longenough", role)
    with pytest.raises(PermissionDenied, match="Only a director"):
        _decide(engine, "someone")
    with pytest.raises(PermissionDenied):  # an Actor with that role: refused too
        _decide(engine, Actor(name="someone", role=role))
    assert decisions.decision_records(engine) == []
    assert audit.audit_frame(engine, action=[milestone_decisions.ACTION_DECIDE]).empty


def test_only_a_director_revokes_a_decision(engine: Engine) -> None:
    users.create_user(engine, "boss", "longenough", "director")
    users.create_user(engine, "tec", "longenough", "tecnic")
    info = milestone_decisions.record_decision(
        engine, MILESTONE, "desestimat", "2025-T2", reason="r", body="Junta", by="boss"
    )
    with pytest.raises(PermissionDenied):
        milestone_decisions.revoke_decision(engine, info.id, by="tec")
    assert not decisions.decision_records(engine)[0].revoked


def test_a_director_records_and_revokes_audited(engine: Engine) -> None:
    users.create_user(engine, "boss", "longenough", "director")
    before = cache.current_generation(engine)
    info = _decide(engine, "boss", decided_on=dt.date(2025, 7, 10))
    assert info.decision.stage == "ajornat"  # the catalog's key, whatever the spelling given
    assert info.decision.by == "boss" and info.decision.decided_on == dt.date(2025, 7, 10)
    assert cache.current_generation(engine) > before  # pages show it at once
    with pytest.raises(AccountError, match="revoke it first"):
        _decide(engine, "boss")
    milestone_decisions.revoke_decision(engine, info.id, by="boss", reason="Error de data")
    with pytest.raises(AccountError, match="No decision"):
        milestone_decisions.revoke_decision(engine, info.id, by="boss")
    log = audit.audit_frame(engine, username="boss")
    assert list(log["action"]) == ["milestone_revoke", "milestone_decide"]
    assert list(log["target"]) == [MILESTONE, MILESTONE]
    assert log.iloc[1]["details"]["body"] == "Comissió de direcció"
    assert decisions.active_decisions(engine) == []


def test_the_operator_acts_as_a_director(engine: Engine) -> None:
    _decide(engine, Actor.operator("admin"))
    log = audit.audit_frame(engine, action=[milestone_decisions.ACTION_DECIDE])
    assert log.iloc[0]["details"]["operator"] is True


def test_a_decision_must_be_well_formed(engine: Engine) -> None:
    boss = Actor.operator("admin")
    with pytest.raises(AccountError, match="Ajornat or Desestimat"):
        _decide(engine, boss, stage="finalitzat")
    with pytest.raises(AccountError, match="Not a quarter"):
        _decide(engine, boss, effective="juliol")
    with pytest.raises(AccountError, match="not a milestone"):
        _decide(engine, boss, milestones={"P9.99-I1"})
    with pytest.raises(AccountError, match="reason"):
        milestone_decisions.record_decision(
            engine, MILESTONE, "ajornat", "2025-T3", reason=" ", body="Junta", by=boss
        )
    assert decisions.decision_records(engine) == []


def test_a_locked_quarter_never_moves(engine: Engine) -> None:
    boss = Actor.operator("admin")
    with transaction(engine) as session:
        locks.set_lock(session, "2025-T3", locked=True, by="admin")
    with pytest.raises(AccountError, match="locked quarter never moves") as refused:
        _decide(engine, boss, effective="2025-T3")
    assert "2025-T3" in str(refused.value)
    with pytest.raises(AccountError, match="2025-T3"):  # from before it: it would move it too
        _decide(engine, boss, effective="2025-T2")
    info = _decide(engine, boss, effective="2025-T4")  # after the locked quarter: fine
    with transaction(engine) as session:
        locks.set_lock(session, "2025-T4", locked=True, by="admin")
    with pytest.raises(AccountError, match="locked quarter never moves"):
        milestone_decisions.revoke_decision(engine, info.id, by=boss)
