"""Breakdowns (desagregacions): the members of the plan's dimensions and who reports them.

A *cell* of an indicator's breakdown is one member of each of its dimensions, e.g.
``{"abss": "VIC", "sex": "D"}``; an indicator without breakdowns has one cell, ``{}``, its
total. A member implies the members it belongs to: a municipality implies its ABSS, so a
reporter given ``{abss: VIC}`` reports every municipality of Vic. Pure functions, no I/O.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from plan_model.models import Dimension, Indicator, Member, Plan

ABSS = "abss"
MUNICIPALITY = "municipality"
SEX = "sex"
AGE_GROUP = "age_group"

Cell = dict[str, str]
Dimensions = Mapping[str, Dimension]


def members_of(plan: Plan, dimension: str) -> list[Member]:
    """The members of the plan's dimension ``dimension``, in order; KeyError if it has none."""
    return list(plan.dimension_by_code[dimension].members)


def ancestor(dims: Dimensions, dimension: str, member: str, target: str) -> str | None:
    """The member of dimension ``target`` that ``member`` (of ``dimension``) belongs to.

    The member itself when ``target`` is its own dimension; None when ``target`` is not
    above it, or a link is missing.
    """
    seen: set[str] = set()
    while dimension != target:
        dim = dims.get(dimension)
        if dim is None or dim.parent is None or dimension in seen:
            return None
        seen.add(dimension)
        found = dim.member_by_code.get(member)
        if found is None or found.parent is None:
            return None
        dimension, member = dim.parent, found.parent
    return member


def is_at_or_above(dims: Dimensions, dimension: str, target: str) -> bool:
    """Whether dimension ``target`` is ``dimension`` itself or one of the dimensions above it."""
    seen: set[str] = set()
    current: str | None = dimension
    while current is not None and current not in seen:
        if current == target:
            return True
        seen.add(current)
        dim = dims.get(current)
        current = dim.parent if dim is not None else None
    return False


def abss_of(plan: Plan, municipality: str) -> str:
    """The ABSS that serves the municipality with INE code ``municipality``; KeyError if none."""
    found = ancestor(plan.dimension_by_code, MUNICIPALITY, municipality, ABSS)
    if found is None:
        raise KeyError(municipality)
    return found


def cells(dims: Dimensions, breakdowns: Sequence[str]) -> list[Cell]:
    """Every cell of a breakdown by ``breakdowns``, in member order.

    When a breakdown holds a dimension and one above it (municipality and ABSS), only the
    coherent cells remain (a municipality with its own ABSS). Unknown dimensions are skipped,
    and a dimension or member written twice counts once.
    """
    known = [d for d in dict.fromkeys(breakdowns) if d in dims]
    options = [list(dict.fromkeys(m.code for m in dims[d].members)) for d in known]
    result = []
    for combo in itertools.product(*options):
        cell = dict(zip(known, combo, strict=True))
        if _coherent(dims, cell):
            result.append(cell)
    return result


def _coherent(dims: Dimensions, cell: Mapping[str, str]) -> bool:
    """No member of the cell belongs to another member than the cell's one above it."""
    for dimension, member in cell.items():
        for other, other_member in cell.items():
            above = ancestor(dims, dimension, member, other) if other != dimension else None
            if above is not None and above != other_member:
                return False
    return True


def covers(dims: Dimensions, members: Mapping[str, str], cell: Mapping[str, str]) -> bool:
    """Whether a cell falls under ``members`` (each of them its own member or one above it)."""
    for dimension, member in members.items():
        found = [ancestor(dims, d, m, dimension) for d, m in cell.items()]
        if member not in found:
            return False
    return True


def breakdown_cells(plan: Plan, indicator: Indicator) -> list[Cell]:
    """Every cell the indicator is reported by (``[{}]``, its total, without breakdowns)."""
    return cells(plan.dimension_by_code, indicator.breakdowns)


def reporter_of(plan: Plan, indicator: Indicator, cell: Mapping[str, str]) -> str:
    """The service that reports ``cell`` of the indicator: its reporter, else the responsible."""
    for reporter in indicator.reporters:
        if covers(plan.dimension_by_code, reporter.members, cell):
            return reporter.service
    return indicator.responsible_service


def cells_reported_by(plan: Plan, indicator: Indicator, service: str) -> list[Cell]:
    """The cells of the indicator that ``service`` reports (none if it reports no part of it)."""
    return [
        c for c in breakdown_cells(plan, indicator) if reporter_of(plan, indicator, c) == service
    ]


def reporting_services(plan: Plan, indicator: Indicator) -> list[str]:
    """Every service that reports some cell of the indicator, in order of first cell."""
    services = (reporter_of(plan, indicator, c) for c in breakdown_cells(plan, indicator))
    return list(dict.fromkeys(services))
