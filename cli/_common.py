"""Helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from i18n import _
from plan_model.loader import PlanValidationError, load_plan
from plan_model.models import Plan
from plan_model.periods import Period
from plan_model.registry import PlanRegistry, load_registry
from settings import Settings, get_settings


def settings() -> Settings:
    return get_settings()


def load_configured_plan(path: str | None = None) -> Plan:
    """The plan from PATH or PLAN_PATH; prints every error and exits 1 when invalid."""
    try:
        return load_plan(path or settings().plan_path)
    except PlanValidationError as exc:
        for error in exc.errors:
            print(str(error), file=sys.stderr)
        raise SystemExit(1) from None


def load_configured_registry() -> PlanRegistry:
    """Every plan of PLANS_DIR, DEFAULT_PLAN the default (PLAN_PATH its file when set);
    prints every error and exits 1 when a plan, or the plans together, are invalid."""
    current = settings()
    try:
        return load_registry(current.plans_dir, current.default_plan, current.plan_path)
    except PlanValidationError as exc:
        for error in exc.errors:
            print(str(error), file=sys.stderr)
        raise SystemExit(1) from None


def plan_for_quarter(
    plan: Plan, period: Period | None = None, *, as_approved: bool = False
) -> Plan:
    """The version of ``plan`` (as loaded from its files: as approved) that governs
    ``period``, from DATABASE_URL (:func:`indicators.storage.plan_versions.plan_for_quarter`,
    the one home of the rule); for no period, the plan as it stands now (its widest span)."""
    from indicators.storage.engine import get_engine
    from indicators.storage.plan_versions import plan_for_quarter as governing
    from indicators.storage.plan_versions import versions_stored_here

    engine = get_engine(settings().database_url)
    if not versions_stored_here(engine):  # not migrated yet: no versions (db upgrade)
        return plan
    return governing(engine, plan, period, as_approved=as_approved)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def period_arg(text: str) -> str:
    """argparse type for a quarter in any accepted spelling, normalised to ``2025-T3``
    (a malformed one is a usage error: exit 2)."""
    period = Period.try_parse(text)
    if period is None:
        raise argparse.ArgumentTypeError(
            _("«{value}» is not a quarter (write it as 2025-T3).", value=text)
        )
    return str(period)
