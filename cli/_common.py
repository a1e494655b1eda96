"""Helpers shared by the subcommands."""

from __future__ import annotations

import json
import sys
from typing import Any

from plan_model.loader import PlanValidationError, load_plan
from plan_model.models import Plan
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
