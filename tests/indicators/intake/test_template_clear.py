"""The template lets a technician type the clearing marker, and its instructions say how.

A decimal data validation refuses ``esborrar`` in a value cell (so a value could never be
cleared from the template): the value cells carry a custom formula that accepts a number
within the bounds or any clearing marker, and the milestones' drop-down offers the marker.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from indicators.demo.synthetic import synthetic_plan
from indicators.intake.cells import CLEAR_MARKERS, is_clear_marker
from indicators.intake.template import FIRST_DATA_ROW, build_template
from plan_model.models import Plan


@pytest.fixture(scope="module")
def mixed_plan(plan: Plan) -> Plan:
    """Numeric indicators with every kind of bounds, and milestones, for one service."""
    return synthetic_plan(plan, "SIS", numeric=6, milestones=3)


def _data_sheet(plan: Plan, lang: str = "ca") -> Worksheet:
    wb = load_workbook(io.BytesIO(build_template(plan, "SIS", "2025-T4", lang=lang)))
    return wb.worksheets[1]


def _by_row(ws: Worksheet) -> dict[int, tuple[DataValidation, int]]:
    """Each validated row of column G: its validation, and the top row the formula names."""
    found: dict[int, tuple[DataValidation, int]] = {}
    for dv in ws.data_validations.dataValidation:
        ranges = list(dv.sqref.ranges)
        top = min(r.min_row for r in ranges)
        for cell_range in ranges:
            assert cell_range.min_col == cell_range.max_col == 7
            for row in range(cell_range.min_row, cell_range.max_row + 1):
                found[row] = (dv, top)
    return found


def test_number_cells_accept_a_number_within_bounds_or_a_clearing_marker(
    mixed_plan: Plan,
) -> None:
    validated = _by_row(_data_sheet(mixed_plan))
    indicators = mixed_plan.indicators_of_service("SIS")
    numeric = [(r, i) for r, i in enumerate(indicators, start=FIRST_DATA_ROW) if not i.is_milestone]
    assert numeric
    markers = ",".join(f'LOWER(TRIM(G{{top}}))="{m}"' for m in ("borrar", "clear", "esborrar"))
    for row, indicator in numeric:
        dv, top = validated[row]
        assert dv.type == "custom" and dv.allow_blank
        assert indicator.bounds is not None and indicator.bounds.min == 0
        if indicator.bounds.max is not None:
            number = f"AND(ISNUMBER(G{top}),G{top}>=0,G{top}<={indicator.bounds.max:g})"
        else:
            number = f"AND(ISNUMBER(G{top}),G{top}>=0)"
        assert dv.formula1 == f"OR({number},{markers.format(top=top)})"
        assert dv.error is not None and "o «esborrar» per esborrar el valor ja lliurat" in dv.error
        assert dv.showErrorMessage


def test_milestone_cells_offer_the_marker_in_their_list(mixed_plan: Plan) -> None:
    ws = _data_sheet(mixed_plan)
    validated = _by_row(ws)
    indicators = mixed_plan.indicators_of_service("SIS")
    names = [stage.name for stage in mixed_plan.stages]
    rows = [r for r, i in enumerate(indicators, start=FIRST_DATA_ROW) if i.is_milestone]
    assert rows
    for row in rows:
        dv, _top = validated[row]
        assert dv.type == "list" and dv.allow_blank
        assert dv.formula1 == '"' + ",".join([*names, "esborrar"]) + '"'
    assert set(validated) == set(range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(indicators)))


@pytest.mark.parametrize(
    ("lang", "marker"), [("ca", "esborrar"), ("es", "borrar"), ("en", "clear")]
)
def test_the_instructions_say_how_to_clear_a_value(
    mixed_plan: Plan, lang: str, marker: str
) -> None:
    wb = load_workbook(io.BytesIO(build_template(mixed_plan, "SIS", "2025-T4", lang=lang)))
    text = "\n".join(str(c.value) for c in wb.worksheets[0]["A"] if c.value)
    assert f"«{marker}»" in text
    assert is_clear_marker(marker) and marker in CLEAR_MARKERS
    if lang == "ca":
        assert (
            "Una cel·la de Valor en blanc no canvia res: el valor ja lliurat continua vigent. "
            "Per esborrar un valor, escriviu «esborrar» a la seva cel·la"
        ) in text
    milestone_list = next(
        dv.formula1 for dv in wb.worksheets[1].data_validations.dataValidation if dv.type == "list"
    )
    assert milestone_list is not None and milestone_list.endswith(f',{marker}"')
