"""The objectives at risk, worst first: the one ranking the overview, the board and the pack use.

An objective is *at risk* when it is behind (red or amber) or when the forecast of one of its
indicators misses the plan's final target (``ObjectiveResult.at_risk``). They are ranked:

1. by status: red, then amber, then the others (green, then grey) that are only at risk;
2. among equal statuses, those whose forecast misses the target first;
3. then by achievement, lowest first (an objective without an achievement comes last);
4. then by code (``P1.02`` before ``P1.10``: codes are zero-padded, so this is plan order).

The last key makes the order total: two objectives never tie, so every place that shows the
ranking (or its first rows) shows the same objectives in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable

from plan_model.status_types import ObjectiveResult, PlanStatus, Status

# statuses, worst first (also how the pages sort a status column)
WORST_FIRST: dict[Status, int] = {
    Status.RED: 0,
    Status.AMBER: 1,
    Status.GREEN: 2,
    Status.GREY: 3,
}
_NO_ACHIEVEMENT = float("inf")


def is_at_risk(objective: ObjectiveResult) -> bool:
    """Behind (red or amber), or heading to miss the final target."""
    return objective.status in (Status.RED, Status.AMBER) or objective.at_risk


def at_risk_key(objective: ObjectiveResult) -> tuple[int, bool, float, str]:
    """The sort key of the ranking (see the module's docstring)."""
    achievement = objective.achievement
    return (
        WORST_FIRST[Status(objective.status)],
        not objective.at_risk,
        _NO_ACHIEVEMENT if achievement is None else achievement,
        objective.code,
    )


def at_risk_ranking(result: PlanStatus | Iterable[ObjectiveResult]) -> list[ObjectiveResult]:
    """The objectives of ``result`` (a plan's status, or some objectives) that are at risk,
    worst first."""
    objectives = result.objectives if isinstance(result, PlanStatus) else result
    return sorted((o for o in objectives if is_at_risk(o)), key=at_risk_key)


__all__ = ["WORST_FIRST", "at_risk_key", "at_risk_ranking", "is_at_risk"]
