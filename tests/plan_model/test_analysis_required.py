"""When an objective's analysis (valoració) is required: an indicator red or amber in the
quarter; and which objectives need one and lack it (issue 17)."""

from __future__ import annotations

from plan_model.analyses import (
    missing_analyses,
    needs_analysis,
    off_track_indicators,
    responsible_services,
)
from plan_model.status import compute_status
from plan_model.status_types import Status
from tests.helpers.status_factory import frame, make_plan, milestone, numeric

PLAN = make_plan(
    [
        numeric("P1.01-I1"),  # green below
        numeric("P1.02-I1"),  # red below
        numeric("P1.02-I2", service="SVC_B"),
        numeric("P1.03-I1"),  # amber below
        numeric("P1.04-I1"),  # no data: grey
        milestone("P2.01-I1", due="2025-T4", start="2026-T1"),  # not due yet
    ]
)
VALUES = frame(
    [
        ("P1.01-I1", "2025-T3", 200.0),
        ("P1.02-I1", "2025-T3", 100.0),
        ("P1.02-I2", "2025-T3", 200.0),
        ("P1.03-I1", "2025-T3", 150.0),
    ]
)


def test_red_or_amber_indicators_make_the_analysis_required() -> None:
    status = compute_status(PLAN, VALUES, "2025-T3")
    lights = {i.code: i.status for i in status.indicators}
    assert lights["P1.01-I1"] is Status.GREEN
    assert lights["P1.02-I1"] is Status.RED
    assert lights["P1.03-I1"] is Status.AMBER
    assert [i.code for i in off_track_indicators(status.objective("P1.02"))] == ["P1.02-I1"]
    assert needs_analysis(status.objective("P1.03"))
    assert not needs_analysis(status.objective("P1.01"))
    assert not needs_analysis(status.objective("P1.04"))  # grey: nothing to explain
    assert not needs_analysis(status.objective("P2.01"))


def test_missing_analyses_lists_those_that_need_one_and_lack_it() -> None:
    status = compute_status(PLAN, VALUES, "2025-T3")
    assert missing_analyses(status.objectives, set()) == ["P1.02", "P1.03"]
    assert missing_analyses(status.objectives, {"P1.03", "P1.01"}) == ["P1.02"]
    assert missing_analyses(status.objectives, {"P1.02", "P1.03"}) == []


def test_responsible_services_come_from_the_objectives_indicators() -> None:
    assert responsible_services(PLAN, "P1.02") == {"SVC_A", "SVC_B"}
    assert responsible_services(PLAN, "P9.99") == frozenset()
