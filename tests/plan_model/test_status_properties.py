"""Properties of the status engine (hypothesis): monotone achievement, thresholds, roll-ups."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from plan_model.models import Thresholds
from plan_model.periods import Period
from plan_model.status import ROLLUP_CAP, Status, compute_status
from plan_model.status_types import LevelResult
from tests.helpers.status_factory import frame, make_plan, numeric

finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)
quarters = st.sampled_from([Period(y, q) for y in range(2022, 2026) for q in range(1, 5)])
A = "P1.01-I1"


def _achievement(
    direction: str,
    aggregation: str,
    base: float,
    targets: list[float],
    period: Period,
    values: list[float],
) -> list[float | None]:
    ind = numeric(
        A,
        direction=direction,
        aggregation=aggregation,
        baseline=(2021, base),
        targets=dict(zip(range(2022, 2026), targets, strict=True)),
        tolerance=1.0 if direction == "maintain" else None,
    )
    plan = make_plan([ind])
    out = []
    for v in values:
        rows = frame([(A, str(period), v)])
        out.append(compute_status(plan, rows, period).indicator(A).achievement)
    return out


@settings(max_examples=60, deadline=None)
@given(
    direction=st.sampled_from(["increase", "decrease"]),
    aggregation=st.sampled_from(["sum", "last", "mean"]),
    base=finite,
    targets=st.lists(finite, min_size=4, max_size=4),
    period=quarters,
    a=finite,
    b=finite,
)
def test_achievement_is_monotone_in_the_value(
    direction: str,
    aggregation: str,
    base: float,
    targets: list[float],
    period: Period,
    a: float,
    b: float,
) -> None:
    low, high = sorted([a, b])
    got_low, got_high = _achievement(direction, aggregation, base, targets, period, [low, high])
    assert got_low is not None and got_high is not None
    assert 0.0 <= got_low <= 1.5 and 0.0 <= got_high <= 1.5
    if direction == "increase":
        assert got_low <= got_high + 1e-9
    else:
        assert got_low + 1e-9 >= got_high


@settings(max_examples=40, deadline=None)
@given(
    target=finite,
    a=st.floats(min_value=0, max_value=500),
    b=st.floats(min_value=0, max_value=500),
    sign=st.sampled_from([-1.0, 1.0]),
)
def test_maintain_is_monotone_in_the_distance(
    target: float, a: float, b: float, sign: float
) -> None:
    near, far = sorted([a, b])
    got_near, got_far = _achievement(
        "maintain",
        "last",
        target,
        [target] * 4,
        Period(2023, 2),
        [target + sign * near, target + sign * far],
    )
    assert got_near is not None and got_far is not None
    assert got_near + 1e-9 >= got_far


@settings(max_examples=60, deadline=None)
@given(
    value=st.floats(min_value=50, max_value=250),
    green=st.floats(0.5, 1.2),
    gap=st.floats(0.0, 0.5),
    period=quarters,
)
def test_status_changes_only_across_the_thresholds(
    value: float, green: float, gap: float, period: Period
) -> None:
    amber = green - gap
    ind = numeric(A, thresholds=(green, amber))
    plan = make_plan([ind])
    r = compute_status(plan, frame([(A, str(period), value)]), period).indicator(A)
    assert r.achievement is not None
    expected = (
        Status.GREEN
        if r.achievement >= green
        else Status.AMBER
        if r.achievement >= amber
        else Status.RED
    )
    assert r.status is expected


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.floats(80, 250)), min_size=1, max_size=6),
    weights=st.lists(st.floats(0.1, 10), min_size=6, max_size=6),
    objective_weights=st.lists(st.floats(0.1, 10), min_size=2, max_size=2),
    period=quarters,
)
def test_rollups_stay_within_their_children(
    values: list[float | None], weights: list[float], objective_weights: list[float], period: Period
) -> None:
    codes = [f"P1.0{1 + i % 2}-I{i + 1}" for i in range(len(values))]
    inds = [numeric(c, weight=w) for c, w in zip(codes, weights, strict=False)]
    plan = make_plan(
        inds, objective_weights={"P1.01": objective_weights[0], "P1.02": objective_weights[1]}
    )
    rows = frame([(c, str(period), v) for c, v in zip(codes, values, strict=True) if v is not None])
    res = compute_status(plan, rows, period, thresholds=Thresholds())
    levels: list[tuple[LevelResult, list[float]]] = [
        (o, [min(i.achievement, ROLLUP_CAP) for i in o.indicators if i.achievement is not None])
        for o in res.objectives
    ]
    levels += [
        (
            a,
            [
                o.achievement
                for o in a.objectives
                if o.achievement is not None and not o.insufficient_data
            ],
        )
        for a in res.axes
    ]
    for level, children in levels:
        if level.achievement is None:
            assert not children
            assert level.status is Status.GREY
            continue
        assert min(children) - 1e-9 <= level.achievement <= max(children) + 1e-9
        assert level.coverage is not None and 0.0 <= level.coverage <= 1.0
    total = sum(res.plan.counts.values())
    assert total == len(res.levers)
    assert np.isclose(
        sum(
            o.counts["grey"] + o.counts["red"] + o.counts["amber"] + o.counts["green"]
            for o in res.objectives
        ),
        len(codes),
    )
