""" "El meu trimestre": where a technician's or a head's services stand in one quarter.

For each service the person reports for: what is due (the rows of its template) and by when,
whether it was delivered (on time, late, pending, not yet due), where the delivery stands in the
two approval steps (pending validation, pending acceptance, accepted, changed since), whether the
quarter is locked, and when the service was last reminded. One read model, built from the same
frames as ``/lliuraments`` (completeness, reviews, reminders), so the two pages never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from accounts.approvals import Review
from indicators.reporting.dashboard_data import DashboardData
from indicators.reporting.reminders import due_items, reminders_sent
from plan_model.periods import Period


@dataclass(frozen=True)
class ServiceQuarter:
    """One service's quarter as its reporter sees it."""

    code: str
    name: str
    due: int  # indicators (rows of its template) to report
    deadline: dt.date
    state: str  # on_time | late | pending | not_due (plan_model.completeness)
    submitted_at: dt.datetime | None  # the current delivery (UTC)
    submission_id: int | None
    review: Review | None
    reminded_at: dt.datetime | None  # the latest reminder sent for this quarter (UTC)
    locked: bool


@dataclass(frozen=True)
class MyQuarter:
    """The quarter shown and the person's services in it, in the plan's order."""

    period: Period
    services: tuple[ServiceQuarter, ...]

    def count(self, state: str) -> int:
        """How many of the services are in completeness ``state``."""
        return sum(1 for s in self.services if s.state == state)


def _when(value: object) -> dt.datetime | None:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return stamp.to_pydatetime() if stamp.tzinfo else stamp.tz_localize("UTC").to_pydatetime()


def my_quarter(
    data: DashboardData, services: Sequence[str], period: Period, today: dt.date | None = None
) -> MyQuarter:
    """The quarter ``period`` of ``services`` (codes; unknown codes are left out)."""
    plan = data.plan
    frame = data.completeness_of(period, today)
    rows = {str(r["service"]): r for r in frame.to_dict("records")}
    reviews = data.reviews(period)
    reminded = reminders_sent(data.engine, period)
    locked = str(period) in data.locked_quarters()
    wanted = set(services)
    out = []
    for service in plan.services:
        if service.code not in wanted:
            continue
        row = rows.get(service.code, {})
        submission = row.get("submission_id")
        out.append(
            ServiceQuarter(
                code=service.code,
                name=service.name,
                due=len(due_items(plan, service.code)),
                deadline=period.deadline(data.deadline_days),
                state=str(row.get("state", "not_due")),
                submitted_at=_when(row.get("last_uploaded_at")),
                submission_id=None
                if submission is None or pd.isna(submission)
                else int(submission),
                review=reviews.get(service.code),
                reminded_at=reminded.get(service.code),
                locked=locked,
            )
        )
    return MyQuarter(period, tuple(out))
