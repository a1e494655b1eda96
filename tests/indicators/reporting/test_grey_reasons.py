"""The reasons of grey lights, from the quarter's completeness."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from indicators.reporting.grey_reasons import grey_reasons
from plan_model.periods import Period
from plan_model.status_types import IndicatorResult, Status, Trend

Q = Period(2025, 4)


def _grey(code: str, service: str, *, due: bool = True) -> IndicatorResult:
    return IndicatorResult(
        code=code,
        name=code,
        kind="numeric",
        objective=code.rsplit(".", 1)[0],
        service=service,
        period=str(Q),
        unit=None,
        direction=None,
        aggregation=None,
        quarter_value=None,
        stage=None,
        value=None,
        expected=None,
        baseline=None,
        target=None,
        final_target=None,
        achievement=None,
        status=Status.GREY,
        exceeded=False,
        late=False,
        excluded=False,
        due=due,
        trend=Trend.UNKNOWN,
        forecast=None,
        at_risk=False,
        weight=1.0,
        green_threshold=0.9,
        amber_threshold=0.7,
    )


def test_one_reason_per_service_and_state() -> None:
    completeness = pd.DataFrame(
        {
            "service": ["SIAD", "SIS", "EAIA"],
            "period": [str(Q)] * 3,
            "state": ["pending", "on_time", "not_due"],
        }
    )
    results = [
        _grey("P1.01.1", "SIAD"),
        _grey("P1.01.2", "SIAD"),
        _grey("P1.01.3", "SIS"),
        _grey("P1.01.4", "EAIA"),
        _grey("P1.01.5", "SIS", due=False),
        replace(_grey("P1.01.6", "SIAD"), status=Status.GREEN),
    ]
    reasons = grey_reasons(results, completeness, Q, "ca")
    assert [r.text for r in reasons] == [
        "El servei SIAD no ha lliurat el 4t trimestre de 2025.",
        "El servei SIS ha lliurat el 4t trimestre de 2025 sense valor per a P1.01.3.",
        "El termini del servei EAIA per al 4t trimestre de 2025 encara no ha passat.",
        "Encara no s'espera res de P1.01.5.",
    ]
    assert reasons[0].indicators == ("P1.01.1", "P1.01.2")
    assert grey_reasons(results[-1:], completeness, Q, "ca") == []
