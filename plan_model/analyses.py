"""Objective analyses (valoracions): when one is required, and who is responsible for it.

Each objective has, per quarter, an analysis written by its responsible person: what happened,
what will be done and by when (issue 17). It is *required* when an indicator of the objective
is red or amber in that quarter (:func:`needs_analysis`); :func:`missing_analyses` lists the
objectives that need one and lack it, for the submission check, the objective and lever pages
and the board pack. An objective's responsible services are those responsible for its
indicators in the catalog (:func:`responsible_services`). Pure Python: the analyses
themselves are stored by ``indicators.storage.analyses``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from plan_model.models import Plan
from plan_model.status_types import IndicatorResult, ObjectiveResult, Status

ANALYSIS_STATUSES: frozenset[Status] = frozenset({Status.RED, Status.AMBER})


def responsible_services(plan: Plan, objective: str) -> frozenset[str]:
    """The services responsible for the indicators of ``objective`` (none if unknown)."""
    return frozenset(i.responsible_service for i in plan.indicators_of(objective))


def off_track_indicators(objective: ObjectiveResult) -> list[IndicatorResult]:
    """The objective's indicators that are red or amber in its quarter (due, not dropped)."""
    return [
        i
        for i in objective.indicators
        if i.due and not i.excluded and Status(i.status) in ANALYSIS_STATUSES
    ]


def needs_analysis(objective: ObjectiveResult) -> bool:
    """Whether the quarter's analysis is required: an indicator of it is red or amber."""
    return bool(off_track_indicators(objective))


def missing_analyses(objectives: Iterable[ObjectiveResult], written: Collection[str]) -> list[str]:
    """The codes of the ``objectives`` that need an analysis and are not among ``written``
    (the objectives whose analysis of the quarter is in force), in the order given."""
    have = set(written)
    return [o.code for o in objectives if o.code not in have and needs_analysis(o)]
