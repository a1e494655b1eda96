"""Milestone decisions as stored: written, read back in force, revoked but kept, one in force
per milestone and quarter (the database says so), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from indicators.storage import decisions
from indicators.storage.engine import transaction
from indicators.storage.schema import DEFAULT_PLAN_ID, MilestoneDecisionRecord
from plan_model.decisions import MilestoneDecision

DECIDED = dt.date(2025, 7, 10)


def _decision(indicator: str = "P1.02-I1", effective: str = "2025-T3") -> MilestoneDecision:
    return MilestoneDecision(
        indicator=indicator,
        stage="ajornat",
        effective=effective,
        decided_on=DECIDED,
        reason="Manca de finançament",
        body="Comissió de direcció",
        by="boss",
    )


def test_a_decision_is_stored_and_read_back_in_force(engine: Engine) -> None:
    assert decisions.active_decisions(engine) == []
    with transaction(engine) as session:
        info = decisions.add_decision(session, _decision())
    assert info.plan_id == DEFAULT_PLAN_ID
    assert info.recorded_at.tzinfo is not None
    assert decisions.active_decisions(engine) == [_decision()]
    with Session(engine) as session:  # the readers take a session too
        assert decisions.active_decisions(session) == [_decision()]
        assert decisions.get_decision(session, info.id) == info


def test_a_revoked_decision_is_kept_but_no_longer_in_force(engine: Engine) -> None:
    with transaction(engine) as session:
        info = decisions.add_decision(session, _decision())
        decisions.add_decision(session, _decision("P2.01-I1", "2025-T2"))
    with transaction(engine) as session:
        revoked = decisions.revoke_decision(session, info.id, by="boss2", reason="Error")
        assert revoked is not None and revoked.revoked
        assert decisions.revoke_decision(session, info.id, by="boss2") is None  # once only
        assert decisions.revoke_decision(session, 9999, by="boss2") is None
    assert [d.indicator for d in decisions.active_decisions(engine)] == ["P2.01-I1"]
    records = decisions.decision_records(engine)
    assert [(r.decision.indicator, r.revoked) for r in records] == [
        ("P1.02-I1", True),
        ("P2.01-I1", False),
    ]
    assert records[0].revoked_by == "boss2" and records[0].revoke_reason == "Error"
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(MilestoneDecisionRecord)) == 2


def test_one_decision_in_force_per_milestone_and_quarter(engine: Engine) -> None:
    with transaction(engine) as session:
        first = decisions.add_decision(session, _decision())
    with pytest.raises(IntegrityError), transaction(engine) as session:
        decisions.add_decision(session, _decision())
    with transaction(engine) as session:
        decisions.revoke_decision(session, first.id, by="boss")
        again = decisions.add_decision(session, _decision())  # after revoking: allowed
        assert decisions.active_decision_at(session, "P1.02-I1", "2025-T3") == again
        assert decisions.active_decision_at(session, "P1.02-I1", "2025-T4") is None


def test_decisions_belong_to_a_plan(engine: Engine) -> None:
    with transaction(engine) as session:
        decisions.add_decision(session, _decision(), plan_id="another-plan")
    assert decisions.active_decisions(engine) == []
    assert decisions.active_decisions(engine, plan_id="another-plan") == [_decision()]


def test_the_decisions_in_force_at_a_moment(engine: Engine) -> None:
    day = dt.datetime(2025, 7, 10, 9, tzinfo=dt.UTC)
    with transaction(engine) as session:
        first = decisions.add_decision(session, _decision(), at=day)
        decisions.add_decision(session, _decision("P2.01-I1"), at=day + dt.timedelta(days=30))
    with transaction(engine) as session:
        decisions.revoke_decision(session, first.id, by="boss", at=day + dt.timedelta(days=60))
    codes = [
        [d.indicator for d in decisions.active_decisions(engine, as_of=day + dt.timedelta(n))]
        for n in (-1, 1, 31, 61)
    ]
    assert codes == [[], ["P1.02-I1"], ["P1.02-I1", "P2.01-I1"], ["P2.01-I1"]]
    assert [d.indicator for d in decisions.active_decisions(engine)] == ["P2.01-I1"]
