"""The final evaluation as a workbook: a summary sheet, a sheet per level of the plan (levers,
axes, objectives, indicators), the path quarter by quarter, the completeness of reporting, the
milestones, the analyses and the evidence.

Every sheet opens with the «provisional» (or «definitiva») line and prints it in its header.
Numbers are numbers (shares formatted as percentages); statuses are icon and label; user text
(names, analyses, titles, file names) is written as text cells, never a live formula
(:func:`indicators.intake.sheet_text.as_text_cell`).
"""

from __future__ import annotations

import io
from typing import Any

from i18n import translator
from indicators.intake.sheet_text import as_text_cell
from indicators.reporting.board_model import StatusBadge
from indicators.reporting.evaluation.common import NUMBER, PERCENT, Grid, Value
from indicators.reporting.evaluation.sections import axes_grid
from indicators.reporting.evaluation.view import EvaluationView

HEADER_ROW = 4  # the mark, its explanation and a blank row come first
SHEET_NAME_LENGTH = 31
_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def _sheet_name(text: str, used: set[str]) -> str:
    name = text.translate(_FORBIDDEN).strip()[:SHEET_NAME_LENGTH] or "Full"
    base, n = name, 2
    while name.lower() in used:
        suffix = f" {n}"
        name, n = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _mark_rows(ws: Any, view: EvaluationView, heading: str) -> int:
    """The sheet's first rows: its heading with the mark, the mark explained; the next free
    row (one left blank) is returned."""
    from openpyxl.styles import Font

    ws.cell(1, 1, f"{heading} · {view.mark}").font = Font(bold=True, size=13, color="0B2545")
    colour = "B00020" if view.evaluation.provisional else "0B2545"
    ws.cell(2, 1, view.mark_line).font = Font(bold=True, color=colour)
    ws.oddHeader.center.text = f"{view.mark} · {view.title}"
    ws.oddFooter.center.text = view.footer
    return HEADER_ROW


def _value(value: Value) -> object:
    if isinstance(value, StatusBadge):
        return value.text
    return value


def _grid_rows(ws: Any, grid: Grid, row: int) -> int:
    """The grid's header at ``row`` and its rows below, typed, text never a formula; the
    next free row is returned."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    for col, name in enumerate(grid.columns, start=1):
        cell = ws.cell(row, col, name)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0B2545")
    for values in grid.rows:
        row += 1
        for col, (value, kind) in enumerate(zip(values, grid.kinds, strict=True), start=1):
            cell = ws.cell(row, col, _value(value))
            as_text_cell(cell)
            if kind == PERCENT:
                cell.number_format = "0%"
            elif kind == NUMBER:
                cell.number_format = "#,##0"
    if not grid.rows and grid.empty_text:
        row += 1
        ws.cell(row, 1, grid.empty_text)
    for i, weight in enumerate(grid.widths or [1.0] * len(grid.columns), start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(
            ws.column_dimensions[letter].width or 0, 9 * weight
        )
    return row + 1


def _grid_sheet(wb: Any, name: str, grid: Grid, view: EvaluationView, used: set[str]) -> None:
    ws = wb.create_sheet(_sheet_name(name, used))
    _grid_rows(ws, grid, _mark_rows(ws, view, grid.name))
    ws.freeze_panes = f"A{HEADER_ROW + 1}"


def _summary_sheet(ws: Any, view: EvaluationView) -> None:
    from openpyxl.styles import Font

    row = _mark_rows(ws, view, view.title) - 1
    ws.cell(row, 1, view.subtitle)
    for metric in view.metrics:
        row += 1
        status = metric.status.text if metric.status is not None else ""
        for col, value in enumerate((metric.label, metric.value, status), start=1):
            ws.cell(row, col, value)
    ws.cell(row + 1, 1, view.method_note)
    row += 3
    for grid in (view.distribution, view.levers, view.most_late):
        ws.cell(row, 1, grid.name).font = Font(bold=True, color="0B2545")
        row = _grid_rows(ws, grid, row + 1) + 1
    for cells in ws.iter_rows():
        for cell in cells:
            as_text_cell(cell)


def _indicators(view: EvaluationView) -> Grid:
    sections = view.sections
    first = sections[0].indicators if sections else None
    if first is None:
        return Grid("", [], [])
    rows = [row for s in sections for row in s.indicators.rows]
    return Grid(first.name, first.columns, first.kinds, rows, first.widths, first.empty_text)


def write_xlsx(view: EvaluationView) -> bytes:
    """The workbook's bytes."""
    from openpyxl import Workbook

    wb = Workbook()
    used: set[str] = set()
    ws = wb.active
    assert ws is not None
    ws.title = _sheet_name(translator(view.lang)("Summary"), used)
    _summary_sheet(ws, view)
    t = translator(view.lang)
    for sheet, grid in (
        ("Levers", view.levers),
        ("Axes", axes_grid(view.evaluation, view.lang)),
        ("Objectives", view.objectives),
        ("Indicators", _indicators(view)),
        ("Path", view.path),
        ("Completeness", view.completeness),
        ("Milestones", view.milestones),
        ("Analyses", view.analyses),
        ("Evidence", view.evidence),
    ):
        _grid_sheet(wb, t(sheet), grid, view, used)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
