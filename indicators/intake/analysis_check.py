"""The submission check's analysis warnings: objectives the file puts off track without one.

An objective's analysis of a quarter (valoració, issue 17) is required when an indicator of it
is red or amber in that quarter (:func:`plan_model.analyses.missing_analyses`). After a file
passes the check, :func:`analysis_warnings` computes the status its quarter would have once it
is stored (the service's values in force with the file's on top) and warns, per objective of
the file's indicators that needs an analysis and has none in force, «L'objectiu P3.07 és en
desviació: cal la valoració del trimestre». A warning only informs: the file is still stored.
"""

from __future__ import annotations

import math

import pandas as pd
from sqlalchemy import Engine

from i18n import gettext
from indicators.intake.issues import Issue
from indicators.intake.validate import Checked
from indicators.storage.analyses import analyses_in_force
from indicators.storage.records import ParsedValue
from indicators.storage.store import values_in_force
from plan_model.analyses import missing_analyses, off_track_indicators
from plan_model.models import Plan
from plan_model.periods import Period, period_range
from plan_model.status import compute_status
from plan_model.thresholds import ThresholdOverrides, effective_thresholds
from settings import Settings

ANALYSIS_REQUIRED = "analysis_required"  # the warning's code
MESSAGE = "Objective {objective} is off track: the quarter's analysis is needed."


def _row(indicator: str, period: str, value: float | str | None) -> dict[str, object]:
    if isinstance(value, str):
        return {"indicator": indicator, "period": period, "value": math.nan, "stage": value}
    number = math.nan if value is None else float(value)
    return {"indicator": indicator, "period": period, "value": number, "stage": None}


def values_after(
    engine: Engine, plan: Plan, service: str, period: Period, values: list[ParsedValue]
) -> pd.DataFrame:
    """``service``'s values in force up to ``period`` with ``values`` (the file) on top,
    as the status engine reads them (a later row wins; a cleared value is empty)."""
    periods = [str(p) for p in period_range(plan.first_period, period)]
    held = values_in_force(engine, service, periods)
    rows = [_row(key[0], key[1], kept.value) for key, kept in held.items()]
    rows += [
        _row(v.indicator, v.period, None if v.cleared else v.value)
        for v in values
        if not v.member_key  # the totals only: a member is not its indicator's figure
    ]
    return pd.DataFrame(rows, columns=["indicator", "period", "value", "stage"])


def analysis_warnings(
    engine: Engine, plan: Plan, checked: Checked, settings: Settings, lang: str
) -> list[Issue]:
    """A warning per objective of the file's quarter that the file's service puts red or
    amber and that has no analysis in force for the quarter, in the plan's order."""
    quarter = Period.try_parse(checked.period or "")
    if checked.service is None or quarter is None:
        return []
    if not plan.first_period <= quarter <= plan.last_period:
        return []
    codes = {
        plan.indicator_by_code[v.indicator].objective_code
        for v in checked.values
        if v.period == str(quarter) and v.indicator in plan.indicator_by_code
    }
    if not codes:
        return []
    frame = values_after(engine, plan, checked.service, quarter, checked.values)
    overrides = ThresholdOverrides(settings.green_threshold, settings.amber_threshold)
    thresholds = effective_thresholds(plan.catalog.thresholds, overrides)
    status = compute_status(plan, frame, quarter, thresholds=thresholds)
    objectives = [o for o in status.objectives if o.code in codes]
    written = {a.objective for a in analyses_in_force(engine, str(quarter), objectives=codes)}
    issues = []
    for code in missing_analyses(objectives, written):
        off = off_track_indicators(status.objective(code))
        issues.append(
            Issue(
                code=ANALYSIS_REQUIRED,
                sheet=None,
                row=None,
                column=None,
                value=", ".join(i.code for i in off),
                message=gettext(MESSAGE, lang, objective=code),
            )
        )
    return issues
