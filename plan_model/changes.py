"""What changed between two quarters: statuses up or down, new data, data gone.

``changes(plan, values, since, until)`` compares the status at ``since`` with the status at
``until``. By default both come from the same frame (the current values); pass
``values_before`` (the frame as it stood then, e.g. ``values_frame(engine,
as_of=as_of_cutoff(since, days))``) to compare with what a board actually saw last time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from plan_model.models import Plan, Thresholds
from plan_model.periods import Period
from plan_model.progress import (
    CODE_TO_STATUS,
    GREY,
    Grid,
    IndicatorGrid,
    LevelGrid,
    compute_grid,
)

CHANGE_LABELS: dict[str, str] = {
    "up": "Status improved",  # ca: Millora l'estat
    "down": "Status worsened",  # ca: Empitjora l'estat
    "new_data": "New data",  # ca: Dades noves
    "no_data": "No data now",  # ca: Ara sense dades
}
CHANGE_ORDER = {"down": 0, "up": 1, "new_data": 2, "no_data": 3}
CHANGE_COLUMNS = [
    "level",
    "code",
    "name",
    "status_before",
    "status_after",
    "achievement_before",
    "achievement_after",
    "change",
]


def _classify(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """grey→colour new_data, colour→grey no_data, red<amber<green up/down, else ''."""
    return np.select(
        [
            (before == GREY) & (after != GREY),
            (before != GREY) & (after == GREY),
            (before != GREY) & (after > before),
            (after != GREY) & (after < before),
        ],
        ["new_data", "no_data", "up", "down"],
        default="",
    )


def changes(
    plan: Plan,
    values: pd.DataFrame,
    since: Period | str,
    until: Period | str,
    *,
    values_before: pd.DataFrame | None = None,
    thresholds: Thresholds | None = None,
) -> pd.DataFrame:
    """Objectives and indicators whose status changed from ``since`` to ``until``.

    Columns: level ("objective" | "indicator"), code, name, status_before, status_after
    (green/amber/red/grey), achievement_before, achievement_after, change: ``up`` / ``down``
    (along red < amber < green), ``new_data`` (grey before, a colour now) or ``no_data`` (a
    colour before, grey now). Unchanged rows are left out. Sorted by level (objectives
    first), then down, up, new_data, no_data, then code.
    """
    thr = thresholds if thresholds is not None else plan.catalog.thresholds
    after_grid = compute_grid(plan, values, thr)
    before_grid = after_grid if values_before is None else compute_grid(plan, values_before, thr)
    return changes_from_grids(plan, before_grid, after_grid, since, until)


def changes_from_grids(
    plan: Plan, before_grid: Grid, after_grid: Grid, since: Period | str, until: Period | str
) -> pd.DataFrame:
    """:func:`changes` from grids already computed (``compute_grid`` of the values as they
    stood at ``since`` and of the values now; the same grid for both is allowed)."""
    c0 = before_grid.column(Period.parse(since))
    c1 = after_grid.column(Period.parse(until))
    names = np.array(CODE_TO_STATUS, dtype=object).astype(str)
    frames = []
    parts: list[
        tuple[str, list[str], list[str], LevelGrid | IndicatorGrid, LevelGrid | IndicatorGrid]
    ] = [
        (
            "objective",
            [o.code for o in plan.objectives],
            [o.text for o in plan.objectives],
            before_grid.objectives,
            after_grid.objectives,
        ),
        (
            "indicator",
            before_grid.table.codes,
            [i.name for i in plan.indicators],
            before_grid.indicators,
            after_grid.indicators,
        ),
    ]
    for level, codes, labels, before, after in parts:
        s0 = before.status[:, c0].astype(int)
        s1 = after.status[:, c1].astype(int)
        change = _classify(s0, s1)
        keep = change != ""
        frames.append(
            pd.DataFrame(
                {
                    "level": level,
                    "code": np.array(codes, dtype=object)[keep],
                    "name": np.array(labels, dtype=object)[keep],
                    "status_before": names[s0[keep]],
                    "status_after": names[s1[keep]],
                    "achievement_before": before.achievement[keep, c0],
                    "achievement_after": after.achievement[keep, c1],
                    "change": change[keep],
                }
            )
        )
    result = pd.concat(frames, ignore_index=True)
    if result.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CHANGE_COLUMNS})
    order = result["change"].map(CHANGE_ORDER)
    level_order = (result["level"] != "objective").astype(int)
    result = (
        result.assign(_l=level_order, _o=order)
        .sort_values(["_l", "_o", "code"], kind="stable")
        .drop(columns=["_l", "_o"])
    )
    return result.reset_index(drop=True)[CHANGE_COLUMNS]
