"""Every rule of the status engine on hand-computed cases (see docs/metodologia.md)."""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable

import pytest

from plan_model.decisions import MilestoneDecision
from plan_model.models import Indicator, Thresholds
from plan_model.periods import Period
from plan_model.status import Status, Trend, compute_status, status_label
from plan_model.status_types import IndicatorResult
from tests.helpers.status_factory import frame, milestone, numeric, series
from tests.helpers.status_factory import make_plan as _make_plan
from tests.plan_model.catalog_settings import with_catalog

# Issue 15: the default method became target_share. These hand-computed cases were written
# for the gap-closure figure, which is now the `progress` method: they pin it explicitly
# (their figures are unchanged); the target_share cases are in test_status_method.py.
make_plan = functools.partial(_make_plan, method="progress")

A = "P1.01-I1"


def decision(code: str, stage: str, effective: str) -> MilestoneDecision:
    """A director's decision on milestone ``code`` from quarter ``effective``."""
    return MilestoneDecision(code, stage, effective, dt.date(2022, 6, 1), "motiu", "Junta", "dir")


def one(
    ind: Indicator,
    rows: Iterable[tuple[str, str, float | str | None]],
    period: Period | str,
    *,
    thresholds: Thresholds | None = None,
    as_of: str | None = None,
) -> IndicatorResult:
    """The status of the one indicator ``ind`` at ``period`` from ``rows``."""
    plan = make_plan([ind])
    values = frame(rows)
    return compute_status(plan, values, period, thresholds=thresholds, as_of=as_of).indicator(
        ind.code
    )


# ---- year values and expected values --------------------------------------------------------


def test_last_increase_linear_path_from_the_baseline() -> None:
    ind = numeric(A)  # baseline 2021: 100; targets 120, 140, 160, 200
    r = one(ind, [(A, "2022-T2", 108)], "2022-T2")
    assert r.expected == pytest.approx(110.0)  # 100 + (120 - 100) * 2/4
    assert r.value == 108
    assert r.achievement == pytest.approx(0.8)  # (108 - 100) / (110 - 100)
    assert r.status is Status.AMBER
    assert not r.exceeded
    r = one(ind, [(A, "2023-T1", 125)], "2023-T1")
    assert r.expected == pytest.approx(125.0)  # 120 + (140 - 120) * 1/4
    assert r.achievement == pytest.approx(1.0)  # (125 - 100) / (125 - 100)
    assert r.status is Status.GREEN


def test_achievement_is_clipped_and_exceeded_is_marked() -> None:
    ind = numeric(A)
    r = one(ind, [(A, "2022-T2", 130)], "2022-T2")
    assert r.achievement == pytest.approx(1.5)  # (130-100)/10 = 3 → clipped
    assert r.exceeded  # 130 > this year's target 120
    assert r.status is Status.GREEN
    r = one(ind, [(A, "2022-T2", 95)], "2022-T2")
    assert r.achievement == 0.0  # worse than the baseline: clipped at 0
    assert r.status is Status.RED


def test_sum_accumulates_the_year_and_prorates_target_and_baseline() -> None:
    ind = numeric(
        A,
        aggregation="sum",
        baseline=(2021, 400.0),
        targets={2022: 480.0, 2023: 520.0, 2024: 560.0, 2025: 600.0},
    )
    r = one(ind, series(A, "2022-T1", [110, 120]), "2022-T2")
    assert r.value == 230  # year to date
    assert r.expected == pytest.approx(240.0)  # 480 * 2/4
    assert r.baseline == pytest.approx(200.0)  # 400 * 2/4
    assert r.achievement == pytest.approx(0.75)  # (230 - 200) / (240 - 200)
    assert r.status is Status.AMBER
    # the year restarts: 2023-T1 compares one quarter with a quarter of the year's target
    r = one(ind, series(A, "2022-T1", [120, 120, 120, 120, 130]), "2023-T1")
    assert r.value == 130
    assert r.expected == pytest.approx(130.0)
    assert r.achievement == pytest.approx(1.0)


def test_sum_with_a_missing_quarter_compares_like_with_like() -> None:
    ind = numeric(
        A,
        aggregation="sum",
        baseline=(2021, 400.0),
        targets={2022: 480.0, 2023: 520.0, 2024: 560.0, 2025: 600.0},
    )
    r = one(ind, [(A, "2022-T2", 120)], "2022-T2")  # T1 missing
    assert r.value == 120
    assert r.expected == pytest.approx(120.0)  # 480 * 1/4: one quarter with data
    assert r.baseline == pytest.approx(100.0)
    assert r.achievement == pytest.approx(1.0)


def test_missing_current_quarter_is_grey() -> None:
    ind = numeric(A, aggregation="sum")
    r = one(ind, [(A, "2022-T1", 30)], "2022-T2")
    assert r.value is None and r.achievement is None
    assert r.status is Status.GREY
    assert r.expected == pytest.approx(60.0)  # 120 * 2/4 shown for reference


def test_zero_values() -> None:
    ind = numeric(
        A,
        aggregation="sum",
        baseline=(2021, 400.0),
        targets={2022: 480.0, 2023: 520.0, 2024: 560.0, 2025: 600.0},
    )
    r = one(ind, series(A, "2022-T1", [0, 0]), "2022-T2")
    assert r.value == 0
    assert r.achievement == 0.0
    assert r.status is Status.RED


def test_decrease_is_mirrored() -> None:
    ind = numeric(
        A,
        direction="decrease",
        baseline=(2021, 50.0),
        targets={2022: 40.0, 2023: 30.0, 2024: 25.0, 2025: 20.0},
    )
    r = one(ind, [(A, "2022-T4", 42)], "2022-T4")
    assert r.expected == pytest.approx(40.0)
    assert r.achievement == pytest.approx(0.8)  # (50 - 42) / (50 - 40)
    assert r.status is Status.AMBER
    r = one(ind, [(A, "2022-T4", 38)], "2022-T4")
    assert r.achievement == pytest.approx(1.2)
    assert r.exceeded  # below the target of a decrease indicator
    r = one(ind, [(A, "2022-T4", 55)], "2022-T4")
    assert r.achievement == 0.0


def test_no_movement_expected_uses_the_relative_gap() -> None:
    flat = {2022: 10.0, 2023: 10.0, 2024: 10.0, 2025: 10.0}
    ind = numeric(A, baseline=(2021, 10.0), targets=flat)
    assert one(ind, [(A, "2023-T2", 10)], "2023-T2").achievement == pytest.approx(1.0)
    r = one(ind, [(A, "2023-T2", 9)], "2023-T2")
    assert r.achievement == pytest.approx(0.9)  # 1 + (9 - 10) / 10
    assert r.status is Status.GREEN
    assert one(ind, [(A, "2023-T2", 8)], "2023-T2").status is Status.AMBER
    dec = numeric(A, direction="decrease", baseline=(2021, 10.0), targets=flat)
    assert one(dec, [(A, "2023-T2", 11)], "2023-T2").achievement == pytest.approx(0.9)
    assert one(dec, [(A, "2023-T2", 9)], "2023-T2").achievement == pytest.approx(1.1)


def test_zero_baseline_and_target_is_a_step() -> None:
    zero = {2022: 0.0, 2023: 0.0, 2024: 0.0, 2025: 0.0}
    ind = numeric(A, baseline=(2021, 0.0), targets=zero)
    assert one(ind, [(A, "2022-T1", 0)], "2022-T1").achievement == 1.0
    assert one(ind, [(A, "2022-T1", 3)], "2022-T1").achievement == 1.0
    assert one(ind, [(A, "2022-T1", -1)], "2022-T1").achievement == 0.0


def test_negative_values() -> None:
    ind = numeric(A, baseline=(2021, -10.0), targets={2022: 0.0, 2023: 5.0, 2024: 10.0, 2025: 20.0})
    r = one(ind, [(A, "2022-T4", -5)], "2022-T4")
    assert r.achievement == pytest.approx(0.5)  # (-5 + 10) / (0 + 10)
    assert r.status is Status.RED
    held = numeric(
        A, baseline=(2021, -10.0), targets={2022: -10.0, 2023: -10.0, 2024: -10.0, 2025: -10.0}
    )
    assert one(held, [(A, "2022-T4", -11)], "2022-T4").achievement == pytest.approx(0.9)


def test_baseline_in_the_plan_year_expects_no_movement_that_year() -> None:
    ind = numeric(A, baseline=(2022, 100.0))
    r = one(ind, [(A, "2022-T3", 100)], "2022-T3")
    assert r.expected == pytest.approx(100.0)
    r = one(ind, [(A, "2023-T2", 120)], "2023-T2")
    assert r.expected == pytest.approx(120.0)  # 100 + (140 - 100) * 2/4


def test_mean_compares_the_mean_of_the_quarters_with_the_mean_of_the_path() -> None:
    ind = numeric(
        A,
        aggregation="mean",
        baseline=(2021, 10.0),
        targets={2022: 14.0, 2023: 14.0, 2024: 14.0, 2025: 14.0},
    )
    r = one(ind, series(A, "2022-T1", [11, 12]), "2022-T2")
    assert r.value == pytest.approx(11.5)
    assert r.expected == pytest.approx(11.5)  # mean(11, 12) of the path
    assert r.achievement == pytest.approx(1.0)


def test_maintain_within_tolerance() -> None:
    flat = {2022: 95.0, 2023: 95.0, 2024: 95.0, 2025: 95.0}
    ind = numeric(A, direction="maintain", baseline=(2021, 95.0), targets=flat, tolerance=2.0)
    assert one(ind, [(A, "2022-T1", 94)], "2022-T1").achievement == 1.0
    assert one(ind, [(A, "2022-T1", 96.5)], "2022-T1").achievement == 1.0
    r = one(ind, [(A, "2022-T1", 97.5)], "2022-T1")
    assert r.achievement == pytest.approx(0.8)  # 2 / 2.5
    assert r.status is Status.AMBER
    assert one(ind, [(A, "2022-T1", 92)], "2022-T1").status is Status.RED  # 2/3
    assert not one(ind, [(A, "2022-T1", 200)], "2022-T1").exceeded
    default = numeric(A, direction="maintain", baseline=(2021, 95.0), targets=flat)
    # no tolerance given: 5 % of the target (4.75)
    assert one(default, [(A, "2022-T1", 90)], "2022-T1").achievement == pytest.approx(0.95)


# ---- milestones -------------------------------------------------------------------------

M = "P1.01-I2"


def test_milestone_against_the_planned_percentage() -> None:
    ind = milestone(M, due="2022-T4")  # starts with the plan: 25 % a quarter
    r = one(ind, [(M, "2022-T2", "en_desenvolupament")], "2022-T2")
    assert r.expected == pytest.approx(50.0)
    assert r.value == 50.0
    assert r.achievement == pytest.approx(1.0)
    assert r.status is Status.GREEN and not r.late
    r = one(ind, [(M, "2022-T2", "iniciat")], "2022-T2")
    assert r.achievement == pytest.approx(0.5)
    assert r.status is Status.RED and r.late
    # at and after the due quarter 100 % is expected
    r = one(ind, [(M, "2022-T4", "avancat")], "2022-T4")
    assert r.expected == 100.0
    assert r.achievement == pytest.approx(0.8)
    assert r.status is Status.AMBER and r.late
    # issue 15, finding 5: past the planned completion and unfinished is red, not amber
    r = one(ind, [(M, "2023-T2", "avancat")], "2023-T2")
    assert r.achievement == pytest.approx(0.8)
    assert r.status is Status.RED and r.late and r.overdue


def test_milestone_due_later() -> None:
    ind = milestone(M, due="2025-T4")
    r = one(ind, [(M, "2022-T4", "iniciat")], "2022-T4")
    assert r.expected == pytest.approx(25.0)  # 4 of 16 quarters
    assert r.achievement == pytest.approx(1.0)
    later = milestone(M, due="2025-T4", start="2024-T1")
    r = one(later, [(M, "2023-T4", "no_iniciat")], "2023-T4")
    assert r.expected == 0.0
    assert r.status is Status.GREY and not r.due and not r.late
    r = one(later, [(M, "2024-T2", "iniciat")], "2024-T2")
    assert r.expected == pytest.approx(25.0)  # 2 of 8 quarters
    assert r.achievement == pytest.approx(1.0)


def test_postponed_and_dropped_need_a_decision() -> None:
    # issue 15, finding 5: "Ajornat" used to be red (a failure) and any "Desestimat" excluded
    # the milestone. Now both take effect only with a director's decision; without one the
    # reported stage is a proposal and counts as the previous effective stage (none here).
    ind = milestone(M, due="2024-T4")
    plan = make_plan([ind])
    for stage in ("ajornat", "desestimat"):
        rows = frame([(M, "2023-T1", stage)])
        r = compute_status(plan, rows, "2023-T1").indicator(M)
        assert r.proposal and not r.excluded and not r.postponed
        assert r.status is Status.GREY and r.achievement is None
        decided = [decision(M, stage, "2023-T1")]
        r = compute_status(plan, rows, "2023-T1", decisions=decided).indicator(M)
        assert not r.proposal and r.achievement is None and r.status is Status.GREY
        assert not r.late and not r.due
        assert r.excluded is (stage == "desestimat")
        assert r.postponed is (stage == "ajornat")
        assert r.at_risk is (stage == "ajornat")  # it will not be done in time


def test_stage_by_catalan_name_and_as_a_percentage() -> None:
    ind = milestone(M, due="2022-T4")
    assert one(ind, [(M, "2022-T2", "En desenvolupament")], "2022-T2").value == 50.0
    assert one(ind, [(M, "2022-T2", 80.0)], "2022-T2").value == 80.0


# ---- thresholds -------------------------------------------------------------------------


def test_thresholds_per_indicator_and_global() -> None:
    own = numeric(A, thresholds=(0.8, 0.5))
    other = numeric("P1.01-I3")
    plan = make_plan([own, other])
    rows = frame([(A, "2022-T2", 108), ("P1.01-I3", "2022-T2", 109)])  # 0.8 and 0.9
    res = compute_status(plan, rows, "2022-T2")
    assert res.indicator(A).status is Status.GREEN  # its own green threshold is 0.8
    assert res.indicator("P1.01-I3").status is Status.GREEN
    res = compute_status(plan, rows, "2022-T2", thresholds=Thresholds(green=0.95, amber=0.85))
    assert res.indicator(A).status is Status.GREEN  # own thresholds still win
    assert res.indicator("P1.01-I3").status is Status.AMBER
    assert res.green_threshold == 0.95
    catalog_level = make_plan([other], thresholds=Thresholds(green=0.5, amber=0.2))
    res = compute_status(catalog_level, frame([("P1.01-I3", "2022-T2", 106)]), "2022-T2")
    assert res.indicator("P1.01-I3").status is Status.GREEN  # 0.6 >= 0.5


def test_achievement_exactly_on_a_threshold() -> None:
    ind = numeric(A)
    assert one(ind, [(A, "2022-T2", 109)], "2022-T2").status is Status.GREEN  # 0.9
    assert one(ind, [(A, "2022-T2", 107)], "2022-T2").status is Status.AMBER  # 0.7


# ---- roll-up ------------------------------------------------------------------------------


def test_rollup_weighted_mean_capped_at_one() -> None:
    i1, i2 = numeric("P1.01-I1", weight=3.0), numeric("P1.01-I2", weight=1.0)
    plan = make_plan([i1, i2])
    res = compute_status(
        plan, frame([("P1.01-I1", "2022-T2", 110), ("P1.01-I2", "2022-T2", 106)]), "2022-T2"
    )
    obj = res.objective("P1.01")
    assert obj.achievement == pytest.approx((3 * 1.0 + 1 * 0.6) / 4)  # 0.9
    assert obj.status is Status.GREEN
    assert obj.counts == {"grey": 0, "red": 1, "amber": 0, "green": 1}
    assert obj.coverage == 1.0
    # a surplus counts as 1.0
    res = compute_status(
        plan, frame([("P1.01-I1", "2022-T2", 114), ("P1.01-I2", "2022-T2", 106)]), "2022-T2"
    )
    assert res.indicator("P1.01-I1").achievement == pytest.approx(1.4)
    assert res.objective("P1.01").achievement == pytest.approx(0.9)


def test_rollup_levels_with_weights() -> None:
    inds = [numeric("P1.01-I1"), numeric("P1.02-I1"), numeric("P2.01-I1")]
    plan = make_plan(inds, objective_weights={"P1.01": 3.0}, lever_weights={2: 3.0})
    rows = frame(
        [("P1.01-I1", "2022-T2", 110), ("P1.02-I1", "2022-T2", 106), ("P2.01-I1", "2022-T2", 108)]
    )
    # issue 15, finding 7: levers now weigh by their due objectives (lever 1 has two): the
    # old equal weights are the catalog's ``level_weights: equal``
    res = compute_status(with_catalog(plan, level_weights="equal"), rows, "2022-T2")
    axis = res.axis(1)
    assert axis.achievement == pytest.approx((3 * 1.0 + 0.6) / 4)
    assert res.lever(1).achievement == pytest.approx(0.9)  # its only axis
    assert res.lever(2).achievement == pytest.approx(0.8)
    assert res.plan.achievement == pytest.approx((0.9 + 3 * 0.8) / 4)
    res = compute_status(plan, rows, "2022-T2")
    assert res.plan.achievement == pytest.approx((2 * 0.9 + 3 * 0.8) / 5)
    assert res.plan.counts == {"grey": 0, "red": 0, "amber": 1, "green": 1}
    assert res.lever(1).counts == {"grey": 0, "red": 0, "amber": 0, "green": 1}


def test_level_with_mostly_missing_data_is_grey() -> None:
    inds = [numeric("P1.01-I1"), numeric("P1.01-I2"), numeric("P1.01-I3")]
    plan = make_plan(inds)
    res = compute_status(plan, frame([("P1.01-I1", "2022-T2", 110)]), "2022-T2")
    obj = res.objective("P1.01")
    assert obj.coverage == pytest.approx(1 / 3)
    assert obj.achievement == pytest.approx(1.0)  # of what there is
    assert obj.status is Status.GREY and obj.insufficient_data
    assert obj.counts["grey"] == 2
    # named apart from "no data" wherever a level's status is shown
    assert (
        status_label(obj.status, "ca", insufficient=obj.insufficient_data) == "Dades insuficients"
    )
    assert status_label(obj.status, "es", insufficient=True) == "Datos insuficientes"
    assert status_label(Status.GREEN, "ca", insufficient=True) == "En bon camí"
    # the axis above has no objective with enough data
    assert res.axis(1).status is Status.GREY
    assert not res.axis(1).insufficient_data  # nothing at all to weigh: plain "no data"
    assert (
        status_label(res.axis(1).status, "ca", insufficient=res.axis(1).insufficient_data)
        == "Sense dades"
    )
    assert res.axis(1).coverage == 0.0
    assert res.plan.status is Status.GREY
    # half is enough
    res = compute_status(
        plan, frame([("P1.01-I1", "2022-T2", 110), ("P1.01-I2", "2022-T2", 110)]), "2022-T2"
    )
    assert res.objective("P1.01").coverage == pytest.approx(2 / 3)
    assert res.objective("P1.01").status is Status.GREEN


def test_coverage_ignores_dropped_and_not_yet_due_milestones() -> None:
    inds = [
        numeric("P1.01-I1"),
        milestone("P1.01-I2", due="2025-T4", start="2025-T1"),
        milestone("P1.01-I3", due="2023-T4"),
    ]
    plan = make_plan(inds)
    rows = frame([("P1.01-I1", "2022-T2", 110), ("P1.01-I3", "2022-T2", "desestimat")])
    # issue 15: a "Desestimat" without a director's decision is a proposal (still due)
    undecided = compute_status(plan, rows, "2022-T2").objective("P1.01")
    assert undecided.coverage == 0.5
    decided = [decision("P1.01-I3", "desestimat", "2022-T2")]
    obj = compute_status(plan, rows, "2022-T2", decisions=decided).objective("P1.01")
    assert obj.coverage == 1.0
    assert obj.status is Status.GREEN
    assert obj.achievement == pytest.approx(1.0)


def test_postponed_milestone_counts_as_its_previous_stage_until_decided() -> None:
    # issue 15, finding 5: a reported "Ajornat" used to count 0 and pull the objective down
    # to 0.5 (red); now it is a proposal (the previous stage, Planificat 10 % of the 25 %
    # expected) until decided, and a decided postponement leaves the averages.
    inds = [numeric("P1.01-I1"), milestone("P1.01-I2", due="2023-T4")]
    plan = make_plan(inds)
    rows = frame(
        [
            ("P1.01-I1", "2022-T2", 110),
            ("P1.01-I2", "2022-T1", "planificat"),
            ("P1.01-I2", "2022-T2", "ajornat"),
        ]
    )
    res = compute_status(plan, rows, "2022-T2")
    assert res.indicator("P1.01-I2").effective_stage == "planificat"
    assert res.objective("P1.01").achievement == pytest.approx((1.0 + 0.4) / 2)
    decided = [decision("P1.01-I2", "ajornat", "2022-T2")]
    obj = compute_status(plan, rows, "2022-T2", decisions=decided).objective("P1.01")
    assert obj.achievement == pytest.approx(1.0)
    assert obj.status is Status.GREEN and obj.coverage == 1.0


# ---- trend and forecast --------------------------------------------------------------------


def test_trend_direction_aware() -> None:
    ind = numeric(A)  # path in 2023: 125, 130, 135, 140
    up = one(ind, series(A, "2023-T1", [110, 120, 130, 140]), "2023-T4")
    assert up.trend is Trend.IMPROVING  # achievement 0.4, 0.67, 0.86, 1.0
    down = one(ind, series(A, "2023-T1", [125, 125, 125, 125]), "2023-T4")
    assert down.trend is Trend.WORSENING  # the path moves on, the value does not
    flat = one(ind, series(A, "2023-T1", [125, 130, 135, 140]), "2023-T4")
    assert flat.trend is Trend.STABLE
    assert one(ind, [(A, "2023-T4", 140)], "2023-T4").trend is Trend.UNKNOWN
    dec = numeric(
        A,
        direction="decrease",
        baseline=(2021, 50.0),
        targets={2022: 40.0, 2023: 40.0, 2024: 40.0, 2025: 40.0},
    )
    assert one(dec, series(A, "2023-T1", [48, 46, 44, 40]), "2023-T4").trend is Trend.IMPROVING


def test_forecast_and_at_risk() -> None:
    ind = numeric(A)  # final target 200 (2025)
    ok = one(ind, series(A, "2024-T1", [150, 160, 170, 180]), "2024-T4")
    assert ok.forecast == pytest.approx(220.0)  # +10 a quarter, four more quarters
    assert not ok.at_risk
    slow = one(ind, series(A, "2024-T1", [150, 152, 154, 156]), "2024-T4")
    assert slow.forecast == pytest.approx(164.0)
    assert slow.at_risk
    lone = one(ind, [(A, "2024-T4", 180)], "2024-T4")
    assert lone.forecast is None and not lone.at_risk


def test_forecast_of_a_sum_adds_the_projected_quarters() -> None:
    ind = numeric(
        A,
        aggregation="sum",
        baseline=(2021, 400.0),
        targets={2022: 480.0, 2023: 520.0, 2024: 560.0, 2025: 600.0},
    )
    r = one(ind, series(A, "2025-T1", [140, 145]), "2025-T2")
    assert r.forecast == pytest.approx(140 + 145 + 150 + 155)
    assert r.at_risk  # 590 < 600
    r = one(ind, series(A, "2025-T1", [150, 155]), "2025-T2")
    assert not r.at_risk  # 150 + 155 + 160 + 165 = 630


def test_forecast_respects_bounds_and_decrease() -> None:
    ind = numeric(
        A,
        direction="decrease",
        baseline=(2021, 50.0),
        bounds=(0, None),
        targets={2022: 40.0, 2023: 30.0, 2024: 20.0, 2025: 10.0},
    )
    r = one(ind, series(A, "2024-T1", [30, 20, 10, 5]), "2024-T4")
    assert r.forecast == 0.0  # projected below zero, clipped to the bound
    assert not r.at_risk


def test_milestone_forecast() -> None:
    ind = milestone(M, due="2025-T4")
    fast = one(
        ind,
        series(M, "2024-T1", ["iniciat", "en_desenvolupament", "avancat", "avancat"]),
        "2024-T4",
    )
    assert fast.forecast == 100.0  # 19.5 points a quarter: clipped at 100 %
    assert not fast.at_risk
    slow = one(
        ind,
        series(M, "2024-T1", ["iniciat", "iniciat", "en_desenvolupament", "en_desenvolupament"]),
        "2024-T4",
    )
    # slope 10 a quarter, 37.5 at the window's centre (2024-T2.5): 37.5 + 10 * 5.5
    assert slow.forecast == pytest.approx(92.5)
    assert slow.at_risk
    stuck = one(ind, series(M, "2024-T1", ["iniciat"] * 4), "2024-T4")
    assert stuck.forecast == pytest.approx(25.0) and stuck.at_risk
    done = one(ind, [(M, "2024-T4", "finalitzat")], "2024-T4")
    assert done.forecast == 100.0 and not done.at_risk


def test_objective_at_risk_counts() -> None:
    inds = [numeric("P1.01-I1"), numeric("P1.01-I2")]
    plan = make_plan(inds)
    rows = frame(
        series("P1.01-I1", "2024-T1", [150, 152, 154, 156])
        + series("P1.01-I2", "2024-T1", [150, 160, 170, 180])
    )
    res = compute_status(plan, rows, "2024-T4")
    assert res.objective("P1.01").at_risk and res.objective("P1.01").at_risk_count == 1
    assert res.plan.at_risk_count == 1


# ---- as of, periods -------------------------------------------------------------------------


def test_later_quarters_do_not_leak_into_an_earlier_one() -> None:
    ind = numeric(A, aggregation="sum")
    rows = series(A, "2022-T1", [30, 30, 30, 30])
    r = one(ind, rows, "2022-T2")
    assert r.value == 60


def test_as_of_is_recorded_and_period_outside_the_plan_is_refused() -> None:
    plan = make_plan([numeric(A)])
    res = compute_status(plan, frame([]), Period(2022, 1), as_of="2022-T1")
    assert res.as_of == "2022-T1"
    assert res.plan.status is Status.GREY
    with pytest.raises(ValueError):
        compute_status(plan, frame([]), "2026-T1")


def test_unknown_indicators_and_periods_are_ignored() -> None:
    plan = make_plan([numeric(A)])
    rows = frame([("P9.99-I1", "2022-T1", 5), (A, "2030-T1", 5), (A, "2022-T1", 105)])
    assert compute_status(plan, rows, "2022-T1").indicator(A).value == 105
    assert not math.isnan(compute_status(plan, rows, "2022-T1").indicator(A).achievement or 0)


def test_exceeded_for_a_decreasing_sum_uses_the_prorated_target() -> None:
    ind = numeric(
        A,
        direction="decrease",
        aggregation="sum",
        baseline=(2021, 38.0),
        targets={2022: 34.0, 2023: 30.0, 2024: 26.0, 2025: 22.0},
    )
    r = one(ind, series(A, "2024-T1", [7, 7, 7.6]), "2024-T3")
    assert r.value == pytest.approx(21.6)  # below the year's 26, but the year is not over
    assert r.expected == pytest.approx(19.5)  # 26 * 3/4
    assert r.achievement == pytest.approx((28.5 - 21.6) / (28.5 - 19.5))
    assert not r.exceeded
    r = one(ind, series(A, "2024-T1", [5, 5, 5]), "2024-T3")
    assert r.exceeded  # 15 < 19.5


def test_maintain_a_sum_prorates_the_tolerance() -> None:
    flat = {2022: 400.0, 2023: 400.0, 2024: 400.0, 2025: 400.0}
    ind = numeric(
        A,
        direction="maintain",
        aggregation="sum",
        baseline=(2021, 400.0),
        targets=flat,
        tolerance=40.0,
    )
    r = one(ind, [(A, "2022-T1", 110)], "2022-T1")
    assert r.expected == pytest.approx(100.0)  # a quarter of the year
    assert r.achievement == pytest.approx(10 / 10)  # within 40 * 1/4 = 10
    r = one(ind, [(A, "2022-T1", 120)], "2022-T1")
    assert r.achievement == pytest.approx(0.5)  # 10 / 20


def test_results_are_complete_frozen_dataclasses() -> None:
    import dataclasses

    r = one(numeric(A), [(A, "2022-T2", 108)], "2022-T2")
    fields = {f.name for f in dataclasses.fields(r)}
    assert set(dataclasses.asdict(r)) == fields == set(vars(r))
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.value = 1.0  # type: ignore[misc]
    assert dataclasses.replace(r, value=1.0).value == 1.0
    assert r == dataclasses.replace(r)


def test_objectives_with_data_count_objectives_not_children() -> None:
    """What the overview, a lever and the board show as data coverage: objectives with a
    light of those with an indicator due (since issue 15 a level's own ``coverage`` counts
    them too, and drives the grey rule)."""
    from plan_model.status import objective_counts, objectives_of, objectives_with_data

    inds = [
        numeric("P1.01-I1"),
        numeric("P1.02-I1"),
        milestone("P2.01-I1", due="2025-T4", start="2025-T1"),
        numeric("P2.02-I1"),
    ]
    plan = make_plan(inds)
    res = compute_status(
        plan, frame([("P1.01-I1", "2022-T2", 110), ("P2.02-I1", "2022-T2", 60)]), "2022-T2"
    )
    # issue 15, finding 6: the plan's coverage was 1.0 (both levers had data); it is now
    # the objectives due below it with data: P1.01 and P2.02 of 3 (lever 1, 1 of 2: grey)
    assert res.plan.coverage == pytest.approx(2 / 3)
    assert res.lever(1).status is Status.GREY and res.lever(1).insufficient_data
    found = objectives_with_data(objectives_of(res))
    assert (found.with_data, found.due) == (2, 3)  # ...but P1.02 has none; P2.01 not due
    assert found.share == pytest.approx(2 / 3)
    assert found.text("ca") == "2 de 3 (67\u00a0%)"  # Catalan: non-breaking space
    assert found.text("en") == "2 of 3 (67%)"
    lever1 = objectives_with_data(objectives_of(res.lever(1)))
    assert (lever1.with_data, lever1.due) == (1, 2)
    assert objective_counts(objectives_of(res)) == {"green": 1, "amber": 0, "red": 1, "grey": 2}
    nothing_due = objectives_with_data(objectives_of(res.axis(2))[:1])
    assert (nothing_due.due, nothing_due.share, nothing_due.text("ca")) == (0, None, "–")
