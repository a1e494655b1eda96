"""A small, quick data set for dashboard tests, stored through the import pipeline's store.

Every expected service submits the given quarters; numeric indicators follow their path from
the baseline to the yearly target scaled by a per-indicator factor (most on track, some
lagging, some far behind), milestones advance through the stage scale. Deterministic.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable

from sqlalchemy import Engine

from indicators.intake.validate import ParsedValue
from indicators.storage.store import store
from plan_model.completeness import expected_services
from plan_model.models import Aggregation, Indicator, Plan
from plan_model.periods import Period

FACTORS = (1.0, 1.0, 1.02, 0.85, 0.6)  # on track, on track, slightly ahead, lagging, behind


def _factor(code: str) -> float:
    return FACTORS[zlib.crc32(code.encode()) % len(FACTORS)]


def _numeric(ind: Indicator, period: Period) -> float:
    base = ind.baseline.value if ind.baseline else 0.0
    target = (ind.targets or {}).get(period.year, base)
    if ind.aggregation is Aggregation.SUM:
        value = target / 4 * _factor(ind.code)
    else:
        value = base + (target - base) * _factor(ind.code) * period.quarter / 4
    if ind.bounds is not None:
        if ind.bounds.min is not None:
            value = max(ind.bounds.min, value)
        if ind.bounds.max is not None:
            value = min(ind.bounds.max, value)
    return round(value, 0 if ind.integer else 1)  # counts are whole numbers


def _stage(plan: Plan, ind: Indicator, period: Period) -> str:
    scale = [s for s in plan.stages if s.pct is not None]
    due = ind.planned_completion_period or plan.last_period
    span = max(1, due.index - plan.first_period.index)
    done = (period.index - plan.first_period.index) / span * _factor(ind.code)
    position = min(len(scale) - 1, int(done * (len(scale) - 1)))
    return scale[position].key


def submission_values(plan: Plan, service: str, period: Period) -> list[ParsedValue]:
    values = []
    # issue 14: an indicator with breakdowns is reported by member (its reporters)
    totals = [i for i in plan.indicators_of_service(service) if not i.breakdowns]
    for row, ind in enumerate(totals, start=2):
        value: float | str = (
            _stage(plan, ind, period) if ind.is_milestone else _numeric(ind, period)
        )
        comment = "Sense incidències remarcables." if row == 2 else None
        values.append(ParsedValue(ind.code, str(period), value, comment, "Dades", row, "E"))
    return values


def load_sample(
    engine: Engine, plan: Plan, periods: Iterable[Period], skip: Iterable[tuple[str, str]] = ()
) -> int:
    """Store one submission per expected service and period (minus ``skip``); returns count."""
    skipped = set(skip)
    count = 0
    for period in periods:
        uploaded = dt.datetime.combine(
            period.end + dt.timedelta(days=10), dt.time(9), tzinfo=dt.UTC
        )
        for service in expected_services(plan):
            if (service, str(period)) in skipped:
                continue
            values = submission_values(plan, service, period)
            if not values:
                continue
            content = f"{service}|{period}|sample".encode()
            store(
                engine,
                service=service,
                period=str(period),
                filename=f"{service}_{period}.xlsx",
                content=content,
                user=f"tecnic.{service.lower()}",
                source="cli",
                values=values,
                warnings=[],
                uploaded_at=uploaded,
            )
            count += 1
    return count
