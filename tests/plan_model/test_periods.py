"""Quarters: the ways people write them, and their arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plan_model.periods import Period, period_range


@pytest.mark.parametrize(
    "text",
    [
        "2025-T3",
        "2025-t3",
        "2025 T3",
        "2025T3",
        "2025-Q3",
        "2025 Q3",
        "2025/3T",
        "T3 2025",
        "T3-2025",
        "Q3-2025",
        "3T 2025",
        "3T2025",
        " 3t 2025 ",
        "3r trimestre 2025",
        "3r trimestre de 2025",
        "3er trimestre 2025",
        "2025 3r trimestre",
        "3rd quarter 2025",
        "3 trim. 2025",
        "T3\u00a02025",
    ],
)
def test_parse_accepted_forms(text: str) -> None:
    assert Period.parse(text) == Period(2025, 3)


@pytest.mark.parametrize(
    "text",
    [
        "2025-T5",
        "2025-T0",
        "T3",
        "2025",
        "",
        "tercer trimestre",
        "25-T3",
        "3-2025",
        None,
        20253,
    ],
)
def test_parse_rejects(text: object) -> None:
    with pytest.raises(ValueError):
        Period.parse(text)
    assert Period.try_parse(text) is None


def test_written_form_and_order() -> None:
    period = Period.parse("T1 2024")
    assert str(period) == "2024-T1"
    assert repr(period) == "Period(2024, 1)"
    assert Period(2023, 4) < Period(2024, 1) < Period(2024, 2)
    assert Period.parse(Period(2024, 2)) == Period(2024, 2)


def test_arithmetic_across_years() -> None:
    assert Period(2024, 4).next() == Period(2025, 1)
    assert Period(2025, 1).prev() == Period(2024, 4)
    assert Period(2022, 1).next(15) == Period(2025, 4)
    assert Period(2025, 4).index - Period(2022, 1).index == 15


def test_dates_and_deadline() -> None:
    q1 = Period(2024, 1)
    assert q1.start == dt.date(2024, 1, 1)
    assert q1.end == dt.date(2024, 3, 31)
    assert Period(2025, 4).end == dt.date(2025, 12, 31)
    assert Period(2025, 3).deadline(20) == dt.date(2025, 10, 20)
    assert Period.containing(dt.date(2025, 8, 15)) == Period(2025, 3)


def test_period_range() -> None:
    periods = period_range(Period(2022, 1), Period(2025, 4))
    assert len(periods) == 16
    assert str(periods[0]) == "2022-T1" and str(periods[-1]) == "2025-T4"
    assert period_range(Period(2024, 2), Period(2024, 2)) == [Period(2024, 2)]
    assert period_range(Period(2024, 3), Period(2024, 2)) == []


def test_invalid_construction() -> None:
    with pytest.raises(ValueError):
        Period(2024, 5)
    with pytest.raises(ValueError):
        Period(1800, 1)


@given(st.integers(min_value=1901, max_value=2199), st.integers(min_value=1, max_value=4))
def test_round_trips(year: int, quarter: int) -> None:
    period = Period(year, quarter)
    assert Period.parse(str(period)) == period
    assert Period.parse(f"T{quarter} {year}") == period
    assert Period.from_index(period.index) == period
    assert period.next().prev() == period
    assert Period.containing(period.start) == period
    assert Period.containing(period.end) == period
