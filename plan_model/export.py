"""The whole plan as plain data (JSON) and as flat rows (CSV)."""

from __future__ import annotations

from typing import Any

from plan_model.models import Indicator, Plan


def indicator_dict(plan: Plan, ind: Indicator) -> dict[str, Any]:
    """One indicator in the JSON export: its fields, the plan's method and a milestone's stages."""
    milestone = ind.is_milestone
    return {
        "code": ind.code,
        "name": ind.name,
        "kind": ind.kind.value,
        "unit": ind.unit if not milestone else "%",
        "integer": ind.integer,
        "direction": ind.direction.value if ind.direction else None,
        "aggregation": ind.aggregation.value if ind.aggregation else None,
        "method": plan.method_for(ind).value,
        "responsible_service": ind.responsible_service,
        "baseline": ind.baseline.model_dump() if ind.baseline else None,
        "targets": {str(y): v for y, v in sorted(ind.targets.items())} if ind.targets else None,
        "bounds": ind.bounds.model_dump() if ind.bounds else None,
        "stages": [s.model_dump() for s in plan.stages] if milestone else None,
        "planned_completion": ind.planned_completion,
        "start": ind.start,
        "weight": ind.weight,
        "thresholds": ind.thresholds.model_dump() if ind.thresholds else None,
        "tolerance": ind.tolerance,
        "description": ind.description,
        "formula": ind.formula,
        "periodicity": ind.periodicity.value,
        "source": ind.source,
        "breakdowns": list(ind.breakdowns),
        "ratio": ind.ratio.model_dump() if ind.ratio else None,
        "reporters": [{"service": r.service, "members": dict(r.members)} for r in ind.reporters],
    }


def dimensions_dict(plan: Plan) -> dict[str, Any]:
    """The plan's dimensions in the JSON export, keyed by code, members in order.

    A member of a dimension with a parent (a municipality) also gives its ``parent`` (its ABSS).
    """
    result: dict[str, Any] = {}
    for dim in plan.dimensions:
        members = []
        for m in dim.members:
            member: dict[str, Any] = {"code": m.code, "name": m.name}
            if dim.parent is not None:
                member["parent"] = m.parent
            members.append(member)
        entry: dict[str, Any] = {"name": dim.name, "members": members}
        if dim.parent is not None:
            entry["parent"] = dim.parent
        result[dim.code] = entry
    return result


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The export shape of ``seguiment plan export --format json``."""
    levers = []
    for lever in plan.levers:
        axes = []
        for axis in lever.axes:
            objectives = [
                {
                    "code": o.code,
                    "text": o.text,
                    "origin": o.origin.value,
                    "challenges": list(o.challenges),
                    "weight": o.weight,
                    "indicators": [indicator_dict(plan, i) for i in plan.indicators_of(o.code)],
                }
                for o in lever.objectives_of(axis.number)
            ]
            axes.append({"number": axis.number, "name": axis.name, "objectives": objectives})
        levers.append(
            {"number": lever.number, "name": lever.name, "tagline": lever.tagline, "axes": axes}
        )
    return {
        "plan": {
            "id": plan.info.id,
            "name": plan.info.name,
            "organisation": plan.info.organisation,
            "start_year": plan.info.start_year,
            "end_year": plan.info.end_year,
            "catalog_status": plan.catalog.status,
        },
        "levers": levers,
        "challenges": [
            {
                "number": c.number,
                "name": c.name,
                "description": c.description,
                "objectives": [o.code for o in plan.objectives if c.number in o.challenges],
            }
            for c in plan.challenges
        ],
        "services": [s.model_dump(exclude_none=True) for s in plan.services],
        "stages": [s.model_dump() for s in plan.stages],
        "dimensions": dimensions_dict(plan),
    }


CSV_COLUMNS = [
    "lever",
    "lever_name",
    "axis",
    "axis_name",
    "objective",
    "objective_text",
    "origin",
    "challenges",
    "indicator",
    "indicator_name",
    "kind",
    "unit",
    "direction",
    "aggregation",
    "responsible_service",
    "baseline_year",
    "baseline_value",
    "target_2022",
    "target_2023",
    "target_2024",
    "target_2025",
    "min",
    "max",
    "planned_completion",
    "method",
    "integer",
]


def plan_to_rows(plan: Plan) -> list[dict[str, Any]]:
    """One row per indicator (objectives with their lever and axis), for CSV."""
    rows = []
    for lever in plan.levers:
        axis_names = {a.number: a.name for a in lever.axes}
        for o in lever.objectives:
            for ind in plan.indicators_of(o.code):
                row: dict[str, Any] = {
                    "lever": lever.number,
                    "lever_name": lever.name,
                    "axis": o.axis,
                    "axis_name": axis_names.get(o.axis, ""),
                    "objective": o.code,
                    "objective_text": o.text,
                    "origin": o.origin.value,
                    "challenges": " ".join(str(c) for c in o.challenges),
                    "indicator": ind.code,
                    "indicator_name": ind.name,
                    "kind": ind.kind.value,
                    "unit": ind.unit or "",
                    "direction": ind.direction.value if ind.direction else "",
                    "aggregation": ind.aggregation.value if ind.aggregation else "",
                    "responsible_service": ind.responsible_service,
                    "baseline_year": ind.baseline.year if ind.baseline else "",
                    "baseline_value": ind.baseline.value if ind.baseline else "",
                    "min": ind.bounds.min if ind.bounds and ind.bounds.min is not None else "",
                    "max": ind.bounds.max if ind.bounds and ind.bounds.max is not None else "",
                    "planned_completion": ind.planned_completion or "",
                    "method": plan.method_for(ind).value,
                    "integer": "true" if ind.integer else "false",
                }
                for year in (2022, 2023, 2024, 2025):
                    value = ind.targets.get(year) if ind.targets else None
                    row[f"target_{year}"] = "" if value is None else value
                rows.append(row)
    return rows
