"""Intake rules of issue 13: spreadsheet error cells, the bounded error list, clear markers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from indicators.intake.cells import is_clear_marker, is_error_cell
from indicators.intake.importer import import_file
from plan_model.models import Plan
from settings import Settings
from tests.helpers.intake_plan import TODAY
from tests.helpers.sheet_builders import csv_bytes


def test_clear_markers_ignore_case_and_accents() -> None:
    assert all(is_clear_marker(t) for t in ("esborrar", "BORRAR", "Clear", "bórrar "))
    assert not is_clear_marker("") and not is_clear_marker(0) and not is_clear_marker("esborra")


def test_an_error_cell_is_an_error_of_its_row(engine: Engine, small_plan: Plan) -> None:
    rows = [["Codi", "Període", "Valor"]]
    rows += [["P1.01-I1", "2025-T3", "#DIV/0!"], ["P1.01-I2", "2025-T3", "#N/A"]]
    result = import_file(
        engine,
        small_plan,
        filename="sad.csv",
        content=csv_bytes(rows),
        user="t",
        today=TODAY,
        settings=Settings(),
        dry_run=True,
    )
    assert [(e.code, e.row, e.column) for e in result.errors] == [
        ("error_cell", 2, "C"),
        ("error_cell", 3, "C"),
    ]
    assert "Full «sad.csv», fila 2, columna C" in result.errors[0].describe("ca")
    assert all(is_error_cell(t) for t in ("#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"))


def test_the_error_list_of_one_file_is_bounded(engine: Engine, small_plan: Plan) -> None:
    rows: list[list[object]] = [["Codi", "Període", "Valor"]]
    rows += [[f"X{i}.01-I1", "2025-T3", "zz"] for i in range(1500)]
    result = import_file(
        engine,
        small_plan,
        filename="sad.csv",
        content=csv_bytes(rows),
        user="t",
        service="SAD",
        today=TODAY,
        settings=Settings(),
        uploaded_at=dt.datetime(2025, 10, 5, tzinfo=dt.UTC),
    )
    assert result.status == "rejected"
    assert len(result.errors) == 200
    assert result.error_count == 1500
    assert result.to_json()["error_count"] == 1500
    assert "1500" in result.message
    assert len(str(result.to_json())) < 200_000
