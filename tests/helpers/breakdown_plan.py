"""The tiny plan with breakdowns of the issue-14 tests (``tests/fixtures/breakdowns/plan``):
``P1.01-I1`` a percentage by ABSS with its ratio (reported by SBAS), ``P1.02-I1`` a milestone
(DIRECCIO), ``P2.01-I1`` persons attended by ABSS and sex, each ABSS team its own (SBAS-COSS,
SBAS-VIC), ``P2.01-I2`` homeless persons by municipality (SBAS)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from plan_model.loader import load_plan
from plan_model.models import Plan

PLAN_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "breakdowns" / "plan"
COUNT = "P2.01-I1"
PERCENT = "P1.01-I1"
MILESTONE = "P1.02-I1"
HOMELESS = "P2.01-I2"


@cache
def breakdown_plan() -> Plan:
    """The plan, loaded once."""
    return load_plan(PLAN_FILE / "plan.yaml")
