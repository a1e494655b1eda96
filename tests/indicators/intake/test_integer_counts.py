"""Counts are whole numbers (issue 16): an indicator marked ``integer: true`` refuses a
fraction, naming the row and the column, and the template's validation says "enter"; the
catalog refuses ``integer`` on a percentage or a milestone; the plan export shows it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from indicators.intake.importer import import_file
from indicators.intake.template import build_template
from plan_model.export import indicator_dict
from plan_model.loader import PlanValidationError, load_plan
from plan_model.models import Plan
from settings import Settings
from tests.conftest import PLAN_PATH
from tests.helpers.intake_plan import TODAY
from tests.helpers.sheet_builders import xlsx_bytes

COUNT = "P1.02-I2"  # persones, in the small plan


@pytest.fixture
def counting_plan(small_plan: Plan) -> Plan:
    data = small_plan.model_dump()
    for ind in data["catalog"]["indicators"]:
        if ind["code"] == COUNT:
            ind["integer"] = True
    return Plan.model_validate(data)


def _import(engine: Engine, plan: Plan, value: Any) -> Any:
    content = xlsx_bytes([["Codi", "Període", "Valor"], [COUNT, "2025-T3", value]])
    return import_file(
        engine,
        plan,
        filename="sad.xlsx",
        content=content,
        user="t",
        service="SAD",
        today=TODAY,
        settings=Settings(),
        dry_run=True,
    )


def test_a_fraction_of_a_count_is_refused_with_its_row(engine: Engine, counting_plan: Plan) -> None:
    refused = _import(engine, counting_plan, 1234.5)
    assert not refused.ok
    (issue,) = [i for i in refused.errors if i.code == "not_a_whole_number"]
    assert issue.row == 2 and issue.column
    assert "1.234,5 no és un nombre enter" in issue.message
    assert "persones" in issue.message


@pytest.mark.parametrize("value", [1234, 1234.0, "1.234"])
def test_a_whole_count_is_accepted(engine: Engine, counting_plan: Plan, value: Any) -> None:
    checked = _import(engine, counting_plan, value)
    assert not [i for i in checked.errors if i.code == "not_a_whole_number"], checked.errors


def test_without_the_mark_a_fraction_is_a_number_as_before(
    engine: Engine, small_plan: Plan
) -> None:
    checked = _import(engine, small_plan, 1234.5)
    assert not [i for i in checked.errors if i.code == "not_a_whole_number"]


def test_the_template_validation_asks_for_a_whole_number(counting_plan: Plan) -> None:
    wb = load_workbook(io.BytesIO(build_template(counting_plan, "SAD", "2025-T3")))
    formulas = [str(dv.formula1) for dv in wb["Dades"].data_validations.dataValidation]
    assert any("INT(" in f for f in formulas)
    prompts = " ".join(str(dv.error) for dv in wb["Dades"].data_validations.dataValidation)
    assert "enter" in prompts


def test_the_real_catalog_marks_its_counts_and_exports_the_mark() -> None:
    plan = load_plan(PLAN_PATH)
    counts = [i for i in plan.catalog.indicators if i.integer]
    assert len(counts) >= 40
    assert all("%" not in (i.unit or "") and not i.is_milestone for i in counts)
    assert indicator_dict(plan, counts[0])["integer"] is True


def test_integer_is_refused_on_a_percentage_and_a_milestone(tmp_path: Path) -> None:
    data = PLAN_PATH.parent
    (tmp_path / "plan.yaml").write_text((data / "plan.yaml").read_text(encoding="utf-8"))
    catalog = (data / "indicators.yaml").read_text(encoding="utf-8")
    percent = catalog.replace('  unit: "%"\n', '  unit: "%"\n  integer: true\n', 1)
    milestone = percent.replace("  kind: milestone\n", "  kind: milestone\n  integer: true\n", 1)
    (tmp_path / "indicators.yaml").write_text(milestone, encoding="utf-8")
    with pytest.raises(PlanValidationError) as refused:
        load_plan(tmp_path / "plan.yaml")
    messages = [e.message for e in refused.value.errors]
    assert any("és un percentatge" in m for m in messages), messages
    assert any("«integer»" in m and "numèrics" in m for m in messages), messages
