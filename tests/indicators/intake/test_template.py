"""The quarterly template: sheets, headers, one row per indicator, validations, protection."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import Engine

from indicators.demo.synthetic import synthetic_plan
from indicators.intake.template import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    META_SHEET,
    TEMPLATE_VERSION,
    TemplateError,
    build_template,
    last_values_from_frame,
)
from plan_model.breakdowns import rows_reported_by
from plan_model.models import Plan

HEADERS_CA = [
    "Codi",
    "Indicador",
    "Unitat",
    "Període",
    "Últim valor",
    "Meta 2025",
    "Valor",
    "Comentari",
]


@pytest.fixture(scope="module")
def mixed_plan(plan: Plan) -> Plan:
    """Numeric indicators with every kind of bounds, and milestones, for one service."""
    return synthetic_plan(plan, "SIS", numeric=6, milestones=3)


def _open(content: bytes) -> Workbook:
    return load_workbook(io.BytesIO(content))


def test_sheets_headers_and_one_row_per_indicator(mixed_plan: Plan) -> None:
    content = build_template(mixed_plan, "SIS", "2025-T4")
    wb = _open(content)
    assert wb.sheetnames == ["Instruccions", "Dades", META_SHEET]
    ws = wb["Dades"]
    assert wb.active is not None and wb.active.title == "Dades"
    # merged title row over the whole table, then the header row
    assert any(str(r) == "A1:H1" for r in ws.merged_cells.ranges)
    assert "2025-T4" in str(ws["A1"].value)
    assert [c.value for c in ws[HEADER_ROW]] == HEADERS_CA
    indicators = mixed_plan.indicators_of_service("SIS")
    rows = list(ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True))
    assert [r[0] for r in rows] == [i.code for i in indicators]
    for row, indicator in zip(rows, indicators, strict=True):
        assert row[1] == indicator.name
        assert row[3] == "2025-T4"
        assert row[6] is None and row[7] is None  # Valor and Comentari left to fill
        if indicator.is_milestone:
            assert row[5] == indicator.planned_completion
        else:
            assert indicator.targets is not None
            assert row[5] == indicator.targets[2025]
            assert row[2] == indicator.unit


def test_numbers_formatted_frozen_and_widths(mixed_plan: Plan) -> None:
    ws = _open(build_template(mixed_plan, "SIS", "2024-T2"))["Dades"]
    assert ws.freeze_panes == f"C{FIRST_DATA_ROW}"
    assert ws[f"F{HEADER_ROW}"].value == "Meta 2024"
    numeric_row = FIRST_DATA_ROW  # the synthetic catalog lists numeric indicators first
    assert ws[f"G{numeric_row}"].number_format == "#,##0.0"
    assert ws[f"F{numeric_row}"].number_format == "#,##0.0"
    assert ws.column_dimensions["B"].width >= 40
    assert ws.column_dimensions["H"].width >= 30


def test_validations_follow_bounds_and_stages(mixed_plan: Plan) -> None:
    ws = _open(build_template(mixed_plan, "SIS", "2025-T4"))["Dades"]
    by_cell: dict[str, DataValidation] = {}
    for dv in ws.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            for row in range(cell_range.min_row, cell_range.max_row + 1):
                by_cell[f"G{row}"] = dv
    for row, indicator in enumerate(mixed_plan.indicators_of_service("SIS"), start=FIRST_DATA_ROW):
        dv = by_cell[f"G{row}"]
        if indicator.is_milestone:
            assert dv.type == "list"
            names = [s.name for s in mixed_plan.stages]
            assert dv.formula1 == '"' + ",".join([*names, "esborrar"]) + '"'
        else:
            # a custom formula: the bounds, or a clearing marker (test_template_clear.py)
            assert dv.type == "custom"
            bounds = indicator.bounds
            assert bounds is not None and bounds.min == 0
            assert dv.formula1 is not None and ">=0" in dv.formula1
            if bounds.max is not None:
                assert f"<={bounds.max:g}" in dv.formula1
            assert dv.error
    # only the value column is validated
    assert {key[0] for key in by_cell} == {"G"}


def test_protection_only_value_and_comment_unlocked(mixed_plan: Plan) -> None:
    wb = _open(build_template(mixed_plan, "SIS", "2025-T4"))
    ws = wb["Dades"]
    assert ws.protection.sheet is True
    assert not ws.protection.password  # no password: documented in the instructions sheet
    assert wb["Instruccions"].protection.sheet is True
    last = FIRST_DATA_ROW + len(mixed_plan.indicators_of_service("SIS")) - 1
    for row_number, row in enumerate(ws.iter_rows(min_row=1, max_row=last), start=1):
        for column_number, cell in enumerate(row, start=1):  # the title row is merged
            column = get_column_letter(column_number)
            unlocked = row_number >= FIRST_DATA_ROW and column in ("G", "H")
            assert cell.protection.locked is (not unlocked), cell.coordinate


def test_very_hidden_meta(mixed_plan: Plan) -> None:
    when = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)
    wb = _open(build_template(mixed_plan, "SIS", "T3 2024", generated_at=when))
    meta = wb[META_SHEET]
    assert meta.sheet_state == "veryHidden"
    pairs = {k: v for k, v in meta.iter_rows(values_only=True)}
    assert pairs["service"] == "SIS"
    assert pairs["period"] == "2024-T3"  # normalised
    assert pairs["template_version"] == TEMPLATE_VERSION == "1"
    assert pairs["generated_at"] == "2026-01-05T09:30:00+00:00"


def test_instructions_in_catalan_with_deadline_and_contact(mixed_plan: Plan) -> None:
    from settings import Settings

    cfg = Settings(submission_deadline_days=30, support_contact="pla@example.org")
    ws = _open(build_template(mixed_plan, "SIS", "2025-T4", settings=cfg))["Instruccions"]
    text = "\n".join(str(c.value) for c in ws["A"] if c.value)
    assert "Termini de lliurament" in text
    assert "30 de gener de 2026" in text  # 2025-T4 ends 31 Dec; 30 days later
    assert "pla@example.org" in text
    assert "1.234,5" in text  # formats accepted
    assert "Finalitzat" in text  # the stages
    assert "sense contrasenya" in text  # the protection, documented


def test_last_values_shown_numbers_and_stage_names(mixed_plan: Plan) -> None:
    numeric, *_rest = mixed_plan.indicators_of_service("SIS")
    milestone = next(i for i in mixed_plan.indicators_of_service("SIS") if i.is_milestone)
    content = build_template(
        mixed_plan, "SIS", "2025-T4", last_values={numeric.code: 1234.5, milestone.code: "avancat"}
    )
    ws = _open(content)["Dades"]
    values = {r[0]: r[4] for r in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)}
    assert values[numeric.code] == 1234.5
    assert values[milestone.code] == "Avançat"


def test_last_values_from_frame_takes_latest_before_period() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        [
            {"indicator": "A", "service": "SIS", "period": "2025-T2", "value": 3.0, "stage": None},
            {"indicator": "A", "service": "SIS", "period": "2025-T3", "value": 4.0, "stage": None},
            {"indicator": "A", "service": "SIS", "period": "2025-T4", "value": 9.0, "stage": None},
            {
                "indicator": "B",
                "service": "SIS",
                "period": "2024-T1",
                "value": float("nan"),
                "stage": "iniciat",
            },
            {"indicator": "C", "service": "SAD", "period": "2025-T1", "value": 1.0, "stage": None},
        ]
    )
    assert last_values_from_frame(frame, "SIS", "2025-T4") == {"A": 4.0, "B": "iniciat"}
    assert last_values_from_frame(pd.DataFrame(), "SIS", "2025-T4") == {}


def test_spanish_template(mixed_plan: Plan) -> None:
    wb = _open(build_template(mixed_plan, "SIS", "2025-T4", lang="es"))
    assert wb.sheetnames[:2] == ["Instrucciones", "Datos"]
    assert [c.value for c in wb["Datos"][HEADER_ROW]][:4] == [
        "Código",
        "Indicador",
        "Unidad",
        "Periodo",
    ]


@pytest.mark.parametrize(
    ("service", "period"),
    [("NOPE", "2025-T4"), ("SIS", "2025-T9"), ("SIS", "2026-T1"), ("SIS", "abc")],
)
def test_bad_requests_raise(mixed_plan: Plan, service: str, period: str) -> None:
    with pytest.raises(TemplateError) as info:
        build_template(mixed_plan, service, period)
    assert str(info.value)


def test_real_plan_every_service_builds(plan: Plan) -> None:
    for service in plan.services:
        wb = _open(build_template(plan, service.code, "2025-T4"))
        rows = list(wb["Dades"].iter_rows(min_row=FIRST_DATA_ROW, values_only=True))
        # issue 14: a row per indicator without breakdowns and per member the service reports
        assert len(rows) == len(rows_reported_by(plan, service.code))


@pytest.mark.parametrize("lang", ["ca", "es", "en"])
def test_filled_template_imports_ok(plan: Plan, engine: Engine, lang: str) -> None:
    """What a technician fills in the template is what the import stores."""
    from indicators.intake.importer import import_file

    indicators = plan.indicators_of_service("SAD")
    filled: dict[str, tuple[float | str | None, str | None]] = {}
    for k, indicator in enumerate(indicators):
        if indicator.is_milestone:
            filled[indicator.code] = ("avancat", "Document en revisió")
        else:
            assert indicator.targets is not None
            filled[indicator.code] = (indicator.targets[2025] * 0.9, None if k else "Provisional")
    content = build_template(plan, "SAD", "2025-T3", filled=filled, lang=lang)
    result = import_file(
        engine,
        plan,
        filename="plantilla.xlsx",
        content=content,
        user="tecnic.sad",
        dry_run=True,
        uploaded_at=dt.datetime(2025, 10, 10, tzinfo=dt.UTC),
    )
    assert result.status == "ok", [e.message for e in result.errors]
    assert (result.service, result.period) == ("SAD", "2025-T3")  # from the hidden _meta
    got = {v.indicator: (v.value, v.comment) for v in result.values}
    assert got == {code: (value, comment) for code, (value, comment) in filled.items()}
