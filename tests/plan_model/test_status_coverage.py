"""Issue 15, finding 6: a level's coverage counts the objectives due below it.

The worked example of docs/metodologia.md: lever 1 with its 11 objectives on two axes (3 on
axis 1, 8 on axis 2) and data from axis 1 only.
"""

from __future__ import annotations

import pytest

from plan_model.models import Catalog
from plan_model.progress import MIN_COVERAGE
from plan_model.status import Status, compute_status, status_to_json
from tests.helpers.status_factory import frame, make_plan, numeric
from tests.plan_model.catalog_settings import with_catalog

CODES = [f"P1.{n:02d}-I1" for n in range(1, 12)]
AXIS_1 = CODES[:3]
PLAN = make_plan(
    [numeric(c) for c in CODES],
    axes={1: [1, 2]},
    objective_axes={c.split("-")[0]: (1 if c in AXIS_1 else 2) for c in CODES},
)
ROWS = frame([(c, "2022-T4", 120) for c in AXIS_1])


def test_lever_with_data_from_one_axis_only_is_grey() -> None:
    res = compute_status(PLAN, ROWS, "2022-T4")
    assert res.axis(1).status is Status.GREEN and res.axis(1).coverage == 1.0
    assert res.axis(2).status is Status.GREY
    lever = res.lever(1)
    # old: the lever counted its direct children, 1 of its 2 axes (50 % ≥ 0,5): green
    assert lever.coverage == pytest.approx(3 / 11)  # new: 3 of its 11 due objectives
    assert lever.status is Status.GREY and lever.insufficient_data
    assert res.plan.status is Status.GREY
    doc = status_to_json(res)
    assert doc["levers"][0]["insufficient_data"] is True
    assert doc["levers"][0]["coverage"] == pytest.approx(3 / 11)


def test_min_coverage_is_a_catalog_setting() -> None:
    assert pytest.approx(2 / 3) == MIN_COVERAGE
    assert PLAN.catalog.min_coverage == pytest.approx(2 / 3)
    loose = with_catalog(PLAN, min_coverage=0.25)
    assert compute_status(loose, ROWS, "2022-T4").lever(1).status is Status.GREEN
    # written as a fraction in the YAML
    data = PLAN.catalog.model_dump()
    data["min_coverage"] = "2/3"
    assert Catalog.model_validate(data).min_coverage == pytest.approx(2 / 3)


def test_two_thirds_of_the_due_objectives_are_enough() -> None:
    rows = frame([(c, "2022-T4", 120) for c in CODES[:8]])  # 8 of 11 (73 %)
    lever = compute_status(PLAN, rows, "2022-T4").lever(1)
    assert lever.coverage == pytest.approx(8 / 11)
    assert lever.status is Status.GREEN and not lever.insufficient_data
