"""What each page of the public view shows, as plain values for its template.

Every figure comes from :class:`indicators.reporting.public.PublicData` (published quarters
only, accepted values, small counts suppressed): this module only chooses and formats. A
status is always its icon and its label (``plan_model.status_types``), never a colour alone.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from i18n import format_number, format_percent, gettext
from indicators.reporting.public import PublicData
from plan_model import progress
from plan_model import status_types as st
from plan_model.models import Indicator
from plan_model.periods import Period, period_label
from plan_model.status_types import IndicatorResult, LevelResult, ObjectiveResult, Status
from web.public_chart import Point, distribution_svg, trend_svg

STATUS_ORDER = (Status.GREEN, Status.AMBER, Status.RED, Status.GREY)


@dataclass(frozen=True)
class View:
    """One public page's request: the public data, the quarter shown, the language, and how
    its links are written (``link(path)`` keeps the language and the quarter asked for)."""

    data: PublicData
    period: Period
    lang: str
    link: Callable[[str], str]

    def t(self, msgid: str, **kwargs: object) -> str:
        """``msgid`` in the page's language."""
        return gettext(msgid, self.lang, **kwargs)

    def quarter(self, period: Period | str) -> str:
        """«3r trimestre de 2025» in the page's language."""
        return period_label(Period.parse(period), self.lang)

    def percent(self, ratio: float | None) -> str:
        return format_percent(ratio, self.lang)


def status_badge(view: View, status: Status) -> dict[str, str]:
    """A status's light: its key (for the stylesheet), icon and label."""
    return {
        "key": str(status),
        "icon": st.STATUS_ICONS[status],
        "label": st.status_label(status, view.lang),
    }


def badge(view: View, level: LevelResult) -> dict[str, str]:
    """A level's light: its status key (for the stylesheet), icon and label."""
    status = Status(level.status)
    return {
        "key": str(status),
        "icon": st.STATUS_ICONS[status],
        "label": st.status_label(status, view.lang, insufficient=level.insufficient_data),
    }


def indicator_badge(view: View, result: IndicatorResult) -> dict[str, str]:
    """An indicator's light, with its own label (overdue, postponed, deviation...)."""
    status = Status(result.status)
    return {
        "key": str(status),
        "icon": st.STATUS_ICONS[status],
        "label": st.indicator_status_label(result, view.lang),
    }


def trend(view: View, value: st.Trend | str) -> dict[str, str]:
    """A trend's icon and label."""
    kind = st.Trend(value)
    return {"icon": st.TREND_ICONS[kind], "label": st.trend_label(kind, view.lang)}


def level_summary(view: View, level: LevelResult, href: str | None = None) -> dict[str, Any]:
    """What a lever, axis or objective shows in a list: name, light, figure, trend."""
    return {
        "name": level.name,
        "key": level.key,
        "badge": badge(view, level),
        "figure": view.percent(level.achievement),
        "trend": trend(view, level.trend),
        "href": href,
    }


def _level_points(view: View, level: str, key: str) -> list[Point]:
    history = view.data.history(view.period)
    rows = history[(history["level"] == level) & (history["key"].astype(str) == key)]
    points = []
    for period, value in zip(rows["period"], rows["achievement"], strict=True):
        number = None if pd.isna(value) else float(value)
        points.append(Point(str(period), number))
    return points


def _first_last(view: View, points: list[Point]) -> tuple[str, str]:
    if not points:
        return "–", "–"
    return view.quarter(points[0].period), view.quarter(points[-1].period)


def _svg_or_nothing(view: View, points: list[Point], title: str) -> str:
    """The trend's SVG (grau d'assoliment, 100 % marked), or «Sense dades» when no quarter
    has a figure to draw."""
    if all(point.value is None for point in points):
        return f'<p class="no-data">{html.escape(view.t("No data"))}</p>'
    return trend_svg(points, title, view.percent, reference=1.0)


def level_chart(view: View, level: str, key: str) -> dict[str, Any]:
    """A level's grau d'assoliment over the published quarters: the SVG and its table."""
    points = _level_points(view, level, key)
    first, last = _first_last(view, points)
    title = view.t("Degree of achievement from the {first} to the {last}", first=first, last=last)
    svg = _svg_or_nothing(view, points, title)
    rows = [(view.quarter(p.period), view.percent(p.value)) for p in points]
    return {"svg": svg, "title": title, "rows": rows, "headings": [view.t("Achievement")]}


def objective_distribution(view: View, objectives: list[ObjectiveResult]) -> dict[str, Any]:
    """How many objectives are in each status (the headline), as text and a stacked bar."""
    counts = [(s, sum(1 for o in objectives if Status(o.status) is s)) for s in STATUS_ORDER]
    items = [
        {
            "key": str(s),
            "icon": st.STATUS_ICONS[s],
            "label": st.status_label(s, view.lang),
            "count": format_number(n, view.lang, 0),
        }
        for s, n in counts
    ]
    return {
        "items": items,
        "svg": distribution_svg(counts),
        "total": format_number(len(objectives), view.lang, 0),
    }


def _decimals(indicator: Indicator) -> int:
    return 0 if indicator.integer else 1


def _stage_name(view: View, key: str | None) -> str:
    stage = view.data.plan.stage_by_key.get(key or "")
    if stage is None:
        return "–"
    return {"es": stage.name_es, "en": stage.name_en}.get(view.lang, stage.name)


def shown_value(view: View, result: IndicatorResult) -> str:
    """The value as the public may see it: «menys de 5» for a suppressed count, the stage's
    name for a milestone, else the number in the page's language."""
    indicator = view.data.plan.indicator_by_code[result.code]
    if indicator.is_milestone:
        return _stage_name(view, result.effective_stage or result.stage)
    figure = view.data.indicator_figure(result)
    if figure.suppressed:
        return view.t("fewer than {number}", number=figure.below)
    return format_number(figure.value, view.lang, _decimals(indicator))


def _target_text(view: View, indicator: Indicator, result: IndicatorResult) -> str:
    if indicator.is_milestone:
        due = indicator.planned_completion_period
        return view.quarter(due) if due is not None else "–"
    return format_number(result.target, view.lang, _decimals(indicator))


def _indicator_history(view: View, code: str) -> list[tuple[Period, IndicatorResult]]:
    """The indicator's result at each published quarter up to the one shown."""
    return [
        (p, view.data.status(p).indicator(code)) for p in view.data.periods() if p <= view.period
    ]


def indicator_chart(view: View, result: IndicatorResult) -> dict[str, Any]:
    """The indicator's degree of achievement over the published quarters (a gap where it
    is missing or would reveal a suppressed count), and the table of its public values."""
    indicator = view.data.plan.indicator_by_code[result.code]
    history = _indicator_history(view, indicator.code)
    points = []
    rows = []
    for period, past in history:
        shown = view.data.progress_shown(past)
        points.append(Point(str(period), past.achievement if shown else None))
        share = _share_text(view, past) if shown else view.t("not shown")
        rows.append((view.quarter(period), shown_value(view, past), share))
    first, last = _first_last(view, points)
    title = view.t(
        "{name}: degree of achievement from the {first} to the {last}",
        name=indicator.name,
        first=first,
        last=last,
    )
    svg = _svg_or_nothing(view, points, title)
    value_heading = view.t("Stage") if indicator.is_milestone else view.t("Value")
    return {
        "svg": svg,
        "title": title,
        "rows": rows,
        "headings": [value_heading, view.t("% of target")],
    }


def _share_text(view: View, result: IndicatorResult) -> str:
    share = result.target_share if result.target_share is not None else result.achievement
    return view.percent(share)


def indicator_view(view: View, result: IndicatorResult) -> dict[str, Any]:
    """One indicator of an objective page: value, target, share of target, light, trend."""
    indicator = view.data.plan.indicator_by_code[result.code]
    shown = view.data.progress_shown(result)
    return {
        "code": result.code,
        "name": indicator.name,
        "unit": indicator.unit or "",
        "milestone": indicator.is_milestone,
        "value": shown_value(view, result),
        "target": _target_text(view, indicator, result),
        "share": _share_text(view, result) if shown else view.t("not shown"),
        "suppressed": not shown,
        "has_value": result.value is not None,
        "badge": indicator_badge(view, result),
        "trend": trend(view, result.trend),
        "chart": indicator_chart(view, result),
    }


# ---- pages ---------------------------------------------------------------------------------
def home_page(view: View) -> dict[str, Any]:
    """``/public``: the plan's headline (objectives by status, then the weighted figure) and
    each lever with its light, figure and trend."""
    status = view.data.status(view.period)
    levers = []
    for lever in status.levers:
        item = level_summary(view, lever, view.link(f"/public/palanca/{lever.number}"))
        item["number"] = lever.number
        item["tagline"] = lever.tagline
        item["chart"] = level_chart(view, "lever", lever.key)
        item["distribution"] = objective_distribution(
            view, [o for a in lever.axes for o in a.objectives]
        )
        levers.append(item)
    return {
        "plan": level_summary(view, status.plan),
        "distribution": objective_distribution(view, status.objectives),
        "chart": level_chart(view, "plan", "plan"),
        "levers": levers,
        "rollup_cap": view.percent(progress.ROLLUP_CAP),
    }


def _objectives(view: View, objectives: list[ObjectiveResult]) -> list[dict[str, Any]]:
    found = []
    for objective in objectives:
        item = level_summary(view, objective, view.link(f"/public/objectiu/{objective.code}"))
        item["code"] = objective.code
        found.append(item)
    return found


def lever_page(view: View, number: int) -> dict[str, Any]:
    """``/public/palanca/<n>``: the lever, its trend and its axes with their objectives
    (``KeyError`` for a lever the plan does not have)."""
    lever = view.data.status(view.period).lever(number)
    axes = []
    for axis in lever.axes:
        item = level_summary(view, axis, view.link(f"/public/eix/{axis.number}"))
        item["number"] = axis.number
        item["objectives"] = _objectives(view, axis.objectives)
        axes.append(item)
    summary = level_summary(view, lever)
    summary.update(number=lever.number, tagline=lever.tagline)
    return {
        "lever": summary,
        "chart": level_chart(view, "lever", lever.key),
        "distribution": objective_distribution(view, [o for a in lever.axes for o in a.objectives]),
        "axes": axes,
    }


def axis_page(view: View, number: int) -> dict[str, Any]:
    """``/public/eix/<n>``: the axis, its trend and its objectives (``KeyError``: no axis)."""
    axis = view.data.status(view.period).axis(number)
    lever = view.data.status(view.period).lever(axis.lever)
    summary = level_summary(view, axis)
    summary["number"] = axis.number
    return {
        "axis": summary,
        "lever": level_summary(view, lever, view.link(f"/public/palanca/{lever.number}"))
        | {"number": lever.number},
        "chart": level_chart(view, "axis", axis.key),
        "distribution": objective_distribution(view, axis.objectives),
        "objectives": _objectives(view, axis.objectives),
    }


def objective_page(view: View, code: str) -> dict[str, Any]:
    """``/public/objectiu/<code>``: the objective and each of its indicators (``KeyError``
    for a code the plan does not have)."""
    objective = view.data.status(view.period).objective(code)
    axis = view.data.status(view.period).axis(objective.axis)
    summary = level_summary(view, objective)
    summary["code"] = objective.code
    return {
        "objective": summary,
        "axis": level_summary(view, axis, view.link(f"/public/eix/{axis.number}"))
        | {"number": axis.number},
        "lever_number": objective.lever,
        "lever_href": view.link(f"/public/palanca/{objective.lever}"),
        "chart": level_chart(view, "objective", objective.key),
        "indicators": [indicator_view(view, r) for r in objective.indicators],
    }
