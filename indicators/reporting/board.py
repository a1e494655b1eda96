"""What the board sees at a quarter: the slides' content and the pack's appendix, from live data.

``build_board`` reads the dashboard's data layer (``indicators.reporting.dashboard_data``, the same
statuses, history, completeness and changes the pages show, cached by data generation) and
returns a :class:`~indicators.reporting.board_model.Board`. The presentation page and the board pack
(PDF, PPTX) both render that one structure, so they always say the same thing. Figures come
from the shared builders in ``indicators/reporting/figures.py`` (plain dicts, no Dash): the same as the pages.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from i18n import format_date, format_number, format_percent, normalise_language, translator
from indicators.reporting.board_model import (
    SLIDE_ROWS,
    Board,
    Card,
    Cell,
    Chart,
    Metric,
    Slide,
    StatusBadge,
    Table,
)
from indicators.reporting.dashboard_data import DashboardData, share_of_plan_elapsed
from indicators.reporting.figures import NamedSeries, Point, figure_summary, history_figure
from indicators.storage import queries
from plan_model import status_types as st
from plan_model.changes import CHANGE_LABELS
from plan_model.completeness import COMPLETENESS_LABELS
from plan_model.periods import Period, period_range
from plan_model.status import objective_counts, objectives_of, objectives_with_data

STATUSES = ("green", "amber", "red", "grey")
_ORDINALS = {
    "ca": {1: "1r", 2: "2n", 3: "3r", 4: "4t"},
    "es": {1: "1.er", 2: "2.º", 3: "3.er", 4: "4.º"},
    "en": {1: "1st", 2: "2nd", 3: "3rd", 4: "4th"},
}
CHANGE_ICONS = {"up": "↑", "down": "↓", "new_data": "●", "no_data": "○"}
CHANGE_MSGIDS = CHANGE_LABELS  # English msgids of the status engine (status.po)
COMPLETENESS_MSGIDS = COMPLETENESS_LABELS
COMPLETENESS_ICONS = {"on_time": "✔", "late": "◷", "pending": "✖", "not_due": "–"}
COMMENT_MAX = 400


def period_label(period: Period, lang: str) -> str:
    """``4t trimestre de 2025`` (ca), ``4.º trimestre de 2025`` (es), ``4th quarter 2025``."""
    code = normalise_language(lang)
    return translator(code)("{ordinal} quarter of {year}",
                            ordinal=_ORDINALS[code][period.quarter], year=period.year)


def badge(status: str | None, lang: str, *, insufficient: bool = False) -> StatusBadge:
    key = status if status in STATUSES else "grey"
    s = st.Status(key)
    return StatusBadge(key=key, label=st.status_label(s, lang, insufficient=insufficient),
                       icon=st.STATUS_ICONS[s], colour=st.STATUS_COLORS[s])


def level_badge(level: Any, lang: str) -> StatusBadge:
    """:func:`badge` of a plan, lever, axis or objective result (insufficient data named)."""
    return badge(str(level.status), lang, insufficient=bool(level.insufficient_data))


def _num(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def counts_text(counts: dict[str, int], lang: str) -> str:
    """``✔ 5 · ⚠ 2 · ✖ 1 · – 3``: the icons carry the status, the numbers the count."""
    return " · ".join(f"{st.STATUS_ICONS[st.Status(s)]} {counts.get(s, 0)}" for s in STATUSES)


def _objective_counts(lever: Any) -> dict[str, int]:
    return objective_counts(objectives_of(lever))


def objectives_with_data_text(level: Any, lang: str) -> str:
    """``53 de 58 (91 %)``: objectives with a light of those due (``–`` when none is due)."""
    return objectives_with_data(objectives_of(level)).text(lang)


def _axis_counts(axis: Any) -> dict[str, int]:
    counts = {s: 0 for s in STATUSES}
    for objective in axis.objectives:
        counts[str(objective.status)] = counts.get(str(objective.status), 0) + 1
    return counts


def _trend(trend: object, lang: str) -> str:
    key = st.Trend(str(trend)) if str(trend) in {str(x) for x in st.Trend} else st.Trend.UNKNOWN
    return f"{st.TREND_ICONS[key]} {st.trend_label(key, lang)}"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _history_points(history: pd.DataFrame, level: str, key: str) -> list[Point]:
    if history.empty:
        return []
    rows = history[(history["level"] == level) & (history["key"].astype(str) == key)]
    return [Point(str(r["period"]), _num(r["achievement"]))
            for r in rows.sort_values("period").to_dict("records")]


def at_risk_objectives(result: Any) -> list[Any]:
    """Objectives behind (red, amber) or whose forecast misses the final target, worst first."""
    rank = {"red": 0, "amber": 1, "green": 2, "grey": 3}
    chosen = [o for o in result.objectives
              if str(o.status) in ("red", "amber") or getattr(o, "at_risk", False)]
    chosen.sort(key=lambda o: (rank.get(str(o.status), 4), not getattr(o, "at_risk", False),
                               o.achievement if o.achievement is not None else 9.0, o.code))
    return chosen


def _comments(values: pd.DataFrame, plan: Any, period: Period) -> dict[str, list[str]]:
    """Objective code → the technicians' comments of the quarter, ``code: text``."""
    out: dict[str, list[str]] = {}
    if values.empty:
        return out
    rows = values[(values["period"] == str(period)) & values["comment"].notna()]
    for rec in rows.sort_values("indicator").to_dict("records"):
        text = str(rec["comment"]).strip()
        if not text:
            continue
        code = str(rec["indicator"])
        indicator = plan.indicator_by_code.get(code)
        objective = indicator.objective_code if indicator else code.split("-I")[0]
        out.setdefault(objective, []).append(f"{code}: {_short(text, COMMENT_MAX)}")
    return out


def build_board(data: DashboardData, period: Period, *, since: Period | None = None,
                lang: str = "ca", today: dt.date | None = None,
                progress: Callable[[str], None] | None = None) -> Board:
    """The board's content for ``period``; changes are counted since ``since`` (default: the
    previous quarter)."""
    lang = normalise_language(lang)
    t = translator(lang)
    plan = data.plan
    today = today or dt.datetime.now(dt.UTC).date()
    if since is None or since >= period:
        since = period.prev()
    if progress:
        progress(t("Computing the statuses"))
    result = data.status(period)
    history = data.history(period)
    q_label = period_label(period, lang)
    pct = format_percent
    slides: list[Slide] = []
    more = t("and {count} more")

    # 1. title
    overall = result.plan
    slides.append(Slide(
        kind="title",
        kicker=t("Board meeting · plan follow-up"),
        title=plan.info.name,
        subtitle=t("Situation at the end of the {quarter}", quarter=q_label),
        metrics=[
            Metric(t("Overall achievement"), pct(overall.achievement, lang),
                   level_badge(overall, lang)),
            Metric(t("Plan time elapsed"), pct(share_of_plan_elapsed(plan, period), lang)),
            Metric(t("Objectives with data"), objectives_with_data_text(result, lang)),
        ],
        notes=[t("{organisation} · {date}", organisation=plan.info.organisation,
                 date=format_date(today, lang, "long"))],
    ))

    # 2. the plan at a glance
    cards = []
    for lever in result.levers:
        counts = _objective_counts(lever)
        cards.append(Card(
            title=t("Lever {number}", number=lever.number),
            subtitle=lever.name,
            value=pct(lever.achievement, lang),
            status=level_badge(lever, lang),
            lines=(counts_text(counts, lang), _trend(lever.trend, lang)),
        ))
    plan_counts = objective_counts(result.objectives)
    slides.append(Slide(
        kind="glance",
        title=t("The plan at a glance"),
        subtitle=t("{quarter} · achievement of each lever and objectives per status",
                   quarter=q_label),
        metrics=[
            Metric(t("Overall achievement"), pct(overall.achievement, lang),
                   level_badge(overall, lang)),
            *[Metric(st.status_text(s, lang), format_number(plan_counts[s], lang, 0))
              for s in STATUSES],
        ],
        cards=cards,
    ))

    # 3. one slide per lever
    periods = [str(p) for p in period_range(plan.first_period, period)]
    for lever in result.levers:
        model = plan.lever(lever.number)
        names = {a.number: a.name for a in model.axes}
        series = [NamedSeries(t("Axis {number}", number=a.number),
                              _history_points(history, "axis", str(a.number)))
                  for a in lever.axes]
        what = t("Achievement of lever {number} over time by axis", number=lever.number)
        figure = history_figure(series, lang, title=None, periods=periods)
        rows = [[
            Cell(t("Axis {number}. {name}", number=a.number,
                   name=_short(names.get(a.number, ""), 70))),
            Cell("", status=level_badge(a, lang)),
            Cell(pct(a.achievement, lang), number=True),
            Cell(counts_text(_axis_counts(a), lang)),
        ] for a in lever.axes]
        behind = [o.code for a in lever.axes for o in a.objectives
                  if str(o.status) in ("red", "amber")]
        notes = []
        if behind:
            listed = ", ".join(behind[:8])
            extra = f" {more.format(count=len(behind) - 8)}" if len(behind) > 8 else ""
            notes.append(t("Objectives behind: {codes}", codes=listed + extra))
        slides.append(Slide(
            kind="lever",
            kicker=t("Lever {number}", number=lever.number),
            title=lever.name,
            subtitle=lever.tagline,
            metrics=[
                Metric(t("Achievement"), pct(lever.achievement, lang),
                       level_badge(lever, lang)),
                Metric(t("Objectives per status"), counts_text(_objective_counts(lever), lang)),
                Metric(t("Objectives with data"), objectives_with_data_text(lever, lang)),
                Metric(t("Trend"), _trend(lever.trend, lang)),
            ],
            table=Table([t("Axis"), t("Status"), t("Achievement"), t("Objectives")], rows,
                        widths=[3.2, 1.9, 1.3, 2.0]),
            chart=Chart(f"lever-{lever.number}", figure,
                        figure_summary(series, lang, what=what)),
            notes=notes,
        ))

    # 4. objectives at risk
    risky = at_risk_objectives(result)
    risk_rows = []
    for o in risky:
        text = plan.objective_by_code[o.code].text
        risk_rows.append([
            Cell(o.code),
            Cell(_short(text, 110)),
            Cell("", status=level_badge(o, lang)),
            Cell(pct(o.achievement, lang), number=True),
            Cell(f"{st.AT_RISK_ICON} {t(st.AT_RISK_LABEL)}" if getattr(o, "at_risk", False)
                 else "–"),
        ])
    slides.append(Slide(
        kind="risk",
        title=t("Objectives at risk"),
        subtitle=t("Behind schedule, or heading to miss the final target ({quarter})",
                   quarter=q_label),
        metrics=[
            Metric(st.status_text("red", lang), format_number(
                sum(1 for o in risky if str(o.status) == "red"), lang, 0)),
            Metric(st.status_text("amber", lang), format_number(
                sum(1 for o in risky if str(o.status) == "amber"), lang, 0)),
            Metric(f"{st.AT_RISK_ICON} {t(st.AT_RISK_LABEL)}", format_number(
                sum(1 for o in risky if getattr(o, "at_risk", False)), lang, 0)),
        ],
        table=Table([t("Code"), t("Objective"), t("Status"), t("Achievement"),
                     t("Forecast")], risk_rows, widths=[0.9, 4.6, 1.9, 1.2, 1.4],
                    empty_text=t("No objective is behind or at risk.")),
    ))

    # 5. what changed
    if progress:
        progress(t("Comparing with {quarter}", quarter=str(since)))
    # nothing to compare with before the plan's first quarter
    changes = (data.changes(since, period) if since >= plan.first_period
               else pd.DataFrame(columns=["level", "code", "status_before", "status_after",
                                          "change"]))
    change_rows = []
    counts = {"up": 0, "down": 0, "new_data": 0, "no_data": 0}
    if not changes.empty:
        shown = changes  # objectives first, then indicators
        order = {"down": 0, "up": 1, "new_data": 2, "no_data": 3}
        level_order = {"plan": 0, "lever": 1, "axis": 2, "objective": 3, "indicator": 4}
        shown = shown.assign(_o=shown["change"].map(order).fillna(3),
                             _l=shown["level"].map(level_order).fillna(5))
        shown = shown.sort_values(["_l", "_o", "code"], kind="stable")
        for rec in shown.to_dict("records"):
            change = str(rec["change"])
            counts[change] = counts.get(change, 0) + 1
            change_rows.append([
                Cell(_level_name(str(rec["level"]), str(rec["code"]), plan, t)),
                Cell("", status=badge(_status_or_grey(rec["status_before"]), lang)),
                Cell("", status=badge(_status_or_grey(rec["status_after"]), lang)),
                Cell(f"{CHANGE_ICONS.get(change, '')} {t(CHANGE_MSGIDS.get(change, change))}"),
            ])
    slides.append(Slide(
        kind="changes",
        title=t("What changed since {quarter}", quarter=period_label(since, lang)),
        subtitle=t("Objectives and indicators, against what was known at the deadline of "
                   "the {quarter}", quarter=period_label(since, lang)),
        metrics=[Metric(f"{CHANGE_ICONS[k]} {t(CHANGE_MSGIDS[k])}",
                        format_number(counts.get(k, 0), lang, 0))
                 for k in ("up", "down", "new_data", "no_data")],
        table=Table([t("Level"), t("Before"), t("Now"), t("Change")], change_rows,
                    widths=[3.6, 2.3, 2.3, 1.9],
                    empty_text=t("No status changed since {quarter}.", quarter=str(since))),
    ))

    # 6. submissions
    if progress:
        progress(t("Checking the submissions"))
    completeness = data.completeness(period, today)
    quarter_rows = (completeness[completeness["period"] == str(period)]
                    if not completeness.empty else completeness)
    state_counts = {k: 0 for k in COMPLETENESS_MSGIDS}
    sub_rows = []
    if not quarter_rows.empty:
        order = {"pending": 0, "late": 1, "not_due": 2, "on_time": 3}
        ranked = quarter_rows.assign(_o=quarter_rows["state"].map(order).fillna(4))
        for rec in ranked.sort_values(["_o", "service"], kind="stable").to_dict("records"):
            state = str(rec["state"])
            state_counts[state] = state_counts.get(state, 0) + 1
            if state == "on_time":
                continue
            service = plan.service_by_code.get(str(rec["service"]))
            when = _day(rec.get("submitted_at"))
            sub_rows.append([
                Cell(service.name if service else str(rec["service"])),
                Cell(f"{COMPLETENESS_ICONS.get(state, '')} "
                     f"{t(COMPLETENESS_MSGIDS.get(state, state))}"),
                Cell(format_date(when, lang) if when is not None else "–"),
                Cell(service.email if service else ""),
            ])
    slides.append(Slide(
        kind="submissions",
        title=t("Submissions for the {quarter}", quarter=q_label),
        subtitle=t("Services that still have to send their data, or sent it late"),
        metrics=[Metric(f"{COMPLETENESS_ICONS[k]} {t(COMPLETENESS_MSGIDS[k])}",
                        format_number(state_counts.get(k, 0), lang, 0))
                 for k in ("on_time", "late", "pending")],
        table=Table([t("Service"), t("State"), t("Received"), t("Contact")], sub_rows,
                    widths=[3.6, 1.8, 1.6, 3.0],
                    empty_text=t("Every service sent its data on time.")),
    ))

    # appendix: every objective
    # the comments come with the full provenance frame (the cached values frame is lean)
    comments = data.memo(("board-comments", str(period)), lambda: _comments(
        queries.values_frame(data.engine), plan, period))
    appendix_rows = []
    for o in sorted(result.objectives, key=lambda o: o.code):
        text = plan.objective_by_code[o.code].text
        appendix_rows.append([
            Cell(o.code),
            Cell(text),
            Cell("", status=level_badge(o, lang)),
            Cell(pct(o.achievement, lang), number=True),
            Cell("\n".join(comments.get(o.code, [])) or "–"),
        ])
    return Board(
        plan_name=plan.info.name,
        organisation=plan.info.organisation,
        period=str(period),
        period_label=q_label,
        since=str(since),
        lang=lang,
        date_text=format_date(today, lang, "long"),
        slides=slides,
        appendix=Table([t("Code"), t("Objective"), t("Status"), t("Achievement"),
                        t("Technicians' comments")], appendix_rows,
                       widths=[0.8, 3.6, 1.7, 1.1, 4.0]),
        appendix_title=t("Appendix: every objective ({quarter})", quarter=q_label),
        footer=f"{plan.info.name} · {q_label}",
        continued=t("(cont.)"),
    )


def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(stamp) else stamp.date()


def _status_or_grey(value: object) -> str:
    text = str(value) if value is not None else "grey"
    return text if text in STATUSES else "grey"


def _level_name(level: str, code: str, plan: Any, t: Callable[..., str]) -> str:
    if level == "lever":
        return t("Lever {number}: {name}", number=code, name=plan.lever(int(code)).name)
    if level == "axis":
        lever = plan.lever_of_axis(int(code))
        name = next(a.name for a in lever.axes if a.number == int(code))
        return t("Axis {number}. {name}", number=code, name=_short(name, 80))
    if level == "objective" and code in plan.objective_by_code:
        return f"{code} · {_short(plan.objective_by_code[code].text, 90)}"
    if level == "indicator" and code in plan.indicator_by_code:
        return f"{code} · {_short(plan.indicator_by_code[code].name, 90)}"
    if level == "plan":
        return t("The whole plan")
    return code


__all__ = ["SLIDE_ROWS", "Board", "at_risk_objectives", "badge", "build_board", "period_label"]
