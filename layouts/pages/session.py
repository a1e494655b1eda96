"""Sessió (``/sessio``): the board meeting on the projector.

Full-screen 16:9 slides from live data for a chosen quarter: title, the plan at a glance, one
slide per lever, objectives at risk, what changed since an earlier quarter, submissions.
URL: ``/sessio?t=2025-T4&s=3&since=2025-T3&auto=20&lang=ca`` (quarter, slide, comparison
quarter, auto-advance seconds, language).

Every slide is rendered here at once, from the same :class:`~indicators.reporting.board_model.Board` the
board pack prints; ``assets/session.js`` only chooses which slide is shown (keys ←/→, space,
Home/End, f, Esc), keeps the slide in the URL and fits the 1920x1080 canvas to the screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import dash
from dash import dcc, html

from i18n import DEFAULT_LANGUAGE
from indicators.reporting.board import build_board
from indicators.reporting.board_model import (
    SLIDE_ROWS,
    Board,
    Card,
    Cell,
    Metric,
    Slide,
    StatusBadge,
    Table,
)
from indicators.reporting.pack.charts import themed
from layouts import components as c
from plan_model.periods import Period

dash.register_page(  # type: ignore[no-untyped-call]
    __name__,
    path="/sessio",
    title=c.page_title("Board session"),
    name="Sessió",
    order=90,
)

CHART_CONFIG: Any = {"staticPlot": True, "displayModeBar": False, "responsive": True}
LEVER_CHART = (1752, 370)
CHART_FONT = 28  # the projector's least type size: ticks and legends too


def _attrs(values: dict[str, str]) -> dict[str, Any]:
    """HTML attributes with dashes (aria-*, data-*), typed for the component signatures."""
    return dict(values)


def _int(text: str | None, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(str(text))))
    except (TypeError, ValueError):
        return default


def _badge(status: StatusBadge) -> html.Span:
    return html.Span(
        [
            html.Span(
                status.icon, className="session-status-icon", **_attrs({"aria-hidden": "true"})
            ),
            html.Span(status.label),
        ],
        className=f"session-status session-status--{status.key}",
        style={"--status-colour": status.colour},
    )


def _metric(metric: Metric) -> html.Div:
    value: list[Any] = [html.Span(metric.value, className="session-metric-value")]
    if metric.status is not None:
        value.append(_badge(metric.status))
    return html.Div(
        [
            html.Span(metric.label, className="session-metric-label"),
            html.Div(value, className="session-metric-line"),
        ],
        className="session-metric",
    )


def _metrics(metrics: list[Metric]) -> html.Div:
    return html.Div([_metric(m) for m in metrics], className="session-metrics")


def _cell(cell: Cell, *, clamp: bool) -> html.Td:
    if cell.status is not None:
        return html.Td(_badge(cell.status))
    content: Any = html.Div(cell.text, className="session-clamp") if clamp else cell.text
    return html.Td(content, className="num" if cell.number else None)


def _rows_of(slide: Slide) -> int:
    """How many rows of a slide's table fit the projector (the rest: «i N més»)."""
    return RISK_ROWS if slide.kind == "risk" else SLIDE_ROWS


def _table(table: Table, more_text: str, limit: int = SLIDE_ROWS) -> list[Any]:
    if not table.rows:
        return [html.P(table.empty_text, className="session-empty")]
    shown = table.capped(limit, more_text)
    weights = table.widths or [1.0] * len(table.columns)
    total = sum(weights)
    cols = html.Colgroup([html.Col(style={"width": f"{100 * w / total:.1f}%"}) for w in weights])
    head = html.Thead(html.Tr([html.Th(name, scope="col") for name in table.columns]))
    body = html.Tbody([html.Tr([_cell(cell, clamp=True) for cell in row]) for row in shown.rows])
    out: list[Any] = [html.Table([cols, head, body], className="session-table")]
    if shown.more_text:
        out.append(html.P(shown.more_text, className="session-more"))
    return out


def _card(card: Card) -> html.Article:
    return html.Article(
        [
            html.Div(card.title, className="session-card-title"),
            html.Div(card.subtitle, className="session-card-subtitle session-clamp"),
            html.Div(card.value, className="session-card-value"),
            _badge(card.status),
            *[html.Div(line, className="session-card-line") for line in card.lines],
        ],
        className="session-card",
        style={"--status-colour": card.status.colour},
    )


def _axis_cards(table: Table) -> html.Div:
    """A lever's axes as cards (name, status, achievement, objectives per status)."""
    cards = []
    for row in table.rows:
        name, status, achievement, counts = row[0], row[1], row[2], row[3]
        cards.append(
            html.Article(
                [
                    html.Div(name.text, className="session-axis-name"),
                    html.Div(
                        [
                            html.Span(achievement.text, className="session-axis-value"),
                            *([_badge(status.status)] if status.status else []),
                        ],
                        className="session-metric-line",
                    ),
                    html.Div(
                        counts.text,
                        className="session-axis-counts",
                        **_attrs({"aria-label": f"{table.columns[3]}: {counts.text}"}),
                    ),
                ],
                className="session-axis",
                style={"--status-colour": status.status.colour if status.status else "#777"},
            )
        )
    return html.Div(
        cards,
        className="session-axes",
        style={"gridTemplateColumns": f"repeat({max(1, len(cards))}, 1fr)"},
    )


def _yearly_ticks(figure: dict[str, Any]) -> None:
    """One horizontal tick per year ("2023" at its first quarter) instead of sixteen slanted
    quarters: at the projector's type size the slanted labels took half the chart's height."""
    quarters = [x for trace in figure.get("data", []) for x in (trace.get("x") or [])]
    firsts = sorted({q for q in quarters if isinstance(q, str) and q.endswith("-T1")})
    if not firsts:
        return
    layout = figure["layout"]
    layout.setdefault("xaxis", {}).update(
        tickvals=firsts, ticktext=[q[:4] for q in firsts], tickangle=0, automargin=True
    )
    layout.setdefault("yaxis", {}).update(nticks=4, automargin=True)
    # room for one line of year labels below and the legend above, nothing more
    margin = dict(layout.get("margin") or {})
    margin.update(b=CHART_FONT * 2, t=int(CHART_FONT * 2.2), l=CHART_FONT * 4)
    layout["margin"] = margin


def _chart(slide: Slide, size: tuple[int, int]) -> html.Figure | None:
    """The slide's chart, restyled for the projector; it takes the height left on the slide
    (``responsive``), so a slide with long axis names never overflows."""
    if slide.chart is None:
        return None
    figure = themed(
        slide.chart.figure,
        width=size[0],
        height=size[1],
        font_size=CHART_FONT,
        axis_titles=False,
        min_font_size=CHART_FONT,
    )
    layout = figure["layout"]
    layout.pop("width", None)
    layout.pop("height", None)
    layout["autosize"] = True
    _yearly_ticks(figure)
    return html.Figure(
        [
            dcc.Graph(
                figure=figure,
                config=CHART_CONFIG,
                className="session-graph",
                style={"width": "100%", "height": "100%"},
            ),
            html.Figcaption(slide.chart.summary, className="session-sr"),
        ],
        className="session-chart",
        role="img",
        **_attrs({"aria-label": slide.chart.summary}),
    )


def _lever_children(slide: Slide, t: Callable[..., str]) -> list[Any]:
    """A lever: the name with its achievement and status, one line of facts, the axes as
    cards, the chart of the axes over time, the objectives behind."""
    kicker = f"{slide.kicker} · {slide.subtitle}" if slide.subtitle else slide.kicker
    headline: list[Any] = [html.H2(slide.title)]
    facts: list[Any] = []
    if slide.metrics:
        first = slide.metrics[0]
        headline.append(
            html.Div(
                [
                    html.Span(first.value, className="session-headline-value"),
                    *([_badge(first.status)] if first.status else []),
                ],
                className="session-headline-figure",
                **_attrs({"aria-label": f"{first.label}: {first.value}"}),
            )
        )
        for m in slide.metrics[1:]:
            facts.append(
                html.Span([f"{m.label}: ", html.Strong(m.value)], className="session-fact")
            )
    out: list[Any] = [
        html.P(kicker, className="session-kicker"),
        html.Div(headline, className="session-headline"),
    ]
    if facts:
        out.append(html.P(facts, className="session-facts"))
    if slide.table is not None:
        out.append(_axis_cards(slide.table))
    chart = _chart(slide, LEVER_CHART)
    if chart is not None:
        out.append(chart)
    out.append(_behind_list(slide, t))
    return out


RISK_ROWS = 4  # the risk slide's objectives are named at length (two lines each): one row fewer
BEHIND_SHOWN = 2  # objectives behind named on a lever's slide, each on one line (fits 4 axes)


def _behind_list(slide: Slide, t: Callable[..., str]) -> Any:
    """The lever's objectives behind, by code and name (the first two, then "i N més"); the
    slide's note when there are none to name."""
    if not slide.behind:
        return html.Div([html.P(n, className="session-note") for n in slide.notes])
    shown = slide.behind[:BEHIND_SHOWN]
    items = [
        html.Li([html.Strong(code), " ", html.Span(name)], className="session-behind-item")
        for code, name in shown
    ]
    more = len(slide.behind) - len(shown)
    heading = t("Objectives behind ({count})", count=len(slide.behind))
    return html.Div(
        [
            html.P(heading, className="session-behind-title"),
            html.Ul(items, className="session-behind"),
            *(
                [html.P(t("and {count} more", count=more), className="session-note")]
                if more
                else []
            ),
        ],
        className="session-behind-block",
    )


def _slide(slide: Slide, index: int, current: int, t: Callable[..., str]) -> html.Section:
    more_text = t("and {count} more")
    children: list[Any] = []
    if slide.kind == "title":
        children += [
            html.P(slide.kicker, className="session-kicker"),
            html.H1(slide.title),
            html.P(slide.subtitle, className="session-subtitle"),
        ]
        if slide.metrics:
            children.append(_metrics(slide.metrics))
        children += [html.P(n, className="session-subtitle") for n in slide.notes]
    elif slide.kind == "lever":
        children += _lever_children(slide, t)
    else:
        if slide.kicker:
            children.append(html.P(slide.kicker, className="session-kicker"))
        children.append(html.H2(slide.title))
        if slide.subtitle:
            children.append(html.P(slide.subtitle, className="session-subtitle"))
        if slide.metrics:
            children.append(_metrics(slide.metrics))
        if slide.cards:
            children.append(
                html.Div([_card(card) for card in slide.cards], className="session-cards")
            )
        if slide.table is not None:
            children += _table(slide.table, more_text, _rows_of(slide))
        children += [html.P(n, className="session-note") for n in slide.notes]
    is_current = index == current
    return html.Section(
        children,
        id=f"slide-{index}",
        className=f"session-slide session-slide--{slide.kind}"
        + (" is-current" if is_current else ""),
        role="group",
        **_attrs(
            {
                "aria-roledescription": "slide",
                "aria-label": slide.title,
                "aria-hidden": "false" if is_current else "true",
            }
        ),
    )


def _footer(ctx: c.PageContext, board: Board, *, current: int, since: Period | None) -> html.Footer:
    """The footer: title, progress, the downloads, the slide controls."""
    t = ctx.t
    download: dict[str, str] = {"t": board.period}
    if since is not None:
        download["since"] = str(since)
    if ctx.lang != DEFAULT_LANGUAGE:
        download["lang"] = ctx.lang
    values_query = {
        "format": "xlsx",
        **({"lang": ctx.lang} if ctx.lang != DEFAULT_LANGUAGE else {}),
    }
    return html.Footer(
        [
            html.Span(board.footer, className="session-footer-title"),
            html.Span(
                "",
                className="session-progress",
                id="session-progress",
                role="status",
                **_attrs({"aria-live": "polite"}),
            ),
            html.A(
                t("PDF"),
                href=f"/descarrega/informe?{urlencode({**download, 'format': 'pdf'})}",
                title=t("Download the board pack (PDF)"),
                id="session-download-pdf",
                **_attrs({"data-session-download": "pdf"}),
            ),
            html.A(
                t("PPTX"),
                href=f"/descarrega/informe?{urlencode({**download, 'format': 'pptx'})}",
                title=t("Download the board pack (PowerPoint)"),
                id="session-download-pptx",
                **_attrs({"data-session-download": "pptx"}),
            ),
            html.A(
                t("Excel"),
                href=f"/descarrega/valors?{urlencode(values_query)}",
                title=t("Download the values (Excel)"),
                id="session-download-xlsx",
                **_attrs({"data-session-download": "xlsx"}),
            ),
            html.Button(
                "←",
                type="button",
                title=t("Previous slide"),
                **_attrs({"data-session-action": "prev", "aria-label": t("Previous slide")}),
            ),
            html.Span(
                f"{current} / {len(board.slides)}",
                className="session-counter",
                id="session-counter",
                **_attrs({"aria-label": t("Slide number")}),
            ),
            html.Button(
                "→",
                type="button",
                title=t("Next slide"),
                **_attrs({"data-session-action": "next", "aria-label": t("Next slide")}),
            ),
            html.Button(
                t("Full screen"),
                type="button",
                title=t("Full screen (f)"),
                **_attrs({"data-session-action": "fullscreen"}),
            ),
            html.Button(
                t("Exit"),
                type="button",
                title=t("Back to the overview (Esc)"),
                **_attrs({"data-session-action": "leave"}),
            ),
        ],
        className="session-footer",
    )


def build(
    ctx: c.PageContext, board: Board, *, current: int, auto: int, since: Period | None
) -> html.Div:
    t = ctx.t
    total = len(board.slides)
    slides = [_slide(s, i, current, t) for i, s in enumerate(board.slides, start=1)]
    footer = _footer(ctx, board, current=current, since=since)
    return html.Div(
        [
            html.H1(
                t("Board session: {quarter}", quarter=board.period_label), className="session-sr"
            ),
            html.Div([*slides, footer], className="session-canvas"),
            html.P(
                t(
                    "Use the arrow keys or space to move between slides, f for full screen "
                    "and Esc to leave."
                ),
                className="session-sr",
                id="session-help",
            ),
            html.Div(
                className="session-sr session-announce",
                role="status",
                **_attrs({"aria-live": "polite"}),
            ),
        ],
        id="session-deck",
        className="session-deck",
        tabIndex="-1",
        lang=ctx.lang,
        **_attrs(
            {
                "data-current": str(current),
                "data-total": str(total),
                "data-auto": str(auto),
                "data-exit": ctx.href("/"),
                "aria-describedby": "session-help",
                "data-msg-preparing": t("Preparing the file… (about half a minute)"),
                "data-msg-ready": t("File downloaded."),
                "data-msg-failed": t("The file could not be prepared."),
            }
        ),
    )


def layout(**query: str) -> html.Div:
    ctx = c.PageContext.from_query(query, "/sessio", board=True)
    since = Period.try_parse(query.get("since")) if query.get("since") else None
    auto = _int(query.get("auto"), 0, 0, 3600)
    today = dt.datetime.now(dt.UTC).date()  # the title's date and what is overdue
    key = ("page", "session", str(ctx.period), str(since), ctx.lang, today.isoformat())
    board = ctx.data.memo(
        key, lambda: build_board(ctx.data, ctx.period, since=since, lang=ctx.lang, today=today)
    )
    current = _int(query.get("s"), 1, 1, len(board.slides))
    return build(ctx, board, current=current, auto=auto, since=since)
