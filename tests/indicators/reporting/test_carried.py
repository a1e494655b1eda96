"""Indicators carried over from an earlier plan (issue 18, item 5): the baseline from the
earlier plan's stored values and the series continued across the plans, with the boundary
marked; from a hand-made frame and from storage (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from indicators.reporting.carried import (
    SERIES_COLUMNS,
    continued_series,
    quarterly_values,
    with_carried_baselines,
)
from indicators.storage.engine import get_engine
from indicators.storage.queries import values_frame
from plan_model.models import Baseline
from plan_model.periods import Period, period_range
from plan_model.registry import PlanRegistry, load_registry
from tests.helpers.dash_sample import load_sample
from tests.helpers.plan_registry import EXAMPLE_ID, REAL_ID, plans_dir_with


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> PlanRegistry:
    return load_registry(plans_dir_with(tmp_path_factory.mktemp("plans"), example=True), REAL_ID)


def _frame(rows: list[tuple[str, str, str, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator", "service", "period", "value"])


VALUES = _frame(
    [
        ("P2.05-I1", "SAD", "2024-T4", 40000.0),
        *[("P2.05-I1", "SAD", f"2025-T{q}", 44000.0 + q) for q in range(1, 5)],
        ("P2.05-I1", "ALTRE", "2025-T4", 1.0),  # not the responsible service: ignored
        ("P3.12-I2", "ALTRE", "2025-T2", 12.9),  # the only value of its quarter: kept
        ("P3.12-I2", "TELEASSIST", "2025-T3", 13.1),
        ("P3.12-I2", "TELEASSIST", "2025-T4", None),  # no value: not a quarter measured
        ("P1.01-I1", "SAD", "2026-T1", 45500.0),  # the new plan's first quarter
        ("P1.01-I1", "SBAS-COSS", "2025-T4", 79.0),  # the old plan's P1.01-I1: not the new's
    ]
)


def test_quarterly_values_keep_the_plans_quarters_and_its_service(
    registry: PlanRegistry,
) -> None:
    real = registry.get(REAL_ID)
    hours = quarterly_values(VALUES, real, real.indicator_by_code["P2.05-I1"])
    assert hours[Period(2025, 4)] == 44004.0 and len(hours) == 5
    assert quarterly_values(VALUES, real, real.indicator_by_code["P3.12-I2"]) == {
        Period(2025, 2): 12.9,
        Period(2025, 3): 13.1,
    }


def test_the_baseline_is_the_earlier_plans_last_year(registry: PlanRegistry) -> None:
    example = registry.get(EXAMPLE_ID)
    plan = with_carried_baselines(registry, example, VALUES)
    # sum: the total of 2025, the last whole year; last: the newest quarter measured
    assert plan.indicator_by_code["P1.01-I1"].baseline == Baseline(year=2025, value=176010.0)
    assert plan.indicator_by_code["P1.02-I1"].baseline == Baseline(year=2025, value=13.1)


def test_the_series_continues_across_the_plans_with_the_boundary_marked(
    registry: PlanRegistry,
) -> None:
    example = registry.get(EXAMPLE_ID)
    series = continued_series(registry, example, example.indicator_by_code["P1.01-I1"], VALUES)
    assert list(series.columns) == SERIES_COLUMNS
    assert list(series["plan"]) == [REAL_ID] * 5 + [EXAMPLE_ID]
    assert list(series["code"]) == ["P2.05-I1"] * 5 + ["P1.01-I1"]
    assert list(series["period"])[-2:] == ["2025-T4", "2026-T1"]
    assert list(series["boundary"]) == [False] * 5 + [True]
    # an indicator that carries nothing over is its own plan's series only
    milestone = continued_series(registry, example, example.indicator_by_code["P2.01-I1"], VALUES)
    assert milestone.empty and list(milestone.columns) == SERIES_COLUMNS


def test_the_baseline_from_stored_values(
    registry: PlanRegistry, db_url: str, tmp_path: Path
) -> None:
    real = registry.get(REAL_ID)
    engine = get_engine(db_url)
    try:
        load_sample(engine, real, period_range(Period(2025, 1), Period(2025, 4)))
        stored = values_frame(engine)
        plan = with_carried_baselines(registry, registry.get(EXAMPLE_ID), stored)
    finally:
        engine.dispose()
    hours = stored[(stored["indicator"] == "P2.05-I1") & (stored["service"] == "SAD")]
    assert len(hours) == 4
    assert plan.indicator_by_code["P1.01-I1"].baseline == Baseline(
        year=2025, value=float(hours["value"].sum())
    )
    telecare = stored[stored["indicator"] == "P3.12-I2"].sort_values("period")
    assert plan.indicator_by_code["P1.02-I1"].baseline == Baseline(
        year=2025, value=float(telecare["value"].iloc[-1])
    )
