"""Issue 15, finding 7: axes and levers weigh by their due objectives.

The worked example of docs/metodologia.md: lever 1 with 1 objective on track (100 %) and
lever 2 with 3 objectives at 50 %.
"""

from __future__ import annotations

import pytest

from plan_model.status import Status, compute_status, status_to_json
from tests.helpers.status_factory import frame, make_plan, numeric
from tests.plan_model.catalog_settings import with_catalog

CODES = ["P1.01-I1", "P2.01-I1", "P2.02-I1", "P2.03-I1"]
# target_share: 120 expected at the end of 2022; 60 is 50 %
ROWS = frame([("P1.01-I1", "2022-T4", 120)] + [(c, "2022-T4", 60) for c in CODES[1:]])
PLAN = make_plan([numeric(c) for c in CODES])


def test_levers_weigh_by_their_due_objectives() -> None:
    equal = compute_status(with_catalog(PLAN, level_weights="equal"), ROWS, "2022-T4")
    # old: every lever weighed the same, (1,0 + 0,5) / 2 = 75 %, amber
    assert equal.plan.achievement == pytest.approx(0.75)
    assert equal.plan.status is Status.AMBER
    new = compute_status(PLAN, ROWS, "2022-T4")
    # new: (1 · 1,0 + 3 · 0,5) / 4 = 62,5 %, red: each objective counts once
    assert new.plan.achievement == pytest.approx(0.625)
    assert new.plan.status is Status.RED
    assert (new.lever(1).weight, new.lever(2).weight) == (1.0, 3.0)
    assert new.axis(2).weight == 3.0


def test_status_json_gives_each_level_its_weight_and_the_objectives_first() -> None:
    doc = status_to_json(compute_status(PLAN, ROWS, "2022-T4"))
    assert [lever["weight"] for lever in doc["levers"]] == [1.0, 3.0]
    assert doc["levers"][1]["axes"][0]["weight"] == 3.0
    assert doc["plan"]["weight"] == 1.0
    # the plan's headline: the distribution of objectives by status, then the figure
    keys = list(doc["plan"])
    assert keys.index("objective_counts") < keys.index("achievement")
    assert doc["plan"]["objective_counts"] == {"green": 1, "amber": 0, "red": 3, "grey": 0}


def test_an_own_weight_multiplies_the_objectives() -> None:
    heavy = make_plan([numeric(c) for c in CODES], lever_weights={1: 3.0})
    res = compute_status(heavy, ROWS, "2022-T4")
    assert res.lever(1).weight == 3.0
    assert res.plan.achievement == pytest.approx((3 * 1.0 + 3 * 0.5) / 6)
