"""Indicators that continue one of an earlier plan (issue 18, ``carries_over``): read model.

A later plan's indicator may continue an earlier plan's (``carries_over:
coss-2022-2025/P2.05-I1``). Its baseline, when the catalog gives none, is the earlier
indicator's last year measured (:func:`plan_model.registry.carried_baselines`), and its series
continues the earlier one, with the boundary between the plans marked
(:func:`continued_series`).

Stored values do not name their plan yet: a value belongs to a plan by its indicator code and
its quarter inside the plan's span. Per quarter the value of the indicator's responsible
service is taken (another service's only when it reported none).
"""

from __future__ import annotations

import pandas as pd

from plan_model.models import Indicator, Plan
from plan_model.periods import Period
from plan_model.registry import PlanRegistry, carried_baselines

SERIES_COLUMNS = ["plan", "code", "period", "value", "boundary"]


def quarterly_values(values: pd.DataFrame, plan: Plan, indicator: Indicator) -> dict[Period, float]:
    """The quarterly values of ``indicator`` of ``plan`` in a values frame (``indicator``,
    ``service``, ``period``, ``value`` columns): only the quarters of the plan, per quarter
    the responsible service's value (another's when it reported none)."""
    rows = values[(values["indicator"] == indicator.code) & values["value"].notna()]
    found: dict[Period, tuple[bool, float]] = {}
    for service, period_text, value in rows[["service", "period", "value"]].itertuples(index=False):
        period = Period.parse(str(period_text))
        if not plan.first_period <= period <= plan.last_period:
            continue
        own = service == indicator.responsible_service
        if period not in found or (own and not found[period][0]):
            found[period] = (own, float(value))
    return {period: value for period, (_own, value) in sorted(found.items())}


def with_carried_baselines(registry: PlanRegistry, plan: Plan, values: pd.DataFrame) -> Plan:
    """``plan`` with the baseline of each indicator that continues an earlier plan's, and
    has none of its own, taken from the earlier indicator's stored values (``values``)."""
    earlier_values: dict[str, dict[Period, float]] = {}
    for indicator in plan.indicators:
        source = registry.carried_from(indicator)
        if source is not None:
            earlier, carried = source
            earlier_values[carried.code] = quarterly_values(values, earlier, carried)
    return carried_baselines(registry, plan, earlier_values)


def continued_series(
    registry: PlanRegistry, plan: Plan, indicator: Indicator, values: pd.DataFrame
) -> pd.DataFrame:
    """The series of ``indicator`` of ``plan`` continued back through the indicators it
    carries over (of plans before it), oldest first: one row per quarter with a value
    (:data:`SERIES_COLUMNS`); ``boundary`` is True on each plan's first quarter shown after
    an earlier plan's, where the chart marks the change of plan."""
    chain: list[tuple[Plan, Indicator]] = [(plan, indicator)]
    while (source := registry.carried_from(chain[-1][1])) is not None:
        chain.append(source)
    rows: list[dict[str, object]] = []
    for owner, item in reversed(chain):
        series = quarterly_values(values, owner, item)
        for i, (period, value) in enumerate(series.items()):
            rows.append(
                {
                    "plan": owner.info.id,
                    "code": item.code,
                    "period": str(period),
                    "value": value,
                    "boundary": i == 0 and bool(rows),
                }
            )
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)
