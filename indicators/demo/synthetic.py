"""Generated catalogs for benchmarks and tests (never for the real plan).

``synthetic_plan(base, service, numeric=N, milestones=M)`` keeps the base plan's levers,
services and stages, and replaces its catalog with N numeric and M milestone indicators of
one service, spread over the plan's objectives (codes ``P1.01-I101``...). Each numeric one
has a baseline, yearly targets, bounds, a direction and an aggregation, so everything that
reads a catalog (templates, import validation, the status engine) has work to do.
"""

from __future__ import annotations

from plan_model.models import (
    Aggregation,
    Baseline,
    Bounds,
    Catalog,
    Direction,
    Indicator,
    IndicatorKind,
    Plan,
)
from plan_model.periods import Period

_UNITS: list[tuple[str, Aggregation, Bounds]] = [
    ("persones", Aggregation.SUM, Bounds(min=0)),
    ("%", Aggregation.LAST, Bounds(min=0, max=100)),
    ("dies", Aggregation.MEAN, Bounds(min=0, max=365)),
    ("hores", Aggregation.SUM, Bounds(min=0)),
]


def synthetic_indicators(
    plan: Plan, service: str, *, numeric: int, milestones: int = 0, first_number: int = 101
) -> list[Indicator]:
    """``numeric`` + ``milestones`` generated indicators of ``service``."""
    objectives = [o.code for o in plan.objectives]
    years = plan.years
    result: list[Indicator] = []
    for i in range(numeric + milestones):
        objective = objectives[i % len(objectives)]
        number = first_number + i // len(objectives)
        code = f"{objective}-I{number}"
        if i < numeric:
            unit, aggregation, bounds = _UNITS[i % len(_UNITS)]
            base = {"%": 50.0, "dies": 15.0 + i % 30}.get(unit, 20.0 + (i % 37) * 10)
            step = 2.0 if unit == "%" else base * 0.05
            direction = Direction.DECREASE if unit == "dies" else Direction.INCREASE
            sign = -1 if direction is Direction.DECREASE else 1
            result.append(
                Indicator(
                    code=code,
                    name=f"Indicador sintètic {i + 1}",
                    kind=IndicatorKind.NUMERIC,
                    responsible_service=service,
                    unit=unit,
                    direction=direction,
                    aggregation=aggregation,
                    baseline=Baseline(year=years[0] - 1, value=base),
                    targets={
                        y: round(base + sign * step * (k + 1), 1) for k, y in enumerate(years)
                    },
                    bounds=bounds,
                )
            )
        else:
            completion = Period(years[0] + (i % len(years)), 4)
            result.append(
                Indicator(
                    code=code,
                    name=f"Fita sintètica {i + 1}",
                    kind=IndicatorKind.MILESTONE,
                    responsible_service=service,
                    planned_completion=str(completion),
                )
            )
    return result


def with_indicators(plan: Plan, indicators: list[Indicator]) -> Plan:
    """The same plan with another catalog (a new object: the plan is immutable)."""
    catalog = Catalog(
        status=plan.catalog.status,
        note=plan.catalog.note,
        thresholds=plan.catalog.thresholds,
        stages=plan.catalog.stages,
        indicators=indicators,
    )
    return Plan(
        info=plan.info,
        levers=plan.levers,
        challenges=plan.challenges,
        services=plan.services,
        catalog=catalog,
    )


def synthetic_plan(plan: Plan, service: str, *, numeric: int, milestones: int = 0) -> Plan:
    return with_indicators(
        plan, synthetic_indicators(plan, service, numeric=numeric, milestones=milestones)
    )
