"""The objectives at risk, worst first: status, forecast, achievement, then code."""

from __future__ import annotations

import random

from plan_model.ranking import WORST_FIRST, at_risk_key, at_risk_ranking, is_at_risk
from plan_model.status_types import (
    AxisResult,
    LevelResult,
    LeverResult,
    ObjectiveResult,
    PlanStatus,
    Status,
    Trend,
    empty_counts,
)


def objective(
    code: str, status: Status, achievement: float | None = None, *, at_risk: bool = False
) -> ObjectiveResult:
    return ObjectiveResult(
        level="objective",
        key=code,
        name=f"Objectiu {code}",
        period="2025-T2",
        achievement=achievement,
        status=status,
        trend=Trend.UNKNOWN,
        counts=empty_counts(),
        coverage=1.0,
        insufficient_data=False,
        at_risk_count=int(at_risk),
        weight=1.0,
        code=code,
        axis=1,
        lever=1,
        at_risk=at_risk,
    )


def codes(objectives: list[ObjectiveResult]) -> list[str]:
    return [o.code for o in objectives]


def test_only_objectives_behind_or_heading_to_miss_the_target() -> None:
    chosen = at_risk_ranking(
        [
            objective("P1.01", Status.GREEN, 1.0),
            objective("P1.02", Status.AMBER, 0.8),
            objective("P1.03", Status.GREY),
            objective("P1.04", Status.GREEN, 0.95, at_risk=True),
            objective("P1.05", Status.RED, 0.3),
            objective("P1.06", Status.GREY, at_risk=True),
        ]
    )
    assert codes(chosen) == ["P1.05", "P1.02", "P1.04", "P1.06"]
    assert not is_at_risk(objective("P1.01", Status.GREEN, 1.0))


def test_within_a_status_the_forecast_then_the_achievement_decide() -> None:
    chosen = at_risk_ranking(
        [
            objective("P1.01", Status.AMBER, 0.72),
            objective("P1.02", Status.AMBER, 0.85, at_risk=True),
            objective("P1.03", Status.AMBER, 0.75, at_risk=True),
            objective("P1.04", Status.GREEN, None, at_risk=True),  # no achievement: last
            objective("P1.05", Status.GREEN, 0.99, at_risk=True),
        ]
    )
    assert codes(chosen) == ["P1.03", "P1.02", "P1.01", "P1.05", "P1.04"]


def test_ties_are_broken_by_code_whatever_the_input_order() -> None:
    tied = [objective(f"P2.{n:02d}", Status.RED, 0.5, at_risk=True) for n in range(1, 13)]
    expected = sorted(codes(tied))
    rng = random.Random(12)
    for _ in range(20):
        shuffled = tied[:]
        rng.shuffle(shuffled)
        assert codes(at_risk_ranking(shuffled)) == expected
    assert len({at_risk_key(o) for o in tied}) == len(tied)  # the order is total


def test_a_plan_status_is_ranked_by_its_objectives() -> None:
    objectives = [objective("P1.02", Status.RED, 0.4), objective("P1.01", Status.RED, 0.4)]
    plan = LevelResult(
        level="plan",
        key="plan",
        name="Pla",
        period="2025-T2",
        achievement=0.4,
        status=Status.RED,
        trend=Trend.UNKNOWN,
        counts=empty_counts(),
        coverage=1.0,
        insufficient_data=False,
        at_risk_count=0,
        weight=1.0,
    )
    axis = AxisResult(
        level="axis",
        key="1",
        name="Eix",
        period="2025-T2",
        achievement=0.4,
        status=Status.RED,
        trend=Trend.UNKNOWN,
        counts=empty_counts(),
        coverage=1.0,
        insufficient_data=False,
        at_risk_count=0,
        weight=1.0,
        number=1,
        lever=1,
        objectives=objectives,
    )
    lever = LeverResult(
        level="lever",
        key="1",
        name="Palanca",
        period="2025-T2",
        achievement=0.4,
        status=Status.RED,
        trend=Trend.UNKNOWN,
        counts=empty_counts(),
        coverage=1.0,
        insufficient_data=False,
        at_risk_count=0,
        weight=1.0,
        number=1,
        tagline="",
        axes=[axis],
    )
    result = PlanStatus(
        period="2025-T2",
        as_of=None,
        plan=plan,
        levers=[lever],
        green_threshold=0.9,
        amber_threshold=0.7,
    )
    assert codes(at_risk_ranking(result)) == ["P1.01", "P1.02"]


def test_statuses_worst_first_cover_every_status() -> None:
    assert sorted(WORST_FIRST, key=WORST_FIRST.__getitem__) == [
        Status.RED,
        Status.AMBER,
        Status.GREEN,
        Status.GREY,
    ]
