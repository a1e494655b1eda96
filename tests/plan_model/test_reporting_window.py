"""The upload-period rule: the quarters a service may report and the one preselected."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plan_model import reporting_window
from plan_model.periods import Period, period_range
from plan_model.reporting_window import ReportingWindow

PLAN = SimpleNamespace(first_period=Period(2022, 1), last_period=Period(2025, 4))


def window(day: dt.date) -> ReportingWindow:
    return ReportingWindow.of(PLAN, day)


def test_the_quarters_up_to_the_current_one_newest_first() -> None:
    periods = window(dt.date(2023, 5, 10)).periods()
    assert [str(p) for p in periods] == [
        "2023-T2",
        "2023-T1",
        "2022-T4",
        "2022-T3",
        "2022-T2",
        "2022-T1",
    ]


def test_after_the_plan_every_quarter_of_the_plan() -> None:
    periods = window(dt.date(2027, 2, 1)).periods()
    assert periods == list(reversed(period_range(Period(2022, 1), Period(2025, 4))))


def test_before_the_plan_none() -> None:
    assert window(dt.date(2021, 12, 31)).periods() == []


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2023, 5, 10), "2023-T1"),  # the quarter just closed
        (dt.date(2023, 1, 1), "2022-T4"),
        (dt.date(2022, 2, 1), "2022-T1"),  # the previous one is before the plan
        (dt.date(2027, 2, 1), "2025-T4"),  # the previous one is after the plan
    ],
)
def test_the_default_is_the_previous_quarter_inside_the_plan(day: dt.date, expected: str) -> None:
    assert str(window(day).default()) == expected


@pytest.mark.parametrize(
    ("period", "refusal"),
    [
        (Period(2025, 4), None),  # the current quarter
        (Period(2022, 1), None),
        (Period(2026, 1), "future_period"),
        (Period(2021, 4), "period_outside_plan"),
    ],
)
def test_refusals(period: Period, refusal: str | None) -> None:
    win = window(dt.date(2025, 11, 20))
    assert win.refusal(period) == refusal
    assert win.accepts(period) is (refusal is None)


def test_a_future_quarter_after_the_plan_is_refused_as_future() -> None:
    assert window(dt.date(2025, 11, 20)).refusal(Period(2026, 3)) == "future_period"


def test_a_quarter_after_the_plan_is_outside_it_once_it_has_started() -> None:
    assert window(dt.date(2027, 1, 5)).refusal(Period(2026, 3)) == "period_outside_plan"


def test_without_a_day_today_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reporting_window, "today_utc", lambda: dt.date(2024, 8, 1))
    assert ReportingWindow.of(PLAN).current == Period(2024, 3)


@given(st.dates(min_value=dt.date(2022, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_what_is_offered_is_accepted(day: dt.date) -> None:
    win = window(day)
    offered = win.periods()
    assert offered and all(win.accepts(p) for p in offered)
    assert win.default() in offered
    accepted = [p for p in period_range(Period(2020, 1), Period(2031, 4)) if win.accepts(p)]
    assert sorted(offered) == accepted
