"""What the board sees at a quarter: the slides' content and the pack's appendix, from live data.

``build_board`` reads the dashboard's data layer (``indicators.reporting.dashboard_data``, the
same statuses, history, completeness and changes the pages show, cached by data generation)
and returns a :class:`~indicators.reporting.board_model.Board`, one function per slide. The
presentation page and the board pack (PDF, PPTX) both render that one structure, so they
always say the same thing. Figures come from the shared builders in
``indicators/reporting/figures.py`` (plain dicts, no Dash): the same as the pages. Labels and
icons are the status engine's (``plan_model.status_types``) and the objectives at risk are
ranked by ``plan_model.ranking``: the same as the pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from i18n import format_date, format_number, format_percent, normalise_language, translator
from indicators.reporting.analyses import (
    LevelAnalyses,
    analysis_line,
    level_analyses,
    lever_note,
)
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
from indicators.reporting.numbers import clean_number
from indicators.storage import queries
from plan_model import status_types as st
from plan_model.changes import CHANGE_LABELS, CHANGE_ORDER
from plan_model.completeness import COMPLETENESS_LABELS
from plan_model.models import Plan
from plan_model.periods import Period, period_label, period_range
from plan_model.ranking import at_risk_ranking
from plan_model.status import objective_counts, objectives_of, objectives_with_data
from plan_model.status_types import (
    AxisResult,
    LevelResult,
    LeverResult,
    ObjectiveResult,
    PlanStatus,
)

STATUSES = ("green", "amber", "red", "grey")
CHANGE_KINDS = ("up", "down", "new_data", "no_data")
LEVEL_ORDER = {"plan": 0, "lever": 1, "axis": 2, "objective": 3, "indicator": 4}
SUBMISSION_ORDER = {"pending": 0, "late": 1, "not_due": 2, "on_time": 3}
BEHIND_LISTED = 8  # objective codes named in a lever's note
COMMENT_MAX = 400


def badge(status: str | None, lang: str, *, insufficient: bool = False) -> StatusBadge:
    key = status if status in STATUSES else "grey"
    s = st.Status(key)
    return StatusBadge(
        key=key,
        label=st.status_label(s, lang, insufficient=insufficient),
        icon=st.STATUS_ICONS[s],
        colour=st.STATUS_COLORS[s],
    )


def level_badge(level: LevelResult, lang: str) -> StatusBadge:
    """:func:`badge` of a plan, lever, axis or objective result (insufficient data named)."""
    return badge(str(level.status), lang, insufficient=level.insufficient_data)


def counts_text(counts: dict[str, int], lang: str) -> str:
    """``✔ 5 · ⚠ 2 · ✖ 1 · – 3``: the icons carry the status, the numbers the count. Each icon
    is bound to its number by a no-break space, so a wrapped line never reads "– / 3" (minus)."""
    return " · ".join(f"{st.STATUS_ICONS[st.Status(s)]}\u00a0{counts.get(s, 0)}" for s in STATUSES)


def at_risk_text(lang: str) -> str:
    """``⚑ En risc``."""
    return st.icon_text(st.AT_RISK_ICON, st.AT_RISK_LABEL, lang)


def _objective_counts(level: LeverResult | AxisResult) -> dict[str, int]:
    return objective_counts(objectives_of(level))


def objectives_with_data_text(level: PlanStatus | LeverResult | AxisResult, lang: str) -> str:
    """``53 de 58 (91 %)``: objectives with a light of those due (``–`` when none is due)."""
    return objectives_with_data(objectives_of(level)).text(lang)


def _trend(trend: st.Trend, lang: str) -> str:
    return f"{st.TREND_ICONS[trend]} {st.trend_label(trend, lang)}"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _history_points(history: pd.DataFrame, level: str, key: str) -> list[Point]:
    if history.empty:
        return []
    rows = history[(history["level"] == level) & (history["key"].astype(str) == key)]
    return [
        Point(str(r["period"]), clean_number(r["achievement"]))
        for r in rows.sort_values("period").to_dict("records")
    ]


def _comments(values: pd.DataFrame, plan: Plan, period: Period) -> dict[str, list[str]]:
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


@dataclass(frozen=True)
class _Deck:
    """What every slide builder reads: the data, the quarter, the language, the statuses."""

    data: DashboardData
    period: Period
    since: Period
    lang: str
    today: dt.date
    result: PlanStatus

    @property
    def plan(self) -> Plan:
        return self.data.plan

    @property
    def t(self) -> Callable[..., str]:
        return translator(self.lang)

    @property
    def quarter(self) -> str:
        return period_label(self.period, self.lang)

    def pct(self, value: float | None) -> str:
        return format_percent(value, self.lang)

    def count(self, value: int) -> str:
        return format_number(value, self.lang, 0)


def build_board(
    data: DashboardData,
    period: Period,
    *,
    since: Period | None = None,
    lang: str = "ca",
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> Board:
    """The board's content for ``period``; changes are counted since ``since`` (default: the
    previous quarter). One function per slide, in the order they are shown."""
    lang = normalise_language(lang)
    t = translator(lang)
    if since is None or since >= period:
        since = period.prev()
    say = progress or (lambda _message: None)
    say(t("Computing the statuses"))
    deck = _Deck(
        data=data,
        period=period,
        since=since,
        lang=lang,
        today=today or dt.datetime.now(dt.UTC).date(),
        result=data.status(period),
    )
    slides = [_title_slide(deck), _glance_slide(deck), *_lever_slides(deck), _risk_slide(deck)]
    say(t("Comparing with {quarter}", quarter=period_label(since, lang)))
    slides.append(_changes_slide(deck))
    say(t("Checking the submissions"))
    slides.append(_submissions_slide(deck))
    plan = data.plan
    return Board(
        plan_name=plan.info.name,
        organisation=plan.info.organisation,
        period=str(period),
        period_label=deck.quarter,
        since=str(since),
        lang=lang,
        date_text=format_date(deck.today, lang, "long"),
        slides=slides,
        appendix=_appendix(deck),
        appendix_title=t("Appendix: every objective ({quarter})", quarter=deck.quarter),
        footer=f"{plan.info.name} · {deck.quarter}",
        continued=t("(cont.)"),
    )


def _overall_metric(deck: _Deck) -> Metric:
    overall = deck.result.plan
    return Metric(
        deck.t("Overall achievement"),
        deck.pct(overall.achievement),
        level_badge(overall, deck.lang),
    )


def _title_slide(deck: _Deck) -> Slide:
    """1. The title: the plan, the quarter, the headline figures."""
    t, plan = deck.t, deck.plan
    return Slide(
        kind="title",
        kicker=t("Board meeting · plan follow-up"),
        title=plan.info.name,
        subtitle=t("Situation at the end of the {quarter}", quarter=deck.quarter),
        metrics=[
            _overall_metric(deck),
            Metric(t("Plan time elapsed"), deck.pct(share_of_plan_elapsed(plan, deck.period))),
            Metric(t("Objectives with data"), objectives_with_data_text(deck.result, deck.lang)),
        ],
        notes=[
            t(
                "{organisation} · {date}",
                organisation=plan.info.organisation,
                date=format_date(deck.today, deck.lang, "long"),
            ),
            *_accepted_only_note(deck),
        ],
    )


def _accepted_only_note(deck: _Deck) -> list[str]:
    """With ``BOARD_ACCEPTED_ONLY``: the figures count only accepted values, and which
    services' deliveries of the quarter are left out, pending acceptance."""
    if not deck.data.accepted_only:
        return []
    pending = deck.data.pending_acceptance(deck.period)
    if not pending:
        return [deck.t("Only the values the direction accepted are shown.")]
    return [
        deck.t(
            "Only the values the direction accepted are shown; pending acceptance: {services}.",
            services=", ".join(pending),
        )
    ]


def _glance_slide(deck: _Deck) -> Slide:
    """2. The plan at a glance: a card per lever, objectives per status."""
    t, lang = deck.t, deck.lang
    cards = [
        Card(
            title=t("Lever {number}", number=lever.number),
            subtitle=lever.name,
            value=deck.pct(lever.achievement),
            status=level_badge(lever, lang),
            lines=(counts_text(_objective_counts(lever), lang), _trend(lever.trend, lang)),
        )
        for lever in deck.result.levers
    ]
    plan_counts = objective_counts(deck.result.objectives)
    return Slide(
        kind="glance",
        title=t("The plan at a glance"),
        subtitle=t(
            "{quarter} · achievement of each lever and objectives per status", quarter=deck.quarter
        ),
        metrics=[
            _overall_metric(deck),
            *[Metric(st.status_text(s, lang), deck.count(plan_counts[s])) for s in STATUSES],
        ],
        cards=cards,
    )


def _lever_slides(deck: _Deck) -> list[Slide]:
    """3. One slide per lever: its axes (table and chart over time), the objectives behind."""
    history = deck.data.history(deck.period)
    periods = [str(p) for p in period_range(deck.plan.first_period, deck.period)]
    return [_lever_slide(deck, lever, history, periods) for lever in deck.result.levers]


def _lever_slide(
    deck: _Deck, lever: LeverResult, history: pd.DataFrame, periods: list[str]
) -> Slide:
    t, lang = deck.t, deck.lang
    names = {a.number: a.name for a in deck.plan.lever(lever.number).axes}
    series = [
        NamedSeries(
            t("Axis {number}", number=a.number), _history_points(history, "axis", str(a.number))
        )
        for a in lever.axes
    ]
    what = t("Achievement of lever {number} over time by axis", number=lever.number)
    rows = [
        [
            Cell(
                t(
                    "Axis {number}. {name}",
                    number=a.number,
                    name=_short(names.get(a.number, ""), 70),
                )
            ),
            Cell("", status=level_badge(a, lang)),
            Cell(deck.pct(a.achievement), number=True),
            Cell(counts_text(_objective_counts(a), lang)),
        ]
        for a in lever.axes
    ]
    return Slide(
        kind="lever",
        kicker=t("Lever {number}", number=lever.number),
        title=lever.name,
        subtitle=lever.tagline,
        metrics=[
            Metric(t("Achievement"), deck.pct(lever.achievement), level_badge(lever, lang)),
            Metric(t("Objectives per status"), counts_text(_objective_counts(lever), lang)),
            Metric(t("Objectives with data"), objectives_with_data_text(lever, lang)),
            Metric(t("Trend"), _trend(lever.trend, lang)),
        ],
        table=Table(
            [t("Axis"), t("Status"), t("Achievement"), t("Objectives")],
            rows,
            widths=[3.2, 1.9, 1.3, 2.0],
        ),
        chart=Chart(
            f"lever-{lever.number}",
            history_figure(series, lang, title=None, periods=periods),
            figure_summary(series, lang, what=what),
        ),
        notes=[
            *_behind_note(deck, lever),
            *lever_note(_analyses(deck), [o.code for o in objectives_of(lever)], lang),
        ],
        behind=[(o.code, o.name) for o in _behind(lever)],
    )


def _behind(lever: LeverResult) -> list[ObjectiveResult]:
    """The lever's objectives behind (red or amber), in the plan's order."""
    return [o for o in objectives_of(lever) if o.status in (st.Status.RED, st.Status.AMBER)]


def _behind_note(deck: _Deck, lever: LeverResult) -> list[str]:
    """``Objectius amb retard: P1.02, P1.05`` (the first eight, then "and N more")."""
    behind = [o.code for o in _behind(lever)]
    if not behind:
        return []
    listed = ", ".join(behind[:BEHIND_LISTED])
    if len(behind) > BEHIND_LISTED:
        listed += " " + deck.t("and {count} more").format(count=len(behind) - BEHIND_LISTED)
    return [deck.t("Objectives behind: {codes}", codes=listed)]


def _risk_slide(deck: _Deck) -> Slide:
    """4. The objectives at risk, worst first (``plan_model.ranking``, as the overview)."""
    t, lang = deck.t, deck.lang
    risky = at_risk_ranking(deck.result)
    rows = [
        [
            Cell(o.code),
            Cell(_short(deck.plan.objective_by_code[o.code].text, 110)),
            Cell("", status=level_badge(o, lang)),
            Cell(deck.pct(o.achievement), number=True),
            Cell(at_risk_text(lang) if o.at_risk else "–"),
        ]
        for o in risky
    ]
    return Slide(
        kind="risk",
        title=t("Objectives at risk"),
        subtitle=t(
            "Behind schedule, or heading to miss the final target ({quarter})", quarter=deck.quarter
        ),
        metrics=[
            Metric(
                st.status_text("red", lang),
                deck.count(sum(1 for o in risky if o.status == st.Status.RED)),
            ),
            Metric(
                st.status_text("amber", lang),
                deck.count(sum(1 for o in risky if o.status == st.Status.AMBER)),
            ),
            Metric(at_risk_text(lang), deck.count(sum(1 for o in risky if o.at_risk))),
        ],
        table=Table(
            [t("Code"), t("Objective"), t("Status"), t("Achievement"), t("Forecast")],
            rows,
            widths=[0.9, 4.6, 1.9, 1.2, 1.4],
            empty_text=t("No objective is behind or at risk."),
        ),
    )


def _changes_slide(deck: _Deck) -> Slide:
    """5. What changed since the comparison quarter: objectives first, then indicators."""
    t, lang, since = deck.t, deck.lang, deck.since
    # nothing to compare with before the plan's first quarter
    changes = (
        deck.data.changes(since, deck.period)
        if since >= deck.plan.first_period
        else pd.DataFrame(columns=["level", "code", "status_before", "status_after", "change"])
    )
    counts = dict.fromkeys(CHANGE_KINDS, 0)
    rows = []
    for rec in _ordered_changes(changes):
        change = str(rec["change"])
        counts[change] = counts.get(change, 0) + 1
        rows.append(
            [
                Cell(_level_name(str(rec["level"]), str(rec["code"]), deck.plan, t)),
                Cell("", status=badge(_status_or_grey(rec["status_before"]), lang)),
                Cell("", status=badge(_status_or_grey(rec["status_after"]), lang)),
                Cell(f"{st.CHANGE_ICONS.get(change, '')} {t(CHANGE_LABELS.get(change, change))}"),
            ]
        )
    return Slide(
        kind="changes",
        title=t("What changed since {quarter}", quarter=period_label(since, lang)),
        subtitle=t(
            "Objectives and indicators, against what was known at the deadline of the {quarter}",
            quarter=period_label(since, lang),
        ),
        metrics=[
            Metric(
                st.icon_text(st.CHANGE_ICONS[k], CHANGE_LABELS[k], lang),
                deck.count(counts.get(k, 0)),
            )
            for k in CHANGE_KINDS
        ],
        table=Table(
            [t("Level"), t("Before"), t("Now"), t("Change")],
            rows,
            widths=[3.6, 2.3, 2.3, 1.9],
            empty_text=t("No status changed since {quarter}.", quarter=period_label(since, lang)),
        ),
    )


def _ordered_changes(changes: pd.DataFrame) -> list[dict[Hashable, Any]]:
    """The changes by level (plan to indicator), then kind (worse first), then code."""
    if changes.empty:
        return []
    ranked = changes.assign(
        _o=changes["change"].map(CHANGE_ORDER).fillna(3),
        _l=changes["level"].map(LEVEL_ORDER).fillna(5),
    )
    return ranked.sort_values(["_l", "_o", "code"], kind="stable").to_dict("records")


def _submissions_slide(deck: _Deck) -> Slide:
    """6. The services that still have to send the quarter's data, or sent it late."""
    t, lang = deck.t, deck.lang
    completeness = deck.data.completeness(deck.period, deck.today)
    quarter_rows = (
        completeness[completeness["period"] == str(deck.period)]
        if not completeness.empty
        else completeness
    )
    state_counts = dict.fromkeys(COMPLETENESS_LABELS, 0)
    rows = []
    pending = set(deck.data.pending_acceptance(deck.period))
    for rec in _ordered_submissions(quarter_rows):
        state = str(rec["state"])
        state_counts[state] = state_counts.get(state, 0) + 1
        if state != "on_time" or str(rec["service"]) in pending:
            rows.append(_submission_row(deck, rec, state, str(rec["service"]) in pending))
    return Slide(
        kind="submissions",
        title=t("Submissions for the {quarter}", quarter=deck.quarter),
        subtitle=t("Services that still have to send their data, or sent it late"),
        metrics=[
            Metric(
                st.icon_text(st.COMPLETENESS_ICONS[k], COMPLETENESS_LABELS[k], lang),
                deck.count(state_counts.get(k, 0)),
            )
            for k in ("on_time", "late", "pending")
        ],
        table=Table(
            [t("Service"), t("Delivery state"), t("Received"), t("Contact")],
            rows,
            widths=[3.6, 1.8, 1.6, 3.0],
            empty_text=t("Every service sent its data on time."),
        ),
    )


def _ordered_submissions(rows: pd.DataFrame) -> list[dict[Hashable, Any]]:
    """Pending first, then late, not due, on time; by service within each."""
    if rows.empty:
        return []
    ranked = rows.assign(_o=rows["state"].map(SUBMISSION_ORDER).fillna(4))
    return ranked.sort_values(["_o", "service"], kind="stable").to_dict("records")


def _submission_row(
    deck: _Deck, rec: dict[Hashable, Any], state: str, pending_acceptance: bool = False
) -> list[Cell]:
    service = deck.plan.service_by_code.get(str(rec["service"]))
    when = _day(rec.get("submitted_at"))
    label = (
        f"{st.COMPLETENESS_ICONS.get(state, '')} {deck.t(COMPLETENESS_LABELS.get(state, state))}"
    )
    if pending_acceptance:  # BOARD_ACCEPTED_ONLY: delivered, but not in the figures yet
        label += f" · {deck.t('pending acceptance')}"
    return [
        Cell(service.name if service else str(rec["service"])),
        Cell(label),
        Cell(format_date(when, deck.lang) if when is not None else "–"),
        Cell(service.email if service else ""),
    ]


def _analyses(deck: _Deck) -> LevelAnalyses:
    """The objectives' analyses of the quarter (issue 17), read once per data generation."""
    return deck.data.memo(
        ("board-analyses", str(deck.period)),
        lambda: level_analyses(deck.data.engine, deck.result.objectives, str(deck.period)),
    )


def _analysis_lines(deck: _Deck, objective: ObjectiveResult) -> list[str]:
    """The appendix's line of a red or amber objective's analysis (nothing otherwise)."""
    found = _analyses(deck)
    if objective.code not in found.off_track:
        return []
    return [
        analysis_line(a, deck.lang, COMMENT_MAX)
        for a in found.analyses
        if a.objective == objective.code
    ]


def _appendix(deck: _Deck) -> Table:
    """Every objective by code: status, achievement and the technicians' comments."""
    t, plan, period = deck.t, deck.plan, deck.period
    # the comments come with the full provenance frame (the cached values frame is lean)
    comments = deck.data.memo(
        ("board-comments", str(period)),
        lambda: _comments(queries.values_frame(deck.data.engine), plan, period),
    )
    rows = [
        [
            Cell(o.code),
            Cell(plan.objective_by_code[o.code].text),
            Cell("", status=level_badge(o, deck.lang)),
            Cell(deck.pct(o.achievement), number=True),
            Cell("\n".join([*_analysis_lines(deck, o), *comments.get(o.code, [])]) or "–"),
        ]
        for o in sorted(deck.result.objectives, key=lambda o: o.code)
    ]
    return Table(
        [t("Code"), t("Objective"), t("Status"), t("Achievement"), t("Technicians' comments")],
        rows,
        widths=[0.8, 3.6, 1.7, 1.1, 4.0],
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


def _level_name(level: str, code: str, plan: Plan, t: Callable[..., str]) -> str:
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


__all__ = ["SLIDE_ROWS", "Board", "badge", "build_board"]
