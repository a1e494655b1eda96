"""``seguiment status --period 2025-T4 [--as-of 2025-T4] [--json] [--lang ca]``.

The plan's status at a quarter from the configured database (DATABASE_URL): plan, levers,
axes, objectives and indicators with achievement, traffic light (label and icon), trend,
forecast and coverage. ``--as-of Q`` uses only what had been submitted by Q's deadline
(SUBMISSION_DEADLINE_DAYS after Q ends, end of that day in UTC), so a board can see again
what it saw then. The quarter's status is computed with the version of the plan in force at
that quarter (issue 18: an amendment applies from its effective quarter); ``--as-approved``
computes it with the plan as approved, before any amendment. Exit codes: 0 ok, 2 usage error (bad or out-of-plan quarter).

Breakdowns (issue 14): the totals are the reported ones, or derived from the members where
nobody reported one; ``--json`` gives each indicator ``breakdowns`` (per dimension, each
member's value, the quarter before's and the trend) and ``breakdown_coverage``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any, cast

import pandas as pd

from cli._common import load_configured_plan, plan_for_quarter, print_json, settings
from i18n import format_date, format_number, format_percent, translator
from plan_model.breakdowns import breakdowns_json, coverage_json, member_values_of
from plan_model.decisions import MilestoneDecision
from plan_model.models import Plan, Thresholds
from plan_model.periods import Period, text_label
from plan_model.status import (
    IndicatorResult,
    LevelResult,
    PlanStatus,
    as_of_cutoff,
    compute_status,
    status_to_json,
)
from plan_model.status_types import (
    AT_RISK_ICON,
    AT_RISK_LABEL,
    EXCEEDED_ICON,
    EXCEEDED_LABEL,
    INSUFFICIENT_DATA_LABEL,
    LATE_ICON,
    LATE_LABEL,
    STATUS_ICONS,
    TREND_ICONS,
    Status,
    Trend,
    icon_text,
    status_text,
    trend_label,
)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "status", help=translator("ca")("Show where the plan stands at a quarter.")
    )
    parser.add_argument(
        "--period",
        help=translator("ca")("quarter, e.g. 2025-T4 (default: the latest quarter with data)"),
    )
    parser.add_argument(
        "--as-of",
        dest="as_of",
        help=translator("ca")("only data submitted by this quarter's deadline, e.g. 2025-T3"),
    )
    parser.add_argument(
        "--json", action="store_true", help=translator("ca")("print one JSON object")
    )
    parser.add_argument("--lang", default=None, help="ca | es | en")
    parser.add_argument(
        "--plan", default=None, help=translator("ca")("plan file (default: PLAN_PATH)")
    )
    parser.add_argument(
        "--as-approved",
        dest="as_approved",
        action="store_true",
        help=translator("ca")("compute with the plan as approved, before any amendment"),
    )
    parser.set_defaults(handler=run)


def load_values(as_of: dt.datetime | None) -> pd.DataFrame:
    """The stored totals (as they stood at ``as_of``) from DATABASE_URL: the reported ones,
    and those derived from the members where nobody reported one."""
    from indicators.reporting.dashboard_data import with_derived_totals
    from indicators.storage.engine import get_engine
    from indicators.storage.queries import values_frame

    engine = get_engine(settings().database_url)
    return with_derived_totals(values_frame(engine, as_of=as_of), load_members(as_of))


def load_members(as_of: dt.datetime | None, plan: Plan | None = None) -> pd.DataFrame:
    """The stored breakdown members (as they stood at ``as_of``) from DATABASE_URL; none
    asked for when ``plan`` breaks no indicator down."""
    from indicators.storage.engine import get_engine
    from indicators.storage.queries import MEMBER_COLUMNS, member_values_frame

    if plan is not None and not any(i.breakdowns for i in plan.indicators):
        return pd.DataFrame(columns=MEMBER_COLUMNS)
    return member_values_frame(get_engine(settings().database_url), as_of=as_of)


def add_breakdowns(
    document: dict[str, Any], plan: Plan, members: pd.DataFrame, period: Period
) -> None:
    """Give each indicator of the status document its ``breakdowns`` and
    ``breakdown_coverage`` at ``period`` (every other key kept)."""
    grouped = member_values_of(cast(list[dict[str, object]], members.to_dict("records")))
    before = str(period.prev())
    for lever in document["levers"]:
        for axis in lever["axes"]:
            for objective in axis["objectives"]:
                for item in objective["indicators"]:
                    indicator = plan.indicator_by_code[item["code"]]
                    now = grouped.get((indicator.code, str(period)), [])
                    previous = grouped.get((indicator.code, before), [])
                    item["breakdowns"] = breakdowns_json(plan, indicator, now, previous)
                    item["breakdown_coverage"] = coverage_json(plan, indicator, now)


def load_decisions(as_of: dt.datetime | None) -> list[MilestoneDecision]:
    """The directors' milestone decisions in force (at ``as_of``) from DATABASE_URL."""
    from indicators.storage.decisions import active_decisions
    from indicators.storage.engine import get_engine

    return active_decisions(get_engine(settings().database_url), as_of=as_of)


def configured_thresholds(plan: Plan) -> Thresholds:
    """The thresholds in force: GREEN_THRESHOLD / AMBER_THRESHOLD over the catalog's."""
    from indicators.reporting.dashboard_data import settings_thresholds

    return settings_thresholds(settings(), plan)


def latest_period(plan: Plan, values: pd.DataFrame) -> Period:
    """The latest quarter of the plan with data (the plan's first quarter without any)."""
    found = (
        [
            p
            for p in (Period.try_parse(str(t)) for t in pd.unique(values["period"]))
            if p is not None and plan.first_period <= p <= plan.last_period
        ]
        if len(values)
        else []
    )
    return max(found) if found else plan.first_period


def _parse(text: str, plan: Plan, what: str, tr: object) -> Period | None:
    period = Period.try_parse(text)
    if period is None or not plan.first_period <= period <= plan.last_period:
        assert callable(tr)
        print(
            tr(
                "{what}: '{text}' is not a quarter of the plan ({first} to {last}).",
                what=what,
                text=text,
                first=plan.first_period,
                last=plan.last_period,
            ),
            file=sys.stderr,
        )
        return None
    return period


def run(args: argparse.Namespace) -> int:
    tr = translator(args.lang)
    approved = load_configured_plan(args.plan)
    span = plan_for_quarter(approved)  # the plan now: its quarters, extensions included
    as_of_period: Period | None = None
    cutoff: dt.datetime | None = None
    if args.as_of:
        as_of_period = _parse(args.as_of, span, "--as-of", tr)
        if as_of_period is None:
            return 2
        cutoff = as_of_cutoff(as_of_period, settings().submission_deadline_days)
    values = load_values(cutoff)
    if args.period:
        period = _parse(args.period, span, "--period", tr)
        if period is None:
            return 2
    else:
        period = latest_period(span, values)
    # the version in force at the quarter (issue 18), or the plan as approved
    plan = plan_for_quarter(approved, period, as_approved=args.as_approved)
    result = compute_status(
        plan,
        values,
        period,
        thresholds=configured_thresholds(plan),
        as_of=str(as_of_period) if as_of_period else None,
        decisions=load_decisions(cutoff),
    )
    if args.json:
        document = status_to_json(result)
        document["as_of_cutoff"] = cutoff.isoformat() if cutoff else None
        add_breakdowns(document, plan, load_members(cutoff, plan), period)
        print_json(document)
    else:
        print("\n".join(render_tree(result, args.lang, cutoff)))
    return 0


def _marks(status: Status, lang: str | None) -> str:
    return status_text(status, lang)


def _trend(trend: Trend, lang: str | None) -> str:
    return f"{TREND_ICONS[trend]} {trend_label(trend, lang)}"


def _level_line(level: LevelResult, title: str, lang: str | None) -> str:
    tr = translator(lang)
    parts = [f"{title}: {_marks(level.status, lang)}"]
    if level.achievement is not None:
        parts.append(tr("achievement {value}", value=format_percent(level.achievement, lang)))
    parts.append(_trend(level.trend, lang))
    parts.append(tr("coverage {value}", value=format_percent(level.coverage, lang)))
    counts = level.counts
    parts.append(
        " ".join(
            f"{STATUS_ICONS[Status(k)]}{counts[str(k)]}"
            for k in (Status.GREEN, Status.AMBER, Status.RED, Status.GREY)
        )
    )
    if level.insufficient_data:
        parts.append(tr(INSUFFICIENT_DATA_LABEL))
    if level.at_risk_count:
        parts.append(f"{icon_text(AT_RISK_ICON, AT_RISK_LABEL, lang)}: {level.at_risk_count}")
    return " · ".join(parts)


METHOD_FIGURE_MESSAGES = {
    "target_share": "% of target {value}",
    "progress": "progress from baseline {value}",
}


def _figures(ind: IndicatorResult, lang: str | None) -> list[str]:
    """The figure of the indicator's method first (it drives the light), then the other one."""
    tr = translator(lang)
    figures = {"target_share": ind.target_share, "progress": ind.progress}
    order = [ind.method] + [m for m in figures if m != ind.method]
    return [
        tr(METHOD_FIGURE_MESSAGES[m], value=format_percent(figures[m], lang))
        for m in order
        if m in figures and figures[m] is not None
    ]


def _indicator_line(ind: IndicatorResult, lang: str | None) -> str:
    tr = translator(lang)
    if ind.kind == "milestone":
        shown = tr(
            "stage {stage} ({pct})",
            stage=ind.stage or "–",
            pct=format_percent(None if ind.value is None else ind.value / 100, lang),
        )
        expected = format_percent(None if ind.expected is None else ind.expected / 100, lang)
    else:
        shown = tr("value {value}", value=format_number(ind.value, lang))
        expected = format_number(ind.expected, lang)
    if ind.kind == "context":  # no target, no light: the value and its trend
        return " · ".join(
            [f"{ind.code} {ind.name}: {tr('Context indicator')}", shown, _trend(ind.trend, lang)]
        )
    parts = [
        f"{ind.code} {ind.name}: {_marks(ind.status, lang)}",
        f"{shown} ({tr('expected {value}', value=expected)})",
    ]
    parts.extend(_figures(ind, lang))
    parts.append(_trend(ind.trend, lang))
    if ind.forecast is not None:
        value = (
            format_percent(ind.forecast / 100, lang)
            if ind.kind == "milestone"
            else format_number(ind.forecast, lang)
        )
        parts.append(tr("forecast {value}", value=value))
    if ind.exceeded:
        parts.append(icon_text(EXCEEDED_ICON, EXCEEDED_LABEL, lang))
    if ind.late:
        parts.append(icon_text(LATE_ICON, LATE_LABEL, lang))
    if ind.at_risk:
        parts.append(icon_text(AT_RISK_ICON, AT_RISK_LABEL, lang))
    return " · ".join(parts)


def render_tree(
    result: PlanStatus, lang: str | None = None, cutoff: dt.datetime | None = None
) -> list[str]:
    """The indented, human-readable tree (Catalan by default)."""
    tr = translator(lang)
    head = f"{result.plan.name} — {text_label(result.period, lang)}"
    if result.as_of and cutoff is not None:
        head += " · " + tr(
            "data as of {period} (submitted by {date})",
            period=text_label(result.as_of, lang),
            date=format_date(cutoff.date(), lang),
        )
    lines = [head, _level_line(result.plan, tr("Plan"), lang)]
    for lever in result.levers:
        lines.append(
            "  "
            + _level_line(
                lever, tr("Lever {number}. {name}", number=lever.number, name=lever.name), lang
            )
        )
        for axis in lever.axes:
            lines.append(
                "    "
                + _level_line(
                    axis, tr("Axis {number}. {name}", number=axis.number, name=axis.name), lang
                )
            )
            for objective in axis.objectives:
                text = objective.name if len(objective.name) <= 70 else objective.name[:69] + "…"
                lines.append("      " + _level_line(objective, f"{objective.code} {text}", lang))
                lines.extend("        " + _indicator_line(i, lang) for i in objective.indicators)
    return lines
