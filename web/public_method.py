"""«Com es calcula» (``/public/metode``): the method, thresholds, weights and tolerances in
force, read from the plan, its catalog, the status engine's constants and the settings (so
the page can never say one thing while the figures do another)."""

from __future__ import annotations

from typing import Any

from i18n import format_number
from plan_model import progress
from plan_model.models import Indicator, LevelWeights, Method
from plan_model.status_types import Status
from web.public_model import STATUS_ORDER, View, status_badge

METHOD_LABELS = {Method.TARGET_SHARE: "% of target", Method.PROGRESS: "progress from baseline"}


def _weight(view: View, weight: float) -> str:
    return format_number(weight, view.lang, 2)


def _indicator_row(view: View, indicator: Indicator) -> dict[str, str]:
    plan = view.data.plan
    thresholds = indicator.thresholds or view.data.thresholds()
    tolerance = "–"
    if indicator.tolerance is not None:
        tolerance = format_number(indicator.tolerance, view.lang, 2)
    return {
        "code": indicator.code,
        "name": indicator.name,
        "weight": _weight(view, indicator.weight),
        "method": view.t(METHOD_LABELS[plan.method_for(indicator)]),
        "green": view.percent(thresholds.green),
        "amber": view.percent(thresholds.amber),
        "band": view.percent(plan.band_for(indicator)),
        "tolerance": tolerance,
    }


def _rules(view: View) -> dict[str, str]:
    data, catalog = view.data, view.data.plan.catalog
    thresholds = data.thresholds()
    mode = (
        "by their number of due objectives, times their own weight"
        if catalog.level_weights is LevelWeights.OBJECTIVES
        else "by their own weight only"
    )
    return {
        "green": view.percent(thresholds.green),
        "amber": view.percent(thresholds.amber),
        "method": view.t(METHOD_LABELS[catalog.method]),
        "band": view.percent(catalog.band),
        "cap": view.percent(progress.ACHIEVEMENT_MAX),
        "rollup_cap": view.percent(progress.ROLLUP_CAP),
        "coverage": view.percent(catalog.min_coverage),
        "objective_coverage": view.percent(progress.OBJECTIVE_MIN_COVERAGE),
        "level_weights": view.t(mode),
        "trend_window": format_number(progress.TREND_WINDOW, view.lang, 0),
        "trend_tolerance": view.percent(progress.TREND_TOLERANCE),
        "maintain_tolerance": view.percent(progress.DEFAULT_MAINTAIN_TOLERANCE),
        "small_count": format_number(data.small_count, view.lang, 0),
    }


def _lights(view: View, rules: dict[str, str]) -> list[dict[str, Any]]:
    """Each light and when it is given (the thresholds in force)."""
    when = {
        Status.GREEN: view.t("from {green} of what is expected;", green=rules["green"]),
        Status.AMBER: view.t(
            "from {amber} up to {green};", amber=rules["amber"], green=rules["green"]
        ),
        Status.RED: view.t("under {amber};", amber=rules["amber"]),
        Status.GREY: view.t("no value, nothing due yet, or too little data."),
    }
    return [{"badge": status_badge(view, s), "when": when[s]} for s in STATUS_ORDER]


def method_page(view: View) -> dict[str, Any]:
    """The figures of the «Com es calcula» page and its weight tables."""
    plan = view.data.plan
    levers = [
        {"number": lever.number, "name": lever.name, "weight": _weight(view, lever.weight)}
        for lever in plan.levers
    ]
    axes = [
        {"number": axis.number, "name": axis.name, "weight": _weight(view, axis.weight)}
        for axis in plan.axes
    ]
    objectives = [
        {"code": o.code, "name": o.text, "weight": _weight(view, o.weight)} for o in plan.objectives
    ]
    rules = _rules(view)
    return {
        "rules": rules,
        "lights": _lights(view, rules),
        "levers": levers,
        "axes": axes,
        "objectives": objectives,
        "indicators": [_indicator_row(view, i) for i in plan.indicators],
    }
