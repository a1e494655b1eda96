"""Territori (``/territori``, ``?abss=``, ``?t=``): the ABSS side by side on every indicator
broken down by ABSS: each ABSS's figure, its rank and distance to the comarca figure, and
the coverage («3 de 4 ABSS»), at the quarter shown; ``?abss=VIC`` highlights one ABSS.
The numbers: :mod:`indicators.reporting.territory`."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from i18n import format_percent
from indicators.reporting import territory
from layouts import components as c
from layouts.breakdown_charts import ABSS_PARAMETER, viewer_small_count
from layouts.light import el, link
from plan_model.models import Member
from plan_model.periods import period_label

PATH = "/territori"

dash.register_page(  # type: ignore[no-untyped-call]
    __name__, path=PATH, title=c.page_title("Territory"), name="Territori", order=9
)


def _selector(ctx: c.PageContext, members: list[Member], selected: str | None) -> html.Nav:
    """The links that highlight one ABSS (or none): the current one marked in text."""
    t = ctx.t
    options: list[tuple[str | None, str]] = [(None, t("None highlighted"))]
    options += [(m.code, m.name) for m in members]
    items = []
    for code, name in options:
        if code == selected:
            items.append(
                html.Li(
                    html.Span(
                        [
                            f"✔ {name}",
                            html.Span(f" ({t('selected')})", className="visually-hidden"),
                        ],
                        className="abss-current",
                        **c.attrs(aria_current="true"),
                    )
                )
            )
        else:
            items.append(html.Li(dcc.Link(name, href=ctx.href(PATH, abss=code))))
    return html.Nav(
        [
            html.Span(t("Highlight an ABSS:"), className="abss-label"),
            html.Ul(items, className="abss-list"),
        ],
        className="abss-selector",
        **c.attrs(aria_label=t("Highlight an ABSS")),
    )


def _cell(
    ctx: c.PageContext,
    row: territory.TerritoryRow,
    figure: territory.MemberFigure,
    selected: str | None,
) -> Any:
    t, lang, unit = ctx.t, ctx.lang, row.indicator.unit
    lines: list[Any] = [
        el("Strong", territory.figure_text(figure, lang, unit), className="abss-value")
    ]
    if figure.rank is not None:
        lines += [
            el("Br"),
            el("Small", t("rank {rank} of {total}", rank=figure.rank, total=row.covered)),
        ]
    if figure.distance is not None:
        lines += [
            el("Br"),
            el(
                "Small",
                t(
                    "{distance} from the comarca",
                    distance=territory.distance_text(figure.distance, lang, unit),
                ),
            ),
        ]
    if figure.share is not None:
        share = format_percent(figure.share, lang)
        lines += [el("Br"), el("Small", t("{share} of the comarca's total", share=share))]
    highlighted = figure.member == selected
    return el(
        "Td",
        lines,
        className="num abss-cell" + (" abss-highlight" if highlighted else ""),
        **{
            "data-abss": figure.member,
            "data-value": "" if figure.value is None else repr(figure.value),
        },
    )


def _row(ctx: c.PageContext, row: territory.TerritoryRow, selected: str | None) -> Any:
    ind = row.indicator
    return el(
        "Tr",
        [
            el(
                "Th",
                [link(ind.code, ctx.href(f"/objectiu/{ind.objective_code}")), " ", ind.name],
                scope="row",
                className="territory-indicator",
            ),
            *(_cell(ctx, row, m, selected) for m in row.members),
            el(
                "Td",
                territory.number_text(row.comarca, ctx.lang, ind.unit),
                className="num comarca-cell",
                **{"data-value": "" if row.comarca is None else repr(row.comarca)},
            ),
            el("Td", territory.coverage_text(row, ctx.lang), className="coverage-cell"),
        ],
        **{"data-indicator": ind.code},
    )


def _table(
    ctx: c.PageContext,
    rows: list[territory.TerritoryRow],
    members: list[Member],
    selected: str | None,
) -> html.Div:
    t = ctx.t
    caption = t("The ABSS side by side in {quarter}", quarter=period_label(ctx.period, ctx.lang))
    heads = [html.Th(t("Indicator"), scope="col")]
    for m in members:
        label: list[Any] = [m.name]
        if m.code == selected:
            label = [f"✔ {m.name}", html.Span(f" ({t('selected')})", className="visually-hidden")]
        heads.append(
            html.Th(label, scope="col", className="abss-highlight" if m.code == selected else None)
        )
    heads += [html.Th(t("Comarca"), scope="col"), html.Th(t("Coverage"), scope="col")]
    return html.Div(
        html.Table(
            [
                html.Caption(caption),
                html.Thead(html.Tr(heads)),
                html.Tbody([_row(ctx, r, selected) for r in rows]),
            ],
            id="territory-table",
            className="table table-sm data-table territory-table",
        ),
        className="table-scroll breakdown-scroll",
        tabIndex="0",
        role="region",
        **c.attrs(aria_label=caption),
    )


def build(ctx: c.PageContext, selected: str | None, small_count: int) -> html.Div:
    """The page: the selector, the downloads and the table (or why there is none)."""
    t = ctx.t
    members = territory.abss_members(ctx.plan)
    rows = territory.territory_rows(ctx.data, ctx.period, small_count)
    children: list[Any] = [
        html.P(
            t(
                "Each ABSS's figure, its rank (1: the best in the indicator's direction) and its "
                "distance to the comarca figure, which is derived from the ABSS delivered: their "
                "sum for counts, the ratio of their sums for percentages and means."
            ),
            className="territory-help",
        )
    ]
    if not members or not rows:
        children.append(c.no_data_note(t("No indicator of the catalog is broken down by ABSS.")))
    else:
        children += [
            _selector(ctx, members, selected),
            c.download_links(ctx, "/descarrega/territori", {ABSS_PARAMETER: selected or ""}),
            _table(ctx, rows, members, selected),
        ]
        if small_count > 0:
            children.append(
                html.P(
                    t("Counts under {n} are shown as «< {n}».", n=small_count),
                    className="small-count-note",
                )
            )
    return c.frame(
        ctx,
        active=PATH,
        title=t("Territory"),
        subtitle=t(
            "The ABSS compared · showing the {period}",
            period=period_label(ctx.period, ctx.lang),
        ),
        children=children,
    )


def layout(**query: str) -> html.Div:
    ctx = c.PageContext.from_query(query, PATH)
    selected = territory.valid_abss(ctx.plan, query.get(ABSS_PARAMETER))
    small_count = viewer_small_count()
    key = ("page", "territory", str(ctx.period), ctx.lang, selected, small_count)
    return ctx.data.memo(key, lambda: build(ctx, selected, small_count))
