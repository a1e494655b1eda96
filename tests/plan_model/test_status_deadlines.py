"""Issue 15, finding 8: deadlines in Europe/Madrid, in natural days.

The worked example of docs/metodologia.md: the 2nd quarter of 2025 with a 30-day deadline.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from plan_model.completeness import as_of_cutoff, completeness
from plan_model.periods import Period, local_today
from tests.helpers.status_factory import make_plan, numeric

UTC = dt.UTC
Q2 = Period(2025, 2)


def test_the_deadline_counts_natural_days() -> None:
    assert Q2.deadline(30) == dt.date(2025, 7, 30)  # weekends and holidays count
    assert Period(2025, 4).deadline(30) == dt.date(2026, 1, 30)


def test_the_deadline_day_closes_at_midnight_in_madrid() -> None:
    # old: 2025-07-30 23:59:59 UTC (01:59 of the 31st in Madrid)
    assert as_of_cutoff(Q2, 30) == dt.datetime(2025, 7, 30, 21, 59, 59, 999999, tzinfo=UTC)
    end = Q2.deadline_end(30)
    assert end.utcoffset() == dt.timedelta(hours=2)  # CEST in summer
    assert Period(2025, 3).deadline_end(30).utcoffset() == dt.timedelta(hours=1)  # CET


def test_a_delivery_after_midnight_in_madrid_is_late() -> None:
    plan = make_plan([numeric("P1.01-I1")])
    uploaded = dt.datetime(2025, 7, 30, 22, 30, tzinfo=UTC)  # 00:30 on the 31st in Madrid
    subs = pd.DataFrame(
        [(1, "SVC_A", "2025-T2", uploaded, "current")],
        columns=["id", "service", "period", "uploaded_at", "status"],
    )
    grid = completeness(plan, subs, [Q2], deadline_days=30, today=dt.date(2025, 8, 1))
    assert grid.iloc[0]["state"] == "late"  # old: on time
    earlier = subs.assign(uploaded_at=[dt.datetime(2025, 7, 30, 21, 30, tzinfo=UTC)])
    grid = completeness(plan, earlier, [Q2], deadline_days=30, today=dt.date(2025, 8, 1))
    assert grid.iloc[0]["state"] == "on_time"


def test_today_is_the_date_in_madrid() -> None:
    assert local_today(dt.datetime(2025, 7, 30, 22, 30, tzinfo=UTC)) == dt.date(2025, 7, 31)
    assert local_today(dt.datetime(2025, 7, 30, 21, 30)) == dt.date(2025, 7, 30)  # naive UTC
