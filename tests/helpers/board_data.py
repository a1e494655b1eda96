"""Test data for the board (slides, pack, export): quarterly CSV files for every service of the
real plan, imported through the real ``import_file``.

Deterministic: numeric indicators move from their baseline towards their targets at a pace
that differs per indicator (some on track, some behind), milestones climb the stage scale,
some values carry comments (with Catalan characters), one service misses the last quarter.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import Engine

from indicators.intake.importer import import_file
from plan_model.models import Indicator, Plan
from plan_model.periods import Period, period_range

TODAY = dt.date(2026, 3, 1)  # every quarter of the plan is due
FIRST = Period(2024, 1)
LAST = Period(2025, 4)
MISSING_SERVICE_LAST = "SIAD"  # this service sends nothing for the last quarter


def _pace(code: str) -> float:
    """A per-indicator pace: most on track, some behind."""
    return [1.05, 0.95, 1.0, 0.8, 0.6, 0.3, 1.1][sum(map(ord, code)) % 7]


def _number(ind: Indicator, period: Period) -> float:
    digits = 0 if ind.integer else 1  # counts are whole numbers (issue 16)
    if not ind.targets:  # a context indicator (issue 15): no target, a figure near its baseline
        assert ind.baseline is not None
        return round(ind.baseline.value * _pace(ind.code), digits)
    years = sorted(ind.targets)
    # no baseline (a measure the plan creates, issue 15): it starts at its first target
    start = ind.baseline.value if ind.baseline else ind.targets[years[0]]
    target = ind.targets.get(period.year, ind.targets[years[-1]])
    previous = ind.targets.get(period.year - 1, start)
    level = previous + (target - previous) * period.quarter / 4
    value = start + (level - start) * _pace(ind.code)
    if ind.aggregation is not None and str(ind.aggregation) == "sum":
        value = max(value, 0) / 4
    bounds = ind.bounds
    if bounds is not None:
        if bounds.min is not None:
            value = max(bounds.min, value)
        if bounds.max is not None:
            value = min(bounds.max, value)
    return round(value, digits)


def _stage(plan: Plan, ind: Indicator, period: Period) -> str:
    scale = [s for s in plan.stages if s.pct is not None]
    planned = ind.planned_completion_period or LAST
    start = Period.parse(ind.start) if ind.start else plan.first_period
    span = max(1, planned.index - start.index)
    share = max(0.0, min(1.0, (period.index - start.index) / span)) * _pace(ind.code)
    pct = min(100.0, share * 100)
    best = scale[0]
    for stage in scale:
        if stage.pct is not None and stage.pct <= pct + 1e-9:
            best = stage
    return best.name


def service_csv(plan: Plan, service: str, period: Period) -> bytes:
    lines = ["Codi;Període;Valor;Comentari"]
    for ind in plan.indicators_of_service(service):
        if ind.breakdowns:
            continue  # issue 14: reported by member by the services of its reporters
        if ind.is_milestone:
            value = _stage(plan, ind, period)
        else:
            value = f"{_number(ind, period):.1f}".replace(".", ",")
        comment = ""
        if (sum(map(ord, ind.code)) + period.quarter) % 5 == 0:
            comment = f"Dada revisada per l'equip ({ind.code}, {period}): situació estable"
        lines.append(f"{ind.code};{period};{value};{comment}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def load_board_data(engine: Engine, plan: Plan, first: Period = FIRST, last: Period = LAST) -> int:
    """Import every service's quarters from ``first`` to ``last``; the number of files."""
    services = sorted({i.responsible_service for i in plan.indicators})
    count = 0
    for period in period_range(first, last):
        for service in services:
            if service == MISSING_SERVICE_LAST and period == last:
                continue
            uploaded = dt.datetime.combine(
                period.end + dt.timedelta(days=10 + count % 30), dt.time(9, 0), tzinfo=dt.UTC
            )
            result = import_file(
                engine,
                plan,
                filename=f"{service}-{period}.csv",
                content=service_csv(plan, service, period),
                user=f"tec-{service.lower()}",
                service=service,
                period=str(period),
                uploaded_at=uploaded,
                today=TODAY,
                source="cli",
            )
            assert result.status == "ok", (service, str(period), result.errors[:3])
            count += 1
    return count


def is_number(text: str) -> bool:
    try:
        return not math.isnan(float(text.replace(",", ".")))
    except ValueError:
        return False
