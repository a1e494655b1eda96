"""A hand-built plan with other catalog settings (band, coverage, level weights)."""

from __future__ import annotations

from typing import Any

from plan_model.models import Plan


def with_catalog(plan: Plan, **settings: Any) -> Plan:
    """``plan`` with its catalog's top-level ``settings`` changed (validated like the YAML)."""
    data = plan.catalog.model_dump()
    data.update(settings)
    catalog = type(plan.catalog).model_validate(data)
    return Plan(
        info=plan.info,
        levers=plan.levers,
        challenges=plan.challenges,
        services=plan.services,
        catalog=catalog,
    )
