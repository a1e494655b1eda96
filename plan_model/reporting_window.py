"""The upload-period rule: which quarters a service may report, and the one offered first.

A service reports a quarter of the plan that has already started: from the plan's first
quarter up to the current one (never a future quarter, never one outside the plan). The
upload forms offer these newest first and preselect the previous quarter (the one just
closed, whose data is due now), kept inside the plan. Validation of an uploaded file refuses
a value for any other quarter with the reason :meth:`ReportingWindow.refusal` gives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Protocol

from plan_model.periods import Period, period_range

Refusal = Literal["future_period", "period_outside_plan"]


class PlanSpan(Protocol):
    """What the rule needs of a plan: its first and last quarters."""

    @property
    def first_period(self) -> Period:
        """The plan's first quarter."""
        ...

    @property
    def last_period(self) -> Period:
        """The plan's last quarter."""
        ...


def today_utc() -> dt.date:
    """Today's date in UTC, the clock the upload rule uses when none is given."""
    return dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True, slots=True)
class ReportingWindow:
    """The quarters open for reporting on one day."""

    first: Period  # the plan's first quarter
    last: Period  # the plan's last quarter
    current: Period  # the quarter the day falls in

    @classmethod
    def of(cls, plan: PlanSpan, today: dt.date | None = None) -> ReportingWindow:
        """The window of ``plan`` on ``today`` (default: today in UTC)."""
        day = today if today is not None else today_utc()
        return cls(plan.first_period, plan.last_period, Period.containing(day))

    def refusal(self, period: Period) -> Refusal | None:
        """Why a value for ``period`` cannot be reported (None when it can)."""
        if period > self.current:
            return "future_period"
        if not self.first <= period <= self.last:
            return "period_outside_plan"
        return None

    def accepts(self, period: Period) -> bool:
        """Whether a service may report ``period``."""
        return self.refusal(period) is None

    def periods(self) -> list[Period]:
        """Every quarter a service may report, newest first (empty before the plan starts)."""
        return list(reversed(period_range(self.first, min(self.last, self.current))))

    def default(self) -> Period:
        """The quarter an upload form preselects: the previous one, kept inside the plan."""
        return max(self.first, min(self.current.prev(), self.last))
