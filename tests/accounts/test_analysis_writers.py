"""Objective analyses (valoracions): who may write one is checked inside the domain function;
a write is audited, supersedes the one in force and is refused for a locked quarter
(SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from accounts import analyses, audit, users
from accounts.errors import AccountError, PermissionDenied
from accounts.roles import Actor
from accounts.users import Acting
from indicators.storage import analyses as stored
from indicators.storage import cache, locks
from indicators.storage.analyses import AnalysisInfo
from indicators.storage.engine import transaction
from plan_model.models import Plan

OBJECTIVE = "P3.07"  # SIAD is its only responsible service in data/plan.yaml
PERIOD = "2025-T3"


def _write(
    engine: Engine, plan: Plan, by: Acting, objective: str = OBJECTIVE, text: str = "Retard"
) -> AnalysisInfo:
    return analyses.write_analysis(
        engine,
        plan,
        objective,
        PERIOD,
        what_happened=text,
        next_steps="Reforçar l'equip abans del desembre",
        by=by,
    )


@pytest.mark.parametrize("role", ["tecnic", "responsable"])
def test_the_objectives_own_service_writes_it(engine: Engine, plan: Plan, role: str) -> None:
    users.create_user(engine, "own", "longenough", role, ["SIAD"])
    info = _write(engine, plan, "own")
    assert (info.author, info.objective, info.period) == ("own", OBJECTIVE, PERIOD)
    events = audit.audit_frame(engine, action=[analyses.ACTION_WRITE])
    assert list(events["target"]) == [OBJECTIVE]
    assert list(events["username"]) == ["own"]
    assert events.iloc[0]["details"]["period"] == PERIOD


@pytest.mark.parametrize("role", ["tecnic", "responsable", "consulta"])
def test_anyone_else_is_refused_inside_the_domain_function(
    engine: Engine, plan: Plan, role: str
) -> None:
    users.create_user(engine, "other", "longenough", role, ["SAD"] if role != "consulta" else [])
    with pytest.raises(PermissionDenied, match="responsible service"):
        _write(engine, plan, "other")
    with pytest.raises(PermissionDenied):  # an Actor claiming the role: refused too
        _write(engine, plan, Actor(name="other", role=role, services=("SAD",)))
    assert stored.analyses_in_force(engine) == []
    assert audit.audit_frame(engine, action=[analyses.ACTION_WRITE]).empty


def test_a_director_and_the_operator_write_any_objective(engine: Engine, plan: Plan) -> None:
    users.create_user(engine, "boss", "longenough", "director")
    assert _write(engine, plan, "boss", "P1.02").author == "boss"
    info = _write(engine, plan, Actor.operator("cron"), "P2.05")
    assert info.author == "cron"
    events = audit.audit_frame(engine, action=[analyses.ACTION_WRITE])
    assert sorted(events["target"]) == ["P1.02", "P2.05"]


def test_a_rewrite_supersedes_and_the_audit_says_which(engine: Engine, plan: Plan) -> None:
    users.create_user(engine, "own", "longenough", "tecnic", ["SIAD"])
    generation = cache.current_generation(engine)
    first = _write(engine, plan, "own", text="Primera")
    assert cache.current_generation(engine) > generation  # pages show it at once
    second = _write(engine, plan, "own", text="Segona")
    assert stored.analysis_in_force(engine, OBJECTIVE, PERIOD) == second
    assert [a.id for a in stored.analysis_history(engine, OBJECTIVE, PERIOD)] == [
        second.id,
        first.id,
    ]
    events = audit.audit_frame(engine, action=[analyses.ACTION_WRITE])
    supersedes = sorted(str(d.get("supersedes")) for d in events["details"])
    assert supersedes == [str(first.id), "None"]


def test_a_locked_quarter_or_a_bad_text_is_refused_in_catalan(engine: Engine, plan: Plan) -> None:
    users.create_user(engine, "boss", "longenough", "director")
    with pytest.raises(AccountError) as long_text:
        _write(engine, plan, "boss", text="x" * (stored.TEXT_LIMIT + 1))
    assert "4.000" in long_text.value.message("ca")
    with pytest.raises(AccountError) as unknown:
        _write(engine, plan, "boss", "P9.99")
    assert "P9.99" in unknown.value.message("ca")
    with transaction(engine) as session:
        locks.set_lock(session, PERIOD, locked=True, by="boss")
    with pytest.raises(AccountError) as locked:
        _write(engine, plan, "boss")
    assert "tancat" in locked.value.message("ca")
    assert stored.analyses_in_force(engine) == []
    assert audit.audit_frame(engine, action=[analyses.ACTION_WRITE]).empty


def test_may_write_reads_the_signed_in_accounts_services(engine: Engine, plan: Plan) -> None:
    own = users.create_user(engine, "own", "longenough", "tecnic", ["SIAD"])
    viewer = users.create_user(engine, "viewer", "longenough", "consulta")
    assert analyses.may_write(own, plan, OBJECTIVE)
    assert not analyses.may_write(own, plan, "P2.05")
    assert not analyses.may_write(viewer, plan, OBJECTIVE)
