"""Submissions per service and quarter: on time, late, pending, not due yet.

A service is expected to submit every quarter when it reports at least one row: an
indicator it is responsible for, or breakdown members the catalog gives it (``reporters``).
A quarter's data is due ``deadline_days`` natural days after the quarter ends, until the
end of that day in Europe/Madrid (:func:`as_of_cutoff`): the same cutoff gives "the figures
as they stood at quarter Q" (``values_frame(engine, as_of=as_of_cutoff(Q, days))``). ``today``
is the date in Madrid (:func:`plan_model.periods.local_today`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from plan_model.breakdowns import reporting_service_codes
from plan_model.models import Plan
from plan_model.periods import Period

COMPLETENESS_STATES = ("on_time", "late", "pending", "not_due")
COMPLETENESS_LABELS: dict[str, str] = {
    "on_time": "Delivered on time",  # ca: Lliurat a temps
    "late": "Delivered late",  # ca: Lliurat amb retard
    "pending": "Pending",  # ca: Pendent
    "not_due": "Not due yet",  # ca: Encara no toca
    "superseded": "Superseded",  # ca: Substituït
}
COMPLETENESS_COLUMNS = [
    "service",
    "period",
    "state",
    "submitted_at",
    "last_uploaded_at",
    "submission_id",
    "superseded_count",
    "deadline",
]


def as_of_cutoff(period: Period | str, deadline_days: int) -> dt.datetime:
    """The end of the deadline day of ``period``'s submissions in Europe/Madrid, as an aware
    UTC moment (23:59:59.999999 in Madrid: 21:59:59.999999 UTC in summer, 22:59 in winter)."""
    return Period.parse(period).deadline_end(deadline_days).astimezone(dt.UTC)


def expected_services(plan: Plan) -> list[str]:
    """Services that report at least one row (an indicator they are responsible for, or the
    breakdown members the catalog's ``reporters`` give them: issue 14), in the plan's order."""
    return reporting_service_codes(plan)


def completeness(
    plan: Plan,
    submissions: pd.DataFrame,
    periods: list[Period],
    *,
    deadline_days: int,
    today: dt.date,
) -> pd.DataFrame:
    """One row per expected service and quarter of ``periods``.

    ``submissions``: the frame of ``indicators.storage.queries.submissions_frame`` (columns id,
    service, period, uploaded_at, status; history included). Columns of the result:
    service, period ("2025-T3"), state (``on_time``: first delivered by the deadline;
    ``late``: first delivered after it; ``pending``: nothing delivered and the deadline has
    passed; ``not_due``: nothing delivered yet, deadline still ahead), submitted_at (first
    delivery, UTC), last_uploaded_at (the current submission), submission_id (the current
    one), superseded_count (re-uploads replaced), deadline (date).
    """
    services = expected_services(plan)
    chosen = [Period.parse(p) for p in periods]
    grid = pd.DataFrame(
        [(s, str(p)) for s in services for p in chosen], columns=["service", "period"]
    )
    if grid.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COMPLETENESS_COLUMNS})
    deadlines = {str(p): p.deadline(deadline_days) for p in chosen}
    cutoffs = {str(p): pd.Timestamp(as_of_cutoff(p, deadline_days)) for p in chosen}
    grid["deadline"] = grid["period"].map(deadlines)

    summary = _delivery_summary(submissions, list(deadlines))
    if summary is not None:
        grid = grid.merge(summary, on=["service", "period"], how="left")
    else:
        grid["submitted_at"] = pd.Series(pd.NaT, index=grid.index, dtype="datetime64[ns, UTC]")
        grid["last_uploaded_at"] = grid["submitted_at"]
        grid["submission_id"] = np.nan
        grid["superseded_count"] = 0

    delivered = grid["submitted_at"].notna().to_numpy()
    cutoff = grid["period"].map(cutoffs)
    on_time = delivered & (grid["submitted_at"] <= cutoff).fillna(False).to_numpy(dtype=bool)
    overdue = (grid["deadline"] < today).to_numpy(dtype=bool)
    grid["state"] = np.where(
        delivered, np.where(on_time, "on_time", "late"), np.where(overdue, "pending", "not_due")
    )
    grid["superseded_count"] = grid["superseded_count"].fillna(0).astype(int)
    grid["submission_id"] = grid["submission_id"].astype("Int64")
    return grid[COMPLETENESS_COLUMNS]


def _delivery_summary(submissions: pd.DataFrame | None, periods: list[str]) -> pd.DataFrame | None:
    """Per (service, period) of ``periods``: the first delivery, the re-uploads replaced and
    the current submission (None when there are no usable submissions)."""
    subs = submissions if submissions is not None else pd.DataFrame()
    if not len(subs) or not {"service", "period", "uploaded_at"} <= set(subs.columns):
        return None
    subs = subs.copy()
    texts = subs["period"].astype(str)
    canon = {t: str(p) if (p := Period.try_parse(t)) else None for t in pd.unique(texts)}
    subs["period"] = texts.map(canon)
    subs = subs[subs["period"].isin(periods)]  # only the quarters asked for
    subs["uploaded_at"] = pd.to_datetime(subs["uploaded_at"], utc=True)
    if "status" not in subs.columns:
        subs["status"] = "current"
    if "id" not in subs.columns:
        subs["id"] = np.nan
    subs = subs.dropna(subset=["period"])
    subs = subs.sort_values("uploaded_at", kind="stable")
    keys = ["service", "period"]
    first = subs.groupby(keys, sort=False)["uploaded_at"].min().rename("submitted_at")
    superseded = (
        (subs["status"] == "superseded")
        .groupby([subs["service"], subs["period"]])
        .sum()
        .rename("superseded_count")
    )
    # the current submission (the latest one if, oddly, none is marked current)
    subs["_current"] = (subs["status"] == "current").astype(int)
    current = (
        subs.sort_values(["_current", "uploaded_at"], kind="stable")
        .groupby(keys, sort=False)
        .tail(1)
        .set_index(keys)
    )
    return pd.concat(
        [
            first,
            superseded,
            current["uploaded_at"].rename("last_uploaded_at"),
            current["id"].rename("submission_id"),
        ],
        axis=1,
    ).reset_index()
