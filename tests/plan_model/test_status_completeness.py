"""Completeness of submissions, the as-of cutoff, changes between quarters, status history."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import pandas as pd
import pytest

from plan_model.periods import Period
from plan_model.status import (
    as_of_cutoff,
    changes,
    completeness,
    compute_status,
    status_history,
)
from tests.helpers.status_factory import frame, milestone, numeric, series
from tests.helpers.status_factory import make_plan as _make_plan

# Issue 15: the default method became target_share. These hand-computed cases were written
# for the gap-closure figure, which is now the `progress` method: they pin it explicitly
# (their figures are unchanged); the target_share cases are in test_status_method.py.
make_plan = functools.partial(_make_plan, method="progress")

UTC = dt.UTC


def test_as_of_cutoff_is_the_end_of_the_deadline_day_in_madrid() -> None:
    # issue 15, finding 8: the day used to close at 23:59:59 UTC; it closes at midnight in
    # Europe/Madrid (CET, UTC+1, on 30 October 2025 and 31 December 2024)
    cutoff = as_of_cutoff(Period(2025, 3), 30)
    assert cutoff == dt.datetime(2025, 10, 30, 22, 59, 59, 999999, tzinfo=UTC)
    assert as_of_cutoff("2024-T4", 0) == dt.datetime(2024, 12, 31, 22, 59, 59, 999999, tzinfo=UTC)


def _subs(rows: list[tuple[int, str, str, dt.datetime, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", "service", "period", "uploaded_at", "status"])


def test_completeness_on_time_late_pending_not_due_and_superseded() -> None:
    plan = make_plan(
        [numeric("P1.01-I1", service="SVC_A"), numeric("P1.02-I1", service="SVC_B")],
        services=["SVC_A", "SVC_B", "SVC_C"],
    )  # SVC_C has no indicator
    subs = _subs(
        [
            # SVC_A 2025-T1: on time (deadline 2025-04-30), then corrected late: still on time
            (1, "SVC_A", "2025-T1", dt.datetime(2025, 4, 30, 21, 0, tzinfo=UTC), "superseded"),
            (2, "SVC_A", "2025-T1", dt.datetime(2025, 5, 20, 9, 0, tzinfo=UTC), "current"),
            # SVC_B 2025-T1: one day late
            (3, "SVC_B", "2025-T1", dt.datetime(2025, 5, 1, 0, 0, 1, tzinfo=UTC), "current"),
            # written the way people write periods
            (4, "SVC_A", "T2 2025", dt.datetime(2025, 7, 2, tzinfo=UTC), "current"),
        ]
    )
    result = completeness(
        plan,
        subs,
        [Period(2025, 1), Period(2025, 2), Period(2025, 3)],
        deadline_days=30,
        today=dt.date(2025, 8, 15),
    )
    assert list(result.columns[:3]) == ["service", "period", "state"]
    assert set(result["service"]) == {"SVC_A", "SVC_B"}
    state = {(r.service, r.period): r.state for r in result.itertuples()}
    assert state[("SVC_A", "2025-T1")] == "on_time"
    assert state[("SVC_B", "2025-T1")] == "late"
    assert state[("SVC_A", "2025-T2")] == "on_time"
    assert state[("SVC_B", "2025-T2")] == "pending"  # deadline 2025-07-30 passed
    assert state[("SVC_A", "2025-T3")] == "not_due"  # deadline 2025-10-30 ahead
    row = result[(result.service == "SVC_A") & (result.period == "2025-T1")].iloc[0]
    assert row.submission_id == 2
    assert row.superseded_count == 1
    assert row.submitted_at == pd.Timestamp("2025-04-30 21:00", tz="UTC")  # 23:00 in Madrid
    assert row.last_uploaded_at == pd.Timestamp("2025-05-20 09:00", tz="UTC")
    assert row.deadline == dt.date(2025, 4, 30)


def test_completeness_without_submissions() -> None:
    plan = make_plan([numeric("P1.01-I1")])
    empty = _subs([])
    result = completeness(
        plan, empty, [Period(2022, 1)], deadline_days=30, today=dt.date(2022, 4, 30)
    )
    assert result["state"].tolist() == ["not_due"]  # the deadline day itself is not late
    result = completeness(
        plan, empty, [Period(2022, 1)], deadline_days=30, today=dt.date(2022, 5, 1)
    )
    assert result["state"].tolist() == ["pending"]
    assert result["superseded_count"].tolist() == [0]


def test_changes_up_down_and_new_data() -> None:
    plan = make_plan([numeric("P1.01-I1"), numeric("P1.01-I2"), numeric("P1.02-I1")])
    rows = frame(
        series("P1.01-I1", "2022-T1", [105, 110])  # green (1.0) → green (1.0)
        + series("P1.01-I2", "2022-T1", [101, 110])  # red (0.2) → green
        + [("P1.02-I1", "2022-T2", 104)]  # no data → red
    )
    result = changes(plan, rows, Period(2022, 1), Period(2022, 2))
    got = {(r.level, r.code): r.change for r in result.itertuples()}
    assert got == {
        ("objective", "P1.01"): "up",  # mean 0.6 red → 1.0 green
        ("objective", "P1.02"): "new_data",
        ("indicator", "P1.01-I2"): "up",
        ("indicator", "P1.02-I1"): "new_data",
    }
    assert result.iloc[0]["level"] == "objective"
    row = result[result.code == "P1.01-I2"].iloc[0]
    assert (row.status_before, row.status_after) == ("red", "green")
    assert row.achievement_before == pytest.approx(0.2)
    back = changes(plan, rows, Period(2022, 2), Period(2022, 1))
    assert dict(zip(back.code, back.change, strict=True))["P1.01-I2"] == "down"
    assert dict(zip(back.code, back.change, strict=True))["P1.02-I1"] == "no_data"


def test_changes_against_what_was_seen_then() -> None:
    plan = make_plan([numeric("P1.01-I1")])
    then = frame([("P1.01-I1", "2022-T1", 103)])  # red then
    now = frame([("P1.01-I1", "2022-T1", 105)])  # corrected later: green
    result = changes(plan, now, Period(2022, 1), Period(2022, 1), values_before=then)
    assert result[result.level == "indicator"]["change"].tolist() == ["up"]
    assert changes(plan, now, Period(2022, 1), Period(2022, 1)).empty


def test_as_of_a_quarter_uses_only_values_submitted_by_then() -> None:
    # the caller filters the frame by upload time (values_frame(engine, as_of=...)):
    # the same quarter gives the figures as they stood then and as they stand now
    plan = make_plan([numeric("P1.01-I1")])
    stored = pd.DataFrame(
        {
            "indicator": ["P1.01-I1", "P1.01-I1"],
            "period": ["2022-T2", "2022-T2"],
            "value": [106.0, 110.0],
            "stage": [None, None],
            "uploaded_at": [
                pd.Timestamp("2022-07-10", tz="UTC"),
                pd.Timestamp("2022-09-01", tz="UTC"),
            ],
        }
    )
    cutoff = pd.Timestamp(as_of_cutoff(Period(2022, 2), 30))
    seen = stored[stored.uploaded_at <= cutoff]
    then = compute_status(plan, seen, "2022-T2", as_of="2022-T2")
    now = compute_status(plan, stored.tail(1), "2022-T2")
    assert then.indicator("P1.01-I1").achievement == pytest.approx(0.6)
    assert now.indicator("P1.01-I1").achievement == pytest.approx(1.0)


def _rows_by_level_and_key(history: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    """The rows of one quarter's status history, keyed by (level, key)."""
    return {
        (str(row["level"]), str(row["key"])): {str(k): v for k, v in row.items()}
        for row in history.to_dict("records")
    }


def test_status_history_matches_compute_status() -> None:
    plan = make_plan(
        [
            numeric("P1.01-I1"),
            milestone("P1.01-I2", due="2023-T4"),
            numeric(
                "P2.01-I1",
                direction="decrease",
                baseline=(2021, 50.0),
                targets={2022: 40.0, 2023: 30.0, 2024: 20.0, 2025: 10.0},
            ),
        ]
    )
    rows = frame(
        series("P1.01-I1", "2022-T1", [103, 110, 112, 118, 121, 132])
        + series("P1.01-I2", "2022-T1", ["planificat", "iniciat", None, "avancat"])
        + series("P2.01-I1", "2022-T1", [48, 45, 44, 40, 39, 37])
    )
    periods = [Period(2022, q) for q in range(1, 5)] + [Period(2023, 1), Period(2023, 2)]
    history = status_history(plan, rows, periods)
    assert set(history["level"]) == {"plan", "lever", "axis", "objective", "indicator"}
    for period in periods:
        res = compute_status(plan, rows, period)
        at = _rows_by_level_and_key(history[history.period == str(period)])
        for level in res.iter_levels():
            got = at[(level.level, level.key)]
            assert got["status"] == str(level.status)
            if level.achievement is None:
                assert pd.isna(got["achievement"])
            else:
                assert got["achievement"] == pytest.approx(level.achievement)
        for ind in res.indicators:
            got = at[("indicator", ind.code)]
            assert got["status"] == str(ind.status)
            assert (pd.isna(got["value"]) and ind.value is None) or got["value"] == ind.value
    # periods outside the plan are skipped
    assert status_history(plan, rows, [Period(2030, 1)]).empty
