"""What every part of the final evaluation shares: the typed table (:class:`Grid`), the
«provisional» mark, and the texts of a path, a value, a method and a status.

A :class:`Grid` keeps typed values (numbers, shares, statuses as the board's
:class:`~indicators.reporting.board_model.StatusBadge`: icon and label, never colour alone);
:meth:`Grid.as_table` formats them with the language's formats (Catalan first) into the board
pack's :class:`~indicators.reporting.board_model.Table`, which the pack's PDF and PPTX helpers
draw; the XLSX writes the values themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from i18n import format_date, format_number, format_percent, translator
from indicators.reporting.board import badge
from indicators.reporting.board_model import Cell, StatusBadge, Table
from indicators.reporting.evaluation import model as m
from plan_model import status_types as st
from plan_model.models import Method

Value = str | float | int | StatusBadge | None
TEXT, NUMBER, PERCENT, STATUS = "text", "number", "percent", "status"
METHOD_LABELS = {Method.TARGET_SHARE: "% of target", Method.PROGRESS: "progress from baseline"}
OUTCOME_LABELS = {
    m.FINISHED: "Completed milestone",
    m.LATE: "Late milestone",
    m.POSTPONED: "Postponed by decision",
    m.DROPPED: "Dropped (excluded)",
    m.ON_SCHEDULE: "Milestone on schedule",
}
NO_AMENDMENT = "no amendment"


@dataclass
class Grid:
    """A table of typed values: one kind per column (text, number, percent, status)."""

    name: str  # its title, in the language
    columns: list[str]
    kinds: list[str]
    rows: list[list[Value]] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    empty_text: str = ""

    def as_table(self, lang: str) -> Table:
        """The rows as the board pack's text table, numbers in ``lang``'s formats."""
        rows = [
            [_cell(value, kind, lang) for value, kind in zip(row, self.kinds, strict=True)]
            for row in self.rows
        ]
        return Table(list(self.columns), rows, list(self.widths), empty_text=self.empty_text)


def _cell(value: Value, kind: str, lang: str) -> Cell:
    if isinstance(value, StatusBadge):
        return Cell(value.text, status=value)
    if kind == PERCENT:
        return Cell(format_percent(_number(value), lang), number=True)
    if kind == NUMBER:
        return Cell(format_number(_number(value), lang, 0), number=True)
    return Cell("" if value is None else str(value))


def _number(value: Value) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def mark_texts(ev: m.Evaluation, lang: str) -> tuple[str, str]:
    """(«Provisional», its explanation) or («Definitiva», closed on … by …)."""
    t = translator(lang)
    if ev.provisional:
        return t("Provisional"), t(
            "Provisional: the plan is not closed yet, so these figures may still change."
        )
    when = format_date(ev.state.closed_at.date() if ev.state.closed_at else None, lang, "long")
    return t("Definitive"), t(
        "Definitive: the plan was closed on {date} by {who}.",
        date=when,
        who=ev.state.closed_by or "–",
    )


def path_text(path: m.Path, lang: str) -> str:
    """``45 % → 82 %``: the first quarter with data and the last (``–`` without data)."""
    known = [value for _period, value in path if value is not None]
    if not known:
        return "–"
    if len(known) == 1:
        return format_percent(known[0], lang)
    return f"{format_percent(known[0], lang)} → {format_percent(known[-1], lang)}"


def value_text(ev: m.Evaluation, result: st.IndicatorResult, lang: str) -> str:
    """The indicator's final value with its unit, or the milestone's stage."""
    if result.kind == "milestone":
        return ev.stage_name(result.effective_stage or result.stage, lang)
    if result.value is None:
        return "–"
    unit = f"\u00a0{result.unit}" if result.unit else ""
    return f"{format_number(result.value, lang)}{unit}"


def method_text(result: st.IndicatorResult, lang: str) -> str:
    """«% de la meta (verd ≥ 90 %, groc ≥ 70 %)»: the method and the thresholds."""
    t = translator(lang)
    method = t(METHOD_LABELS.get(Method(result.method), result.method))
    return t(
        "{method} (green ≥ {green}, amber ≥ {amber})",
        method=method,
        green=format_percent(result.green_threshold, lang),
        amber=format_percent(result.amber_threshold, lang),
    )


def status_badge(status: str, lang: str, *, insufficient: bool = False) -> StatusBadge:
    """The board's badge of a status (icon, label, colour)."""
    return badge(status, lang, insufficient=insufficient)


def indicator_badge(result: st.IndicatorResult, lang: str) -> StatusBadge:
    """An indicator's badge with its own wording (overdue, postponed, deviation...)."""
    plain = badge(str(result.status), lang)
    return StatusBadge(plain.key, st.indicator_status_label(result, lang), plain.icon, plain.colour)
