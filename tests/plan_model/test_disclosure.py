"""The small-count rule (``plan_model.disclosure``): a count of persons between 1 and
SMALL_COUNT - 1 is published as «menys de N»; zero, percentages and milestones as they are."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from plan_model.disclosure import DEFAULT_SMALL_COUNT, disclose, is_small_count
from plan_model.models import Indicator, Plan


def _count(plan: Plan) -> Indicator:
    return next(i for i in plan.indicators if i.integer and not i.is_milestone)


def _share(plan: Plan) -> Indicator:
    return next(i for i in plan.indicators if not i.integer and not i.is_milestone)


def test_a_small_count_is_suppressed_and_says_under_what(plan: Plan) -> None:
    shown = disclose(_count(plan), 3.0, DEFAULT_SMALL_COUNT)
    assert shown.value is None and shown.suppressed and shown.below == 5


def test_zero_and_the_threshold_itself_are_published(plan: Plan) -> None:
    count = _count(plan)
    assert disclose(count, 0.0, 5).value == 0.0
    assert disclose(count, 5.0, 5).value == 5.0
    assert not disclose(count, 5.0, 5).suppressed


def test_percentages_milestones_and_a_rule_turned_off_publish_the_value(plan: Plan) -> None:
    assert disclose(_share(plan), 3.0, 5).value == 3.0
    milestone = next(i for i in plan.indicators if i.is_milestone)
    assert not is_small_count(milestone, 1.0, 5)
    assert disclose(_count(plan), 3.0, 0).value == 3.0  # SMALL_COUNT=0: every count shown


def test_missing_and_nan_are_missing_not_suppressed(plan: Plan) -> None:
    for missing in (None, math.nan):
        shown = disclose(_count(plan), missing, 5)
        assert shown.value is None and not shown.suppressed


@given(value=st.floats(allow_nan=False, allow_infinity=False), small=st.integers(0, 50))
def test_a_suppressed_value_never_leaks_and_a_shown_one_is_unchanged(
    plan: Plan, value: float, small: int
) -> None:
    shown = disclose(_count(plan), value, small)
    if shown.suppressed:
        assert shown.value is None and 0 < value < small and shown.below == small
    else:
        assert shown.value == value
