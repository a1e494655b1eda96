"""The plan's status engine: where the plan stands at a quarter, and where it is heading.

Pure functions over the typed :class:`~plan_model.models.Plan` and a pandas frame of values
(the frame of ``indicators.storage.queries.values_frame``: only the columns ``indicator``, ``period``
(``"2025-T3"``), ``value`` (float, NaN for milestones) and ``stage`` (str or None) are read).
No Dash, no database. The rules, with their formulas, are in the README's methodology section
(in Catalan); the constants are in :mod:`plan_model.progress`.

API
---
- :func:`compute_status` → :class:`PlanStatus` (plan → levers → axes → objectives →
  indicators, with lookups by code);
- :func:`status_history` → frame ``level, key, period, achievement, status, coverage, value,
  expected`` for many quarters at once (sparklines, charts over time);
- :func:`completeness` (submissions per service and quarter) and :func:`as_of_cutoff`;
- :func:`changes` (what went up, down, or got data between two quarters);
- :func:`status_to_json` (the ``seguiment status --json`` shape).

"As of" a past quarter: pass the values frame as it stood
(``values_frame(engine, as_of=as_of_cutoff(period, deadline_days))``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from i18n import format_number, format_percent, gettext
from plan_model.changes import CHANGE_LABELS, changes
from plan_model.completeness import COMPLETENESS_LABELS, as_of_cutoff, completeness
from plan_model.decisions import MilestoneDecision
from plan_model.models import Plan, Thresholds
from plan_model.periods import Period
from plan_model.progress import (
    ACHIEVEMENT_MAX,
    CODE_TO_STATUS,
    MIN_COVERAGE,
    ROLLUP_CAP,
    TREND_TOLERANCE,
    TREND_WINDOW,
    Forecast,
    Grid,
    LevelGrid,
    compute_grid,
    forecast,
    indicator_trend_series,
    trend_codes,
    window,
)
from plan_model.status_types import (
    AT_RISK_ICON,
    AT_RISK_LABEL,
    EXCEEDED_COLOR,
    EXCEEDED_ICON,
    EXCEEDED_LABEL,
    EXCLUDED_LABEL,
    INSUFFICIENT_DATA_LABEL,
    LATE_ICON,
    LATE_LABEL,
    NOT_DUE_LABEL,
    STATUS_COLORS,
    STATUS_ICONS,
    STATUS_LABELS,
    STATUS_PALETTE,
    STATUS_RANK,
    STATUS_TEXT_COLORS,
    TREND_ICONS,
    TREND_LABELS,
    AxisResult,
    IndicatorResult,
    LevelResult,
    LeverResult,
    ObjectiveResult,
    PlanStatus,
    Status,
    Trend,
    status_label,
    status_text,
    trend_label,
)
from plan_model.thresholds import effective_thresholds

__all__ = [
    "ACHIEVEMENT_MAX",
    "AT_RISK_ICON",
    "AT_RISK_LABEL",
    "CHANGE_LABELS",
    "COMPLETENESS_LABELS",
    "EXCEEDED_COLOR",
    "EXCEEDED_ICON",
    "EXCEEDED_LABEL",
    "EXCLUDED_LABEL",
    "INSUFFICIENT_DATA_LABEL",
    "LATE_ICON",
    "LATE_LABEL",
    "MIN_COVERAGE",
    "NOT_DUE_LABEL",
    "ROLLUP_CAP",
    "STATUS_COLORS",
    "STATUS_ICONS",
    "STATUS_LABELS",
    "STATUS_PALETTE",
    "STATUS_RANK",
    "STATUS_TEXT_COLORS",
    "TREND_ICONS",
    "TREND_LABELS",
    "TREND_TOLERANCE",
    "TREND_WINDOW",
    "AxisResult",
    "IndicatorResult",
    "LevelResult",
    "LeverResult",
    "ObjectiveResult",
    "ObjectivesWithData",
    "PlanStatus",
    "Status",
    "Trend",
    "as_of_cutoff",
    "changes",
    "completeness",
    "compute_status",
    "effective_thresholds",
    "history_from_grid",
    "objective_counts",
    "objectives_of",
    "objectives_with_data",
    "status_from_grid",
    "status_history",
    "status_label",
    "status_text",
    "status_to_json",
    "trend_label",
]

_STATIC_FIELDS = (
    "code",
    "name",
    "kind",
    "objective",
    "service",
    "unit",
    "direction",
    "aggregation",
    "weight",
    "method",
)
_DYNAMIC_FIELDS = (
    "period",
    "quarter_value",
    "stage",
    "value",
    "expected",
    "baseline",
    "target",
    "final_target",
    "achievement",
    "status",
    "exceeded",
    "late",
    "excluded",
    "due",
    "trend",
    "forecast",
    "at_risk",
    "green_threshold",
    "amber_threshold",
    "target_share",
    "progress",
    "in_band",
    "overdue",
    "postponed",
    "proposal",
    "effective_stage",
)
_TRENDS: tuple[Trend, ...] = (Trend.UNKNOWN, Trend.IMPROVING, Trend.WORSENING, Trend.STABLE)
_STATUS_ORDER = ("grey", "red", "amber", "green")


def _num(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def _nums(arr: np.ndarray) -> list[float | None]:
    """A float array as a list with None for NaN (vectorised)."""
    out = arr.astype(object)
    out[np.isnan(arr)] = None
    return out.tolist()  # type: ignore[no-any-return]


def _level_trend(level: LevelGrid, col: int) -> list[Trend]:
    series = np.where(level.has_data, level.achievement, np.nan)
    return [_TRENDS[c] for c in trend_codes(window(series, col)).tolist()]


def _counts(parent: np.ndarray, n_parents: int, child_status: np.ndarray) -> list[dict[str, int]]:
    ok = parent >= 0
    flat = np.bincount(
        parent[ok] * 4 + child_status[ok].astype(np.int64), minlength=n_parents * 4
    ).reshape(n_parents, 4)
    return [dict(zip(_STATUS_ORDER, (int(v) for v in row), strict=True)) for row in flat.tolist()]


def _sum_by(parent: np.ndarray, n_parents: int, weights: np.ndarray) -> np.ndarray:
    ok = parent >= 0
    return np.bincount(parent[ok], weights=weights[ok].astype(float), minlength=n_parents)


def compute_status(
    plan: Plan,
    values: pd.DataFrame,
    period: Period | str,
    *,
    thresholds: Thresholds | None = None,
    as_of: str | None = None,
    decisions: Sequence[MilestoneDecision] = (),
) -> PlanStatus:
    """Every indicator and level of ``plan`` at ``period`` from ``values``.

    ``thresholds`` overrides the catalog's global thresholds (an indicator's own thresholds
    still win). ``as_of`` is only recorded in the result (filter the frame to do as-of).
    ``decisions``: the directors' milestone decisions (without one, a reported Ajornat or
    Desestimat is a proposal). Raises ValueError when ``period`` is outside the plan.
    """
    period = Period.parse(period)
    thr = effective_thresholds(plan.catalog.thresholds, thresholds)
    grid = compute_grid(plan, values, thr, decisions)
    return _build(plan, grid, grid.column(period), str(period), as_of)


def status_from_grid(plan: Plan, grid: Grid, period: Period | str) -> PlanStatus:
    """:func:`compute_status` at ``period`` from a grid already computed (``compute_grid``
    gives every quarter at once: one grid serves any number of quarters)."""
    period = Period.parse(period)
    return _build(plan, grid, grid.column(period), str(period), None)


def _indicator_columns(grid: Grid, col: int, period: str, fc: Forecast) -> list[list[Any]]:
    """Each dynamic field of every indicator at column ``col`` (in ``_DYNAMIC_FIELDS`` order)."""
    table, ig = grid.table, grid.indicators
    n = len(table.codes)
    statuses = np.array(CODE_TO_STATUS, dtype=object)
    trends = np.array(_TRENDS, dtype=object)
    columns = [
        [period] * n,
        _nums(grid.obs.q[:, col]),  # quarter_value
        grid.obs.stage[:, col].tolist(),
        _nums(ig.value[:, col]),
        _nums(ig.expected[:, col]),
        _nums(ig.baseline[:, col]),
        _nums(ig.target[:, col]),
        _nums(np.where(table.is_ms, 100.0, table.targets[:, -1])),  # final_target
        _nums(ig.achievement[:, col]),
        statuses[ig.status[:, col]].tolist(),
        ig.exceeded[:, col].tolist(),
        ig.late[:, col].tolist(),
        ig.excluded[:, col].tolist(),
        ig.due[:, col].tolist(),
        trends[trend_codes(indicator_trend_series(grid, col))].tolist(),
        _nums(fc.value),
        fc.at_risk.tolist(),
        ig.green.tolist(),
        ig.amber.tolist(),
        _nums(ig.target_share[:, col]),
        _nums(ig.progress[:, col]),
        ig.in_band[:, col].tolist(),
        ig.overdue[:, col].tolist(),
        ig.postponed[:, col].tolist(),
        ig.proposal[:, col].tolist(),
        grid.obs.effective_stage[:, col].tolist(),
    ]
    return columns


def _indicators_by_objective(
    grid: Grid, n_obj: int, columns: list[list[Any]]
) -> list[list[IndicatorResult]]:
    """Every indicator's result, grouped by the row of its objective."""
    table = grid.table
    by_objective: list[list[IndicatorResult]] = [[] for _ in range(n_obj)]
    new = object.__new__
    for static, dynamic, row in zip(
        table.static, zip(*columns, strict=True), table.objective.tolist(), strict=True
    ):
        # every field given, in declaration order: skip the frozen __init__ (5x faster)
        result = new(IndicatorResult)
        result.__dict__.update(zip(_STATIC_FIELDS, static, strict=True))
        result.__dict__.update(zip(_DYNAMIC_FIELDS, dynamic, strict=True))
        if row >= 0:
            by_objective[row].append(result)
    return by_objective


class _LevelSums(NamedTuple):
    """One level's grid at one column with what its rows sum up from the level below."""

    grid: LevelGrid
    col: int
    period: str
    counts: list[dict[str, int]]
    risk: np.ndarray
    trend: list[Trend]

    def fields(self, row: int) -> dict[str, Any]:
        """The level fields of ``row`` (see :func:`_level_fields`)."""
        return _level_fields(self.grid, row, self.col, self.period)


def _level_fields(level: LevelGrid, row: int, col: int, period: str) -> dict[str, Any]:
    """The fields every level result shares, for ``row`` of ``level`` at column ``col``."""
    return {
        "period": period,
        "achievement": _num(float(level.achievement[row, col])),
        "status": CODE_TO_STATUS[int(level.status[row, col])],
        "coverage": _num(float(level.coverage[row, col])),
        "insufficient_data": bool(level.insufficient[row, col]),
        "weight": float(level.weight[row, col]),
    }


def _lever_results(
    plan: Plan,
    objective_results: dict[str, ObjectiveResult],
    axis: _LevelSums,
    lever: _LevelSums,
) -> list[LeverResult]:
    """Every lever's result with its axes' results (which hold the objectives' results)."""
    axis_row = {a.number: r for r, a in enumerate(plan.axes)}
    lever_results: list[LeverResult] = []
    for lr, item in enumerate(plan.levers):
        axes: list[AxisResult] = []
        for node in item.axes:
            r = axis_row[node.number]
            axes.append(
                AxisResult(
                    level="axis",
                    key=str(node.number),
                    name=node.name,
                    trend=axis.trend[r],
                    counts=axis.counts[r],
                    at_risk_count=int(axis.risk[r]),
                    number=node.number,
                    lever=item.number,
                    objectives=[objective_results[o.code] for o in item.objectives_of(node.number)],
                    **axis.fields(r),
                )
            )
        lever_results.append(
            LeverResult(
                level="lever",
                key=str(item.number),
                name=item.name,
                trend=lever.trend[lr],
                counts=lever.counts[lr],
                at_risk_count=int(lever.risk[lr]),
                number=item.number,
                tagline=item.tagline,
                axes=axes,
                **lever.fields(lr),
            )
        )
    return lever_results


def _build(plan: Plan, grid: Grid, col: int, period: str, as_of: str | None) -> PlanStatus:
    ig = grid.indicators
    fc = forecast(grid, col)
    n_obj, n_axes, n_levers = len(plan.objectives), len(plan.axes), len(plan.levers)
    by_objective = _indicators_by_objective(grid, n_obj, _indicator_columns(grid, col, period, fc))
    og, ag, lg, pg = grid.objectives, grid.axes, grid.levers, grid.plan
    # each LevelGrid knows the parent (its own row) of every item of the level below
    obj_counts = _counts(og.parent_of_child, n_obj, ig.status[:, col])
    axis_counts = _counts(ag.parent_of_child, n_axes, og.status[:, col])
    lever_counts = _counts(lg.parent_of_child, n_levers, ag.status[:, col])
    plan_counts = _counts(pg.parent_of_child, 1, lg.status[:, col])
    obj_risk = _sum_by(og.parent_of_child, n_obj, fc.at_risk)
    axis_risk = _sum_by(ag.parent_of_child, n_axes, obj_risk)
    lever_risk = _sum_by(lg.parent_of_child, n_levers, axis_risk)
    obj_trend, axis_trend = _level_trend(og, col), _level_trend(ag, col)
    lever_trend, plan_trend = _level_trend(lg, col), _level_trend(pg, col)

    objective_results: dict[str, ObjectiveResult] = {}
    for r, objective in enumerate(plan.objectives):
        objective_results[objective.code] = ObjectiveResult(
            level="objective",
            key=objective.code,
            name=objective.text,
            trend=obj_trend[r],
            counts=obj_counts[r],
            at_risk_count=int(obj_risk[r]),
            code=objective.code,
            axis=objective.axis,
            lever=objective.lever_number,
            at_risk=bool(obj_risk[r] > 0),
            indicators=by_objective[r],
            **_level_fields(og, r, col, period),
        )
    lever_results = _lever_results(
        plan,
        objective_results,
        _LevelSums(ag, col, period, axis_counts, axis_risk, axis_trend),
        _LevelSums(lg, col, period, lever_counts, lever_risk, lever_trend),
    )
    whole = LevelResult(
        level="plan",
        key="plan",
        name=plan.info.name,
        trend=plan_trend[0],
        counts=plan_counts[0],
        at_risk_count=int(lever_risk.sum()),
        **_level_fields(pg, 0, col, period),
    )
    return PlanStatus(
        period=period,
        as_of=as_of,
        plan=whole,
        levers=lever_results,
        green_threshold=grid.thresholds.green,
        amber_threshold=grid.thresholds.amber,
    )


HISTORY_COLUMNS = [
    "level",
    "key",
    "period",
    "achievement",
    "status",
    "coverage",
    "value",
    "expected",
]


def status_history(
    plan: Plan,
    values: pd.DataFrame,
    periods: list[Period],
    *,
    thresholds: Thresholds | None = None,
    decisions: Sequence[MilestoneDecision] = (),
) -> pd.DataFrame:
    """Achievement and status of every level and indicator at each of ``periods``.

    Columns: level ("plan", "lever", "axis", "objective", "indicator"), key (as text: "plan",
    lever or axis number, objective or indicator code), period ("2025-T3"), achievement
    (float, NaN when none), status (green/amber/red/grey), coverage (levels; NaN for
    indicators), value and expected (indicators; NaN for levels). One computation for all
    periods; periods outside the plan are skipped.
    """
    thr = effective_thresholds(plan.catalog.thresholds, thresholds)
    return history_from_grid(compute_grid(plan, values, thr, decisions), periods)


_HistoryPart = tuple[
    str,
    list[str],
    np.ndarray,
    np.ndarray,
    np.ndarray | None,
    np.ndarray | None,
    np.ndarray | None,
]


def _history_parts(grid: Grid) -> list[_HistoryPart]:
    """Each level's keys and matrices for :func:`history_from_grid` (plan first)."""
    ig = grid.indicators
    return [
        (
            "plan",
            grid.plan.keys,
            grid.plan.achievement,
            grid.plan.status,
            grid.plan.coverage,
            None,
            None,
        ),
        (
            "lever",
            grid.levers.keys,
            grid.levers.achievement,
            grid.levers.status,
            grid.levers.coverage,
            None,
            None,
        ),
        (
            "axis",
            grid.axes.keys,
            grid.axes.achievement,
            grid.axes.status,
            grid.axes.coverage,
            None,
            None,
        ),
        (
            "objective",
            grid.objectives.keys,
            grid.objectives.achievement,
            grid.objectives.status,
            grid.objectives.coverage,
            None,
            None,
        ),
        ("indicator", grid.table.codes, ig.achievement, ig.status, None, ig.value, ig.expected),
    ]


def history_from_grid(grid: Grid, periods: list[Period]) -> pd.DataFrame:
    """:func:`status_history` from a grid already computed (``compute_grid``)."""
    first, t = grid.table.first_index, grid.table.n_quarters
    chosen = [p for p in (Period.parse(p) for p in periods) if 0 <= p.index - first < t]
    if not chosen:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in HISTORY_COLUMNS})
    cols = np.array([p.index - first for p in chosen], dtype=np.int64)
    labels = np.array([str(p) for p in chosen], dtype=object)
    status_names = np.array([str(s) for s in CODE_TO_STATUS], dtype=object)
    frames = []
    parts = _history_parts(grid)
    for level, keys, ach, status, coverage, value, expected in parts:
        n = len(keys)
        if n == 0:
            continue
        size = n * len(cols)
        nan = np.full(size, np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "level": np.full(size, level, dtype=object),
                    "key": np.repeat(np.array(keys, dtype=object), len(cols)),
                    "period": np.tile(labels, n),
                    "achievement": ach[:, cols].ravel(),
                    "status": status_names[status[:, cols].ravel()],
                    "coverage": coverage[:, cols].ravel() if coverage is not None else nan,
                    "value": value[:, cols].ravel() if value is not None else nan,
                    "expected": expected[:, cols].ravel() if expected is not None else nan,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _level_json(level: LevelResult) -> dict[str, Any]:
    return {
        "achievement": level.achievement,
        "status": str(level.status),
        "trend": str(level.trend),
        "counts": dict(level.counts),
        "coverage": level.coverage,
        "insufficient_data": level.insufficient_data,
        "at_risk_count": level.at_risk_count,
        "weight": level.weight,
    }


def _indicator_json(ind: IndicatorResult) -> dict[str, Any]:
    return {
        "code": ind.code,
        "name": ind.name,
        "kind": ind.kind,
        "value": ind.value,
        "quarter_value": ind.quarter_value,
        "stage": ind.stage,
        "expected": ind.expected,
        "baseline": ind.baseline,
        "target": ind.target,
        "final_target": ind.final_target,
        "achievement": ind.achievement,
        "method": ind.method,
        "target_share": ind.target_share,
        "progress": ind.progress,
        "status": None if ind.kind == "context" else str(ind.status),
        "in_band": ind.in_band,
        "overdue": ind.overdue,
        "postponed": ind.postponed,
        "proposal": ind.proposal,
        "effective_stage": ind.effective_stage,
        "exceeded": ind.exceeded,
        "late": ind.late,
        "excluded": ind.excluded,
        "trend": str(ind.trend),
        "forecast": ind.forecast,
        "at_risk": ind.at_risk,
    }


def status_to_json(result: PlanStatus) -> dict[str, Any]:
    """The ``seguiment status --json`` document (statuses are green/amber/red/grey)."""
    return {
        "period": result.period,
        "as_of": result.as_of,
        "thresholds": {"green": result.green_threshold, "amber": result.amber_threshold},
        "plan": {
            "name": result.plan.name,
            # the headline: the objectives by status first, the weighted figure second
            "objective_counts": objective_counts(result.objectives),
            **_level_json(result.plan),
        },
        "levers": [
            {
                "number": lever.number,
                "name": lever.name,
                **_level_json(lever),
                "axes": [
                    {
                        "number": axis.number,
                        "name": axis.name,
                        **_level_json(axis),
                        "objectives": [
                            {
                                "code": objective.code,
                                "text": objective.name,
                                **_level_json(objective),
                                "at_risk": objective.at_risk,
                                "indicators": [_indicator_json(i) for i in objective.indicators],
                            }
                            for objective in axis.objectives
                        ],
                    }
                    for axis in lever.axes
                ],
            }
            for lever in result.levers
        ],
    }


# ---- objectives of a level, as the pages and the board pack count them ---------------------


def objectives_of(level: PlanStatus | LeverResult | AxisResult) -> list[ObjectiveResult]:
    """The objectives of the whole plan, of one lever or of one axis."""
    if isinstance(level, AxisResult):
        return list(level.objectives)
    if isinstance(level, LeverResult):
        return [o for axis in level.axes for o in axis.objectives]
    return level.objectives


def objective_counts(objectives: Iterable[ObjectiveResult]) -> dict[str, int]:
    """How many of ``objectives`` are in each status (every status present, 0 included)."""
    counts = {str(s): 0 for s in Status}
    for objective in objectives:
        counts[str(objective.status)] += 1
    return counts


@dataclass(frozen=True)
class ObjectivesWithData:
    """How many objectives have a light (enough data for a status) of those that have an
    indicator due; ``share`` is None when none is due."""

    with_data: int
    due: int

    @property
    def share(self) -> float | None:
        """Objectives with data over objectives due (None when none is due)."""
        return self.with_data / self.due if self.due else None

    def text(self, lang: str | None = None) -> str:
        """``53 de 58 (91 %)`` in ``lang``; ``–`` when no objective is due."""
        if not self.due:
            return "–"
        return gettext(
            "{with_data} of {due} ({share})",
            lang,
            with_data=format_number(self.with_data, lang, 0),
            due=format_number(self.due, lang, 0),
            share=format_percent(self.share, lang),
        )


def objectives_with_data(objectives: Iterable[ObjectiveResult]) -> ObjectivesWithData:
    """The data coverage a director reads on the overview, a lever and the board: objectives
    with a light of the objectives due. (A level's own ``coverage`` counts its direct
    children — levers for the plan, axes for a lever — and drives the grey rule.)"""
    due = [o for o in objectives if o.coverage is not None]
    return ObjectivesWithData(sum(1 for o in due if o.status != Status.GREY), len(due))
