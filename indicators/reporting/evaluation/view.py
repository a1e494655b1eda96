"""The final evaluation in one language: its title, mark, summary and lever sections.

Every writer (Markdown, XLSX, PDF, PPTX) and the web page read the same :class:`EvaluationView`
(:func:`build_view`), so they always say the same thing; the tables are built in
:mod:`~indicators.reporting.evaluation.sections` from :mod:`~indicators.reporting.evaluation.model`.
"""

from __future__ import annotations

from dataclasses import dataclass

from i18n import format_percent, translator
from indicators.reporting.board import counts_text, level_badge
from indicators.reporting.board_model import Chart, Metric, StatusBadge
from indicators.reporting.evaluation import model as m
from indicators.reporting.evaluation import sections
from indicators.reporting.evaluation.common import Grid, mark_texts, path_text
from indicators.reporting.figures import NamedSeries, Point, figure_summary, history_figure
from plan_model.periods import Period, period_label, period_range
from plan_model.status import objective_counts, objectives_of


@dataclass
class LeverSection:
    """One lever's part: its figures, its axes and objectives, its indicators, its path."""

    number: int
    title: str
    subtitle: str
    badge: StatusBadge
    metrics: list[Metric]
    levels: Grid  # its axes, each followed by its objectives
    axes: Grid
    objectives: Grid
    indicators: Grid
    chart: Chart


@dataclass
class EvaluationView:
    """The evaluation in one language: what every writer shows."""

    lang: str
    title: str
    mark: str  # «Provisional» | «Definitiva»
    mark_line: str  # the mark, explained (closing date and who, when closed)
    subtitle: str
    footer: str
    metrics: list[Metric]
    method_note: str
    deliveries_line: str  # the completeness of reporting in one line
    distribution: Grid
    levers: Grid
    most_late: Grid
    completeness: Grid
    sections: list[LeverSection]
    milestones: Grid
    analyses: Grid
    evidence: Grid
    objectives: Grid
    path: Grid
    evaluation: m.Evaluation


def build_view(ev: m.Evaluation, lang: str) -> EvaluationView:
    """The evaluation ``ev`` in ``lang``."""
    t = translator(lang)
    mark, mark_line = mark_texts(ev, lang)
    final = Period.parse(ev.final_period)
    title = t("Final evaluation of the plan")
    return EvaluationView(
        lang=lang,
        title=title,
        mark=mark,
        mark_line=mark_line,
        subtitle=t(
            "{first} to {last} · final status at {period}",
            first=period_label(Period.parse(ev.first_period), lang),
            last=period_label(Period.parse(ev.last_period), lang),
            period=period_label(final, lang),
        ),
        footer=f"{mark.upper()} · {title} · {ev.plan_id} · {ev.organisation}",
        metrics=sections.summary_metrics(ev, lang),
        method_note=sections.method_note(ev, lang),
        deliveries_line=sections.deliveries_line(ev, lang),
        distribution=sections.distribution_grid(ev, lang),
        levers=sections.levers_grid(ev, lang),
        most_late=sections.most_late_grid(ev, lang),
        completeness=sections.completeness_grid(ev, lang),
        sections=[_section(ev, lever, lang) for lever in ev.levers],
        milestones=sections.milestones_grid(ev, lang),
        analyses=sections.analyses_grid(ev, lang),
        evidence=sections.evidence_grid(ev, lang),
        objectives=sections.objectives_grid(ev, lang),
        path=sections.path_grid(ev, lang),
        evaluation=ev,
    )


def _section(ev: m.Evaluation, lever: m.LeverEvaluation, lang: str) -> LeverSection:
    t = translator(lang)
    result = lever.result
    return LeverSection(
        number=result.number,
        title=t("Lever {number}. {name}", number=result.number, name=result.name),
        subtitle=result.tagline,
        badge=level_badge(result, lang),
        metrics=[
            Metric(
                t("Achievement"),
                format_percent(result.achievement, lang),
                level_badge(result, lang),
            ),
            Metric(
                t("Objectives per status"),
                counts_text(objective_counts(objectives_of(result)), lang),
            ),
            Metric(t("Path over the period"), path_text(lever.path, lang)),
        ],
        levels=sections.levels_grid(lever, lang),
        axes=sections.lever_axes_grid(lever, lang),
        objectives=sections.lever_objectives_grid(lever, lang),
        indicators=sections.indicators_grid(ev, lever, lang),
        chart=lever_chart(ev, lever, lang),
    )


def lever_chart(ev: m.Evaluation, lever: m.LeverEvaluation, lang: str) -> Chart:
    """The lever's path over the whole period, one line per axis (the pages' figure)."""
    t = translator(lang)
    series = [
        NamedSeries(
            t("Axis {number}", number=axis.result.number),
            [Point(period, value) for period, value in axis.path],
        )
        for axis in lever.axes
    ]
    periods = [
        str(p) for p in period_range(Period.parse(ev.first_period), Period.parse(ev.final_period))
    ]
    what = t("Achievement of lever {number} over time by axis", number=lever.result.number)
    return Chart(
        f"evaluation-lever-{lever.result.number}",
        history_figure(series, lang, title=None, periods=periods),
        figure_summary(series, lang, what=what),
    )
