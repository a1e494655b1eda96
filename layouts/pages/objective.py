"""Objectiu (``/objectiu/<code>``): each indicator's chart, quarterly values and provenance."""

from __future__ import annotations

from typing import Any, NamedTuple

import dash
import pandas as pd
from dash import dcc, html

from i18n import format_number
from indicators.reporting.grey_reasons import grey_reasons
from indicators.reporting.numbers import clean_number
from layouts import analysis, breakdown_charts, evidence, milestone_decision, plan_versions
from layouts import components as c
from layouts.figures import (
    IndicatorChartData,
    MilestoneChartData,
    Point,
    indicator_figure,
    milestone_figure,
)
from layouts.light import el
from layouts.pages.not_found_404 import not_found
from layouts.reviews import approval_lines
from plan_model import status_types as st
from plan_model.models import Indicator, Objective, Stage
from plan_model.periods import Period, text_label
from plan_model.status_types import IndicatorResult

dash.register_page(  # type: ignore[no-untyped-call]
    __name__,
    path_template="/objectiu/<code>",
    path="/objectiu/P1.01",
    title=c.page_title("Objective {code}"),
    name="Objectiu",
    order=2,
)

DIRECTION_LABELS = {"increase": "Increase", "decrease": "Decrease", "maintain": "Maintain"}
AGGREGATION_LABELS = {
    "sum": "Sum of the year's quarters",
    "last": "Latest quarter",
    "mean": "Mean of the year's quarters",
    "ytd": "Year to date (the latest quarter)",
}


def stage_name(stage: Stage, lang: str) -> str:
    return {"es": stage.name_es, "en": stage.name_en}.get(lang, stage.name)


def _num(value: Any, lang: str, unit: str | None = None) -> str:
    text = format_number(clean_number(value), lang)
    if unit and text != "–":
        return f"{text}\u00a0{unit}"
    return text


class _Paths(NamedTuple):  # not a dataclass: Dash loads page modules outside sys.modules
    """One indicator's paths per plan quarter (``DashboardData.indicator_paths``) as points."""

    labels: list[str]  # every quarter of the plan
    shown: list[str]  # those up to the page's quarter
    paths: dict[str, list[float | None]]

    def points(self, key: str, upto: int | None = None) -> list[Point]:
        values = self.paths.get(key) or []
        limit = len(values) if upto is None else upto
        return [Point(self.labels[i], values[i]) for i in range(min(limit, len(values)))]


def _chart(
    ctx: c.PageContext, ind: Indicator, result: IndicatorResult | None, rows: pd.DataFrame
) -> Any:
    periods = ctx.data.plan_periods()
    paths = _Paths(
        labels=[str(p) for p in periods],
        shown=[str(p) for p in periods if p <= ctx.period],
        paths=ctx.data.indicator_paths(ind.code) or {},
    )
    if ind.is_milestone:
        return _milestone_chart(ctx, ind, rows, paths)
    return _numeric_chart(ctx, ind, result, paths)


def _milestone_chart(ctx: c.PageContext, ind: Indicator, rows: pd.DataFrame, paths: _Paths) -> Any:
    t, lang = ctx.t, ctx.lang
    stages = []
    for r in rows.itertuples():
        if str(r.period) not in paths.shown:
            continue
        stage = ctx.plan.stage_by_key.get(str(r.stage or "").strip().lower())
        stages.append(
            (
                str(r.period),
                stage_name(stage, lang) if stage else str(r.stage),
                stage.pct if stage else None,
            )
        )
    data = MilestoneChartData(
        code=ind.code,
        name=ind.name,
        periods=paths.labels,
        stages=stages,
        expected=paths.points("expected"),
        planned_completion=ind.planned_completion,
        scale=[(stage_name(s, lang), s.pct) for s in ctx.plan.stages if s.pct is not None],
    )
    reached = stages[-1] if stages else None
    summary = t(
        "Milestone {code}: stage {stage} in {period}; planned completion {due}.",
        code=ind.code,
        stage=reached[1] if reached else t("no data"),
        period=text_label(reached[0] if reached else str(ctx.period), lang),
        due=ind.planned_completion or "–",
    )
    return c.graph(milestone_figure(data, lang), summary, graph_id=f"chart-{ind.code}")


def _band(ind: Indicator, paths: _Paths) -> tuple[list[Point], list[Point]]:
    """The amber-to-green band around the expected path (none for ``maintain``)."""
    band_low: list[Point] = []
    band_high: list[Point] = []
    if ind.direction is None or str(ind.direction) == "maintain":
        return band_low, band_high
    base = paths.paths.get("baseline") or []
    exp = paths.paths.get("expected") or []
    green = paths.paths.get("green") or []
    amber = paths.paths.get("amber") or []
    for i, label in enumerate(paths.labels[: len(exp)]):
        b, e, g, a = base[i], exp[i], green[i], amber[i]
        if b is None or e is None or g is None or a is None:
            band_low.append(Point(label, None))
            band_high.append(Point(label, None))
            continue
        lo, hi = b + a * (e - b), b + g * (e - b)
        band_low.append(Point(label, min(lo, hi)))
        band_high.append(Point(label, max(lo, hi)))
    return band_low, band_high


def _numeric_chart(
    ctx: c.PageContext, ind: Indicator, result: IndicatorResult | None, paths: _Paths
) -> Any:
    t, lang = ctx.t, ctx.lang
    labels = paths.labels
    band_low, band_high = _band(ind, paths)
    actual = paths.points("value", len(paths.shown))
    forecast: list[Point] = []
    final = clean_number(result.forecast if result is not None else None)
    last = next((p for p in reversed(actual) if p.value is not None), None)
    if final is not None and last is not None and last.period != labels[-1]:
        forecast = [last, Point(labels[-1], final)]
    targets = (
        [
            Point(f"{year}-T4", value)
            for year, value in sorted(ind.targets.items())
            if f"{year}-T4" in labels
        ]
        if ind.targets
        else []
    )
    data = IndicatorChartData(
        code=ind.code,
        name=ind.name,
        unit=ind.unit,
        periods=labels,
        actual=actual,
        expected=paths.points("expected"),
        baseline=ind.baseline.value if ind.baseline else None,
        band_low=band_low,
        band_high=band_high,
        forecast=forecast,
        targets=targets,
        baseline_path=paths.points("baseline"),
    )
    summary = t(
        "Indicator {code}: value {value} in {period}, expected {expected}; "
        "forecast for the end of the plan {forecast}.",
        code=ind.code,
        value=_num(last.value if last else None, lang, ind.unit),
        period=text_label(last.period if last else str(ctx.period), lang),
        expected=_num(result.expected if result is not None else None, lang, ind.unit),
        forecast=_num(final, lang, ind.unit),
    )
    return c.graph(indicator_figure(data, lang), summary, graph_id=f"chart-{ind.code}")


_TABLE_COLUMNS = (
    "period",
    "value",
    "stage",
    "comment",
    "service",
    "filename",
    "sheet",
    "row",
    "uploaded_by",
    "uploaded_at",
)


_TABLE_HEADERS = (
    "Quarter",
    "Value",
    "Technicians' comment",
    "Service",
    "File",
    "Uploaded by",
    "History",
    "Approval",
    evidence.HEADER,  # issue 17: the value's attachments
)


def _provenance_records(rows: pd.DataFrame, until: str) -> list[tuple[Any, ...]]:
    """The indicator's values up to ``until`` as plain tuples of ``_TABLE_COLUMNS``, newest
    quarter first (a stable sort: ties keep the frame's order)."""
    records = (
        []
        if rows.empty
        else [
            r
            for r in zip(*(rows[col].tolist() for col in _TABLE_COLUMNS), strict=True)
            if str(r[0]) <= until
        ]
    )
    records.sort(key=lambda r: str(r[0]), reverse=True)
    return records


def _shown_value(ctx: c.PageContext, ind: Indicator, number: Any, stage_key: Any) -> str:
    """A value as the table shows it: the stage's name for a milestone, else the number."""
    if ind.is_milestone:
        stage = ctx.plan.stage_by_key.get(str(stage_key or "").strip().lower())
        return stage_name(stage, ctx.lang) if stage else str(stage_key or "–")
    return _num(number, ctx.lang, ind.unit)


def _provenance_row(
    ctx: c.PageContext,
    ind: Indicator,
    record: tuple[Any, ...],
    counts: dict[tuple[str, str], int],
) -> Any:
    """One quarter's row: value, comment, service, file and sheet row, uploader, versions."""
    t, lang = ctx.t, ctx.lang
    period, number, stage_key, comment, service, filename, sheet, row, who, when = record
    versions = counts.get((str(service), str(period)), 0)
    return el(
        "Tr",
        [
            el("Th", str(period), scope="row"),
            el("Td", _shown_value(ctx, ind, number, stage_key), className="num"),
            el(
                "Td",
                str(comment) if isinstance(comment, str) and comment else "–",
                className="comment",
            ),
            el("Td", str(service)),
            el(
                "Td",
                [
                    el("Span", str(filename)),
                    el("Br"),
                    el("Small", t("sheet {sheet}, row {row}", sheet=sheet, row=row)),
                ],
            ),
            el("Td", [str(who), el("Br"), el("Small", c.short_datetime(when, lang))]),
            el(
                "Td",
                t("{count} versions", count=versions) if versions > 1 else t("original"),
                className="versions",
            ),
            el("Td", _approval_cell(ctx, str(service), str(period)), className="approval"),
            el("Td", evidence.attachment_cell(ctx, ind.code, str(period), str(service))),
        ],
    )


def _approval_cell(ctx: c.PageContext, service: str, period: str) -> list[Any]:
    """Where the quarter's delivery of ``service`` stands: validated by, accepted by (the
    read model's reviews, as ``/lliuraments`` says it), and the lock."""
    quarter = Period.try_parse(period)
    if quarter is None:
        return ["–"]
    review = ctx.data.reviews(quarter).get(service)
    lines: list[Any] = []
    for line in approval_lines(review, ctx.t) if review is not None else []:
        lines += [line, el("Br")]
    if period in ctx.data.locked_quarters():
        lines += [el("Span", className="lock-sign is-locked", **{"aria-hidden": "true"})]
        lines += [" ", ctx.t("locked")]
    return lines or ["–"]


def _values_table(ctx: c.PageContext, ind: Indicator, rows: pd.DataFrame) -> Any:
    """The provenance table of an indicator's quarterly values (or a note when there are none)."""
    t = ctx.t
    records = _provenance_records(rows, str(ctx.period))
    if not records:
        return c.no_data_note(t("No values have been submitted for this indicator yet."))
    counts = ctx.data.submission_counts()
    # plain elements (layouts.light): a 10x objective has hundreds of rows
    body = [_provenance_row(ctx, ind, record, counts) for record in records]
    caption = t("Quarterly values of {code} with their origin", code=ind.code)
    return html.Div(
        html.Table(
            [
                html.Caption(caption, className="visually-hidden"),
                html.Thead(html.Tr([html.Th(t(h), scope="col") for h in _TABLE_HEADERS])),
                html.Tbody(body),
            ],
            className="table table-sm data-table provenance",
        ),
        className="table-scroll",
        tabIndex="0",
        role="region",
        **c.attrs(aria_label=caption),
    )


def _marks(ctx: c.PageContext, ind: Indicator, result: IndicatorResult | None) -> list[Any]:
    """The indicator's marks beside its light: a milestone proposal not decided, ★ above the
    expected path, late, at risk."""
    lang = ctx.lang
    marks = milestone_decision.proposal_mark(ctx, ind)  # an Ajornat/Desestimat not decided
    flags = (
        (result is not None and result.exceeded, st.EXCEEDED_ICON, st.EXCEEDED_LABEL),
        (result is not None and result.late, st.LATE_ICON, st.LATE_LABEL),
        (result is not None and result.at_risk, st.AT_RISK_ICON, st.AT_RISK_LABEL),
    )
    for shown, icon, label in flags:
        if shown:
            marks.append(html.Span(st.icon_text(icon, label, lang), className="mark"))
    return marks


def _numeric_facts(ctx: c.PageContext, ind: Indicator) -> list[tuple[str, Any]]:
    """Kind, unit, direction, year value, baseline and targets of a numeric indicator."""
    t, lang = ctx.t, ctx.lang
    facts: list[tuple[str, Any]] = []
    if str(ind.kind) == "context":
        facts.append((t("Kind"), t("Context indicator")))
    facts.append((t("Unit"), ind.unit or "–"))
    if ind.direction:
        facts.append((t("Direction"), t(DIRECTION_LABELS[str(ind.direction)])))
    if ind.aggregation:
        facts.append((t("Year value"), t(AGGREGATION_LABELS[str(ind.aggregation)])))
    if ind.baseline:
        facts.append(
            (t("Baseline"), f"{_num(ind.baseline.value, lang, ind.unit)} ({ind.baseline.year})")
        )
    if ind.targets:  # with «meta revisada el … (abans …)» where an amendment changed one
        revisions = plan_versions.revisions_in_force(ctx)
        facts.append((t("Targets"), plan_versions.targets_text(ctx, ind, revisions)))
    return facts


def _facts(
    ctx: c.PageContext, ind: Indicator, result: IndicatorResult | None
) -> list[tuple[str, Any]]:
    """The indicator's sheet as (label, value) pairs: who reports it, what it measures and
    where it stands."""
    t, lang = ctx.t, ctx.lang
    service = ctx.plan.service_by_code.get(ind.responsible_service)
    facts: list[tuple[str, Any]] = [
        (
            t("Responsible service"),
            f"{ind.responsible_service} — {service.name}" if service else ind.responsible_service,
        ),
    ]
    if service is not None and service.responsible_role:
        facts.append((t("Person in charge (role)"), service.responsible_role))
    if ind.is_milestone:
        facts.append((t("Kind"), t("Milestone (stages)")))
        facts.append((t("Planned completion"), ind.planned_completion or "–"))
    else:
        facts += _numeric_facts(ctx, ind)
    if result is not None and ind.is_milestone:  # the stage's name beside its percentage
        stage = result.effective_stage or result.stage
        shown = _shown_value(ctx, ind, None, stage) if stage else "–"
        facts.append((t("Value for the year"), f"{shown} ({_num(result.value, lang, '%')})"))
    elif result is not None:
        facts.append((t("Value for the year"), _num(result.value, lang, ind.unit)))
    if result is not None:
        facts.append((t("Expected by now"), _num(result.expected, lang, ind.unit)))
        facts.append((t("Trend"), c.trend_text(str(result.trend), lang)))
        facts.append((t("Forecast at the end of the plan"), _num(result.forecast, lang, ind.unit)))
    return facts


PERIODICITY_LABELS = {"quarterly": "Quarterly"}


def _fitxa(ctx: c.PageContext, ind: Indicator) -> html.Details:
    """The indicator's fitxa (definition, formula, periodicity, source of verification) as a
    disclosure: closed by default, a list of terms that wraps on a phone."""
    t = ctx.t
    rows = (
        (t("Definition"), ind.description),
        (t("Formula"), ind.formula),
        (t("Periodicity"), t(PERIODICITY_LABELS[str(ind.periodicity)])),
        (t("Source of verification"), ind.source),
    )
    return html.Details(
        [
            html.Summary(t("Indicator sheet")),
            html.Dl(
                [
                    item
                    for label, value in rows
                    for item in (html.Dt(label), html.Dd(value or t("Not given")))
                ],
                className="facts fitxa-facts",
            ),
        ],
        id=f"fitxa-{ind.code}",
        className="fitxa",
    )


def _indicator_section(
    ctx: c.PageContext, ind: Indicator, result: IndicatorResult | None
) -> html.Section:
    t, lang = ctx.t, ctx.lang
    rows = ctx.data.indicator_values(ind.code)
    status = str(result.status) if result is not None else "grey"
    heading_id = f"ind-{ind.code}"
    badge = c.indicator_badge(result, lang) if result is not None else c.status_badge(status, lang)
    achievement = html.Strong(c.percent(result.achievement if result else None, lang))
    return html.Section(
        [
            html.H2([html.Span(ind.code, className="code"), " ", ind.name], id=heading_id),
            html.Div(
                [
                    badge,
                    html.Span([t("Achievement"), ": ", achievement]),
                    *_marks(ctx, ind, result),
                ],
                className="indicator-status",
            ),
            html.Dl(
                [
                    item
                    for label, value in _facts(ctx, ind, result)
                    for item in (html.Dt(label), html.Dd(value))
                ],
                className="facts",
            ),
            _fitxa(ctx, ind),
            _chart(ctx, ind, result, rows),
            *breakdown_charts.breakdown_section(ctx, ind),  # issue 14: by ABSS and by sex
            html.H3(t("Quarterly values")),
            _values_table(ctx, ind, rows),
        ],
        className="panel indicator",
        **c.attrs(aria_labelledby=heading_id),
    )


def _grey_note(ctx: c.PageContext, indicators: list[IndicatorResult]) -> list[Any]:
    """Why the grey indicators have no light (``indicators.reporting.grey_reasons``), with a
    link to the submissions page; nothing when none is grey."""
    reasons = grey_reasons(indicators, ctx.data.completeness_of(ctx.period), ctx.period, ctx.lang)
    if not reasons:
        return []
    items = [
        html.Li(r.text, **c.attrs(data_service=r.service, data_state=r.state)) for r in reasons
    ]
    return [
        html.Div(
            [
                html.P(ctx.t("Why some lights are grey:"), className="grey-why-title"),
                html.Ul(items),
                dcc.Link(ctx.t("See the submissions"), href=ctx.href("/lliuraments")),
            ],
            id="grey-reasons",
            className="grey-reasons panel",
            role="note",
        )
    ]


ORIGIN_LABELS = {
    "departament": "Proposal of the Departament de Drets Socials",
    "coss": "COSS's own operations",
}


def _origin_and_challenges(ctx: c.PageContext, objective: Objective) -> html.P:
    """Where the objective comes from (the plan's two columns) and the challenges (reptes)
    it serves, each a link to the list of the objectives that serve it."""
    t = ctx.t
    names = {ch.number: ch.name for ch in ctx.plan.challenges}
    links: list[Any] = []
    for number in objective.challenges:
        if links:
            links.append("; ")
        links.append(
            dcc.Link(
                f"{number}. {names.get(number, '')}",
                href=ctx.href("/objectius", repte=str(number)),
            )
        )
    return html.P(
        [
            html.Span([t("Origin"), ": ", t(ORIGIN_LABELS[str(objective.origin)])]),
            " · ",
            html.Span([t("Challenges"), ": ", *(links or [t("none")])]),
        ],
        className="objective-origin",
    )


def build(ctx: c.PageContext, code: str) -> html.Div:
    t, lang = ctx.t, ctx.lang
    objective = ctx.plan.objective_by_code[code]
    level = ctx.data.objective_status(code, ctx.period)  # this objective's values only
    lever = ctx.plan.lever(objective.lever_number)
    axis = next((a for a in lever.axes if a.number == objective.axis), None)
    by_code = {i.code: i for i in level.indicators}
    breadcrumb = html.Nav(
        html.Ol(
            [
                html.Li(dcc.Link(t("Overview"), href=ctx.href("/"))),
                html.Li(
                    dcc.Link(
                        t("Lever {number}", number=lever.number),
                        href=ctx.href(f"/palanca/{lever.number}"),
                    )
                ),
                html.Li(code, **c.attrs(aria_current="page")),
            ],
            className="breadcrumb",
        ),
        **c.attrs(aria_label=t("Breadcrumb")),
    )
    summary = html.Div(
        [
            c.level_badge(level, lang),
            html.Span([t("Achievement"), ": ", html.Strong(c.percent(level.achievement, lang))]),
            html.Span([t("Data coverage"), ": ", html.Strong(c.percent(level.coverage, lang))]),
            html.Span([t("Trend"), ": ", c.trend_text(str(level.trend), lang)]),
            html.Span(
                t("Axis {number}. {name}", number=axis.number, name=axis.name) if axis else ""
            ),
        ],
        className="objective-summary",
    )
    sections = [
        _indicator_section(ctx, ind, by_code.get(ind.code)) for ind in ctx.plan.indicators_of(code)
    ]
    why = _grey_note(ctx, level.indicators)
    return c.frame(
        ctx,
        active=f"/palanca/{lever.number}",
        title=t("Objective {code}", code=code),
        subtitle=objective.text,
        children=[
            c.print_button(ctx),
            breadcrumb,
            summary,
            _origin_and_challenges(ctx, objective),
            *why,
            *milestone_decision.decision_panel(ctx, code),  # a director's form (issue 15)
            *analysis.objective_panel(ctx, level),  # the quarter's valoració (issue 17)
            *evidence.evidence_panel(ctx, code),  # attachments and their form (issue 17)
            c.download_links(ctx, f"/descarrega/objectiu/{code}"),
            *sections,
            *plan_versions.amendments_panel(ctx),  # the plan's amendments (issue 18)
        ],
    )


def layout(code: str | None = None, **query: str) -> html.Div:
    ctx = c.PageContext.from_query(query, f"/objectiu/{code}")
    code = (code or "").upper()
    if code not in ctx.plan.objective_by_code:
        return not_found(ctx)
    return ctx.data.memo(
        (
            "page",
            "objective",
            code,
            str(ctx.period),
            ctx.lang,
            milestone_decision.viewer_decides(),
            analysis.viewer_writes(code),
            evidence.viewer_key(code),
            breakdown_charts.viewer_small_count(),  # issue 14: «< 5» for the read-only role
            ctx.query.get("versio", ""),  # ?versio=aprovada: the plan as approved (issue 18)
        ),
        lambda: build(ctx, code),
    )
