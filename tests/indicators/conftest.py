"""Fixtures for the intake tests: a small test plan and the import settings.

The plan is built by ``tests.helpers.intake_plan``; the spreadsheet files by
``tests.helpers.sheet_builders`` (both imported by the test modules that need them).
"""

from __future__ import annotations

import pytest

from plan_model.models import Plan
from settings import Settings
from tests.helpers.intake_plan import build_small_plan


@pytest.fixture(scope="session")
def small_plan(plan: Plan) -> Plan:
    """A small plan with the real stage scale: SAD has 4 indicators, SIS one."""
    return build_small_plan(plan)


@pytest.fixture
def settings() -> Settings:
    return Settings(max_rows=2000)
