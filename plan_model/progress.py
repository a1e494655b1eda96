"""The vectorised core of the status engine: every indicator and level at every quarter at once.

Everything here works on numpy matrices of shape (items, quarters of the plan): one row per
indicator (or objective, axis, lever), one column per quarter from the plan's first to its last.
There is no Python loop per value; the only per-indicator loop reads the plan's parameters once
(and is cached per plan object). The rules are documented (in Catalan, with formulas) in the
README's methodology section; the constants below are the knobs it names.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from plan_model.decisions import (
    DROPPED_STAGE,
    POSTPONED_STAGE,
    MilestoneDecision,
    decision_in_force,
    normalise_stage,
)
from plan_model.models import (
    DEFAULT_MIN_COVERAGE,
    Aggregation,
    Direction,
    Indicator,
    IndicatorKind,
    LevelWeights,
    Method,
    Plan,
    Thresholds,
)
from plan_model.periods import Period
from plan_model.status_types import Status

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

ACHIEVEMENT_MAX = 1.5  # achievement is clipped to [0, 1.5]
ROLLUP_CAP = 1.0  # in roll-ups each child counts at most 1.0: a surplus cannot hide a delay
# the default of the catalog's ``min_coverage``: a level is grey when fewer than two thirds of
# the objectives due below it have data
MIN_COVERAGE = DEFAULT_MIN_COVERAGE
OBJECTIVE_MIN_COVERAGE = 0.5  # an objective is grey with data for under half its due indicators
TREND_WINDOW = 4  # quarters
TREND_TOLERANCE = 0.02  # achievement points per quarter below which the trend is stable
FORECAST_WINDOW = 4  # quarters used by the linear projection
DEFAULT_MAINTAIN_TOLERANCE = 0.05  # share of the target when a "maintain" has no tolerance

# status codes inside the matrices
GREY, RED, AMBER, GREEN = 0, 1, 2, 3
CODE_TO_STATUS: tuple[Status, ...] = (Status.GREY, Status.RED, Status.AMBER, Status.GREEN)
# trend codes
T_UNKNOWN, T_IMPROVING, T_WORSENING, T_STABLE = 0, 1, 2, 3

_AGG_CODE = {Aggregation.SUM: 0, Aggregation.LAST: 1, Aggregation.MEAN: 2, Aggregation.YTD: 3}
_SUM, _LAST, _MEAN, _YTD = 0, 1, 2, 3


@dataclass(frozen=True)
class IndicatorTable:
    """The plan's indicator parameters as arrays (one entry per catalog indicator)."""

    codes: list[str]
    row: dict[str, int]
    first_index: int  # Period.index of the plan's first quarter
    n_years: int
    is_ms: BoolArray
    is_ctx: BoolArray  # context indicators: a value and a trend, never a light
    sign: FloatArray  # +1 increase, -1 decrease, 0 maintain (milestones: +1)
    agg: IntArray  # 0 sum, 1 last, 2 mean, 3 ytd (milestones: last)
    profile: FloatArray  # (n, 4) share of the year's target per quarter (sum, ytd)
    base: FloatArray
    base_year: IntArray  # offset of the baseline year from the plan's first year
    targets: FloatArray  # (n, years), forward-filled from the baseline
    tolerance: FloatArray  # NaN when not given
    band: FloatArray  # relative band around the expected path that stays green (0: none)
    own_green: FloatArray  # NaN when the indicator has no thresholds of its own
    own_amber: FloatArray
    weight: FloatArray
    ms_start: IntArray  # column of the milestone's start (plan start by default)
    ms_due: IntArray  # column of the planned completion
    bound_min: FloatArray
    bound_max: FloatArray
    objective: IntArray  # row of the indicator's objective in plan.objectives (-1: none)
    by_share: BoolArray  # True: the light follows target_share; False: progress
    stage_pct: dict[str, float]
    first_stage_pct: float  # the scale's first stage above 0 % (Planificat): due at the start
    postponed_stages: frozenset[str]  # stages outside the scale that count as red (ajornat)
    dropped_stages: frozenset[str]  # stages that exclude the milestone (desestimat)
    # per indicator: code, name, kind, objective, service, unit, direction, aggregation,
    # weight, method
    static: list[tuple[str, str, str, str, str, str | None, str | None, str | None, float, str]]

    @property
    def n_quarters(self) -> int:
        """Quarters of the plan (the matrices' columns)."""
        return self.n_years * 4


_TABLES: dict[int, tuple[Plan, IndicatorTable]] = {}
_TABLES_LOCK = threading.Lock()


def clear_table_cache() -> None:
    """Forget the cached parameter arrays (a plan reloaded, a benchmark)."""
    with _TABLES_LOCK:
        _TABLES.clear()


def indicator_table(plan: Plan) -> IndicatorTable:
    """The parameter arrays of ``plan`` (cached per plan object)."""
    with _TABLES_LOCK:
        cached = _TABLES.get(id(plan))
        if cached is not None and cached[0] is plan:
            return cached[1]
    table = _build_table(plan)
    with _TABLES_LOCK:
        if len(_TABLES) >= 8:
            _TABLES.clear()
        _TABLES[id(plan)] = (plan, table)
    return table


@dataclass(frozen=True)
class _TableArrays:
    """The per-indicator parameter arrays while they are being filled."""

    is_ms: BoolArray
    sign: FloatArray
    agg: IntArray
    profile: FloatArray
    base: FloatArray
    base_year: IntArray
    targets: FloatArray
    tolerance: FloatArray
    band: FloatArray
    own_green: FloatArray
    own_amber: FloatArray
    weight: FloatArray
    ms_start: IntArray
    ms_due: IntArray
    bound_min: FloatArray
    bound_max: FloatArray
    objective: IntArray

    @classmethod
    def empty(cls, n: int, n_years: int) -> _TableArrays:
        """The defaults: numeric, increasing, "last", no baseline, targets, bounds or tolerance."""
        return cls(
            is_ms=np.zeros(n, dtype=bool),
            sign=np.ones(n),
            agg=np.full(n, _LAST, dtype=np.int64),
            profile=np.full((n, 4), 0.25),
            base=np.full(n, np.nan),
            base_year=np.full(n, -1, dtype=np.int64),
            targets=np.full((n, n_years), np.nan),
            tolerance=np.full(n, np.nan),
            band=np.zeros(n),
            own_green=np.full(n, np.nan),
            own_amber=np.full(n, np.nan),
            weight=np.ones(n),
            ms_start=np.zeros(n, dtype=np.int64),
            ms_due=np.full(n, n_years * 4 - 1, dtype=np.int64),
            bound_min=np.full(n, -np.inf),
            bound_max=np.full(n, np.inf),
            objective=np.full(n, -1, dtype=np.int64),
        )


def _fill_numeric(arrays: _TableArrays, i: int, ind: Indicator, plan: Plan) -> None:
    """A numeric indicator's direction, aggregation, baseline, targets, tolerance and bounds."""
    if ind.direction is Direction.DECREASE:
        arrays.sign[i] = -1.0
    elif ind.direction is Direction.MAINTAIN:
        arrays.sign[i] = 0.0
    if ind.aggregation is not None:
        arrays.agg[i] = _AGG_CODE[ind.aggregation]
    if ind.profile is not None:
        total = sum(ind.profile)
        arrays.profile[i] = [p / total for p in ind.profile] if total > 0 else 0.25
    if ind.baseline is not None:
        arrays.base[i] = ind.baseline.value
        arrays.base_year[i] = ind.baseline.year - plan.info.start_year
    if ind.targets:
        for y, year in enumerate(plan.years):
            if year in ind.targets:
                arrays.targets[i, y] = ind.targets[year]
    if ind.tolerance is not None:
        arrays.tolerance[i] = ind.tolerance
    arrays.band[i] = plan.band_for(ind)
    if ind.bounds is not None:
        if ind.bounds.min is not None:
            arrays.bound_min[i] = ind.bounds.min
        if ind.bounds.max is not None:
            arrays.bound_max[i] = ind.bounds.max


def _stage_sets(plan: Plan) -> tuple[dict[str, float], frozenset[str], frozenset[str]]:
    """Stage names (as written, lower case) → %; the postponing and the dropping ones."""
    stage_pct: dict[str, float] = {}
    postponed: set[str] = set()
    dropped: set[str] = set()
    for stage in plan.stages:
        names = {stage.key, stage.key.lower(), stage.name.lower(), stage.name_es.lower()}
        for name in names:
            if stage.pct is not None:
                stage_pct[name] = float(stage.pct)
            elif "desestim" in stage.key or "dropped" in stage.name_en.lower():
                dropped.add(name)
            else:
                postponed.add(name)
    return stage_pct, frozenset(postponed), frozenset(dropped)


def _build_table(plan: Plan) -> IndicatorTable:
    indicators = plan.indicators
    n_years = len(plan.years)
    first = plan.first_period
    objective_row = {o.code: i for i, o in enumerate(plan.objectives)}
    arrays = _TableArrays.empty(len(indicators), n_years)
    parsed: dict[str, int] = {}

    def column_of(text: str) -> int:
        if text not in parsed:
            parsed[text] = Period.parse(text).index - first.index
        return parsed[text]

    for i, ind in enumerate(indicators):
        arrays.weight[i] = ind.weight
        arrays.objective[i] = objective_row.get(ind.code.split("-I", 1)[0], -1)
        if ind.thresholds is not None:
            arrays.own_green[i] = ind.thresholds.green
            arrays.own_amber[i] = ind.thresholds.amber
        if ind.is_milestone:
            arrays.is_ms[i] = True
            if ind.planned_completion:
                arrays.ms_due[i] = column_of(ind.planned_completion)
            arrays.ms_start[i] = column_of(ind.start) if ind.start else 0
        else:
            _fill_numeric(arrays, i, ind, plan)

    # a missing year target carries the previous one (the baseline before the first)
    filled = (
        pd.DataFrame(np.column_stack([arrays.base, arrays.targets])).ffill(axis=1).to_numpy()[:, 1:]
    )
    stage_pct, postponed, dropped = _stage_sets(plan)
    a = arrays
    return IndicatorTable(
        codes=[ind.code for ind in indicators],
        row={ind.code: i for i, ind in enumerate(indicators)},
        first_index=first.index,
        n_years=n_years,
        is_ms=a.is_ms,
        is_ctx=np.array([ind.kind is IndicatorKind.CONTEXT for ind in indicators], dtype=bool),
        sign=a.sign,
        agg=a.agg,
        profile=a.profile,
        base=a.base,
        base_year=a.base_year,
        targets=filled,
        tolerance=a.tolerance,
        band=a.band,
        own_green=a.own_green,
        own_amber=a.own_amber,
        weight=a.weight,
        ms_start=a.ms_start,
        ms_due=a.ms_due,
        bound_min=a.bound_min,
        bound_max=a.bound_max,
        objective=a.objective,
        by_share=np.array(
            [plan.method_for(ind) is Method.TARGET_SHARE for ind in indicators], dtype=bool
        ),
        stage_pct=stage_pct,
        first_stage_pct=min((p for p in stage_pct.values() if p > 0), default=100.0),
        postponed_stages=postponed,
        dropped_stages=dropped,
        static=[
            (
                ind.code,
                ind.name,
                str(ind.kind),
                ind.code.split("-I", 1)[0],
                ind.responsible_service,
                ind.unit,
                str(ind.direction) if ind.direction else None,
                str(ind.aggregation) if ind.aggregation else None,
                ind.weight,
                str(plan.method_for(ind)),
            )
            for ind in indicators
        ],
    )


@dataclass(frozen=True)
class Observations:
    """The values frame as matrices (indicators x plan quarters)."""

    q: FloatArray  # the quarter's value (milestones: the effective stage's %), NaN when missing
    stage: npt.NDArray[np.object_]  # stage key as received (milestones), None elsewhere
    postponed: BoolArray  # milestones: postponed (effective: by a director's decision)
    dropped: BoolArray  # milestones: dropped (effective: by a director's decision)
    # milestones, after :func:`apply_decisions` (all False / the reported stage before it)
    proposal: BoolArray  # an Ajornat/Desestimat reported without a decision: a proposal
    carried: BoolArray  # Finalitzat or Desestimat carried from an earlier quarter
    effective_stage: npt.NDArray[np.object_]  # the stage that counts


def _raw(
    q: FloatArray, stage: npt.NDArray[np.object_], postponed: BoolArray, dropped: BoolArray
) -> Observations:
    """Observations as reported (no decision applied yet)."""
    none = np.zeros(q.shape, dtype=bool)
    return Observations(q, stage, postponed, dropped, none, none.copy(), stage.copy())


def observations(table: IndicatorTable, values: pd.DataFrame) -> Observations:
    """Place the frame's rows (columns indicator, period, value, stage) in matrices.

    Rows for unknown indicators or quarters outside the plan are ignored; when an
    (indicator, period) appears twice, the later row wins.
    """
    n, t = len(table.codes), table.n_quarters
    q = np.full((n, t), np.nan)
    stage_m = np.full((n, t), None, dtype=object)
    postponed = np.zeros((n, t), dtype=bool)
    dropped = np.zeros((n, t), dtype=bool)
    if values is None or len(values) == 0:
        return _raw(q, stage_m, postponed, dropped)
    # factorize: dictionary look-ups on the distinct codes and periods only
    ind_codes, ind_uniques = pd.factorize(values["indicator"], use_na_sentinel=True)
    ind_map = np.array(
        [
            table.row.get(u, -1) if isinstance(u, str) else -1
            for u in np.asarray(ind_uniques, dtype=object).tolist()
        ],
        dtype=np.int64,
    )
    per_codes, per_uniques = pd.factorize(values["period"], use_na_sentinel=True)
    per_map = np.full(len(per_uniques), -1, dtype=np.int64)
    for j, text in enumerate(np.asarray(per_uniques, dtype=object).tolist()):
        p = Period.try_parse(str(text))
        if p is not None and 0 <= p.index - table.first_index < t:
            per_map[j] = p.index - table.first_index
    r_all = np.where(ind_codes >= 0, ind_map[ind_codes] if len(ind_map) else -1, -1)
    c_all = np.where(per_codes >= 0, per_map[per_codes] if len(per_map) else -1, -1)
    keep = (r_all >= 0) & (c_all >= 0)
    if not keep.any():
        return _raw(q, stage_m, postponed, dropped)
    r_idx = r_all[keep]
    c_idx = c_all[keep]
    if "value" in values.columns:
        v = pd.to_numeric(values["value"], errors="coerce").to_numpy(dtype=float)[keep]
    else:
        v = np.full(len(r_idx), np.nan)
    ms_rows = table.is_ms[r_idx]
    if "stage" in values.columns and ms_rows.any():
        st_codes, st_uniques = pd.factorize(values["stage"], use_na_sentinel=True)
        st_list = np.asarray(st_uniques, dtype=object).tolist()
        folded = [u.strip().lower() if isinstance(u, str) else "" for u in st_list]
        u_pct = np.array([table.stage_pct.get(f, np.nan) for f in folded] + [np.nan])
        u_post = np.array([f in table.postponed_stages for f in folded] + [False])
        u_drop = np.array([f in table.dropped_stages for f in folded] + [False])
        u_key = np.array([*st_list, None], dtype=object)
        code = np.where(st_codes >= 0, st_codes, len(folded))[keep]
        pct, is_post, is_drop = u_pct[code], u_post[code], u_drop[code]
        # a milestone given as a number (the stage's %) is accepted too
        pct = np.where(np.isnan(pct) & ~is_post & ~is_drop, v, pct)
        v = np.where(ms_rows, pct, v)
        sel = ms_rows
        stage_m[r_idx[sel], c_idx[sel]] = u_key[code][sel]
        postponed[r_idx[sel], c_idx[sel]] = is_post[sel]
        dropped[r_idx[sel], c_idx[sel]] = is_drop[sel]
    q[r_idx, c_idx] = v
    return _raw(q, stage_m, postponed, dropped)


_DECIDED_CODE = {POSTPONED_STAGE: 1, DROPPED_STAGE: 2}


def decision_matrix(table: IndicatorTable, decisions: Sequence[MilestoneDecision]) -> IntArray:
    """(indicators x quarters): 1 where a decision to postpone is in force, 2 to drop, else 0.

    The decision in force at each quarter is :func:`plan_model.decisions.decision_in_force`'s;
    decisions on unknown indicators or on numeric ones are ignored.
    """
    decided = np.zeros((len(table.codes), table.n_quarters), dtype=np.int64)
    codes = {d.indicator for d in decisions}
    for code in codes:
        row = table.row.get(code)
        if row is None or not table.is_ms[row]:
            continue
        for col in range(table.n_quarters):
            found = decision_in_force(decisions, code, Period.from_index(table.first_index + col))
            if found is not None:
                decided[row, col] = _DECIDED_CODE.get(normalise_stage(found.stage) or "", 0)
    return decided


@dataclass
class _LastEffective:
    """Per milestone, the latest quarter's effective stage (while walking the quarters)."""

    q: FloatArray
    postponed: BoolArray
    dropped: BoolArray
    stage: npt.NDArray[np.object_]

    @classmethod
    def none(cls, n: int) -> _LastEffective:
        """No effective stage yet."""
        return cls(
            np.full(n, np.nan),
            np.zeros(n, dtype=bool),
            np.zeros(n, dtype=bool),
            np.full(n, None, dtype=object),
        )


def apply_decisions(
    table: IndicatorTable, obs: Observations, decisions: Sequence[MilestoneDecision] = ()
) -> Observations:
    """The milestones' effective stages: decisions applied, proposals and carry-forward.

    A reported Ajornat/Desestimat takes effect only with a director's decision in force that
    says the same (a decision also takes effect, with no report, in its first quarter); without
    one it is a *proposal* and counts as the previous effective stage. Finalitzat and
    Desestimat carry forward to the following quarters without a report. One step per quarter,
    vectorised over the milestones.
    """
    decided = decision_matrix(table, decisions)
    starts = (decided > 0) & (decided != np.column_stack([np.zeros(len(decided)), decided])[:, :-1])
    q, post, drop = obs.q.copy(), np.zeros_like(obs.postponed), np.zeros_like(obs.dropped)
    proposal, carried = np.zeros_like(post), np.zeros_like(post)
    eff_stage = obs.stage.copy()
    ms = table.is_ms
    last = _LastEffective.none(len(table.codes))
    for c in range(table.n_quarters):
        asked_post, asked_drop = obs.postponed[:, c], obs.dropped[:, c]
        reported = ~np.isnan(obs.q[:, c]) | asked_post | asked_drop
        ok_post = (asked_post | (~reported & starts[:, c])) & (decided[:, c] == 1)
        ok_drop = (asked_drop | (~reported & starts[:, c])) & (decided[:, c] == 2)
        prop = ms & (asked_post | asked_drop) & ~ok_post & ~ok_drop
        finished = (last.q >= 100.0) | last.dropped
        carry = ms & ~reported & ~ok_post & ~ok_drop & finished
        inherit = prop | carry
        q[:, c] = np.where(inherit, last.q, np.where(ok_post | ok_drop, np.nan, obs.q[:, c]))
        post[:, c] = np.where(inherit, last.postponed, ok_post)
        drop[:, c] = np.where(inherit, last.dropped, ok_drop)
        decided_key = np.where(ok_post, POSTPONED_STAGE, DROPPED_STAGE)
        by_decision = (ok_post | ok_drop) & ~reported
        eff_stage[:, c] = np.where(
            inherit, last.stage, np.where(by_decision, decided_key, obs.stage[:, c])
        )
        proposal[:, c], carried[:, c] = prop, carry
        now = ms & (~np.isnan(q[:, c]) | post[:, c] | drop[:, c])
        last = _LastEffective(
            np.where(now, q[:, c], last.q),
            np.where(now, post[:, c], last.postponed),
            np.where(now, drop[:, c], last.dropped),
            np.where(now, eff_stage[:, c], last.stage),
        )
    return Observations(q, obs.stage, post, drop, proposal, carried, eff_stage)


@dataclass(frozen=True)
class IndicatorGrid:
    """Every indicator at every quarter of the plan."""

    value: FloatArray  # year value on the indicator's basis
    expected: FloatArray
    baseline: FloatArray  # comparable baseline (pro-rated for sum)
    target: FloatArray  # this year's target at each quarter (milestones: 100)
    achievement: FloatArray  # the figure of the indicator's method, clipped, NaN = no status
    status: npt.NDArray[np.int8]
    exceeded: BoolArray
    late: BoolArray
    excluded: BoolArray
    due: BoolArray
    applicable: BoolArray  # counts in its objective's coverage
    green: FloatArray  # thresholds used per indicator
    amber: FloatArray
    target_share: FloatArray  # value over the value expected by then, clipped
    progress: FloatArray  # gap closed from the baseline, clipped
    in_band: BoolArray  # within the tolerance band of the expected path: green
    overdue: BoolArray  # milestone past its planned completion, unfinished: red
    postponed: BoolArray  # milestone postponed by a director's decision: no light
    proposal: BoolArray  # milestone reported Ajornat/Desestimat without a decision


@dataclass(frozen=True)
class LevelGrid:
    """One level (objectives, axes, levers or the plan) at every quarter."""

    keys: list[str]
    parent_of_child: IntArray  # for each child (row of the level below), its row here
    achievement: FloatArray  # NaN when no child has data
    coverage: FloatArray  # NaN when no child is applicable
    status: npt.NDArray[np.int8]
    has_data: BoolArray
    applicable: BoolArray
    insufficient: BoolArray
    weight: FloatArray  # (rows, quarters): the weight of each row in the level above
    objectives_with_data: FloatArray  # objectives with data at or below each row
    objectives_due: FloatArray  # objectives due at or below each row


def classify(
    achievement: FloatArray, green: FloatArray | float, amber: FloatArray | float
) -> npt.NDArray[np.int8]:
    """Traffic-light codes: green when a >= green, amber when a >= amber, red below, grey NaN."""
    with np.errstate(invalid="ignore"):
        codes = np.where(achievement >= green, GREEN, np.where(achievement >= amber, AMBER, RED))
    return np.where(np.isnan(achievement), GREY, codes).astype(np.int8)


def _year_cumsum(x: FloatArray, n_years: int) -> FloatArray:
    n = x.shape[0]
    return np.cumsum(x.reshape(n, n_years, 4), axis=2).reshape(n, n_years * 4)


@dataclass(frozen=True)
class _NumericPath:
    """Numeric indicators' year values against the path planned to their targets."""

    reported: BoolArray
    is_sum: BoolArray  # sum or ytd: the target and the baseline are pro-rated
    k_sum: FloatArray  # share of the year a sum (ytd) is compared over: its profile so far
    target: FloatArray  # this year's target at each quarter
    value: FloatArray  # year value on the indicator's basis, NaN when not reported
    expected: FloatArray
    baseline: FloatArray  # comparable baseline (pro-rated for sum)


def _planned_path(
    table: IndicatorTable, year_of_col: IntArray, quarter_of_col: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(this year's target, the expected level): linear between year-end anchors."""
    target_y = table.targets[:, year_of_col]  # (n, t) this year's target
    prev = np.column_stack([table.base, table.targets[:, :-1]])[:, year_of_col]
    by = table.base_year[:, None]
    prev = np.where(year_of_col[None, :] - 1 <= by, table.base[:, None], prev)
    # no baseline (a measure the plan creates): its first year expects that year's target
    prev = np.where(np.isnan(prev), target_y, prev)
    path = prev + (target_y - prev) * quarter_of_col[None, :] / 4.0
    path = np.where(year_of_col[None, :] <= by, table.base[:, None], path)
    return target_y, path


def _numeric_path(table: IndicatorTable, q: FloatArray) -> _NumericPath:
    """Year values (sum: year to date, mean: mean so far, last and ytd: the quarter's) and
    what was expected by then, on the same basis (sum, ytd: the year's target pro-rated by
    the indicator's profile, a quarter each by default)."""
    years = table.n_years
    reported = ~np.isnan(q)
    q0 = np.where(reported, q, 0.0)
    year_of_col = np.repeat(np.arange(years), 4)
    quarter_of_col = np.tile(np.arange(1, 5), years).astype(float)
    k = _year_cumsum(reported.astype(float), years)  # quarters with data so far this year
    k_safe = np.where(k > 0, k, 1.0)
    target_y, path = _planned_path(table, year_of_col, quarter_of_col)

    agg = table.agg[:, None]
    is_sum, is_mean, is_ytd = agg == _SUM, agg == _MEAN, agg == _YTD
    ytd = _year_cumsum(q0, years)
    value = np.where(is_sum, ytd, np.where(is_mean, ytd / k_safe, q))
    profile = np.tile(table.profile, (1, years))
    share_elapsed = _year_cumsum(profile, years)
    share_with_data = _year_cumsum(np.where(reported, profile, 0.0), years)
    mean_path = np.where(k > 0, _year_cumsum(np.where(reported, path, 0.0), years) / k_safe, path)
    # like with like: a sum is compared over the quarters it has data for (all quarters
    # elapsed when the quarter itself is missing, for display)
    # elapsed when the quarter itself is missing, for display); a ytd figure already holds
    # every quarter so far: its share is the year's elapsed share
    k_sum = np.where(reported & ~is_ytd, share_with_data, share_elapsed)
    prorated = is_sum | is_ytd
    expected = np.where(prorated, target_y * k_sum, np.where(is_mean, mean_path, path))
    base_c = np.where(prorated, table.base[:, None] * k_sum, table.base[:, None])
    value = np.where(reported, value, np.nan)
    return _NumericPath(reported, prorated, k_sum, target_y, value, expected, base_c)


def target_share(
    value: FloatArray, expected: FloatArray, sign: FloatArray, maintain: FloatArray
) -> FloatArray:
    """The "% de la meta": the value over the value the plan expects by then.

    increase: value / expected; decrease (mirrored): expected / value; maintain: the same
    figure as ``progress`` (``maintain``, the distance against the tolerance). A zero or
    negative denominator gives 1 when the value is on the right side of it and 0 otherwise
    (a decrease to 0 against a positive expectation: ACHIEVEMENT_MAX). Not clipped here.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where(expected > 1e-12, value / np.where(expected > 1e-12, expected, 1.0), 0.0)
        up = np.where((expected <= 1e-12) & (value >= expected), 1.0, up)
        down = np.where(value > 1e-12, expected / np.where(value > 1e-12, value, 1.0), 0.0)
        down = np.where((value <= 1e-12) & (value <= expected), ACHIEVEMENT_MAX, down)
        share = np.where(sign > 0, up, np.where(sign < 0, down, maintain))
    return np.where(np.isnan(value) | np.isnan(expected), np.nan, share)


def _numeric_achievement(
    table: IndicatorTable, num: _NumericPath
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """(progress, target_share; beyond this year's target) of numeric indicators."""
    value, expected, base_c, is_sum, k_sum = (
        num.value,
        num.expected,
        num.baseline,
        num.is_sum,
        num.k_sum,
    )
    s = table.sign[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        d = expected - base_c
        scale = np.maximum(1.0, np.maximum(np.abs(expected), np.abs(base_c)))
        moving = s * d > 1e-9 * scale
        normal = (value - base_c) / np.where(moving, d, 1.0)
        abs_e = np.abs(expected)
        rel = 1.0 + s * (value - expected) / np.where(abs_e > 1e-12, abs_e, 1.0)
        step = np.where(s * (value - expected) >= 0, 1.0, 0.0)
        held = np.where(abs_e > 1e-12, rel, step)
        directional = np.where(moving, normal, held)
        # the tolerance is a yearly figure: pro-rated like the target for sums
        tol = np.where(
            np.isnan(table.tolerance)[:, None],
            DEFAULT_MAINTAIN_TOLERANCE * abs_e,
            table.tolerance[:, None] * np.where(is_sum, k_sum, 1.0),
        )
        dist = np.abs(value - expected)
        maintain = np.where(dist <= tol, 1.0, np.where(tol > 0, tol / dist, 0.0))
        numeric_a = np.where(s == 0, maintain, directional)
    numeric_a = np.where(num.reported, numeric_a, np.nan)
    share = np.where(num.reported, target_share(value, expected, s, maintain), np.nan)
    with np.errstate(invalid="ignore"):
        # beyond this year's target; a sum is compared with the target pro-rated to its
        # quarters with data (a year-to-date total is always "below" the annual figure)
        comparable = np.where(is_sum, num.target * k_sum, num.target)
        exceeded = (s != 0) & num.reported & (s * (value - comparable) > 0)
    return numeric_a, share, exceeded


@dataclass(frozen=True)
class _MilestonePath:
    """Milestones against their schedule (rows of numeric indicators are meaningless)."""

    expected: FloatArray  # the % planned by then
    due: BoolArray  # something is expected by now (and not postponed or dropped by decision)
    achievement: FloatArray  # the effective stage's % over the % planned
    overdue: BoolArray  # past the planned completion and not finished


def _milestone_achievement(table: IndicatorTable, obs: Observations) -> _MilestonePath:
    """The % planned by then (the start quarter expects the first stage of the scale, e.g.
    Planificat 10 %, when that is less than the linear share), the stage % against it, and
    whether the milestone is past its planned completion unfinished."""
    cols = np.arange(table.n_quarters)[None, :]
    start, due_col = table.ms_start[:, None], table.ms_due[:, None]
    span = np.maximum(due_col - start + 1, 1)
    ms_expected = np.clip((cols - start + 1) / span, 0.0, 1.0) * 100.0
    first = (cols == start) & (due_col > start)
    ms_expected = np.where(first, np.minimum(ms_expected, table.first_stage_pct), ms_expected)
    decided = obs.postponed | obs.dropped
    ms_due = (ms_expected > 0) & ~decided
    with np.errstate(divide="ignore", invalid="ignore"):
        ms_a = np.where(ms_due, obs.q / np.where(ms_due, ms_expected, 1.0), np.nan)
        overdue = table.is_ms[:, None] & (cols > due_col) & (obs.q < 100.0) & ~decided
    return _MilestonePath(ms_expected, ms_due, ms_a, overdue)


def _in_band(table: IndicatorTable, num: _NumericPath) -> BoolArray:
    """Numeric indicators (not ``maintain``) within their band of the expected path:
    ``|V − E| ≤ band · |E|``."""
    band = table.band[:, None]
    with np.errstate(invalid="ignore"):
        near = np.abs(num.value - num.expected) <= band * np.abs(num.expected)
    moving = (table.sign != 0) & ~table.is_ms & ~table.is_ctx
    result: BoolArray = moving[:, None] & (band > 0) & num.reported & near
    return result


def _lights(
    achievement: FloatArray,
    green: FloatArray,
    amber: FloatArray,
    in_band: BoolArray,
    overdue: BoolArray,
) -> npt.NDArray[np.int8]:
    """The light: the thresholds, green within the band, red when overdue and unfinished."""
    status = classify(achievement, green[:, None], amber[:, None])
    status = np.where(in_band, GREEN, status)
    return np.where(overdue & ~np.isnan(achievement), RED, status).astype(np.int8)


def indicator_grid(
    table: IndicatorTable, obs: Observations, thresholds: Thresholds
) -> IndicatorGrid:
    """Every indicator's value, expectation, achievement and status at every quarter.

    ``obs`` should hold the effective milestone stages (:func:`apply_decisions`).
    """
    num = _numeric_path(table, obs.q)
    numeric_a, numeric_share, exceeded = _numeric_achievement(table, num)
    ms = _milestone_achievement(table, obs)

    is_ms = table.is_ms[:, None]
    # a milestone's stage % over the % planned by then is both figures
    progress = np.clip(np.where(is_ms, ms.achievement, numeric_a), 0.0, ACHIEVEMENT_MAX)
    share = np.clip(np.where(is_ms, ms.achievement, numeric_share), 0.0, ACHIEVEMENT_MAX)
    is_ctx = table.is_ctx[:, None]
    progress = np.where(is_ctx, np.nan, progress)
    share = np.where(is_ctx, np.nan, share)
    in_band = _in_band(table, num)
    achievement = np.where(table.by_share[:, None], share, progress)
    # within the band the indicator is on the path: at least 100 % for the light and roll-ups
    achievement = np.where(in_band, np.maximum(achievement, 1.0), achievement)
    green = np.where(np.isnan(table.own_green), thresholds.green, table.own_green)
    amber = np.where(np.isnan(table.own_amber), thresholds.amber, table.own_amber)
    status = _lights(achievement, green, amber, in_band, ms.overdue)
    excluded = is_ms & obs.dropped
    # a numeric indicator is due from its first target (no target yet: not measured yet)
    due = np.where(is_ms, ms.due, ~is_ctx & ~np.isnan(num.target))
    with np.errstate(invalid="ignore"):
        late = is_ms & ((ms.due & (achievement < green[:, None])) | ms.overdue)
    return IndicatorGrid(
        value=np.where(is_ms, obs.q, num.value),
        expected=np.where(is_ms, ms.expected, num.expected),
        baseline=np.where(is_ms, 0.0, num.baseline),
        target=np.where(is_ms, 100.0, num.target),
        achievement=achievement,
        status=status,
        exceeded=exceeded & ~is_ms,
        late=late,
        excluded=excluded,
        due=due,
        applicable=due,
        green=green,
        amber=amber,
        target_share=share,
        progress=progress,
        in_band=in_band,
        overdue=ms.overdue,
        postponed=is_ms & obs.postponed,
        proposal=is_ms & obs.proposal,
    )


def group_sum(parent: IntArray, n_parents: int, matrix: FloatArray) -> FloatArray:
    """Sum the rows of ``matrix`` by parent (rows with parent -1 are left out)."""
    ok = parent >= 0
    t = matrix.shape[1]
    flat = (parent[ok][:, None] * t + np.arange(t)[None, :]).ravel()
    sums = np.bincount(flat, weights=matrix[ok].ravel(), minlength=n_parents * t)
    return np.asarray(sums, dtype=np.float64).reshape(n_parents, t)


@dataclass(frozen=True)
class Children:
    """The level below, as a roll-up reads it (one row per child)."""

    parent: IntArray  # the row of each child's parent (-1: none)
    achievement: FloatArray
    has: BoolArray  # the child has data (a light)
    applicable: BoolArray  # the child is due
    weight: FloatArray  # (children, quarters)
    # objectives with data / due below each child; None: the children are indicators, and
    # the coverage counts them (an objective's coverage is of its due indicators)
    objectives: tuple[FloatArray, FloatArray] | None = None


def rollup(
    children: Children,
    n_parents: int,
    keys: list[str],
    weight: FloatArray,
    thresholds: Thresholds,
    min_coverage: float = MIN_COVERAGE,
) -> LevelGrid:
    """Weighted mean of the children with data (each capped at ROLLUP_CAP), with coverage.

    Above the objectives, the coverage is the share of the objectives due below the level that
    have data, whatever its direct children say; a level under ``min_coverage`` is grey.
    """
    parent = children.parent
    has = children.has.astype(float)
    capped = np.where(children.has, np.minimum(children.achievement, ROLLUP_CAP), 0.0)
    weighted = children.weight * has
    den = group_sum(parent, n_parents, weighted)
    num = group_sum(parent, n_parents, weighted * capped)
    if children.objectives is None:
        n_has = group_sum(parent, n_parents, has)
        n_app = group_sum(parent, n_parents, children.applicable.astype(float))
    else:
        n_has = group_sum(parent, n_parents, children.objectives[0])
        n_app = group_sum(parent, n_parents, children.objectives[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        achievement = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
        coverage = np.where(n_app > 0, n_has / np.where(n_app > 0, n_app, 1.0), np.nan)
    with np.errstate(invalid="ignore"):
        has_data = (den > 0) & (coverage >= min_coverage - 1e-12)
    status = np.where(has_data, classify(achievement, thresholds.green, thresholds.amber), GREY)
    applicable = group_sum(parent, n_parents, children.applicable.astype(float)) > 0
    if children.objectives is None:  # this level is the objectives: each counts itself
        counts = (has_data.astype(float), applicable.astype(float))
    else:
        counts = (n_has, n_app)
    return LevelGrid(
        keys=keys,
        parent_of_child=parent,
        achievement=achievement,
        coverage=coverage,
        status=status.astype(np.int8),
        has_data=has_data,
        applicable=applicable,
        insufficient=((den > 0) | (n_has > 0)) & ~has_data,
        weight=weight,
        objectives_with_data=counts[0],
        objectives_due=counts[1],
    )


def _up(level: LevelGrid, parent: IntArray) -> Children:
    """``level`` as the children of the level above it."""
    return Children(
        parent,
        level.achievement,
        level.has_data,
        level.applicable,
        level.weight,
        (level.objectives_with_data, level.objectives_due),
    )


def level_weights(
    own: Sequence[float], objectives_due: FloatArray, mode: LevelWeights, n_quarters: int
) -> FloatArray:
    """(rows x quarters) weights of axes or levers: their own weight, times their number of
    due objectives when the catalog says ``level_weights: objectives`` (the default)."""
    base = np.repeat(np.asarray(own, dtype=float)[:, None], n_quarters, axis=1)
    return base * objectives_due if mode is LevelWeights.OBJECTIVES else base


@dataclass(frozen=True)
class Grid:
    """The whole plan at every quarter: indicators and each level above them."""

    table: IndicatorTable
    obs: Observations
    indicators: IndicatorGrid
    objectives: LevelGrid
    axes: LevelGrid
    levers: LevelGrid
    plan: LevelGrid
    thresholds: Thresholds

    def column(self, period: Period) -> int:
        """The matrices' column of ``period`` (ValueError outside the plan)."""
        col = period.index - self.table.first_index
        if not 0 <= col < self.table.n_quarters:
            raise ValueError(f"{period} is outside the plan")
        return col


def compute_grid(
    plan: Plan,
    values: pd.DataFrame,
    thresholds: Thresholds,
    decisions: Sequence[MilestoneDecision] = (),
) -> Grid:
    """Indicators, objectives, axes, levers and the plan at every quarter of the plan.

    ``decisions`` are the directors' milestone decisions in force (none by default: every
    reported Ajornat/Desestimat is then a proposal).
    """
    table = indicator_table(plan)
    obs = apply_decisions(table, observations(table, values), decisions)
    ind = indicator_grid(table, obs, thresholds)
    t = table.n_quarters
    catalog = plan.catalog
    mode, cover = catalog.level_weights, catalog.min_coverage

    objectives = plan.objectives
    axis_row = {a.number: i for i, a in enumerate(plan.axes)}
    lever_row = {lv.number: i for i, lv in enumerate(plan.levers)}
    ind_children = Children(
        table.objective,
        ind.achievement,
        ~np.isnan(ind.achievement),
        ind.applicable,
        np.repeat(table.weight[:, None], t, axis=1),
    )
    obj_weight = np.array([o.weight for o in objectives], dtype=float)
    obj = rollup(
        ind_children,
        len(objectives),
        [o.code for o in objectives],
        np.repeat(obj_weight[:, None], t, axis=1),
        thresholds,
        OBJECTIVE_MIN_COVERAGE,
    )
    axis_of_obj = np.array([axis_row.get(o.axis, -1) for o in objectives], dtype=np.int64)
    axis_due = group_sum(axis_of_obj, len(plan.axes), obj.objectives_due)
    ax = rollup(
        _up(obj, axis_of_obj),
        len(plan.axes),
        [str(a.number) for a in plan.axes],
        level_weights([a.weight for a in plan.axes], axis_due, mode, t),
        thresholds,
        cover,
    )
    lever_of_axis = np.array(
        [lever_row[lv.number] for lv in plan.levers for _a in lv.axes], dtype=np.int64
    )
    lever_due = group_sum(lever_of_axis, len(plan.levers), ax.objectives_due)
    lev = rollup(
        _up(ax, lever_of_axis),
        len(plan.levers),
        [str(lv.number) for lv in plan.levers],
        level_weights([lv.weight for lv in plan.levers], lever_due, mode, t),
        thresholds,
        cover,
    )
    whole = rollup(
        _up(lev, np.zeros(len(plan.levers), dtype=np.int64)),
        1,
        ["plan"],
        np.ones((1, t)),
        thresholds,
        cover,
    )
    return Grid(table, obs, ind, obj, ax, lev, whole, thresholds)


def trend_codes(series: FloatArray) -> IntArray:
    """Least-squares slope of each row (NaN = missing) against the tolerance."""
    if series.shape[1] == 0:
        return np.zeros(series.shape[0], dtype=np.int64)
    x = np.arange(series.shape[1], dtype=float)[None, :]
    m = ~np.isnan(series)
    y = np.where(m, series, 0.0)
    n = m.sum(axis=1).astype(float)
    sx = (m * x).sum(axis=1)
    sy = y.sum(axis=1)
    sxx = (m * x * x).sum(axis=1)
    sxy = (y * x).sum(axis=1)
    denom = n * sxx - sx * sx
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(denom > 0, (n * sxy - sx * sy) / np.where(denom > 0, denom, 1.0), 0.0)
    codes = np.where(
        slope > TREND_TOLERANCE,
        T_IMPROVING,
        np.where(slope < -TREND_TOLERANCE, T_WORSENING, T_STABLE),
    )
    return np.where(n >= 2, codes, T_UNKNOWN).astype(np.int64)


def indicator_trend_series(grid: Grid, col: int) -> FloatArray:
    """The series whose slope is an indicator's trend: its achievement, or for a context
    indicator (no achievement) its value relative to the window's mean absolute value."""
    ach = window(grid.indicators.achievement, col)
    values = window(grid.indicators.value, col)
    present = ~np.isnan(values)
    total = np.where(present, np.abs(values), 0.0).sum(axis=1, keepdims=True)
    count = present.sum(axis=1, keepdims=True)
    scale = np.where(count > 0, total / np.maximum(count, 1), 1.0)
    relative = values / np.where(scale > 1e-12, scale, 1.0)
    return np.where(grid.table.is_ctx[:, None], relative, ach)


def window(matrix: FloatArray, col: int, size: int = TREND_WINDOW) -> FloatArray:
    """The ``size`` columns of ``matrix`` up to ``col`` (fewer at the plan's start)."""
    lo = max(0, col - size + 1)
    return matrix[:, lo : col + 1]


def _linear_fit(y: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    m = ~np.isnan(y)
    yy = np.where(m, y, 0.0)
    n = m.sum(axis=1).astype(float)
    sx = (m * x).sum(axis=1)
    sy = yy.sum(axis=1)
    sxx = (m * x * x).sum(axis=1)
    sxy = (yy * x).sum(axis=1)
    denom = n * sxx - sx * sx
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(denom > 0, (n * sxy - sx * sy) / np.where(denom > 0, denom, 1.0), 0.0)
        intercept = np.where(n > 0, (sy - slope * sx) / np.where(n > 0, n, 1.0), np.nan)
    return slope, intercept, n


@dataclass(frozen=True)
class Forecast:
    """Each indicator projected to the plan's end, and whether that misses its target."""

    value: FloatArray  # NaN when it cannot be projected
    at_risk: BoolArray


def forecast(grid: Grid, col: int) -> Forecast:
    """Linear projection from the last FORECAST_WINDOW quarters to the plan's end.

    Numeric: the quarterly values are fitted by least squares, projected over the plan's last
    year (actual values where already known) and aggregated like the indicator (sum, last or
    mean), clipped to the bounds; at risk when that misses the final target in the indicator's
    direction (maintain: further than the tolerance). Milestones: the stage % projected to the
    planned completion; at risk when under 100 % (postponed: always at risk).
    """
    table, q = grid.table, grid.obs.q
    t = table.n_quarters
    lo = max(0, col - FORECAST_WINDOW + 1)
    x = np.arange(lo, col + 1, dtype=float)[None, :]
    slope, intercept, n = _linear_fit(q[:, lo : col + 1], x)
    final_cols = np.arange(t - 4, t)
    projected = intercept[:, None] + slope[:, None] * final_cols[None, :].astype(float)
    known = q[:, final_cols]
    use_known = (final_cols[None, :] <= col) & ~np.isnan(known)
    levels = np.where(use_known, known, projected)
    levels = np.clip(levels, table.bound_min[:, None], table.bound_max[:, None])
    can = (n >= 2) | use_known.all(axis=1)
    agg = table.agg
    numeric = np.where(
        agg == _SUM, levels.sum(axis=1), np.where(agg == _MEAN, levels.mean(axis=1), levels[:, -1])
    )
    numeric = np.where(can, numeric, np.nan)
    final_target = table.targets[:, -1]
    s = table.sign
    tol = np.where(
        np.isnan(table.tolerance),
        DEFAULT_MAINTAIN_TOLERANCE * np.abs(final_target),
        table.tolerance,
    )
    eps = 1e-9 * np.maximum(1.0, np.abs(final_target))
    with np.errstate(invalid="ignore"):
        numeric_risk = np.where(
            s == 0, np.abs(numeric - final_target) > tol + eps, s * (numeric - final_target) < -eps
        )
    numeric_risk &= ~np.isnan(numeric)

    # milestones
    current = q[:, col]
    due_col = table.ms_due.astype(float)
    ms_proj = np.clip(intercept + slope * due_col, 0.0, 100.0)
    ms_value = np.where(
        current >= 100.0,
        100.0,
        np.where(col >= table.ms_due, current, np.where(n >= 2, ms_proj, np.nan)),
    )
    postponed = grid.obs.postponed[:, col]
    dropped = grid.obs.dropped[:, col]
    ms_value = np.where(postponed | dropped, np.nan, ms_value)
    with np.errstate(invalid="ignore"):
        ms_risk = ((ms_value < 100.0) & ~np.isnan(ms_value)) | postponed
    value = np.where(table.is_ms, ms_value, numeric)
    at_risk = np.where(table.is_ms, ms_risk & ~dropped, numeric_risk)
    return Forecast(value=value, at_risk=at_risk.astype(bool))
