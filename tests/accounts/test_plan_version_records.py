"""Amending and extending a plan (issue 18), stored in ``plan_versions`` (SQLite and
PostgreSQL): an amendment changes the figures from its effective quarter only and the plan as
approved still gives the original ones; the effective quarter may not be locked or published;
a closed plan is neither amended nor extended; an extension grows the plan's span and leaves
it ``extended``; every decision is audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from accounts import audit, plan_states, plan_versions
from accounts.errors import AccountError
from accounts.roles import Actor
from indicators.intake.importer import import_file
from indicators.reporting import dashboard_data
from indicators.storage import locks, publications
from indicators.storage import plan_versions as stored
from indicators.storage.engine import transaction
from plan_model.models import Plan
from plan_model.periods import Period
from tests.helpers.evaluation_data import load_known_data, tiny_plan
from tests.helpers.plan_versions import amended

OPERATOR = Actor.operator("maria")
CODE = "P1.01-I1"


@pytest.fixture
def tiny() -> Plan:
    return tiny_plan()


def _figures(
    engine: Engine, original: Plan, period: str, *, as_approved: bool = False
) -> tuple[str, float | None, float | None]:
    """P1.01-I1's status, achievement and expected value at ``period``, computed with the
    plan that governs it (as the pages and the command line do)."""
    quarter = Period.parse(period)
    plan = stored.plan_for_quarter(engine, original, quarter, as_approved=as_approved)
    data = dashboard_data.load(engine, plan, deadline_days=30)
    [result] = [i for i in data.objective_status("P1.01", quarter).indicators if i.code == CODE]
    return str(result.status), result.achievement, result.expected


def _amend(engine: Engine, plan: Plan, folder: Path, effective: str) -> plan_versions.Recorded:
    return plan_versions.amend_plan(
        engine,
        plan,
        amended(folder),
        effective=effective,
        reason="Revisió de meitat de període",
        approved_by="Consell de govern, 3 de novembre de 2025",
        by=OPERATOR,
    )


def test_an_amendment_changes_the_figures_from_its_effective_quarter_only(
    engine: Engine, tiny: Plan, tmp_path: Path
) -> None:
    load_known_data(engine, tiny)
    quarters = ["2024-T4", "2025-T1", "2025-T2", "2025-T3"]
    before = {p: _figures(engine, tiny, p) for p in quarters}
    recorded = _amend(engine, tiny, tmp_path / "amended", "2025-T3")
    assert (recorded.number, recorded.effective) == (1, "2025-T3")
    after = {p: _figures(engine, tiny, p) for p in quarters}
    for quarter in quarters[:-1]:  # before the effective quarter: identical
        assert after[quarter] == before[quarter]
    assert before["2025-T3"][0] == "green" and before["2025-T3"][2] == pytest.approx(77.5)
    assert after["2025-T3"][0] != "green" and after["2025-T3"][2] == pytest.approx(92.5)
    # the plan as approved still gives the original figures, at every quarter
    for quarter in quarters:
        assert _figures(engine, tiny, quarter, as_approved=True) == before[quarter]


def test_an_amendment_is_stored_with_its_documents_and_audited(
    engine: Engine, tiny: Plan, tmp_path: Path
) -> None:
    amendment = amended(tmp_path / "amended")
    plan_versions.amend_plan(
        engine, tiny, amendment, effective="2025-T4", reason="r", approved_by="Consell", by=OPERATOR
    )
    [version] = stored.stored_versions(engine, tiny)
    assert (version.number, version.kind, str(version.effective)) == (1, "amendment", "2025-T4")
    assert (version.reason, version.approved_by, version.recorded_by) == ("r", "Consell", "maria")
    assert version.plan is not None
    assert (version.plan.indicator_by_code[CODE].targets or {})[2025] == 100
    assert version.recorded_at.tzinfo is not None
    now = stored.plan_for_quarter(engine, tiny)
    assert now.version == 1 and now.last_period == tiny.last_period
    frame = audit.audit_frame(engine, action=plan_versions.ACTION_PLAN_AMEND)
    assert list(frame["username"]) == ["maria"]


def test_a_locked_effective_quarter_is_refused(engine: Engine, tiny: Plan, tmp_path: Path) -> None:
    with transaction(engine) as session:
        locks.set_lock(session, "2025-T3", locked=True, by="op")
    with pytest.raises(AccountError) as refused:
        _amend(engine, tiny, tmp_path / "amended", "2025-T3")
    assert "El 3r trimestre de 2025 està tancat" in refused.value.message()
    assert stored.stored_versions(engine, tiny) == []
    assert _amend(engine, tiny, tmp_path / "later", "2025-T4").number == 1


def test_a_published_effective_quarter_is_refused(
    engine: Engine, tiny: Plan, tmp_path: Path
) -> None:
    with transaction(engine) as session:
        publications.publish(session, "2025-T2", by="op")
    with pytest.raises(AccountError) as refused:
        _amend(engine, tiny, tmp_path / "amended", "2025-T2")
    assert "està publicat" in refused.value.message()
    assert stored.stored_versions(engine, tiny) == []


def test_another_plans_file_and_a_quarter_outside_the_plan_are_refused(
    engine: Engine, tiny: Plan, tmp_path: Path
) -> None:
    with pytest.raises(AccountError) as refused:
        plan_versions.amend_plan(
            engine,
            tiny,
            amended(tmp_path / "other", plan_id="una-altra"),
            effective="2025-T4",
            reason="r",
            approved_by="Consell",
            by=OPERATOR,
        )
    assert "una-altra" in refused.value.message()
    with pytest.raises(AccountError) as outside:
        _amend(engine, tiny, tmp_path / "amended", "2026-T1")
    assert "no és un trimestre del pla" in outside.value.message()
    assert stored.stored_versions(engine, tiny) == []


def test_an_extension_grows_the_span_with_the_last_year_targets(engine: Engine, tiny: Plan) -> None:
    recorded = plan_versions.extend_plan(
        engine, tiny, until="2026-T4", reason="Pròrroga del contracte programa", by=OPERATOR
    )
    assert (recorded.effective, recorded.until) == ("2026-T1", "2026-T4")
    now = stored.plan_for_quarter(engine, tiny)
    assert now.last_period == Period(2026, 4)
    assert (now.indicator_by_code[CODE].targets or {})[2026] == 80
    state = plan_states.plan_state(engine, tiny)
    assert (state.state, state.last_period) == ("extended", "2026-T4")
    assert len(audit.audit_frame(engine, action=plan_versions.ACTION_PLAN_EXTEND)) == 1
    with pytest.raises(AccountError) as again:
        plan_versions.extend_plan(engine, tiny, until="2026-T2", reason="r", by=OPERATOR)
    assert "ja arriba fins al 4t trimestre de 2026" in again.value.message()


def test_a_closed_plan_is_neither_amended_nor_extended(
    engine: Engine, tiny: Plan, tmp_path: Path
) -> None:
    plan_states.close_plan(engine, tiny, by=OPERATOR)
    with pytest.raises(AccountError) as refused:
        _amend(engine, tiny, tmp_path / "amended", "2025-T4")
    assert "un pla tancat no es pot modificar ni prorrogar" in refused.value.message()
    with pytest.raises(AccountError):
        plan_versions.extend_plan(engine, tiny, until="2026-T4", reason="r", by=OPERATOR)
    assert stored.stored_versions(engine, tiny) == []


def test_a_reason_and_an_approver_are_required(engine: Engine, tiny: Plan, tmp_path: Path) -> None:
    with pytest.raises(AccountError):
        plan_versions.amend_plan(
            engine,
            tiny,
            amended(tmp_path / "amended"),
            effective="2025-T4",
            reason=" ",
            approved_by="Consell",
            by=OPERATOR,
        )
    with pytest.raises(AccountError):
        plan_versions.extend_plan(engine, tiny, until="2026-T4", reason="", by=OPERATOR)
    assert stored.stored_versions(engine, tiny) == []


def _import_2026(engine: Engine, plan: Plan) -> list[str]:
    """Import a P1.01-I1 value for 2026-T1 (as of 2026-05-01); the codes of its errors."""
    content = "Codi;Període;Valor;Comentari\nP1.01-I1;2026-T1;81,0;\n".encode()
    result = import_file(
        engine,
        plan,
        filename="SBAS-2026-T1.csv",
        content=content,
        user="tec-sbas",
        service="SBAS",
        period="2026-T1",
        today=dt.date(2026, 5, 1),
        source="cli",
    )
    return [issue.code for issue in result.errors]


def test_an_extension_opens_its_quarters_to_imports(engine: Engine, tiny: Plan) -> None:
    assert "period_outside_plan" in _import_2026(engine, tiny)
    plan_versions.extend_plan(engine, tiny, until="2026-T4", reason="Pròrroga", by=OPERATOR)
    assert _import_2026(engine, tiny) == []
    status, _achievement, expected = _figures(engine, tiny, "2026-T1")
    assert status in ("green", "amber", "red") and expected is not None
