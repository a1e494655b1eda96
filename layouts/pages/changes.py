"""Canvis (``/canvis``): what changed since an earlier quarter (status up, down, new data)."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from layouts import components as c
from layouts.light import el, link
from plan_model.changes import CHANGE_LABELS, CHANGE_ORDER
from plan_model.periods import Period, text_label
from plan_model.status_types import CHANGE_ICONS

dash.register_page(  # type: ignore[no-untyped-call]
    __name__, path="/canvis", title=c.page_title("Changes"), name="Canvis", order=4
)

KINDS: list[tuple[str, str, str]] = [  # (kind, icon, label msgid), worse first
    (kind, CHANGE_ICONS[kind], CHANGE_LABELS[kind])
    for kind in sorted(CHANGE_LABELS, key=CHANGE_ORDER.__getitem__)
]
LEVEL_LABELS = {
    "plan": "Plan",
    "lever": "Lever",
    "axis": "Axis",
    "objective": "Objective",
    "indicator": "Indicator",
}


def _name(ctx: c.PageContext, level: str, code: str) -> tuple[str, str | None]:
    """Display name and link of a changed item."""
    plan = ctx.plan
    if level == "objective" and code in plan.objective_by_code:
        return plan.objective_by_code[code].text, ctx.href(f"/objectiu/{code}")
    if level == "indicator" and code in plan.indicator_by_code:
        ind = plan.indicator_by_code[code]
        return ind.name, ctx.href(f"/objectiu/{ind.objective_code}")
    if level == "lever" and code.isdigit():
        return plan.lever(int(code)).name, ctx.href(f"/palanca/{code}")
    if level == "axis" and code.isdigit():
        axis = next((a for a in plan.axes if a.number == int(code)), None)
        if axis is not None:
            return axis.name, ctx.href(f"/palanca/{plan.lever_of_axis(axis.number).number}")
    return plan.info.name if level == "plan" else code, None


_BADGES: dict[tuple[str, str], dict[str, Any]] = {}


def _badge(status: str, lang: str) -> dict[str, Any]:
    """``c.status_badge`` as a plain element (layouts.light), made once per status and
    language: a 10x plan lists thousands of changes."""
    found = _BADGES.get((status, lang))
    if found is None:
        badge: Any = c.status_badge(status, lang)
        found = _BADGES[(status, lang)] = badge.to_plotly_json()
    return found


def _numbers(row: Any, lang: str) -> str:
    """The achievement before → now, in the page's number format (``46 % → 58 %``)."""
    return f"{c.percent(row.achievement_before, lang)} → {c.percent(row.achievement_after, lang)}"


def _table(ctx: c.PageContext, rows: pd.DataFrame, caption: str) -> Any:
    t, lang = ctx.t, ctx.lang
    body = []
    for r in rows.itertuples():
        level, code = str(r.level), str(r.code)
        name, href = _name(ctx, level, code)
        code_cell: Any = link(code, href) if href else code
        before = r.status_before if isinstance(r.status_before, str) else "grey"
        after = r.status_after if isinstance(r.status_after, str) else "grey"
        body.append(
            el(
                "Tr",
                [
                    el("Td", t(LEVEL_LABELS.get(level, level))),
                    el("Th", code_cell, scope="row"),
                    el("Td", name, className="objective-text"),
                    el("Td", _badge(before, lang)),
                    el("Td", _badge(after, lang)),
                    el("Td", _numbers(r, lang), className="num change-numbers"),
                ],
            )
        )
    return html.Table(
        [
            html.Caption(caption, className="visually-hidden"),
            html.Thead(
                html.Tr(
                    [
                        html.Th(t("Level"), scope="col"),
                        html.Th(t("Code"), scope="col"),
                        html.Th(t("Name"), scope="col"),
                        html.Th(t("Before"), scope="col"),
                        html.Th(t("Now"), scope="col"),
                        html.Th(t("Achievement: before → now"), scope="col"),
                    ]
                )
            ),
            html.Tbody(body),
        ],
        className="table table-sm data-table",
    )


def build(ctx: c.PageContext, since: Period, level_filter: str) -> html.Div:
    t = ctx.t
    frame = ctx.data.changes(since, ctx.period)
    if not frame.empty and level_filter:
        frame = frame[frame["level"].astype(str) == level_filter]
    sections = []
    for kind, icon, label in KINDS:
        rows = frame[frame["change"] == kind] if not frame.empty else frame
        title_id = f"changes-{kind}"
        heading = html.H2(
            [html.Span(icon, **c.attrs(aria_hidden="true")), " ", t(label), f" ({len(rows)})"],
            id=title_id,
        )
        content = (
            _table(ctx, rows, t(label))
            if not rows.empty
            else c.no_data_note(t("Nothing in this group."))
        )
        sections.append(
            html.Section([heading, content], className="panel", **c.attrs(aria_labelledby=title_id))
        )
    since_options = [
        {"label": str(p), "value": str(p)}
        for p in reversed(ctx.data.plan_periods())
        if p < ctx.period
    ]
    level_options = [{"label": t("All levels"), "value": "tots"}] + [
        {"label": t(LEVEL_LABELS[k]), "value": k} for k in ("objective", "indicator")
    ]
    controls = html.Div(
        [
            html.Div(
                [
                    html.Label(t("Since quarter"), htmlFor="changes-since"),
                    dbc.Select(
                        id="changes-since", options=since_options, value=str(since), size="sm"
                    ),
                ],
                className="filter",
            ),
            html.Div(
                [
                    html.Label(t("Level"), htmlFor="changes-level"),
                    dbc.Select(
                        id="changes-level",
                        options=level_options,
                        value=level_filter or "tots",
                        size="sm",
                    ),
                ],
                className="filter",
            ),
        ],
        className="filters",
    )
    return c.frame(
        ctx,
        active="/canvis",
        title=t("Changes"),
        subtitle=t(
            "What changed between {since} (as it was seen at that "
            "quarter's deadline) and {until} (with today's data).",
            since=str(since),
            until=str(ctx.period),
        ),
        children=[
            controls,
            c.download_links(
                ctx, "/descarrega/canvis", {"des_de": str(since), "nivell": level_filter}
            ),
            *sections,
        ],
    )


def layout(**query: str) -> html.Div:
    ctx = c.PageContext.from_query(query, "/canvis")
    if ctx.period <= ctx.plan.first_period:
        return c.frame(
            ctx,
            active="/canvis",
            title=ctx.t("Changes"),
            children=[
                c.no_data_note(
                    ctx.t(
                        "Choose a later quarter: there is nothing before {period}.",
                        period=text_label(str(ctx.period), ctx.lang),
                    )
                )
            ],
        )
    since = Period.try_parse(ctx.query.get("des_de", "")) or ctx.period.prev()
    if not ctx.plan.first_period <= since < ctx.period:
        since = ctx.period.prev()
    level_filter = ctx.query.get("nivell", "")
    if level_filter not in LEVEL_LABELS:
        level_filter = ""
    key = ("page", "changes", str(since), str(ctx.period), ctx.lang, level_filter)
    return ctx.data.memo(key, lambda: build(ctx, since, level_filter))
