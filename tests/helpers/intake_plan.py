"""The small test plan of the intake tests (and the day they take as today).

The fixtures built from it live in ``tests/indicators/conftest.py``.
"""

from __future__ import annotations

import datetime as dt

from plan_model.models import (
    Axis,
    Baseline,
    Bounds,
    Catalog,
    Indicator,
    Lever,
    Objective,
    Plan,
    PlanInfo,
    Service,
)

TODAY = dt.date(2025, 11, 20)  # "now" for the tests: 2025-T4 is the current quarter


def _numeric(
    code: str, service: str, unit: str, low: float | None, high: float | None
) -> Indicator:
    return Indicator(
        code=code,
        name=f"Indicador {code}",
        kind="numeric",
        responsible_service=service,
        unit=unit,
        direction="increase",
        aggregation="last",
        baseline=Baseline(year=2021, value=10),
        targets={y: 10.0 + y - 2021 for y in range(2022, 2026)},
        bounds=Bounds(min=low, max=high),
    )


def build_small_plan(plan: Plan) -> Plan:
    """A small plan with the real stage scale: SAD has 4 indicators, SIS one."""
    indicators = [
        _numeric("P1.01-I1", "SAD", "hores", 0, None),
        _numeric("P1.01-I2", "SAD", "%", 0, 100),
        Indicator(
            code="P1.02-I1",
            name="Protocol SAD",
            kind="milestone",
            responsible_service="SAD",
            planned_completion="2025-T2",
        ),
        _numeric("P1.02-I2", "SAD", "persones", 0, 100000),
        _numeric("P2.01-I1", "SIS", "participants", 0, None),
    ]
    return Plan(
        info=PlanInfo(
            id="test",
            name="Pla de prova",
            organisation="COSS",
            start_year=2022,
            end_year=2025,
            catalog="indicators.yaml",
        ),
        levers=[
            Lever(
                number=1,
                name="Persones",
                tagline="Motor",
                axes=[Axis(number=1, name="Eix 1")],
                objectives=[
                    Objective(code="P1.01", text="Objectiu 1", axis=1, origin="coss"),
                    Objective(code="P1.02", text="Objectiu 2", axis=1, origin="coss"),
                ],
            ),
            Lever(
                number=2,
                name="Serveis",
                tagline="Xarxa",
                axes=[Axis(number=2, name="Eix 2")],
                objectives=[Objective(code="P2.01", text="Objectiu 3", axis=2, origin="coss")],
            ),
        ],
        challenges=[],
        services=[
            Service(code="SAD", name="Servei d'atenció domiciliària", email="sad@example.org"),
            Service(
                code="SIS", name="Servei d'intervenció socioeducativa", email="sis@example.org"
            ),
        ],
        catalog=Catalog(status="proposta", stages=list(plan.stages), indicators=indicators),
    )
