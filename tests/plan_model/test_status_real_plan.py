"""Smoke test of the status engine on the real plan and catalog (synthetic values)."""

from __future__ import annotations

import json

from cli.bench.status import synthetic_values
from plan_model.models import Plan
from plan_model.periods import period_range
from plan_model.status import Status, compute_status, status_history, status_to_json


def test_real_plan_every_quarter(plan: Plan) -> None:
    values = synthetic_values(plan)
    periods = period_range(plan.first_period, plan.last_period)
    history = status_history(plan, values, periods)
    levels = 1 + len(plan.levers) + len(plan.axes) + len(plan.objectives) + len(plan.indicators)
    assert len(history) == levels * len(periods)
    assert set(history["status"]) <= {"green", "amber", "red", "grey"}
    for period in (periods[0], periods[7], periods[-1]):
        result = compute_status(plan, values, period)
        assert len(result.levers) == len(plan.levers)
        assert len(result.objectives) == len(plan.objectives)
        assert len(result.indicators) == len(plan.indicators)
        assert sum(result.plan.counts.values()) == len(plan.levers)
        for objective in result.objectives:
            assert objective.indicators, objective.code
            assert sum(objective.counts.values()) == len(objective.indicators)
        doc = json.loads(json.dumps(status_to_json(result)))
        assert doc["period"] == str(period)
    final = compute_status(plan, values, plan.last_period)
    # the synthetic data has values for ~96 % of the quarters: the plan is coloured
    assert final.plan.status is not Status.GREY
    assert final.plan.coverage is not None and final.plan.coverage > 0.5
    assert any(i.at_risk for i in final.indicators)
    assert any(i.status is Status.GREEN for i in final.indicators)
