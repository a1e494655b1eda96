"""The quarterly workbook a technician fills (``seguiment template``, the web download).

One workbook per service and quarter, written with openpyxl:

- ``Instruccions``: what to fill, the formats accepted, the deadline and whom to ask;
- ``Dades``: a merged title row, then the header row (Codi, Indicador, Unitat, Període,
  Últim valor, Meta <any>, Valor, Comentari) and one row per indicator of the service.
  Only the Valor and Comentari cells are unlocked (sheet protection without password, so a
  technician who really needs to can lift it from the Review menu); Valor carries a data
  validation: a number within the indicator's bounds or the clearing marker (``esborrar``), or
  a drop-down of the stage names (and the marker) for milestones;
- breakdowns (issue 14): an indicator broken down by dimensions gets one row per cell of its
  breakdown the service reports (``plan_model.breakdowns.rows_reported_by``), with a column per
  dimension (the plan's Catalan names: ``ABSS``, ``Municipi``, ``Sexe``, ``Grup d'edat``) after
  Període, holding the member's name, with a drop-down of the members (from the very hidden
  ``_membres`` sheet); a ratio's rows have Numerador and Denominador columns before Valor.
  Without breakdowns the sheet is as it always was;
- ``_meta`` (very hidden): key/value rows ``service``, ``period``, ``template_version``,
  ``generated_at`` (and ``plan``, ``lang``) so the import knows what the file is for.

The texts follow the requested language (Catalan by default); headers are words the import
recognises in every language.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from i18n import format_date, format_number, translator
from indicators.intake.cells import CLEAR_MARKERS, clear_marker
from plan_model.breakdowns import ReportedRow, rows_reported_by
from plan_model.models import Indicator, Plan
from plan_model.periods import Period
from settings import Settings, get_settings

TEMPLATE_VERSION = "1"
META_SHEET = "_meta"
NUMBER_FORMAT = "#,##0.0"
TITLE_ROW = 1
HEADER_ROW = 2
FIRST_DATA_ROW = 3

# column keys in order; the header text is translated
COLUMNS: list[tuple[str, str, float]] = [
    # key, msgid, width
    ("code", "Code", 12),
    ("name", "Indicator", 60),
    ("unit", "Unit", 14),
    ("period", "Period", 11),
    ("last", "Last value", 16),
    ("target", "Target {year}", 16),
    ("value", "Value", 16),
    ("comment", "Comment", 50),
]
COLUMN_LETTER = {key: get_column_letter(i) for i, (key, _m, _w) in enumerate(COLUMNS, start=1)}
MEMBERS_SHEET = "_membres"  # very hidden: the members of each dimension, for the drop-downs
DIMENSION_PREFIX = "dim:"  # column key of a dimension column: "dim:abss"


def data_columns(plan: Plan, rows: list[ReportedRow]) -> list[tuple[str, str, float]]:
    """The data sheet's columns for these rows: :data:`COLUMNS`, with a column per dimension
    the rows carry after Període and, for a ratio's rows, Numerador and Denominador before
    Valor (the header of a dimension column is the plan's name of it, not a msgid)."""
    used = {d for row in rows for d in row.cell}
    dimensions = [
        (f"{DIMENSION_PREFIX}{d.code}", d.name, 22.0) for d in plan.dimensions if d.code in used
    ]
    ratio = any(row.cell and row.indicator.ratio is not None for row in rows)
    counts = [("numerator", "Numerator", 14.0), ("denominator", "Denominator", 14.0)]
    columns: list[tuple[str, str, float]] = []
    for column in COLUMNS:
        if column[0] == "value" and ratio:
            columns.extend(counts)
        columns.append(column)
        if column[0] == "period":
            columns.extend(dimensions)
    return columns


_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


class TemplateError(ValueError):
    """The template cannot be built (unknown service, malformed or out-of-plan period)."""


@dataclass(frozen=True)
class TemplateRequest:
    """A checked request for a template: a service of the plan and a quarter inside it."""

    service: str
    period: Period


def check_request(
    plan: Plan, service: str, period: str | Period, lang: str = "ca"
) -> TemplateRequest:
    """Validate the service and period; raise :class:`TemplateError` with a translated message."""
    _ = translator(lang)
    if service not in plan.service_by_code:
        known = ", ".join(s.code for s in plan.services)
        raise TemplateError(
            _("Unknown service {service}. Known services: {known}.", service=service, known=known)
        )
    parsed = Period.try_parse(period)
    if parsed is None:
        raise TemplateError(_("Malformed period {period}: write it as 2025-T4.", period=period))
    if not plan.first_period <= parsed <= plan.last_period:
        raise TemplateError(
            _(
                "The period {period} is outside the plan ({first} to {last}).",
                period=str(parsed),
                first=str(plan.first_period),
                last=str(plan.last_period),
            )
        )
    return TemplateRequest(service, parsed)


def stage_names(plan: Plan, lang: str = "ca") -> list[str]:
    """The stage names a milestone cell accepts, in the template's language."""
    attr = {"es": "name_es", "en": "name_en"}.get(lang, "name")
    return [getattr(stage, attr) for stage in plan.stages]


def _stage_label(plan: Plan, key: str, lang: str) -> str:
    stage = plan.stage_by_key.get(key)
    if stage is None:
        return key
    return str(getattr(stage, {"es": "name_es", "en": "name_en"}.get(lang, "name")))


def _target(indicator: Indicator, year: int) -> float | str | None:
    if indicator.is_milestone:
        return indicator.planned_completion
    if indicator.targets and year in indicator.targets:
        return indicator.targets[year]
    return None


def _validation_for(indicator: Indicator, plan: Plan, lang: str, cell: str) -> DataValidation:
    """The value cells' validation for ``indicator``: a drop-down of the stages (and the
    clearing marker) for a milestone; for a number, a custom formula on ``cell`` (the first
    cell it covers, the others relative to it) that accepts a number within the bounds or a
    clearing marker (``esborrar``, ``borrar``, ``clear``: a decimal validation refuses them)."""
    _ = translator(lang)
    marker = clear_marker(lang)
    if indicator.is_milestone:
        names = [*stage_names(plan, lang), marker]
        dv = DataValidation(
            type="list",
            formula1='"' + ",".join(names) + '"',
            allow_blank=True,
            showErrorMessage=True,
            showInputMessage=True,
        )
        dv.errorTitle = _("Stage not recognised")
        dv.error = _(
            "Choose one of the stages of the list, or «{marker}» to clear the value already sent.",
            marker=marker,
        )
        dv.promptTitle = _("Stage")
        dv.prompt = _("Choose the stage the milestone has reached.")
        return dv
    condition, rule = _number_rule(indicator, cell, lang)
    dv = DataValidation(
        type="custom",
        formula1=f"OR({condition},{_clear_condition(cell)})",
        allow_blank=True,
        showErrorMessage=True,  # refuse anything else as it is typed, saying why
        showInputMessage=True,
    )
    dv.errorTitle = _("Value not accepted")
    dv.error = _(
        "Write {rule}, or «{marker}» to clear the value already sent.", rule=rule, marker=marker
    )
    dv.promptTitle = _("Value")
    dv.prompt = dv.error
    return dv


def _number_rule(indicator: Indicator, cell: str, lang: str) -> tuple[str, str]:
    """The formula that a number within the indicator's bounds in ``cell`` satisfies, and the
    rule in words."""
    _ = translator(lang)
    bounds = indicator.bounds
    low = bounds.min if bounds else None
    high = bounds.max if bounds else None
    tests = [f"ISNUMBER({cell})"]
    if low is not None:
        tests.append(f"{cell}>={_num(low)}")
    if high is not None:
        tests.append(f"{cell}<={_num(high)}")
    if indicator.integer:
        tests.append(f"INT({cell})={cell}")
    if low is not None and high is not None:
        rule = _(
            "a number between {low} and {high}",
            low=format_number(low, lang),
            high=format_number(high, lang),
        )
    elif low is not None:
        rule = _("a number of at least {low}", low=format_number(low, lang))
    elif high is not None:
        rule = _("a number of at most {high}", high=format_number(high, lang))
    else:
        rule = _("a number")
    if indicator.integer:
        rule = _("{rule}, whole", rule=rule)
    condition = tests[0] if len(tests) == 1 else f"AND({','.join(tests)})"
    return condition, rule


def _clear_condition(cell: str) -> str:
    """The formula tests that ``cell`` holds a clearing marker (any of them, in any case)."""
    return ",".join(f'LOWER(TRIM({cell}))="{marker}"' for marker in sorted(CLEAR_MARKERS))


def _num(value: float) -> str:
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def build_template(
    plan: Plan,
    service: str,
    period: str | Period,
    *,
    last_values: Mapping[str, float | str | None] | None = None,
    settings: Settings | None = None,
    lang: str = "ca",
    generated_at: dt.datetime | None = None,
    filled: Mapping[str, tuple[float | str | None, str | None]] | None = None,
    filled_members: Mapping[tuple[str, str], tuple[float | None, str | None]] | None = None,
) -> bytes:
    """The template workbook as ``.xlsx`` bytes.

    ``last_values`` maps indicator codes to the service's last stored value before the period
    (a number, or a stage key for milestones); missing ones are left blank. ``filled`` (demo
    data, tests) maps indicator codes to ``(value, comment)`` already written in the Valor and
    Comentari cells, as a technician would (a stage key is written as the stage's name);
    ``filled_members`` the same for the rows of breakdown members, by (code, member key).
    """
    request = check_request(plan, service, period, lang)
    settings = settings or get_settings()
    generated_at = generated_at or dt.datetime.now(dt.UTC)
    last_values = last_values or {}
    _ = translator(lang)
    svc = plan.service_by_code[request.service]
    rows = rows_reported_by(plan, request.service)
    year = request.period.year
    deadline = request.period.deadline(settings.submission_deadline_days)

    wb = Workbook()
    info = wb.active
    assert info is not None
    info.title = _("Instructions")[:31]
    data = wb.create_sheet(_("Data")[:31])
    meta = wb.create_sheet(META_SHEET)

    _write_instructions(info, plan, svc.name, request, deadline, settings, lang, len(rows))
    columns = data_columns(plan, rows)
    _write_data(
        data,
        plan,
        svc.name,
        request,
        _Rows(rows, columns, last_values, filled or {}, filled_members or {}),
        lang,
        year,
    )
    if any(key.startswith(DIMENSION_PREFIX) for key, _m, _w in columns):
        _write_members_sheet(wb, plan, data, rows, columns)

    for key, value in (
        ("service", request.service),
        ("period", str(request.period)),
        ("template_version", TEMPLATE_VERSION),
        ("generated_at", generated_at.astimezone(dt.UTC).isoformat(timespec="seconds")),
        ("plan", plan.info.id),
        ("lang", lang),
    ):
        meta.append([key, value])
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True

    wb.active = 1  # open on the data sheet
    info.sheet_view.tabSelected = False
    data.sheet_view.tabSelected = True
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_template(
    path: str | Path, plan: Plan, service: str, period: str | Period, **kwargs: object
) -> Path:
    """Write the template to ``path`` (see :func:`build_template` for the keywords)."""
    content = build_template(plan, service, period, **kwargs)  # type: ignore[arg-type]
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return target


def template_filename(service: str, period: str | Period) -> str:
    """The download name of a template: ``plantilla_SAD_2025-T3.xlsx``."""
    return f"plantilla_{service}_{Period.parse(period)}.xlsx"


Lines = list[tuple[str, bool]]  # (text, bold) of each line of the instructions sheet


def _write_instructions(
    ws: Worksheet,
    plan: Plan,
    service_name: str,
    request: TemplateRequest,
    deadline: dt.date,
    settings: Settings,
    lang: str,
    count: int,
) -> None:
    """The instructions sheet: what the file is for, what to fill, the formats, how to send."""
    ws.column_dimensions["A"].width = 110
    lines = [
        *_heading_lines(plan, service_name, request, deadline, settings, lang),
        ("", False),
        *_filling_lines(count, lang),
        ("", False),
        *_format_lines(plan, lang),
        ("", False),
        *_sending_lines(settings, lang),
    ]
    _write_lines(ws, lines)
    ws.protection.sheet = True


def _heading_lines(
    plan: Plan,
    service_name: str,
    request: TemplateRequest,
    deadline: dt.date,
    settings: Settings,
    lang: str,
) -> Lines:
    """The title, the service, the quarter and its deadline."""
    _ = translator(lang)
    period = _(
        "Period: {period} ({start} – {end})",
        period=str(request.period),
        start=format_date(request.period.start, lang, "long"),
        end=format_date(request.period.end, lang, "long"),
    )
    due = _(
        "Deadline: {date}, until 23:59 Madrid time ({days} natural days after the end of the "
        "quarter: Saturdays, Sundays and holidays included)",
        date=format_date(deadline, lang, "long"),
        days=settings.submission_deadline_days,
    )
    return [
        (_("{plan}: quarterly indicator values", plan=plan.info.name), True),
        (_("Service: {service} ({code})", service=service_name, code=request.service), False),
        (period, False),
        (due, False),
    ]


def _filling_lines(count: int, lang: str) -> Lines:
    """What to fill, step by step, and the sheets' protection."""
    _ = translator(lang)
    steps = [
        _(
            '1. Open the sheet "{sheet}": one row per indicator of your service ({count}).',
            sheet=_("Data"),
            count=count,
        ),
        _(
            '2. Write this quarter\'s value of each indicator in the yellow column "{column}". '
            "Leave it empty if you have no data.",
            column=_("Value"),
        ),
        _(
            '3. Explain anything unusual (a big change, an estimate, a delay) in "{column}".',
            column=_("Comment"),
        ),
        _(
            "4. Do not change the codes, the other columns or the hidden sheets: the file is "
            "identified by them."
        ),
        _(
            "The sheets are protected without a password so that only the yellow cells change; "
            "if you really need to, lift it from Review > Unprotect Sheet."
        ),
    ]
    return [(_("What to fill"), True), *((step, False) for step in steps)]


def _format_lines(plan: Plan, lang: str) -> Lines:
    """The formats accepted, and how to clear a value already sent."""
    _ = translator(lang)
    rules = [
        _("Numbers as you write them in Catalan: 1.234,5 or 1234,5; percentages as 45 or 45 %."),
        _(
            "A blank Value cell changes nothing: the value already sent stays in force. To clear "
            "a value, write «{marker}» in its cell (for a milestone, choose it from the list).",
            marker=clear_marker(lang),
        ),
        _(
            "Flows (e.g. persons attended) are the quarter's figure, not the year's total; stocks "
            "and ratios are the value at the end of the quarter."
        ),
        _(
            "Milestones: choose the stage from the drop-down list ({stages}).",
            stages=", ".join(stage_names(plan, lang)),
        ),
        _(
            "Values outside the indicator's bounds are refused; the file is then rejected as a "
            "whole, with a list of every error, and nothing is stored."
        ),
        _(
            "You may also send .xlsx, .xls, .ods or .csv files made by hand, with one column per "
            "quarter or a period column."
        ),
    ]
    if any(i.breakdowns for i in plan.indicators):
        rules.append(
            _(
                "Indicators broken down (by ABSS, municipality, sex or age group) have one row "
                "per member: write each member's value in its own row. For a percentage, write "
                "its numerator and denominator: the total is the ratio of the sums."
            )
        )
    return [(_("Formats accepted"), True), *((rule, False) for rule in rules)]


def _sending_lines(settings: Settings, lang: str) -> Lines:
    """How to send the file, and whom to ask."""
    _ = translator(lang)
    return [
        (_("How to send it"), True),
        (
            _(
                'Upload the file on the page "Send data" of the dashboard, or send it to {contact}. '
                "Sending it again replaces the earlier file; history is kept.",
                contact=settings.support_contact,
            ),
            False,
        ),
        (_("Questions: {contact}", contact=settings.support_contact), False),
    ]


def _write_lines(ws: Worksheet, lines: Lines) -> None:
    """One line per row of column A: the first as the title, bold ones as headings."""
    styles: dict[bool, StyleArray] = {}
    for row, (text, bold) in enumerate(lines, start=1):
        cell = ws.cell(row=row, column=1, value=text)
        if row == 1:
            cell.font = Font(bold=True, size=14)
        elif bold in styles:
            cell._style = copy(styles[bold])  # type: ignore[attr-defined]
            continue
        elif bold:
            cell.font = Font(bold=True, size=12)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if row > 1:
            styles[bold] = copy(cell._style)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Rows:
    """The data rows of a template, its columns and what is already written in them."""

    rows: list[ReportedRow]
    columns: list[tuple[str, str, float]]
    last_values: Mapping[str, float | str | None]
    filled: Mapping[str, tuple[float | str | None, str | None]]
    filled_members: Mapping[tuple[str, str], tuple[float | None, str | None]]

    def letter(self, key: str) -> str:
        """The spreadsheet letter of the column ``key``."""
        keys = [k for k, _m, _w in self.columns]
        return get_column_letter(keys.index(key) + 1)


def _write_data(
    ws: Worksheet,
    plan: Plan,
    service_name: str,
    request: TemplateRequest,
    data: _Rows,
    lang: str,
    year: int,
) -> None:
    """The data sheet: title, header, one row per indicator (and member), drop-downs and
    protection."""
    _write_data_header(ws, service_name, request, lang, year, data.columns)
    styles: dict[tuple[str, bool], StyleArray] = {}
    for row, reported in enumerate(data.rows, start=FIRST_DATA_ROW):
        values = _row_cells(plan, request, reported, data, lang, year)
        milestone = reported.indicator.is_milestone
        for col, (key, _m, _w) in enumerate(data.columns, start=1):
            cell = ws.cell(row=row, column=col, value=values.get(key))
            _style_data_cell(cell, key, milestone, styles)
    _add_value_validations(ws, plan, data, lang)
    _protect_data_sheet(ws, len(data.rows), len(data.columns))


def _write_data_header(
    ws: Worksheet,
    service_name: str,
    request: TemplateRequest,
    lang: str,
    year: int,
    columns: list[tuple[str, str, float]],
) -> None:
    _ = translator(lang)
    last_col = get_column_letter(len(columns))
    title = _(
        "{service}: indicator values of {period}", service=service_name, period=str(request.period)
    )
    ws.cell(row=TITLE_ROW, column=1, value=title).font = Font(bold=True, size=14)
    ws.merge_cells(f"A{TITLE_ROW}:{last_col}{TITLE_ROW}")
    ws.row_dimensions[TITLE_ROW].height = 24
    for col, (key, msgid, width) in enumerate(columns, start=1):
        if key.startswith(DIMENSION_PREFIX):
            text = msgid  # the plan's (Catalan) name of the dimension: the import reads it
        else:
            text = _(msgid, year=year) if "{year}" in msgid else _(msgid)
        cell = ws.cell(row=HEADER_ROW, column=col, value=text)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BORDER
        ws.column_dimensions[get_column_letter(col)].width = width


def _row_cells(
    plan: Plan,
    request: TemplateRequest,
    reported: ReportedRow,
    data: _Rows,
    lang: str,
    year: int,
) -> dict[str, str | float | None]:
    """The cells of a row, by column key (stage keys shown as stage names, members by name)."""
    indicator = reported.indicator
    if reported.cell:
        last: float | str | None = None  # the members' last values are not looked up
        member_value, comment = data.filled_members.get(
            (indicator.code, reported.key), (None, None)
        )
        value: float | str | None = member_value
    else:
        last = data.last_values.get(indicator.code)
        value, comment = data.filled.get(indicator.code, (None, None))
    if indicator.is_milestone:
        last = _stage_label(plan, last, lang) if isinstance(last, str) else last
        value = _stage_label(plan, value, lang) if isinstance(value, str) else value
    unit = indicator.unit if not indicator.is_milestone else translator(lang)("stage")
    cells: dict[str, str | float | None] = {
        "code": indicator.code,
        "name": indicator.name,
        "unit": unit,
        "period": str(request.period),
        "last": last,
        "target": _target(indicator, year),
        "value": value,
        "comment": comment,
    }
    for dimension, code in reported.cell.items():
        member = plan.dimension_by_code[dimension].member_by_code.get(code)
        cells[f"{DIMENSION_PREFIX}{dimension}"] = member.name if member else code
    return cells


def _style_data_cell(
    cell: Cell, key: str, milestone: bool, styles: dict[tuple[str, bool], StyleArray]
) -> None:
    style_key = (key, milestone)
    cached = styles.get(style_key)
    if cached is not None:  # styling each cell anew costs openpyxl a lot of hashing
        cell._style = copy(cached)  # type: ignore[attr-defined]
        return
    cell.border = _BORDER
    cell.alignment = Alignment(vertical="top", wrap_text=key in ("name", "comment"))
    if key in ("last", "target", "value", "numerator", "denominator") and not milestone:
        cell.number_format = NUMBER_FORMAT
    if key in ("value", "comment", "numerator", "denominator"):
        cell.protection = Protection(locked=False)
        cell.fill = _INPUT_FILL
    elif key.startswith(DIMENSION_PREFIX):
        cell.protection = Protection(locked=False)  # its drop-down lists the members
    styles[style_key] = copy(cell._style)  # type: ignore[attr-defined]


def _add_value_validations(ws: Worksheet, plan: Plan, data: _Rows, lang: str) -> None:
    """One data validation per distinct rule (a stage list, a range), covering all its cells;
    its formula refers to the first of them (the top one: the others are relative to it)."""
    value_col = data.letter("value")
    groups: dict[str, list[tuple[int, Indicator]]] = {}
    for row, reported in enumerate(data.rows, start=FIRST_DATA_ROW):
        indicator = reported.indicator
        key = "milestone" if indicator.is_milestone else _bounds_key(indicator)
        groups.setdefault(key, []).append((row, indicator))
    for rows in groups.values():
        top, indicator = rows[0]
        dv = _validation_for(indicator, plan, lang, f"{value_col}{top}")
        for row, _indicator in rows:
            dv.add(f"{value_col}{row}")
        ws.add_data_validation(dv)


def _write_members_sheet(
    wb: Workbook,
    plan: Plan,
    data_sheet: Worksheet,
    rows: list[ReportedRow],
    columns: list[tuple[str, str, float]],
) -> None:
    """The very hidden sheet of the members of each dimension (a column each), and a
    drop-down on each dimension column of the data sheet that lists them."""
    sheet = wb.create_sheet(MEMBERS_SHEET)
    keys = [k for k, _m, _w in columns]
    for index, key in enumerate(k for k in keys if k.startswith(DIMENSION_PREFIX)):
        dimension = plan.dimension_by_code[key.removeprefix(DIMENSION_PREFIX)]
        list_col = get_column_letter(index + 1)
        sheet.cell(row=1, column=index + 1, value=dimension.name)
        for n, member in enumerate(dimension.members, start=2):
            sheet.cell(row=n, column=index + 1, value=member.name)
        last = len(dimension.members) + 1
        dv = DataValidation(
            type="list",
            formula1=f"'{MEMBERS_SHEET}'!${list_col}$2:${list_col}${last}",
            allow_blank=True,
            showErrorMessage=True,
        )
        data_col = get_column_letter(keys.index(key) + 1)
        dv.add(f"{data_col}{FIRST_DATA_ROW}:{data_col}{FIRST_DATA_ROW + max(len(rows), 1) - 1}")
        data_sheet.add_data_validation(dv)
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True


def _protect_data_sheet(ws: Worksheet, count: int, width: int = len(COLUMNS)) -> None:
    """Frozen codes, a filter, protection (filters and widths allowed) and landscape print."""
    last_col = get_column_letter(width)
    ws.freeze_panes = f"C{FIRST_DATA_ROW}"
    if count:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{HEADER_ROW + count}"
    ws.protection.sheet = True
    ws.protection.autoFilter = False  # filtering stays allowed
    ws.protection.formatColumns = False  # and widening columns
    ws.protection.formatRows = False
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1


def _bounds_key(indicator: Indicator) -> str:
    b = indicator.bounds
    return f"num:{b.min if b else None}:{b.max if b else None}"


def template_sheet_names(lang: str = "ca") -> tuple[str, str]:
    """(instructions, data) sheet names in ``lang``."""
    _ = translator(lang)
    return _("Instructions")[:31], _("Data")[:31]


def last_values_from_frame(
    frame: object, service: str, period: str | Period
) -> dict[str, float | str | None]:
    """The service's last value per indicator before ``period``, from a ``values_frame``."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame) or frame.empty:
        return {}
    before = Period.parse(period)
    df = frame[frame["service"] == service]
    if df.empty:
        return {}
    index = df["period"].map(lambda p: Period.parse(p).index)
    df = df.assign(_idx=index)
    df = df[df["_idx"] < before.index].sort_values("_idx")
    result: dict[str, float | str | None] = {}
    for record in df.itertuples(index=False):
        stage = getattr(record, "stage", None)
        value = getattr(record, "value", None)
        if isinstance(stage, str) and stage:
            result[str(record.indicator)] = stage
        elif value is not None and not pd.isna(value):
            result[str(record.indicator)] = float(value)
    return result
