"""The plan-wide list (``/objectius``): every objective and its indicators at a quarter, the
filters of its URL, and any table as a CSV or XLSX file.

The filters are the page's query (``?palanca=3&eix=2&estat=red&risc=1&servei=SIS&repte=4&
origen=coss&q=text``): :meth:`ListFilters.from_query` reads them (unknown values are ignored,
never an error) and :func:`plan_rows` applies them, so a shared link reproduces the view and
the download holds exactly the rows shown. :func:`write_table` writes a table of what a page
shows; user text is escaped as ``indicators.intake.sheet_text`` says (never a live formula).
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from i18n import translator
from indicators.intake.sheet_text import as_text_cell, csv_text
from plan_model.changes import CHANGE_LABELS, CHANGE_ORDER
from plan_model.models import Plan
from plan_model.status_types import IndicatorResult, ObjectiveResult, PlanStatus, status_label

FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
STATUS_KEYS = ("green", "amber", "red", "grey")
Cell = str | float | int | None


def _fold(text: str) -> str:
    """Lower case without accents: «Atenció» matches «atencio»."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _int(text: str | None) -> int | None:
    try:
        return int(str(text).strip()) if text not in (None, "") else None
    except ValueError:
        return None


@dataclass(frozen=True)
class ListFilters:
    """The filters of ``/objectius`` (None or empty: no filter)."""

    lever: int | None = None
    axis: int | None = None
    status: str | None = None
    at_risk: bool = False
    service: str | None = None
    challenge: int | None = None
    origin: str | None = None
    text: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> ListFilters:
        """The filters of a URL query (``palanca``, ``eix``, ``estat``, ``risc``, ``servei``,
        ``repte``, ``origen``, ``q``); unknown values are dropped."""
        status = query.get("estat") or None
        origin = query.get("origen") or None
        return cls(
            lever=_int(query.get("palanca")),
            axis=_int(query.get("eix")),
            status=status if status in STATUS_KEYS else None,
            at_risk=query.get("risc") in ("1", "true", "si", "sí"),
            service=(query.get("servei") or "").strip().upper() or None,
            challenge=_int(query.get("repte")),
            origin=origin if origin in ("departament", "coss") else None,
            text=(query.get("q") or "").strip()[:200],
        )

    def as_query(self) -> dict[str, str]:
        """The filters back as a URL query (only those set)."""
        pairs = {
            "palanca": self.lever,
            "eix": self.axis,
            "estat": self.status,
            "risc": "1" if self.at_risk else None,
            "servei": self.service,
            "repte": self.challenge,
            "origen": self.origin,
            "q": self.text or None,
        }
        return {key: str(value) for key, value in pairs.items() if value is not None}


@dataclass(frozen=True)
class ListRow:
    """One indicator of an objective (or the objective alone, when it has none)."""

    lever: int
    axis: int
    objective: str
    objective_text: str
    objective_status: str
    origin: str
    challenges: tuple[int, ...]
    indicator: str
    indicator_name: str
    service: str
    status: str
    achievement: float | None
    at_risk: bool


def _objectives(status: PlanStatus) -> list[ObjectiveResult]:
    return [o for lever in status.levers for axis in lever.axes for o in axis.objectives]


def _objective_matches(plan: Plan, result: ObjectiveResult, filters: ListFilters) -> bool:
    objective = plan.objective_by_code.get(result.code)
    if objective is None:
        return False
    checks = (
        filters.lever is None or result.lever == filters.lever,
        filters.axis is None or result.axis == filters.axis,
        filters.challenge is None or filters.challenge in objective.challenges,
        filters.origin is None or str(objective.origin) == filters.origin,
    )
    return all(checks)


def _indicator_matches(
    objective: ObjectiveResult, indicator: IndicatorResult, filters: ListFilters, needle: str
) -> bool:
    checks = (
        filters.status is None or str(indicator.status) == filters.status,
        not filters.at_risk or indicator.at_risk,
        filters.service is None or indicator.service == filters.service,
        not needle
        or needle
        in _fold(" ".join((objective.code, objective.name, indicator.code, indicator.name))),
    )
    return all(checks)


def plan_rows(plan: Plan, status: PlanStatus, filters: ListFilters) -> list[ListRow]:
    """The rows of the plan-wide list at ``status``'s quarter that pass ``filters``, in the
    plan's order: one per indicator."""
    needle = _fold(filters.text)
    rows: list[ListRow] = []
    for result in _objectives(status):
        if not _objective_matches(plan, result, filters):
            continue
        objective = plan.objective_by_code[result.code]
        for indicator in result.indicators:
            if not _indicator_matches(result, indicator, filters, needle):
                continue
            rows.append(
                ListRow(
                    lever=result.lever,
                    axis=result.axis,
                    objective=result.code,
                    objective_text=objective.text,
                    objective_status=str(result.status),
                    origin=str(objective.origin),
                    challenges=tuple(objective.challenges),
                    indicator=indicator.code,
                    indicator_name=indicator.name,
                    service=indicator.service,
                    status=str(indicator.status),
                    achievement=indicator.achievement,
                    at_risk=indicator.at_risk,
                )
            )
    return rows


@dataclass(frozen=True)
class Table:
    """A table as a page shows it: headers and rows of text or numbers."""

    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    title: str = ""


def ratio(value: object) -> float | None:
    """An achievement (or any number) for a table cell: None for missing or NaN, 4 decimals."""
    if value is None or not isinstance(value, int | float) or math.isnan(float(value)):
        return None
    return round(float(value), 4)


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value).replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return csv_text(value)


def write_table(table: Table, fmt: str) -> bytes:
    """``table`` as a CSV (``;``, decimal comma, UTF-8 with BOM: what a Catalan spreadsheet
    opens) or XLSX file; user text never becomes a formula."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow([csv_text(name) for name in table.headers])
        writer.writerows([_csv_cell(value) for value in row] for row in table.rows)
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = (table.title or "Taula")[:31]
    ws.append(list(table.headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        ws.append(list(row))
        for cell in ws[ws.max_row]:
            as_text_cell(cell)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


LIST_HEADERS = (
    "Lever",
    "Axis",
    "Objective",
    "Objective text",
    "Objective status",
    "Indicator",
    "Indicator name",
    "Service",
    "Status",
    "Achievement",
    "At risk",
)


def list_table(rows: Sequence[ListRow], lang: str) -> Table:
    """The plan-wide list as a :class:`Table` in ``lang`` (achievement as a ratio)."""
    t = translator(lang)
    return Table(
        headers=[t(name) for name in LIST_HEADERS],
        rows=[
            [
                row.lever,
                row.axis,
                row.objective,
                row.objective_text,
                status_label(row.objective_status, lang),
                row.indicator,
                row.indicator_name,
                row.service,
                status_label(row.status, lang),
                ratio(row.achievement),
                t("yes") if row.at_risk else t("no"),
            ]
            for row in rows
        ],
        title=t("Objectives"),
    )


CHANGE_HEADERS = (
    "Change",
    "Level",
    "Code",
    "Name",
    "Before",
    "Now",
    "Achievement before",
    "Achievement now",
)
LEVEL_MSGIDS = {"objective": "Objective", "indicator": "Indicator"}


def _changed_name(plan: Plan, level: str, code: str) -> str:
    if level == "objective" and code in plan.objective_by_code:
        return plan.objective_by_code[code].text
    if level == "indicator" and code in plan.indicator_by_code:
        return plan.indicator_by_code[code].name
    return code


def changes_table(plan: Plan, frame: pd.DataFrame, lang: str, level: str = "") -> Table:
    """What ``/canvis`` shows (``DashboardData.changes``, worse changes first; ``level``:
    only objectives or indicators) as a table to download, achievements as ratios."""
    t = translator(lang)
    if not frame.empty and level:
        frame = frame[frame["level"].astype(str) == level]
    ordered = frame.sort_values("change", key=lambda s: s.map(CHANGE_ORDER), kind="stable")
    rows: list[list[Cell]] = [
        [
            t(CHANGE_LABELS.get(str(r.change), str(r.change))),
            t(LEVEL_MSGIDS.get(str(r.level), str(r.level))),
            str(r.code),
            _changed_name(plan, str(r.level), str(r.code)),
            status_label(str(r.status_before), lang),
            status_label(str(r.status_after), lang),
            ratio(r.achievement_before),
            ratio(r.achievement_after),
        ]
        for r in (ordered.itertuples() if not ordered.empty else [])
    ]
    return Table([t(name) for name in CHANGE_HEADERS], rows, title=t("Changes"))


LEVER_HEADERS = ("Code", "Objective", "Axis", "Status", "Achievement", "At risk", "Service")


def lever_table(
    plan: Plan, status: PlanStatus, number: int, lang: str, *, axis: str = "", light: str = ""
) -> Table:
    """The lever grid of lever ``number`` (filtered by axis number and status as the page's
    ``eix`` and ``estat``) as a table to download."""
    t = translator(lang)
    rows: list[list[Cell]] = []
    for lever in status.levers:
        if lever.number != number:
            continue
        for axis_result in lever.axes:
            if axis and str(axis_result.number) != axis:
                continue
            for o in axis_result.objectives:
                if light and str(o.status) != light:
                    continue
                services = sorted({i.responsible_service for i in plan.indicators_of(o.code)})
                rows.append(
                    [
                        o.code,
                        plan.objective_by_code[o.code].text,
                        axis_result.number,
                        status_label(str(o.status), lang, insufficient=o.insufficient_data),
                        ratio(o.achievement),
                        t("Yes") if o.at_risk else t("No"),
                        ", ".join(services),
                    ]
                )
    return Table([t(name) for name in LEVER_HEADERS], rows, title=t("Objectives"))


PROVENANCE_HEADERS = (
    "Indicator",
    "Quarter",
    "Value",
    "Stage",
    "Technicians' comment",
    "Service",
    "File",
    "Sheet",
    "Row",
    "Uploaded by",
    "Uploaded at (UTC)",
)


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def provenance_table(frames: Mapping[str, pd.DataFrame], until: str, lang: str) -> Table:
    """The provenance tables of an objective's page (``DashboardData.objective_values``: per
    indicator, its values with service, file, sheet, row, who and when) up to ``until``,
    newest quarter first, as one table to download."""
    t = translator(lang)
    rows: list[list[Cell]] = []
    for code, frame in frames.items():
        records = [] if frame.empty else frame.to_dict("records")
        chosen = [r for r in records if str(r.get("period")) <= until]
        chosen.sort(key=lambda r: str(r.get("period")), reverse=True)
        for r in chosen:
            when = r.get("uploaded_at")
            rows.append(
                [
                    code,
                    str(r.get("period")),
                    ratio(r.get("value")),
                    _text(r.get("stage")),
                    _text(r.get("comment")),
                    _text(r.get("service")),
                    _text(r.get("filename")),
                    _text(r.get("sheet")),
                    ratio(r.get("row")),
                    _text(r.get("uploaded_by")),
                    None if when is None or pd.isna(when) else str(pd.Timestamp(when))[:19],
                ]
            )
    return Table([t(name) for name in PROVENANCE_HEADERS], rows, title=t("Values"))
