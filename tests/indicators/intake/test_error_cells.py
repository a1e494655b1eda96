"""A value cell showing a spreadsheet error is an error of its row, in every workbook format.

python-calamine reads an error cell as an empty string (``.xlsx``, ``.xls``) or as its cached
number, 0 (``.ods``): with "a blank changes nothing", the earlier value would stay without a
word, and an ``.ods`` would store 0. The reader carries the cell's kind instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from sqlalchemy import Engine

from indicators.intake.cells import is_error_cell
from indicators.intake.extent_cells import ErrorCell, cell_kinds
from indicators.intake.importer import import_file
from indicators.intake.reader import read_workbook
from plan_model.models import Plan
from settings import Settings
from tests.helpers.intake_plan import TODAY
from tests.helpers.kind_sheets import Err, ods_with_kinds, xls_with_kinds, xlsx_with_kinds
from tests.helpers.sheet_builders import csv_bytes

Builder = Callable[[Sequence[Sequence[Any]]], bytes]
FORMATS: list[tuple[str, Builder]] = [
    ("xlsx", xlsx_with_kinds),
    ("xls", xls_with_kinds),
    ("ods", ods_with_kinds),
]
HEADER: list[Any] = ["Codi", "Període", "Valor"]
ERRORS = ["#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"]
CODES = ["P1.01-I1", "P1.01-I2", "P1.02-I2"]


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


@pytest.mark.parametrize(("ext", "build"), FORMATS)
def test_the_reader_carries_each_error_cell(ext: str, build: Builder) -> None:
    rows: list[list[Any]] = [HEADER]
    rows += [[f"X{i}", "2025-T3", Err(text)] for i, text in enumerate(ERRORS)]
    rows.append(["Y", "2025-T3", Err("#DIV/0!", formula=True)])
    (sheet,) = read_workbook(build(rows), Settings())
    values = [row[2] for row in sheet.rows[1:]]
    assert values == [*ERRORS, "#DIV/0!"]
    assert all(isinstance(value, ErrorCell) and is_error_cell(value) for value in values)


@pytest.mark.parametrize(("ext", "build"), FORMATS)
def test_an_error_cell_is_an_error_of_its_row(
    ext: str, build: Builder, engine: Engine, small_plan: Plan
) -> None:
    rows: list[list[Any]] = [HEADER, ["P1.01-I1", "2025-T3", 12]]
    rows += [["P1.01-I2", "2025-T3", Err("#DIV/0!", formula=True)]]
    rows += [["P1.02-I2", "2025-T3", Err("#N/A")]]
    result = _import(engine, small_plan, f"SAD_T3.{ext}", build(rows), dry_run=True)
    assert result.status == "rejected"
    assert [(e.code, e.sheet, e.row, e.column, e.value) for e in result.errors] == [
        ("error_cell", "Dades", 3, "C", "#DIV/0!"),
        ("error_cell", "Dades", 4, "C", "#N/A"),
    ]
    assert result.errors[0].describe("ca") == (
        "Full «Dades», fila 3, columna C: La cel·la mostra l'error de full de càlcul «#DIV/0!», "
        "no una xifra: corregiu la fórmula o escriviu el valor."
    )
    assert not any(w.code == "empty_value" for w in result.warnings)


@pytest.mark.parametrize(("ext", "build"), FORMATS)
def test_an_error_cell_never_keeps_the_earlier_value_unsaid(
    ext: str, build: Builder, engine: Engine, small_plan: Plan
) -> None:
    first: list[list[Any]] = [HEADER, *([code, "2025-T3", 40] for code in CODES)]
    stored = _import(
        engine,
        small_plan,
        "SAD_T3.csv",
        csv_bytes(first),
        uploaded_at=dt.datetime(2025, 10, 5, tzinfo=dt.UTC),
    )
    assert stored.status == "ok", stored.errors
    again: list[list[Any]] = [
        HEADER,
        ["P1.01-I1", "2025-T3", 41],
        ["P1.01-I2", "2025-T3", Err("#REF!")],
    ]
    again.append(["P1.02-I2", "2025-T3", 42])
    result = _import(
        engine,
        small_plan,
        f"SAD_T3.{ext}",
        build(again),
        uploaded_at=dt.datetime(2025, 10, 6, tzinfo=dt.UTC),
    )
    assert result.status == "rejected"
    assert [(e.code, e.row, e.value) for e in result.errors] == [("error_cell", 3, "#REF!")]


def test_the_kinds_of_a_file_without_errors_or_percentages_are_none() -> None:
    rows: list[list[Any]] = [
        HEADER,
        ["P1.01-I1", "2025-T3", 12],
        ["P1.01-I2", "2025-T3", "#DIV/0! no"],
    ]
    for _ext, build in FORMATS:
        assert all(not kinds for kinds in cell_kinds(build(rows)).values())
    assert cell_kinds(csv_bytes(rows)) == {}


def test_the_reading_child_imports_no_module_of_the_app() -> None:
    """The child finds the cells' kinds with standard-library modules of the intake only."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    script = (
        f"import sys; sys.path.append({str(root)!r}); "
        "import indicators.intake.extent_cells; "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'indicators', 'plan_model', 'i18n', 'settings', 'accounts', 'web', 'pydantic'})))"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == [
        "indicators",
        "indicators.intake",
        "indicators.intake.extent",
        "indicators.intake.extent_cells",
        "indicators.intake.xls_extent",
    ]
