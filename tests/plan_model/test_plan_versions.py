"""Which version of a plan governs a quarter (issue 18, ``plan_model.versions``): an amendment
from its effective quarter only, the plan as approved before it and on ``as_approved``, an
extension's new years with the last year's targets, and the targets an amendment revised."""

from __future__ import annotations

import datetime as dt

from plan_model.loader import load_plan
from plan_model.models import Plan
from plan_model.periods import Period
from plan_model.versions import (
    AMENDMENT,
    EXTENSION,
    PlanVersion,
    extend_plan,
    governing_number,
    plan_for_quarter,
    plan_from_documents,
    revisions_of,
    target_revisions,
    version_json,
)
from tests.helpers.evaluation_data import PLAN_FILE

AT = dt.datetime(2026, 12, 6, 10, tzinfo=dt.UTC)
CODE = "P1.01-I1"  # targets {2022: 50, 2023: 60, 2024: 70, 2025: 80}


def _plan() -> Plan:
    return load_plan(PLAN_FILE)


def _amended(plan: Plan, target_2025: float) -> Plan:
    indicators = [
        i.model_copy(update={"targets": {**(i.targets or {}), 2025: target_2025}})
        if i.code == CODE
        else i
        for i in plan.indicators
    ]
    return plan.model_copy(
        update={"catalog": plan.catalog.model_copy(update={"indicators": indicators})}
    )


def _amendment(number: int, plan: Plan, effective: str) -> PlanVersion:
    return PlanVersion(
        number=number,
        kind=AMENDMENT,
        effective=Period.parse(effective),
        reason="revisió de metes",
        recorded_at=AT,
        recorded_by="maria",
        approved_by="Consell de govern",
        plan=plan,
    )


def _extension(number: int, effective: str, until: str) -> PlanVersion:
    return PlanVersion(
        number=number,
        kind=EXTENSION,
        effective=Period.parse(effective),
        reason="pròrroga",
        recorded_at=AT,
        recorded_by="maria",
        until=Period.parse(until),
    )


def _target(plan: Plan, year: int) -> float | None:
    return (plan.indicator_by_code[CODE].targets or {}).get(year)


def test_without_versions_every_quarter_is_governed_by_the_plan_as_approved() -> None:
    plan = _plan()
    assert plan_for_quarter(plan, [], Period(2025, 4)) is plan
    assert plan_for_quarter(plan, []) is plan
    assert governing_number([], Period(2023, 1)) == 0


def test_an_amendment_governs_from_its_effective_quarter_only() -> None:
    plan = _plan()
    versions = [_amendment(1, _amended(plan, 100), "2025-T3")]
    before = plan_for_quarter(plan, versions, Period(2025, 2))
    at = plan_for_quarter(plan, versions, Period(2025, 3))
    after = plan_for_quarter(plan, versions, Period(2025, 4))
    assert (before.version, _target(before, 2025)) == (0, 80)
    assert (at.version, _target(at, 2025)) == (1, 100)
    assert (after.version, _target(after, 2025)) == (1, 100)
    approved = plan_for_quarter(plan, versions, Period(2025, 4), as_approved=True)
    assert (approved.version, _target(approved, 2025)) == (0, 80)
    assert plan_for_quarter(plan, versions).version == 1  # the plan now


def test_the_newest_version_in_force_governs() -> None:
    plan = _plan()
    versions = [
        _amendment(1, _amended(plan, 90), "2025-T2"),
        _amendment(2, _amended(plan, 95), "2025-T4"),
    ]
    assert [governing_number(versions, Period(2025, q)) for q in (1, 2, 3, 4)] == [0, 1, 1, 2]
    assert _target(plan_for_quarter(plan, versions, Period(2025, 3)), 2025) == 90
    assert _target(plan_for_quarter(plan, versions, Period(2025, 4)), 2025) == 95


def test_an_extension_runs_the_plan_on_with_the_last_year_targets() -> None:
    plan = _plan()
    extended = extend_plan(plan, Period(2026, 2), version=1)
    assert extended.last_period == Period(2026, 2)
    assert extended.years == [2022, 2023, 2024, 2025, 2026]
    assert _target(extended, 2026) == 80
    assert extended.version == 1 and extended.until == "2026-T2"
    whole_year = extend_plan(plan, Period(2026, 4))
    assert whole_year.last_period == Period(2026, 4) and whole_year.until is None
    assert plan.last_period == Period(2025, 4)  # the plan itself is not changed


def test_an_extension_keeps_the_amendment_before_it_and_every_version_spans_it() -> None:
    plan = _plan()
    versions = [_amendment(1, _amended(plan, 100), "2025-T3"), _extension(2, "2026-T1", "2026-T4")]
    early = plan_for_quarter(plan, versions, Period(2024, 1))
    late = plan_for_quarter(plan, versions, Period(2026, 3))
    assert early.version == 0 and _target(early, 2025) == 80
    assert early.last_period == Period(2026, 4)  # a page offers every quarter of the plan now
    assert late.version == 2 and _target(late, 2026) == 100  # the amended last year's
    approved = plan_for_quarter(plan, versions, Period(2026, 3), as_approved=True)
    assert approved.last_period == Period(2026, 4) and _target(approved, 2026) == 80


def test_an_amendment_after_an_extension_keeps_its_span() -> None:
    plan = _plan()
    versions = [_extension(1, "2026-T1", "2026-T4"), _amendment(2, _amended(plan, 100), "2025-T4")]
    now = plan_for_quarter(plan, versions)
    assert now.version == 2 and now.last_period == Period(2026, 4)
    assert _target(now, 2026) == 100
    assert _target(plan_for_quarter(plan, versions, Period(2025, 3)), 2025) == 80


def test_target_revisions_name_the_target_before_and_after() -> None:
    plan = _plan()
    versions = [
        _amendment(1, _amended(plan, 90), "2025-T2"),
        _amendment(2, _amended(plan, 95), "2025-T4"),
    ]
    found = target_revisions(plan, versions)
    assert [(r.indicator, r.year, r.before, r.after, r.version) for r in found] == [
        (CODE, 2025, 80, 90, 1),
        (CODE, 2025, 90, 95, 2),
    ]
    latest = revisions_of(found, CODE)
    assert list(latest) == [2025] and latest[2025].before == 90
    assert revisions_of(found, "P2.01-I1") == {}


def test_plan_from_documents_rebuilds_the_plan_of_its_yaml() -> None:
    plan = _plan()
    rebuilt = plan_from_documents(
        PLAN_FILE.read_text(encoding="utf-8"),
        (PLAN_FILE.parent / "indicators.yaml").read_text(encoding="utf-8"),
        plan,
    )
    assert rebuilt == plan


def test_version_json() -> None:
    document = version_json(_extension(3, "2026-T1", "2026-T4"))
    assert document["kind"] == "extension" and document["until"] == "2026-T4"
    assert document["number"] == 3 and document["recorded_at"].startswith("2026-12-06")
