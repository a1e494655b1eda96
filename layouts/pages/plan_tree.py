"""Read-only plan tree: levers, axes and objectives, word for word."""

from __future__ import annotations

import dash
from dash import html

from i18n import _
from layouts.context import current_plan

dash.register_page(__name__, path="/pla", title=_("The plan"), name=_("The plan"))


def layout(**_query: str) -> html.Div:
    plan = current_plan()
    levers = []
    for lever in plan.levers:
        axes = []
        for axis in lever.axes:
            objectives = [
                html.Li([html.Span(o.code, className="code"), " ", o.text])
                for o in lever.objectives_of(axis.number)
            ]
            axes.append(html.Section([
                html.H3(_("Axis {number}. {name}", number=axis.number, name=axis.name)),
                html.Ul(objectives),
            ]))
        levers.append(html.Section([
            html.H2(_("Lever {number}: {name}", number=lever.number, name=lever.name)),
            html.P(lever.tagline, className="tagline"),
            *axes,
        ]))
    return html.Div([html.H1(plan.info.name), *levers], className="plan-tree")
