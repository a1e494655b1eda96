"""Demo data by breakdown member (issue 14): the quarter's figure of an indicator shared out
among the cells of its breakdown (ABSS, sex), so the members add up to the story's total.

- a count: the total shared in proportion to each cell's weight (its ABSS's share times its
  sex's share, with a fixed deviation of a few per cent per cell), rounded to whole numbers
  by largest remainder so the members add up to the total exactly; a cell's share is the
  same every quarter, so a year-to-date count never falls inside a year;
- a ratio (a percentage or a mean with ``ratio``): each member gets a denominator (its share
  of the comarca's count, e.g. new cases or first interviews) and a numerator making its
  ratio close to the total's (a fixed factor per member): the comarca's figure is the ratio
  of the sums, as the engine derives it.

The weights are demo assumptions, not official figures: the ABSS weigh by the persons each
attended in 2021 (the catalog's former per-ABSS baselines: 3.064 COSS, 4.350 Vic, 1.850
Manlleu, 1.600 La Plana), and the sexes by who each service mostly attends (women are most
of the users of teleassistance and the Espais Activa't; the SIAD attends women).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass

from plan_model.breakdowns import MemberValue, aggregate, member_key
from plan_model.dimensions import ABSS, SEX, breakdown_cells
from plan_model.models import Indicator, Plan

# persons attended in 2021 by each ABSS (the catalog's former per-ABSS baselines)
ABSS_WEIGHTS: dict[str, float] = {"COSS": 3064, "VIC": 4350, "MANLLEU": 1850, "PLANA": 1600}
# sex shares by indicator (D Dona, H Home, X Altres / no binari, NC No consta)
_POPULATION_SEX = {"D": 0.505, "H": 0.49, "X": 0.0, "NC": 0.005}
SEX_SHARES: dict[str, dict[str, float]] = {
    "P2.01-I7": {"D": 0.57, "H": 0.41, "X": 0.004, "NC": 0.016},  # persons attended
    "P3.13-I1": {"D": 0.76, "H": 0.235, "X": 0.0, "NC": 0.005},  # teleassistance
    "P3.11-I1": {"D": 0.74, "H": 0.25, "X": 0.0, "NC": 0.01},  # Espais Activa't
    "P5.07-I1": {"D": 0.42, "H": 0.55, "X": 0.02, "NC": 0.01},  # Pedala
    "P3.07-I2": {"D": 0.97, "H": 0.0, "X": 0.02, "NC": 0.01},  # SIAD
}
# a ratio's denominator in the whole comarca per quarter (its members share it by ABSS weight)
RATIO_DENOMINATORS: dict[str, float] = {
    "P1.01-I3": 66,  # professionals of reference (41 social workers, 25 educators: Idescat 2022)
    "P2.04-I4": 900,  # first interviews in a quarter
    "P3.17-I4": 900,  # new cases in a quarter
}
_DEFAULT_DENOMINATOR = 400.0
_DEVIATION = 0.04  # a cell's fixed deviation from its share
_RATIO_SPREAD = 0.15  # a member's ratio against the total's


@dataclass(frozen=True)
class MemberFigure:
    """One member's demo figure: its value and, for a ratio, its two counts."""

    value: float
    numerator: float | None = None
    denominator: float | None = None


def _share(indicator: Indicator, dimension: str, member: str) -> float:
    """The share of a member of one dimension in the indicator's total."""
    if dimension == ABSS:
        return ABSS_WEIGHTS.get(member, 1.0) / sum(ABSS_WEIGHTS.values())
    if dimension == SEX:
        return SEX_SHARES.get(indicator.code, _POPULATION_SEX).get(member, 0.0)
    return 1.0


def cell_weights(plan: Plan, indicator: Indicator, seed: int) -> dict[str, float]:
    """Each cell's weight (member key → share, summing to 1), with its fixed deviation."""
    rng = random.Random(f"{seed}:{indicator.code}:cells")
    raw: dict[str, float] = {}
    for cell in breakdown_cells(plan, indicator):
        weight = math.prod(_share(indicator, d, m) for d, m in cell.items())
        raw[member_key(cell)] = weight * max(0.0, 1 + rng.gauss(0, _DEVIATION))
    total = sum(raw.values()) or 1.0
    return {key: weight / total for key, weight in raw.items()}


def largest_remainder(values: list[float], total: int) -> list[int]:
    """Whole numbers adding up to ``total``, each the floor or the ceiling of its value."""
    floors = [math.floor(v) for v in values]
    rest = total - sum(floors)
    order = sorted(range(len(values)), key=lambda i: values[i] - floors[i], reverse=True)
    for i in order[: max(0, rest)]:
        floors[i] += 1
    return floors


def split_count(
    indicator: Indicator, total: float, weights: Mapping[str, float], decimals: int
) -> dict[str, MemberFigure]:
    """A count shared among the cells: whole numbers adding up to the total when it is one."""
    keys = list(weights)
    shares = [total * weights[k] for k in keys]
    if decimals == 0 and float(total).is_integer():
        parts: list[float] = [float(v) for v in largest_remainder(shares, int(total))]
    else:
        parts = [round(v, decimals) for v in shares]
    return {k: MemberFigure(v) for k, v in zip(keys, parts, strict=True)}


def ratio_factors(plan: Plan, indicator: Indicator, seed: int) -> dict[str, float]:
    """Each cell's ratio against the total's, fixed for the whole plan."""
    rng = random.Random(f"{seed}:{indicator.code}:ratio")
    return {
        member_key(cell): max(0.3, 1 + rng.uniform(-_RATIO_SPREAD, _RATIO_SPREAD))
        for cell in breakdown_cells(plan, indicator)
    }


def split_ratio(
    indicator: Indicator,
    total: float,
    weights: Mapping[str, float],
    factors: Mapping[str, float],
) -> dict[str, MemberFigure]:
    """A ratio's members: denominators by weight, numerators near the total's ratio (within
    the bounds), the value their ratio in the indicator's scale."""
    scale = 100.0 if (indicator.unit or "").strip() == "%" else 1.0
    comarca = RATIO_DENOMINATORS.get(indicator.code, _DEFAULT_DENOMINATOR)
    keys = list(weights)
    denominators = largest_remainder([comarca * weights[k] for k in keys], round(comarca))
    bounds = indicator.bounds
    high = bounds.max if bounds is not None and bounds.max is not None else math.inf
    result: dict[str, MemberFigure] = {}
    for key, denominator in zip(keys, denominators, strict=True):
        denominator = max(1, denominator)
        ratio = min(high, max(0.0, total * factors.get(key, 1.0)))
        numerator = float(math.floor(ratio / scale * denominator + 0.5))
        result[key] = MemberFigure(numerator / denominator * scale, numerator, float(denominator))
    return result


def comarca_figure(members: Mapping[str, MemberFigure], is_ratio: bool) -> float | None:
    """The total the engine derives from these members (sum, or ratio of the sums)."""
    values = [MemberValue(k, m.value, m.numerator, m.denominator) for k, m in members.items()]
    return aggregate(values, ratio=is_ratio).value
