"""A percentage typed in a %-formatted cell (shown 81,5 %, stored 0.815) is read as 81.5.

The reader carries the cell's number format (``.xlsx`` styles, ``.ods`` value type, ``.xls``
XF and FORMAT records); the check says so in a warning written in Catalan numbers, and never
stores the fraction: for an indicator that is not a percentage, the row is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from sqlalchemy import Engine

from indicators.intake.extent_cells import PercentCell, is_percent_format
from indicators.intake.importer import import_file
from indicators.intake.reader import read_workbook
from plan_model.models import Plan
from settings import Settings
from tests.helpers.intake_plan import TODAY
from tests.helpers.kind_sheets import Pct, ods_with_kinds, xls_with_kinds, xlsx_with_kinds
from tests.helpers.sheet_builders import xlsx_bytes

Builder = Callable[[Sequence[Sequence[Any]]], bytes]
FORMATS: list[tuple[str, Builder]] = [
    ("xlsx", xlsx_with_kinds),
    ("xls", xls_with_kinds),
    ("ods", ods_with_kinds),
]
HEADER: list[Any] = ["Codi", "Període", "Valor"]


def _import(engine: Engine, plan: Plan, filename: str, content: bytes, **kw: Any) -> Any:
    return import_file(
        engine,
        plan,
        filename=filename,
        content=content,
        user="t",
        service="SAD",
        today=TODAY,
        settings=Settings(),
        **kw,
    )


def test_a_percentage_format_is_a_percent_sign_outside_quotes() -> None:
    assert all(is_percent_format(f) for f in ("0%", "0.0%", "#,##0.00 %", '0.0%;"-"'))
    assert not any(is_percent_format(f) for f in ("General", '0" %"', "0\\%", "0.00", "[Red]0"))


@pytest.mark.parametrize(("ext", "build"), FORMATS)
def test_the_reader_carries_the_percentage_format(ext: str, build: Builder) -> None:
    rows: list[list[Any]] = [HEADER, ["A", "2025-T3", Pct(0.815)], ["B", "2025-T3", Pct(0.5, "0%")]]
    rows.append(["C", "2025-T3", 0.25])
    (sheet,) = read_workbook(build(rows), Settings())
    values = [row[2] for row in sheet.rows[1:]]
    assert values == [0.815, 0.5, 0.25]
    assert [type(value) for value in values] == [PercentCell, PercentCell, float]


@pytest.mark.parametrize(("ext", "build"), FORMATS)
def test_a_percent_cell_is_stored_as_the_percentage_it_shows(
    ext: str, build: Builder, engine: Engine, small_plan: Plan
) -> None:
    rows: list[list[Any]] = [
        HEADER,
        ["P1.01-I2", "2025-T3", Pct(0.815)],
        ["P1.01-I1", "2025-T3", 12],
    ]
    result = _import(
        engine,
        small_plan,
        f"SAD_T3.{ext}",
        build(rows),
        uploaded_at=dt.datetime(2025, 10, 5, tzinfo=dt.UTC),
    )
    assert result.status == "ok", result.errors
    assert {(v.indicator, v.value) for v in result.values} == {
        ("P1.01-I2", 81.5),
        ("P1.01-I1", 12.0),
    }
    percent = [w for w in result.warnings if w.code == "percent_cell"]
    assert [(w.sheet, w.row, w.column) for w in percent] == [("Dades", 2, "C")]
    assert percent[0].message == (
        "La cel·la té format de percentatge: 0,815 s'ha llegit com a 81,5 %."
    )
    assert not any(w.code == "percent_as_fraction" for w in result.warnings)


@pytest.mark.parametrize(("ext", "build"), FORMATS)
def test_a_percent_cell_of_another_unit_is_refused(
    ext: str, build: Builder, engine: Engine, small_plan: Plan
) -> None:
    rows: list[list[Any]] = [HEADER, ["P1.01-I1", "2025-T3", Pct(0.5, "0%")]]
    result = _import(engine, small_plan, f"SAD_T3.{ext}", build(rows), dry_run=True)
    assert result.status == "rejected"
    assert [(e.code, e.row, e.column) for e in result.errors] == [("percent_cell_unit", 2, "C")]
    assert "mostra 50 %" in result.errors[0].message
    assert "«P1.01-I1» es mesura en hores" in result.errors[0].message


def test_a_fraction_without_the_format_is_warned_of_in_catalan_numbers(
    engine: Engine, small_plan: Plan
) -> None:
    rows: list[list[Any]] = [HEADER, ["P1.01-I2", "2025-T3", 0.815]]
    result = _import(engine, small_plan, "SAD_T3.xlsx", xlsx_bytes(rows), dry_run=True)
    assert [w.code for w in result.warnings if w.code != "analysis_required"] == [
        "percent_as_fraction"
    ]
    assert result.warnings[0].message == (
        "«P1.01-I2» és un percentatge i la cel·la conté 0,815: si vol dir 81,5 %, escriviu 81,5."
    )


@pytest.mark.parametrize(("ext", "build"), FORMATS)
def test_a_percent_cell_of_a_milestone_is_the_stage_of_that_percentage(
    ext: str, build: Builder, engine: Engine, small_plan: Plan
) -> None:
    stage = next(s for s in small_plan.stages if s.pct is not None and 0 < s.pct < 100)
    assert stage.pct is not None
    rows: list[list[Any]] = [HEADER, ["P1.02-I1", "2025-T3", Pct(stage.pct / 100, "0%")]]
    result = _import(engine, small_plan, f"SAD_T3.{ext}", build(rows), dry_run=True)
    assert result.status == "ok", result.errors
    assert [(v.indicator, v.value) for v in result.values] == [("P1.02-I1", stage.key)]
