"""The tables of the final evaluation, one function each, in one language.

Each returns a :class:`~indicators.reporting.evaluation.common.Grid` of typed values (the
summary's distribution, the levers, the most late objectives, the completeness of reporting,
a lever's axes and objectives and its indicators, the milestones, the analyses, the evidence,
every objective, the path quarter by quarter) or the summary's figures.
"""

from __future__ import annotations

from accounts.roles import ROLE_LABELS
from i18n import format_date, format_number, format_percent, translator
from indicators.reporting.board import counts_text, level_badge
from indicators.reporting.board_model import Metric
from indicators.reporting.evaluation import model as m
from indicators.reporting.evaluation.common import (
    METHOD_LABELS,
    NO_AMENDMENT,
    NUMBER,
    OUTCOME_LABELS,
    PERCENT,
    STATUS,
    TEXT,
    Grid,
    Value,
    indicator_badge,
    method_text,
    path_text,
    status_badge,
    value_text,
)
from plan_model.models import Method
from plan_model.periods import Period, period_label, period_range, text_label
from plan_model.status import objective_counts, objectives_of, objectives_with_data

STATUS_ORDER = ("green", "amber", "red", "grey")


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def summary_metrics(ev: m.Evaluation, lang: str) -> list[Metric]:
    """The summary's headline figures: overall achievement, objectives, reporting on time."""
    t = translator(lang)
    s = ev.summary
    return [
        Metric(
            t("Overall achievement"),
            format_percent(ev.plan.achievement, lang),
            level_badge(ev.plan, lang),
        ),
        Metric(
            t("Objectives with data"),
            objectives_with_data(ev.summary.objectives_results).text(lang),
        ),
        Metric(t("Path over the period"), path_text(ev.path, lang)),
        Metric(
            t("Deliveries on time"),
            format_percent(_share(s.on_time, s.expected), lang),
        ),
    ]


def deliveries_line(ev: m.Evaluation, lang: str) -> str:
    """The completeness of reporting in one line: deliveries on time, late, missing."""
    s = ev.summary
    return translator(lang)(
        "Deliveries over the period: {on_time} on time, {late} late, {missing} missing.",
        on_time=s.on_time,
        late=s.late,
        missing=s.missing,
    )


def method_note(ev: m.Evaluation, lang: str) -> str:
    """How the lights are computed: the plan's method and its thresholds."""
    t = translator(lang)
    return t(
        "Method: {method}; green from {green} of what was expected, amber from {amber} "
        "(docs/metodologia.md). Final status at {period}.",
        method=t(METHOD_LABELS.get(Method(ev.default_method), ev.default_method)),
        green=format_percent(ev.green_threshold, lang),
        amber=format_percent(ev.amber_threshold, lang),
        period=period_label(Period.parse(ev.final_period), lang),
    )


def distribution_grid(ev: m.Evaluation, lang: str) -> Grid:
    """Objectives by final status: how many and what share."""
    t = translator(lang)
    total = ev.summary.objectives
    rows: list[list[Value]] = [
        [
            status_badge(key, lang),
            ev.summary.counts.get(key, 0),
            _share(ev.summary.counts.get(key, 0), total),
        ]
        for key in STATUS_ORDER
    ]
    return Grid(
        t("Objectives by status"),
        [t("Status"), t("Objectives"), t("Share")],
        [STATUS, NUMBER, PERCENT],
        rows,
        [2.6, 1.2, 1.2],
    )


def levers_grid(ev: m.Evaluation, lang: str) -> Grid:
    """Each lever's light, achievement, objectives per status and path."""
    t = translator(lang)
    rows: list[list[Value]] = [
        [
            t("Lever {number}. {name}", number=lever.result.number, name=lever.result.name),
            level_badge(lever.result, lang),
            lever.result.achievement,
            counts_text(objective_counts(objectives_of(lever.result)), lang),
            path_text(lever.path, lang),
        ]
        for lever in ev.levers
    ]
    return Grid(
        t("The levers"),
        [t("Lever"), t("Status"), t("Achievement"), t("Objectives per status"), t("Path")],
        [TEXT, STATUS, PERCENT, TEXT, TEXT],
        rows,
        [3.4, 2.1, 1.5, 2.0, 1.6],
    )


def most_late_grid(ev: m.Evaluation, lang: str) -> Grid:
    """The objectives most behind (the board's ranking), at most five."""
    t = translator(lang)
    rows: list[list[Value]] = [
        [o.code, o.name, level_badge(o, lang), o.achievement] for o in ev.summary.most_late
    ]
    return Grid(
        t("The {count} objectives most behind", count=m.MOST_LATE),
        [t("Objective"), t("Name"), t("Status"), t("Achievement")],
        [TEXT, TEXT, STATUS, PERCENT],
        rows,
        [1.0, 4.6, 2.1, 1.5],
        empty_text=t("No objective is behind."),
    )


def completeness_grid(ev: m.Evaluation, lang: str) -> Grid:
    """Per service, its deliveries over the period: on time, late, missing, not due."""
    t = translator(lang)
    rows: list[list[Value]] = [
        [s.name, s.on_time, s.late, s.missing, s.not_due, _share(s.on_time, s.expected)]
        for s in ev.completeness
    ]
    s = ev.summary
    rows.append(
        [
            t("Total"),
            s.on_time,
            s.late,
            s.missing,
            sum(c.not_due for c in ev.completeness),
            _share(s.on_time, s.expected),
        ]
    )
    return Grid(
        t("Completeness of reporting over the period"),
        [
            t("Service"),
            t("Delivered on time"),
            t("Delivered late"),
            t("Not delivered"),
            t("Not due yet"),
            t("On time (%)"),
        ],
        [TEXT, NUMBER, NUMBER, NUMBER, NUMBER, PERCENT],
        rows,
        [4.0, 1.3, 1.3, 1.3, 1.2, 1.2],
    )


def levels_grid(lever: m.LeverEvaluation, lang: str) -> Grid:
    """A lever's axes and their objectives: final status, achievement and path."""
    t = translator(lang)
    rows: list[list[Value]] = []
    for axis in lever.axes:
        a = axis.result
        rows.append(
            [
                t("Axis {number}", number=a.number),
                a.name,
                level_badge(a, lang),
                a.achievement,
                path_text(axis.path, lang),
            ]
        )
        for objective in axis.objectives:
            o = objective.result
            rows.append(
                [
                    o.code,
                    o.name,
                    level_badge(o, lang),
                    o.achievement,
                    path_text(objective.path, lang),
                ]
            )
    return Grid(
        t("Axes and objectives"),
        [t("Level"), t("Name"), t("Status"), t("Achievement"), t("Path")],
        [TEXT, TEXT, STATUS, PERCENT, TEXT],
        rows,
        [0.9, 4.4, 2.1, 1.5, 1.5],
    )


def axes_grid(ev: m.Evaluation, lang: str) -> Grid:
    """Every axis: its lever, final status, achievement, path and objectives per status."""
    t = translator(lang)
    rows: list[list[Value]] = [
        [
            t("Axis {number}", number=axis.result.number),
            axis.result.name,
            lever.result.number,
            level_badge(axis.result, lang),
            axis.result.achievement,
            path_text(axis.path, lang),
            counts_text(objective_counts(objectives_of(axis.result)), lang),
        ]
        for lever in ev.levers
        for axis in lever.axes
    ]
    return Grid(
        t("The axes"),
        [
            t("Axis"),
            t("Name"),
            t("Lever"),
            t("Status"),
            t("Achievement"),
            t("Path"),
            t("Objectives per status"),
        ],
        [TEXT, TEXT, NUMBER, STATUS, PERCENT, TEXT, TEXT],
        rows,
        [1.0, 4.4, 0.8, 1.9, 1.2, 1.5, 1.9],
    )


def lever_axes_grid(lever: m.LeverEvaluation, lang: str) -> Grid:
    """A lever's axes only (the slide beside the chart): status and achievement."""
    t = translator(lang)
    rows: list[list[Value]] = [
        [
            t("Axis {number}. {name}", number=a.result.number, name=a.result.name),
            level_badge(a.result, lang),
            a.result.achievement,
        ]
        for a in lever.axes
    ]
    return Grid(
        t("The axes"),
        [t("Axis"), t("Status"), t("Achievement")],
        [TEXT, STATUS, PERCENT],
        rows,
        [3.4, 2.0, 1.3],
    )


def lever_objectives_grid(lever: m.LeverEvaluation, lang: str) -> Grid:
    """A lever's objectives only: their axis, status, achievement and path."""
    t = translator(lang)
    rows: list[list[Value]] = [
        [
            o.result.code,
            o.result.name,
            o.result.axis,
            level_badge(o.result, lang),
            o.result.achievement,
            path_text(o.path, lang),
        ]
        for o in lever.objectives
    ]
    return Grid(
        t("Objectives of lever {number}", number=lever.result.number),
        [t("Objective"), t("Name"), t("Axis"), t("Status"), t("Achievement"), t("Path")],
        [TEXT, TEXT, NUMBER, STATUS, PERCENT, TEXT],
        rows,
        [1.0, 5.0, 0.6, 2.1, 1.3, 1.6],
    )


def _amended(indicator: m.IndicatorEvaluation, lang: str) -> str:
    t = translator(lang)
    if indicator.amendment is None:
        return t(NO_AMENDMENT)
    return t(
        "{target} from {period}",
        target=format_number(indicator.amendment.target, lang),
        period=text_label(indicator.amendment.effective, lang),
    )


def _target(indicator: m.IndicatorEvaluation, lang: str) -> str:
    if indicator.result.kind == "milestone":
        return translator(lang)("Completed milestone")
    return format_number(indicator.original_target, lang)


def indicators_grid(ev: m.Evaluation, lever: m.LeverEvaluation, lang: str) -> Grid:
    """A lever's indicators: the method and thresholds under the name, the final status, the
    value against the original target and the revised one («cap esmena» while no amendment
    is recorded), the achievement."""
    t = translator(lang)
    rows: list[list[Value]] = [
        [
            i.result.code,
            f"{i.result.name}\n{method_text(i.result, lang)}",
            indicator_badge(i.result, lang),
            value_text(ev, i.result, lang),
            _target(i, lang),
            _amended(i, lang),
            i.result.achievement,
        ]
        for objective in lever.objectives
        for i in objective.indicators
    ]
    return Grid(
        t("Indicators: achieved against the targets"),
        [
            t("Code"),
            t("Indicator and method"),
            t("Status"),
            t("Final value"),
            t("Original target"),
            t("Revised target"),
            t("Achievement"),
        ],
        [TEXT, TEXT, STATUS, TEXT, TEXT, TEXT, PERCENT],
        rows,
        [1.1, 3.8, 1.9, 1.6, 1.45, 1.25, 1.5],
    )


def _decisions_text(milestone: m.MilestoneEvaluation, ev: m.Evaluation, lang: str) -> str:
    t = translator(lang)
    return (
        "; ".join(
            t(
                "{stage} from {effective} ({body}, {date}): {reason}",
                stage=ev.stage_name(d.stage, lang),
                effective=d.effective,
                body=d.body,
                date=format_date(d.decided_on, lang),
                reason=d.reason,
            )
            for d in milestone.decisions
        )
        or "–"
    )


def milestones_grid(ev: m.Evaluation, lang: str) -> Grid:
    """Every milestone: finished, late, postponed, dropped or on schedule, its stage, the
    planned completion and the directors' decisions."""
    t = translator(lang)
    order = {outcome: i for i, outcome in enumerate(m.MILESTONE_OUTCOMES)}
    ordered = sorted(ev.milestones, key=lambda x: (order[x.outcome], x.result.code))
    rows: list[list[Value]] = [
        [
            x.result.code,
            x.result.name,
            t(OUTCOME_LABELS[x.outcome]),
            ev.stage_name(x.result.effective_stage or x.result.stage, lang),
            x.planned or "–",
            _decisions_text(x, ev, lang),
        ]
        for x in ordered
    ]
    return Grid(
        t("Milestones"),
        [t("Indicator"), t("Milestone"), t("Outcome"), t("Stage"), t("Planned"), t("Decisions")],
        [TEXT] * 6,
        rows,
        [1.2, 3.4, 1.5, 1.5, 1.0, 3.0],
        empty_text=t("The plan has no milestones."),
    )


def analyses_grid(ev: m.Evaluation, lang: str) -> Grid:
    """Each objective's latest analysis: what happened, what will be done, by when, written
    by whom (the role) and when."""
    t = translator(lang)
    rows: list[list[Value]] = []
    for objective in ev.objectives:
        a = objective.analysis
        if a is None:
            continue
        role = t(ROLE_LABELS[a.author_role]) if a.author_role in ROLE_LABELS else "–"
        rows.append(
            [
                a.objective,
                a.period,
                a.what_happened,
                a.next_steps,
                format_date(a.due_by, lang),
                role,
                format_date(a.written_on, lang),
            ]
        )
    return Grid(
        t("Analyses of the objectives"),
        [
            t("Objective"),
            t("Quarter"),
            t("What happened"),
            t("What will be done"),
            t("By when"),
            t("Written by"),
            t("Date"),
        ],
        [TEXT] * 7,
        rows,
        [1.0, 1.0, 4.0, 3.0, 1.2, 1.3, 1.2],
        empty_text=t("No analysis was written."),
    )


def evidence_grid(ev: m.Evaluation, lang: str) -> Grid:
    """The evidence behind the objectives' values: files (their names) and links."""
    t = translator(lang)
    rows: list[list[Value]] = [
        [
            objective.result.code,
            e.indicator,
            e.period,
            e.service,
            e.title,
            (e.filename or "") if e.kind == "file" else (e.url or ""),
        ]
        for objective in ev.objectives
        for e in objective.evidence
    ]
    return Grid(
        t("Evidence"),
        [t("Objective"), t("Indicator"), t("Quarter"), t("Service"), t("Title"), t("File or link")],
        [TEXT] * 6,
        rows,
        [1.0, 1.3, 1.0, 1.2, 3.0, 3.5],
        empty_text=t("No evidence was attached."),
    )


def objectives_grid(ev: m.Evaluation, lang: str) -> Grid:
    """Every objective: lever, axis, final status, achievement, path, indicators per status."""
    t = translator(lang)
    rows: list[list[Value]] = [
        [
            o.result.code,
            o.result.name,
            o.result.lever,
            o.result.axis,
            level_badge(o.result, lang),
            o.result.achievement,
            path_text(o.path, lang),
            counts_text(o.result.counts, lang),
        ]
        for o in ev.objectives
    ]
    return Grid(
        t("Every objective"),
        [
            t("Objective"),
            t("Name"),
            t("Lever"),
            t("Axis"),
            t("Status"),
            t("Achievement"),
            t("Path"),
            t("Indicators per status"),
        ],
        [TEXT, TEXT, NUMBER, NUMBER, STATUS, PERCENT, TEXT, TEXT],
        rows,
        [1.0, 4.0, 0.8, 0.7, 1.9, 1.2, 1.5, 1.9],
    )


def path_grid(ev: m.Evaluation, lang: str) -> Grid:
    """The achievement of the plan, every lever, axis and objective, quarter by quarter."""
    t = translator(lang)
    periods = [
        str(p) for p in period_range(Period.parse(ev.first_period), Period.parse(ev.final_period))
    ]
    levels: list[tuple[str, str, m.Path]] = [("plan", t("Plan"), ev.path)]
    for lever in ev.levers:
        levels.append(("lever", t("Lever {number}", number=lever.result.number), lever.path))
        for axis in lever.axes:
            levels.append(("axis", t("Axis {number}", number=axis.result.number), axis.path))
            levels += [("objective", o.result.code, o.path) for o in axis.objectives]
    rows: list[list[Value]] = []
    for _level, name, path in levels:
        by_period = dict(path)
        rows.append([name, *[by_period.get(p) for p in periods]])
    return Grid(
        t("Path over the period"),
        [t("Level"), *periods],
        [TEXT, *[PERCENT] * len(periods)],
        rows,
    )


__all__ = [
    "analyses_grid",
    "axes_grid",
    "completeness_grid",
    "deliveries_line",
    "distribution_grid",
    "evidence_grid",
    "indicators_grid",
    "levels_grid",
    "lever_axes_grid",
    "lever_objectives_grid",
    "levers_grid",
    "method_note",
    "milestones_grid",
    "most_late_grid",
    "objectives_grid",
    "path_grid",
    "summary_metrics",
]
