"""Export every stored value with its provenance and computed status (xlsx or csv), and load
such an export back into a database.

The export is in the import's long format: its ``Codi``, ``Servei``, ``Període``, ``Valor`` and
``Comentari`` columns are headers the import parser recognises (in Catalan, Spanish or
English), milestone stages are written by their Catalan name, numbers as numbers (xlsx) or with
a decimal comma (csv). The other columns (name, unit, status, achievement, submission, file,
sheet, row, who, when) are for analysis and are ignored on import.

``reimport`` loads an export into a database through the real import (``import_file``), one
submission per service and quarter, keeping who uploaded each one and when: an export
re-imported into an empty database reproduces the same values.

Breakdowns (issue 14): the breakdown members in force are rows too, with one column per
dimension the catalog breaks indicators down by (its Catalan name as header, the member's
code in it; blank on a total) and a ratio's ``Numerador`` and ``Denominador``, after the
columns above; the import reads them back, so the round trip stays lossless. A total derived
from members is not a stored value and is not exported (its members are). The export is for
administrators: it never suppresses small counts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from i18n import translator
from indicators.intake.importer import ImportResult, import_file
from indicators.intake.sheet_text import as_text_cell, csv_text, csv_text_back
from indicators.reporting.analyses import analyses_frame
from indicators.storage import queries
from plan_model.models import Plan, Thresholds
from plan_model.periods import Period
from settings import Settings

FORMATS = ("xlsx", "csv")
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}

# (key, English msgid of the header). The first five are the import's own columns.
COLUMNS: list[tuple[str, str]] = [
    ("indicator", "Code"),
    ("service", "Service"),
    ("period", "Period"),
    ("value", "Value"),
    ("comment", "Comment"),
    ("name", "Indicator name"),
    ("objective", "Objective"),
    ("unit", "Unit"),
    ("stage_key", "Stage key"),
    ("status", "Traffic light"),
    ("status_key", "Traffic light key"),
    ("achievement", "Achievement"),
    ("submission_id", "Submission number"),
    ("filename", "File"),
    ("sheet", "Sheet"),
    ("row", "Row"),
    ("uploaded_by", "Uploaded by"),
    ("uploaded_at", "Uploaded at (UTC)"),
]
IMPORT_KEYS = ("indicator", "service", "period", "value", "comment")
DIMENSION_KEY = "dim:"  # the key of a dimension column: "dim:abss"
COUNT_COLUMNS: list[tuple[str, str]] = [("numerator", "Numerator"), ("denominator", "Denominator")]
EXTRA_HEADERS = "extra_headers"  # frame.attrs: key → header of the breakdown columns


def headers(lang: str) -> dict[str, str]:
    t = translator(lang)
    return {key: t(msgid) for key, msgid in COLUMNS}


def breakdown_columns(plan: Plan) -> list[tuple[str, str]]:
    """(key, header) of the export's breakdown columns: a column per dimension some indicator
    is broken down by (or one above it), then a ratio's two counts when some indicator has
    one with breakdowns; none for a catalog without breakdowns."""
    from plan_model.dimensions import is_at_or_above

    dims = plan.dimension_by_code
    used = {
        d.code
        for d in plan.dimensions
        for i in plan.indicators
        for b in i.breakdowns
        if is_at_or_above(dims, b, d.code)
    }
    columns = [(f"{DIMENSION_KEY}{d.code}", d.name) for d in plan.dimensions if d.code in used]
    if any(i.breakdowns and i.ratio is not None for i in plan.indicators):
        columns += COUNT_COLUMNS
    return columns


def _all_headers(frame: pd.DataFrame, lang: str) -> list[tuple[str, str]]:
    """(key, header) of every column of an export frame, breakdown columns last."""
    t = translator(lang)
    extra = frame.attrs.get(EXTRA_HEADERS, {})
    names = headers(lang)
    shown = [(key, names[key]) for key, _ in COLUMNS]
    for key, header in extra.items():
        shown.append((key, header if key.startswith(DIMENSION_KEY) else t(header)))
    return shown


def _member_cells(record: Mapping[Any, Any], columns: list[tuple[str, str]]) -> dict[str, Any]:
    """A row's breakdown cells: each dimension's member code, a ratio's counts."""
    from plan_model.breakdowns import parse_member_key

    key = record.get("member_key")
    cell = parse_member_key(key) if isinstance(key, str) else {}
    out: dict[str, Any] = {}
    for column, _header in columns:
        if column.startswith(DIMENSION_KEY):
            out[column] = cell.get(column.removeprefix(DIMENSION_KEY))
        else:
            value = record.get(column)
            out[column] = None if value is None or pd.isna(value) else float(value)
    return out


def _statuses(
    plan: Plan, values: pd.DataFrame, periods: Iterable[str], thresholds: Thresholds | None = None
) -> dict[tuple[str, str], tuple[str, float | None]]:
    """(indicator, period) → (status key, achievement), from the status engine."""
    from plan_model.status import status_history

    history = status_history(
        plan, values, [Period.parse(p) for p in sorted(set(periods))], thresholds=thresholds
    )
    rows = history[history["level"] == "indicator"]
    out: dict[tuple[str, str], tuple[str, float | None]] = {}
    for rec in rows.to_dict("records"):
        ach = float(rec["achievement"])
        out[(str(rec["key"]), str(rec["period"]))] = (
            str(rec["status"]),
            None if math.isnan(ach) else ach,
        )
    return out


def export_frame(
    engine: Engine,
    plan: Plan,
    *,
    period: str | None = None,
    lang: str = "ca",
    thresholds: Thresholds | None = None,
) -> pd.DataFrame:
    """One row per value in force, columns keyed as in :data:`COLUMNS` (not yet translated).

    ``period`` keeps only that quarter's values.
    """
    from indicators.reporting.dashboard_data import with_derived_totals
    from plan_model.status_types import status_text

    members = queries.member_values_frame(engine)
    all_values = with_derived_totals(queries.values_frame(engine), members)
    extra = breakdown_columns(plan)
    values = queries.values_frame(engine)
    if extra and not members.empty:
        values = pd.concat([values, members], ignore_index=True)
    if period is not None:
        values = values[values["period"] == str(Period.parse(period))]
    order = ["period", "service", "indicator", *(["member_key"] if "member_key" in values else [])]
    values = values.sort_values(order, kind="stable")
    # statuses from every value in force (a quarter's status depends on the earlier ones)
    statuses = (
        _statuses(plan, all_values, values["period"].unique(), thresholds) if len(values) else {}
    )
    rows: list[dict[str, Any]] = []
    for rec in values.to_dict("records"):
        code = str(rec["indicator"])
        indicator = plan.indicator_by_code.get(code)
        stage_key = rec["stage"] if isinstance(rec["stage"], str) and rec["stage"] else None
        stage = plan.stage_by_key.get(stage_key) if stage_key else None
        raw = rec["value"]
        number = float(raw) if raw is not None and not math.isnan(float(raw)) else None
        status_key, achievement = statuses.get((code, str(rec["period"])), ("grey", None))
        is_member = isinstance(rec.get("member_key"), str) and bool(rec.get("member_key"))
        rows.append(
            {
                **_member_cells(rec, extra),
                "indicator": code,
                "service": rec["service"],
                "period": rec["period"],
                "value": stage.name if stage is not None else (stage_key or number),
                "comment": rec["comment"] if isinstance(rec["comment"], str) else None,
                "name": indicator.name if indicator else None,
                "objective": indicator.objective_code if indicator else None,
                "unit": indicator.unit if indicator else None,
                "stage_key": stage_key,
                # a member has no light of its own (the catalog gives no per-member targets)
                "status": None if is_member else status_text(status_key, lang),
                "status_key": None if is_member else status_key,
                "achievement": None if is_member else achievement,
                "submission_id": int(rec["submission_id"]),
                "filename": rec["filename"],
                "sheet": rec["sheet"],
                "row": int(rec["row"]),
                "uploaded_by": rec["uploaded_by"],
                "uploaded_at": _naive_utc(rec["uploaded_at"]),
            }
        )
    frame = pd.DataFrame(rows, columns=[key for key, _ in COLUMNS] + [key for key, _ in extra])
    frame.attrs[EXTRA_HEADERS] = dict(extra)
    return frame


def _naive_utc(value: Any) -> dt.datetime | None:
    """A UTC time without zone (spreadsheets have no time zones)."""
    when = _when(value)
    return when.replace(tzinfo=None) if when is not None else None


def _csv_number(value: object) -> str:
    """Full precision, decimal comma (what a Catalan spreadsheet expects), no grouping."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value).replace(".", ",")
    return "" if value is None else str(value)


def write_csv(frame: pd.DataFrame, lang: str = "ca") -> bytes:
    columns = _all_headers(frame, lang)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([header for _key, header in columns])
    for record in frame.to_dict("records"):
        cells = []
        for key, _ in columns:
            value = record.get(key)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                cells.append("")
            elif key == "achievement":
                cells.append(_csv_number(round(float(value), 4)))
            elif isinstance(value, float):
                cells.append(_csv_number(value))
            elif isinstance(value, dt.datetime):
                cells.append(value.strftime("%Y-%m-%d %H:%M:%S"))
            elif isinstance(value, str):
                cells.append(csv_text(value))
            else:
                cells.append(str(value))
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


LEVEL_MSGIDS = {
    "plan": "The whole plan",
    "lever": "Lever",
    "axis": "Axis",
    "objective": "Objective",
}


def levels_frame(
    plan: Plan,
    values: pd.DataFrame,
    periods: Iterable[str],
    lang: str = "ca",
    thresholds: Thresholds | None = None,
) -> pd.DataFrame:
    """The computed status of the plan, each lever, axis and objective at each quarter."""
    from plan_model.status import status_history
    from plan_model.status_types import status_text

    t = translator(lang)
    chosen = [Period.parse(p) for p in sorted(set(periods))]
    columns = [
        t("Level"),
        t("Code"),
        t("Name"),
        t("Period"),
        t("Achievement"),
        t("Traffic light"),
        t("Data coverage"),
    ]
    if not chosen:
        return pd.DataFrame(columns=columns)
    history = status_history(plan, values, chosen, thresholds=thresholds)
    history = history[history["level"] != "indicator"]
    names: dict[tuple[str, str], str] = {("plan", "plan"): plan.info.name}
    for lever in plan.levers:
        names[("lever", str(lever.number))] = lever.name
        for axis in lever.axes:
            names[("axis", str(axis.number))] = axis.name
    for objective in plan.objectives:
        names[("objective", objective.code)] = objective.text
    rows = []
    for rec in history.to_dict("records"):
        level, key = str(rec["level"]), str(rec["key"])
        ach, cov = float(rec["achievement"]), float(rec["coverage"])
        rows.append(
            [
                t(LEVEL_MSGIDS.get(level, level)),
                key,
                names.get((level, key), key),
                str(rec["period"]),
                None if math.isnan(ach) else ach,
                status_text(str(rec["status"]), lang),
                None if math.isnan(cov) else cov,
            ]
        )
    return pd.DataFrame(rows, columns=columns)


def write_xlsx(
    frame: pd.DataFrame,
    lang: str = "ca",
    *,
    title: str = "",
    levels: pd.DataFrame | None = None,
    analyses: pd.DataFrame | None = None,
) -> bytes:
    """The workbook: the values, the plan's status (``levels``, when given), the objectives'
    analyses (``analyses``, when given: issue 17) and a sheet about the file."""
    from openpyxl import Workbook

    t = translator(lang)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = t("Values")
    _values_sheet(ws, frame, lang)
    if levels is not None:
        _levels_sheet(wb.create_sheet(t("Plan status")), levels)
    if analyses is not None:
        _analyses_sheet(wb.create_sheet(t("Analyses")), analyses)
    about = wb.create_sheet(t("About"))
    about.append([title or t("Export of the plan's values")])
    about.append([t("Rows: {count}", count=len(frame))])
    about.append(
        [t("Created (UTC): {when}", when=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"))]
    )
    about.append(
        [
            t(
                "The first five columns are the import's long format: the file can be "
                "loaded back with `seguiment reimport FILE`."
            )
        ]
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _header_row(sheet: Any, names: list[str]) -> None:
    """The first row: white bold text on navy."""
    from openpyxl.styles import Font, PatternFill

    sheet.append(names)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0B2545")


def _xlsx_value(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _values_sheet(ws: Any, frame: pd.DataFrame, lang: str) -> None:
    """One row per value, user text as text cells (never a formula)."""
    from openpyxl.utils import get_column_letter

    columns = _all_headers(frame, lang)
    keys = [key for key, _ in columns]
    _header_row(ws, [header for _key, header in columns])
    for record in frame.to_dict("records"):
        ws.append([_xlsx_value(record.get(key)) for key in keys])
        for cell in ws[ws.max_row]:
            as_text_cell(cell)
    ach = keys.index("achievement") + 1
    when = keys.index("uploaded_at") + 1
    for r in range(2, ws.max_row + 1):
        ws.cell(r, ach).number_format = "0%"
        ws.cell(r, when).number_format = "yyyy-mm-dd hh:mm:ss"
    widths = {
        "indicator": 11,
        "service": 12,
        "period": 10,
        "value": 14,
        "comment": 40,
        "name": 45,
        "status": 22,
        "filename": 30,
        "uploaded_at": 20,
    }
    for i, key in enumerate(keys, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(key, 14)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def _levels_sheet(sheet: Any, levels: pd.DataFrame) -> None:
    """The computed status of the plan, each lever, axis and objective (``levels_frame``)."""
    _header_row(sheet, list(levels.columns))
    for level_row in levels.values.tolist():
        sheet.append(level_row)
        for cell in sheet[sheet.max_row]:
            as_text_cell(cell)
    for r in range(2, sheet.max_row + 1):
        sheet.cell(r, 5).number_format = "0%"
        sheet.cell(r, 7).number_format = "0%"
    for letter, width in zip("ABCDEFG", (14, 8, 60, 10, 12, 24, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def _analyses_sheet(sheet: Any, analyses: pd.DataFrame) -> None:
    """The objectives' analyses in force (``reporting.analyses.analyses_frame``), as text."""
    _header_row(sheet, list(analyses.columns))
    for record in analyses.values.tolist():
        sheet.append([_xlsx_value(v) for v in record])
        for cell in sheet[sheet.max_row]:
            as_text_cell(cell)
    for letter, width in zip("ABCDEFGH", (10, 10, 60, 60, 12, 10, 16, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"


@dataclass(frozen=True)
class Export:
    filename: str
    content: bytes
    mimetype: str
    rows: int


def export_values(
    engine: Engine,
    plan: Plan,
    fmt: str = "xlsx",
    *,
    period: str | None = None,
    lang: str = "ca",
    thresholds: Thresholds | None = None,
) -> Export:
    """The export file (name, bytes, MIME type) of every value in force."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    frame = export_frame(engine, plan, period=period, lang=lang, thresholds=thresholds)
    suffix = f"-{Period.parse(period)}" if period else ""
    name = f"seguiment-valors{suffix}.{fmt}"
    if fmt == "csv":
        content = write_csv(frame, lang)
    else:
        from indicators.reporting.dashboard_data import with_derived_totals

        totals = with_derived_totals(
            queries.values_frame(engine), queries.member_values_frame(engine)
        )
        levels = levels_frame(plan, totals, frame["period"].unique(), lang, thresholds)
        analyses = analyses_frame(engine, str(Period.parse(period)) if period else None, lang)
        content = write_xlsx(frame, lang, title=plan.info.name, levels=levels, analyses=analyses)
    return Export(name, content, MIMETYPES[fmt], len(frame))


# ---- reading an export back -----------------------------------------------------------------


def _header_key(text: object) -> str | None:
    """The column key of a header in any of the three languages (a dimension's column by
    the import's own header words)."""
    from i18n import LANGUAGES
    from indicators.intake.parse import dimension_header, ratio_header

    for lang in LANGUAGES:
        for key, name in headers(lang).items():
            if str(text).strip().lower() == name.lower():
                return key
    dimension = dimension_header(text)
    if dimension is not None:
        return f"{DIMENSION_KEY}{dimension}"
    return ratio_header(text)


def read_export(filename: str, content: bytes) -> pd.DataFrame:
    """An export file as a frame keyed like :func:`export_frame`."""
    if filename.lower().endswith(".csv"):
        frame = pd.read_csv(
            io.BytesIO(content), sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False
        )
        frame = frame.map(lambda cell: csv_text_back(cell) if isinstance(cell, str) else cell)
    else:
        frame = pd.read_excel(io.BytesIO(content), sheet_name=0, engine="calamine")
    frame = frame.rename(columns={c: _header_key(c) or c for c in frame.columns})
    missing = [k for k in ("indicator", "service", "period", "value") if k not in frame]
    if missing:
        raise ValueError(f"not an export of this application (missing columns: {missing})")
    return frame


def _group_csv(rows: pd.DataFrame, names: dict[str, str], plan: Plan | None = None) -> bytes:
    """One service's quarter in the import's long format (the same headers, ``;``, UTF-8),
    with the export's breakdown columns when it has them (the import's header words)."""
    extra = [k for k in rows.columns if isinstance(k, str) and _is_breakdown_key(k)]
    extra_names = [_breakdown_header(k, plan) for k in extra]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    keys = ("indicator", "period", "value", "comment")
    writer.writerow([names[k] for k in keys] + extra_names)
    for rec in rows.to_dict("records"):
        cells = [_csv_cell(rec.get(k)) for k in ("value", "comment", *extra)]
        writer.writerow([rec["indicator"], rec["period"], *cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _is_breakdown_key(key: str) -> bool:
    return key.startswith(DIMENSION_KEY) or key in ("numerator", "denominator")


def _breakdown_header(key: str, plan: Plan | None) -> str:
    """The header the import reads for a breakdown column (the plan's dimension name)."""
    if key.startswith(DIMENSION_KEY):
        code = key.removeprefix(DIMENSION_KEY)
        found = plan.dimension_by_code.get(code) if plan is not None else None
        return found.name if found is not None else code
    return "Numerador" if key == "numerator" else "Denominador"


def _csv_cell(value: object) -> str:
    """A cell of the import file: a number with decimal comma, empty for nothing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return _csv_number(value)
    return str(value)


def _when(value: Any) -> dt.datetime | None:
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    if pd.isna(stamp):
        return None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    result: dt.datetime = stamp.to_pydatetime()
    return result


def reimport(
    engine: Engine,
    plan: Plan,
    filename: str,
    content: bytes,
    *,
    user: str,
    settings: Settings | None = None,
    lang: str = "ca",
    progress: Callable[[str], None] | None = None,
) -> list[ImportResult]:
    """Load an export into ``engine`` through the real import: one submission per service and
    quarter, oldest first, keeping the original uploader and upload time when present."""
    frame = read_export(filename, content)
    names = headers(lang)
    frame["period"] = frame["period"].map(lambda p: str(Period.parse(str(p))))
    order = []
    for (service, period), rows in frame.groupby(["service", "period"], sort=True):
        when = _when(rows["uploaded_at"].iloc[0]) if "uploaded_at" in rows else None
        order.append(
            (when or dt.datetime.min.replace(tzinfo=dt.UTC), str(service), str(period), rows)
        )
    order.sort(key=lambda item: (item[0], item[2], item[1]))
    results = []
    for i, (when, service, period, rows) in enumerate(order, start=1):
        who = user
        if "uploaded_by" in rows:
            uploaders = {str(u) for u in rows["uploaded_by"] if isinstance(u, str) and u}
            if len(uploaders) == 1:
                who = uploaders.pop()
        body = _group_csv(rows, names, plan)
        result = import_file(
            engine,
            plan,
            filename=f"{Path(filename).stem}-{service}-{period}.csv",
            content=body,
            user=who,
            service=service,
            period=period,
            source="cli",
            lang=lang,
            settings=settings,
            uploaded_at=None if when.year == 1 else when,
            today=dt.datetime.now(dt.UTC).date(),
        )
        if progress:
            progress(f"{i}/{len(order)} {service} {period}: {result.status}")
        results.append(result)
    return results
