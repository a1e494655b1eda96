"""Small hand-built plans and value frames for the status-engine tests.

The plan runs 2022-2025 like the real one; every lever gets one axis of the same number
unless ``axes`` says otherwise, and objectives are created from the indicator codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from plan_model.models import (
    Aggregation,
    Axis,
    Baseline,
    Bounds,
    Catalog,
    Direction,
    Indicator,
    IndicatorKind,
    Lever,
    Method,
    Objective,
    Origin,
    Plan,
    PlanInfo,
    Service,
    Stage,
    Thresholds,
)

STAGES = [
    Stage(key="no_iniciat", name="No iniciat", name_es="No iniciado", name_en="Not started", pct=0),
    Stage(key="planificat", name="Planificat", name_es="Planificado", name_en="Planned", pct=10),
    Stage(key="iniciat", name="Iniciat", name_es="Iniciado", name_en="Started", pct=25),
    Stage(
        key="en_desenvolupament",
        name="En desenvolupament",
        name_es="En desarrollo",
        name_en="In progress",
        pct=50,
    ),
    Stage(key="avancat", name="Avançat", name_es="Avanzado", name_en="Advanced", pct=80),
    Stage(key="finalitzat", name="Finalitzat", name_es="Finalizado", name_en="Completed", pct=100),
    Stage(key="ajornat", name="Ajornat", name_es="Aplazado", name_en="Postponed", pct=None),
    Stage(key="desestimat", name="Desestimat", name_es="Desestimado", name_en="Dropped", pct=None),
]


def numeric(
    code: str,
    *,
    direction: str = "increase",
    aggregation: str = "last",
    baseline: tuple[int, float] = (2021, 100.0),
    targets: dict[int, float] | None = None,
    tolerance: float | None = None,
    thresholds: tuple[float, float] | None = None,
    weight: float = 1.0,
    bounds: tuple[float | None, float | None] = (None, None),
    service: str = "SVC_A",
    method: str | None = None,
) -> Indicator:
    return Indicator(
        code=code,
        name=f"Indicador {code}",
        method=Method(method) if method else None,
        kind=IndicatorKind.NUMERIC,
        responsible_service=service,
        unit="persones",
        direction=Direction(direction),
        aggregation=Aggregation(aggregation),
        baseline=Baseline(year=baseline[0], value=baseline[1]),
        targets=targets or {2022: 120.0, 2023: 140.0, 2024: 160.0, 2025: 200.0},
        bounds=Bounds(min=bounds[0], max=bounds[1]),
        tolerance=tolerance,
        thresholds=Thresholds(green=thresholds[0], amber=thresholds[1]) if thresholds else None,
        weight=weight,
    )


def milestone(
    code: str,
    *,
    due: str = "2024-T4",
    start: str | None = None,
    weight: float = 1.0,
    service: str = "SVC_A",
) -> Indicator:
    return Indicator(
        code=code,
        name=f"Fita {code}",
        kind=IndicatorKind.MILESTONE,
        responsible_service=service,
        planned_completion=due,
        start=start,
        weight=weight,
    )


def make_plan(
    indicators: Sequence[Indicator],
    *,
    objective_weights: dict[str, float] | None = None,
    objective_axes: dict[str, int] | None = None,
    axes: dict[int, list[int]] | None = None,
    axis_weights: dict[int, float] | None = None,
    lever_weights: dict[int, float] | None = None,
    services: Iterable[str] = ("SVC_A", "SVC_B", "SVC_C"),
    thresholds: Thresholds | None = None,
    method: str = "target_share",
) -> Plan:
    objective_weights = objective_weights or {}
    objective_axes = objective_axes or {}
    axis_weights = axis_weights or {}
    lever_weights = lever_weights or {}
    codes = sorted({i.objective_code for i in indicators})
    lever_numbers = sorted({int(c[1]) for c in codes})
    axes = axes or {n: [n] for n in lever_numbers}
    levers = []
    for n in lever_numbers:
        own_axes = axes[n]
        objectives = [
            Objective(
                code=c,
                text=f"Objectiu {c}",
                axis=objective_axes.get(c, own_axes[0]),
                origin=Origin.COSS,
                weight=objective_weights.get(c, 1.0),
            )
            for c in codes
            if int(c[1]) == n
        ]
        levers.append(
            Lever(
                number=n,
                name=f"Palanca {n}",
                tagline="Lema",
                weight=lever_weights.get(n, 1.0),
                axes=[
                    Axis(number=a, name=f"Eix {a}", weight=axis_weights.get(a, 1.0))
                    for a in own_axes
                ],
                objectives=objectives,
            )
        )
    return Plan(
        info=PlanInfo(
            id="test-plan",
            name="Pla de prova",
            organisation="COSS",
            start_year=2022,
            end_year=2025,
            catalog="indicators.yaml",
        ),
        levers=levers,
        challenges=[],
        services=[
            Service(code=s, name=f"Servei {s}", email=f"{s.lower()}@example.cat") for s in services
        ],
        catalog=Catalog(
            status="proposta",
            stages=STAGES,
            indicators=list(indicators),
            thresholds=thresholds or Thresholds(),
            method=Method(method),
        ),
    )


def frame(rows: Iterable[tuple[str, str, float | str | None]]) -> pd.DataFrame:
    """(indicator, period, value-or-stage) → a values frame like ``values_frame``."""
    records = []
    for code, period, value in rows:
        if isinstance(value, str):
            records.append(
                {"indicator": code, "period": period, "value": float("nan"), "stage": value}
            )
        else:
            records.append(
                {
                    "indicator": code,
                    "period": period,
                    "value": float("nan") if value is None else float(value),
                    "stage": None,
                }
            )
    return pd.DataFrame(records, columns=["indicator", "period", "value", "stage"])


def series(
    code: str, first: str, values: Sequence[float | str | None]
) -> list[tuple[str, str, float | str | None]]:
    """Consecutive quarters from ``first``."""
    from plan_model.periods import Period

    start = Period.parse(first)
    return [(code, str(start.next(i)), v) for i, v in enumerate(values)]
