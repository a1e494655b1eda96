"""The page frame shared by every page: header, navigation, content."""

from __future__ import annotations

import dash
from dash import dcc, html

from i18n import _
from layouts.context import current_plan


def build_shell() -> html.Div:
    plan = current_plan()
    return html.Div(
        [
            dcc.Location(id="url"),
            html.Header(
                [
                    html.A(_("Skip to content"), href="#main", className="visually-hidden-focusable"),
                    html.Div(_("Plan follow-up"), className="app-title"),
                    html.Div(plan.info.name, className="plan-name"),
                ],
                className="app-header",
            ),
            html.Main(dash.page_container, id="main", tabIndex="-1"),
        ],
        lang="ca",
    )
