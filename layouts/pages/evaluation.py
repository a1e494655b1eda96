"""Avaluació final (``/avaluacio``): the final evaluation of the plan, for any signed-in user.

The summary for the board (headline figures, objectives by status, the levers' lights, the
objectives most behind), then lever by lever (axes and objectives with their path, indicators
against their targets), the milestones, the analyses, the evidence and the completeness of
reporting, with the four downloads (``/descarrega/avaluacio``). Marked «Provisional» while
the plan is not closed; once it is closed, ``/`` shows this page as the plan's landing page
(:func:`landing_layout`, called by ``layouts/pages/overview.py``). The content is the same
:class:`~indicators.reporting.evaluation.view.EvaluationView` as the files'.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
from dash import html

from accounts.plan_states import plan_state
from indicators.reporting.board_model import Cell, Metric, StatusBadge, Table
from indicators.reporting.evaluation import build_view, gather_sources
from indicators.reporting.evaluation.common import Grid
from indicators.reporting.evaluation.model import build_evaluation
from indicators.reporting.evaluation.view import EvaluationView, LeverSection
from layouts import components as c
from plan_model.periods import local_today

PATH = "/avaluacio"
DOWNLOADS = (("pdf", "PDF"), ("pptx", "PPTX"), ("xlsx", "XLSX"), ("md", "Markdown"))

dash.register_page(  # type: ignore[no-untyped-call]
    __name__,
    path=PATH,
    title=c.page_title("Final evaluation of the plan"),
    name="Avaluació final",
    order=12,
)


def _badge(badge: StatusBadge) -> html.Span:
    """A status as icon and label on its colour: never colour alone."""
    return html.Span(
        [
            html.Span(badge.icon, className="status-icon", **c.attrs(aria_hidden="true")),
            " ",
            badge.label,
        ],
        className=f"status-badge status-{badge.key}",
    )


def _lines(text: str) -> list[Any]:
    """A cell's text with its line breaks (an indicator's name, then its method)."""
    parts: list[Any] = []
    for i, line in enumerate(text.split("\n")):
        parts += [html.Br(), line] if i else [line]
    return parts


def _cell(cell: Cell, *, head: bool = False) -> html.Th | html.Td:
    content: Any = _badge(cell.status) if cell.status is not None else _lines(cell.text)
    if head:
        return html.Th(content, scope="row")
    return html.Td(content, className="num" if cell.number else None)


def table(grid: Grid, lang: str, *, level: str = "h3") -> html.Section:
    """A grid as an accessible table (caption, column headers, the first cell a row header)."""
    data: Table = grid.as_table(lang)
    heading = html.H3(grid.name) if level == "h3" else html.H2(grid.name)
    if not data.rows:
        return html.Section([heading, c.no_data_note(data.empty_text or "–")])
    head = html.Thead(html.Tr([html.Th(name, scope="col") for name in data.columns]))
    body = html.Tbody(
        [html.Tr([_cell(row[0], head=True), *[_cell(x) for x in row[1:]]]) for row in data.rows]
    )
    return html.Section(
        [
            heading,
            html.Div(
                html.Table(
                    [html.Caption(grid.name, className="visually-hidden"), head, body],
                    className="table table-sm evaluation-table",
                ),
                className="table-responsive",
            ),
        ]
    )


def _metrics(metrics: list[Metric]) -> html.Div:
    cards = []
    for metric in metrics:
        parts: list[Any] = [
            html.P(metric.label, className="kpi-label"),
            html.P(metric.value, className="kpi-value"),
        ]
        if metric.status is not None:
            parts.append(html.Div(_badge(metric.status), className="kpi-detail"))
        cards.append(html.Div(parts, className="kpi"))
    return html.Div(cards, className="kpi-row")


def _mark(view: EvaluationView) -> html.P:
    kind = "provisional" if view.evaluation.provisional else "definitive"
    return html.P(
        view.mark_line,
        className=f"evaluation-mark evaluation-{kind}",
        role="note",
    )


def _downloads(ctx: c.PageContext) -> html.P:
    links: list[Any] = [html.Span(ctx.t("Download:"), className="download-label"), " "]
    for fmt, label in DOWNLOADS:
        query = urlencode({"format": fmt, "lang": ctx.lang})
        links += [
            html.A(
                label,
                href=f"/descarrega/avaluacio?{query}",
                className=f"btn btn-outline-secondary btn-sm download-{fmt}",
                **c.attrs(data_download=fmt),
            ),
            " ",
        ]
    return html.P(links, className="table-downloads evaluation-downloads")


def _section(section: LeverSection, view: EvaluationView) -> html.Section:
    return html.Section(
        [
            html.H2(section.title),
            html.P(section.subtitle, className="tagline"),
            _metrics(section.metrics),
            html.P(section.chart.summary, className="chart-summary"),
            table(section.levels, view.lang),
            table(section.indicators, view.lang),
        ],
        className="panel evaluation-lever",
        id=f"palanca-{section.number}",
    )


def build_view_of(ctx: c.PageContext) -> EvaluationView:
    """The evaluation of the page's plan, in its language (from the page's read model)."""
    data = ctx.data
    evaluation = build_evaluation(data, gather_sources(data.engine, ctx.plan), today=local_today())
    return build_view(evaluation, ctx.lang)


def build(ctx: c.PageContext) -> html.Div:
    """The page: the mark, the downloads, the summary, lever by lever, then the rest (the
    menu marks «Avaluació final» as the current page, on ``/`` too)."""
    view = build_view_of(ctx)
    children: list[Any] = [
        _mark(view),
        _downloads(ctx),
        html.Section(
            [
                html.H2(ctx.t("Summary")),
                _metrics(view.metrics),
                html.P(view.method_note, className="method-note"),
                table(view.distribution, ctx.lang),
                table(view.levers, ctx.lang),
                table(view.most_late, ctx.lang),
            ],
            className="panel evaluation-summary",
        ),
        *[_section(s, view) for s in view.sections],
        *[
            html.Section(table(grid, ctx.lang, level="h2"), className="panel")
            for grid in (view.milestones, view.analyses, view.evidence, view.completeness)
        ],
        _mark(view),
    ]
    return c.frame(
        ctx,
        active=PATH,
        title=f"{view.title} · {view.mark}",
        subtitle=f"{ctx.plan.info.name} · {view.subtitle}",
        children=children,
    )


def plan_closed(ctx: c.PageContext) -> bool:
    """Whether the page's plan is closed (its landing page is then this evaluation)."""
    return plan_state(ctx.data.engine, ctx.plan).closed


def landing_layout(query: dict[str, Any]) -> html.Div | None:
    """``/`` of a closed plan: the final evaluation (None while the plan is not closed)."""
    ctx = c.PageContext.from_query(query, "/")
    if not plan_closed(ctx):
        return None
    key = ("page", "evaluation", "/", ctx.lang, local_today().isoformat())
    return ctx.data.memo(key, lambda: build(ctx))


def layout(**query: str) -> html.Div:
    ctx = c.PageContext.from_query(query, PATH)
    key = ("page", "evaluation", PATH, ctx.lang, local_today().isoformat())
    return ctx.data.memo(key, lambda: build(ctx))
