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
