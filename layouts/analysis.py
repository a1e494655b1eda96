"""The objective analyses (valoracions) on the objective and lever pages (issue 17).

On the objective page, :func:`objective_panel` shows the quarter's analysis in force (what
happened, what will be done, by when, who wrote it), says when one is required (an indicator
red or amber) and missing, and, to whoever may write it (a director, or a technician or head
of the objective's responsible service: :func:`accounts.analyses.may_write`), shows the form;
the callback writes through :func:`accounts.analyses.write_analysis`, which checks the role
and the lock itself. On the lever page, :func:`lever_panel` rolls the lever's objectives up:
their analyses for the quarter and the red or amber ones that lack one. The data come from
the read model :mod:`indicators.reporting.analyses`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html

from accounts.analyses import may_write, write_analysis
from accounts.errors import AccountError
from i18n import format_date, translator
from indicators.reporting.analyses import ObjectiveAnalysisView, level_analyses, objective_view
from indicators.storage.analyses import TEXT_LIMIT, AnalysisInfo
from indicators.storage.engine import get_engine
from layouts import components as c
from plan_model.periods import text_label
from plan_model.status_types import LeverResult, ObjectiveResult
from web.context import current_plan, current_settings
from web.users import UPLOADERS, current_account, require_role

TITLE = "Analysis of the quarter"  # ca: Valoració del trimestre


def viewer_writes(code: str) -> bool:
    """Whether the signed-in account may write ``code``'s analysis (the page shows the form;
    part of the page's cache key)."""
    account = current_account()
    return account is not None and may_write(account, current_plan(), code)


def _analysis_body(ctx: c.PageContext, analysis: AnalysisInfo) -> list[Any]:
    t, lang = ctx.t, ctx.lang
    facts: list[tuple[str, Any]] = [
        (t("What happened"), analysis.what_happened),
        (t("What will be done"), analysis.next_steps or "–"),
        (t("By when"), format_date(analysis.due_by, lang)),
    ]
    written = t(
        "Written by {author} on {when}.",
        author=analysis.author,
        when=c.short_datetime(analysis.created_at, lang),
    )
    return [
        html.Dl(
            [item for label, value in facts for item in (html.Dt(label), html.Dd(value))],
            className="facts analysis-facts",
        ),
        html.P(
            [written, " ", t("Public analysis") if analysis.public else t("Internal analysis")],
            className="analysis-meta",
        ),
    ]


def _state_note(ctx: c.PageContext, view: ObjectiveAnalysisView) -> list[Any]:
    t = ctx.t
    notes: list[Any] = []
    if view.missing:
        notes.append(
            html.P(
                t(
                    "Objective {objective} is off track: the quarter's analysis is needed.",
                    objective=view.objective,
                )
                + f" ({', '.join(view.off_track)})",
                className="analysis-missing",
                role="alert",
                **c.attrs(data_missing="true"),
            )
        )
    if view.current is None and not view.required:
        notes.append(c.no_data_note(t("No analysis has been written for this quarter.")))
    if view.earlier:
        notes.append(
            html.P(
                t("It replaces {count} earlier versions, kept in the history.", count=view.earlier),
                className="analysis-history",
            )
        )
    return notes


def objective_panel(ctx: c.PageContext, objective: ObjectiveResult) -> list[Any]:
    """The objective's analysis of the page's quarter, and the form for who may write it."""
    t = ctx.t
    view = objective_view(ctx.data.engine, objective)
    children: list[Any] = [html.H2(t(TITLE), id="valoracio-title")]
    if view.current is not None:
        children += _analysis_body(ctx, view.current)
    children += _state_note(ctx, view)
    if viewer_writes(objective.code):
        if view.locked:
            children.append(
                html.P(t("The quarter is locked: its analysis cannot be changed."), role="note")
            )
        else:
            children += _form(ctx, view)
    return [
        html.Section(
            children,
            className="panel analysis-panel",
            id="valoracio",
            **c.attrs(aria_labelledby="valoracio-title"),
        )
    ]


def _field(label: str, control: Any, control_id: str) -> html.Div:
    return html.Div([html.Label(label, htmlFor=control_id), control], className="mb-2")


def _form(ctx: c.PageContext, view: ObjectiveAnalysisView) -> list[Any]:
    t = ctx.t
    current = view.current
    return [
        html.H3(t("Write the analysis") if current is None else t("Rewrite the analysis")),
        _field(
            t("What happened"),
            dcc.Textarea(
                id="valoracio-happened",
                value=current.what_happened if current else "",
                maxLength=TEXT_LIMIT,
                className="form-control",
            ),
            "valoracio-happened",
        ),
        _field(
            t("What will be done"),
            dcc.Textarea(
                id="valoracio-steps",
                value=current.next_steps if current else "",
                maxLength=TEXT_LIMIT,
                className="form-control",
            ),
            "valoracio-steps",
        ),
        _field(
            t("By when"),
            dbc.Input(
                id="valoracio-due",
                type="date",
                value=current.due_by.isoformat() if current and current.due_by else None,
            ),
            "valoracio-due",
        ),
        dbc.Checklist(
            id="valoracio-public",
            options=[{"label": t("Public (published with the open data)"), "value": "1"}],
            value=["1"] if current and current.public else [],
            className="mb-2",
        ),
        html.Button(t("Save the analysis"), id="valoracio-save", className="btn btn-primary"),
        dcc.Store(
            id="valoracio-target",
            data={"objective": view.objective, "period": view.period, "lang": ctx.lang},
        ),
        html.Div(id="valoracio-message", **c.attrs(aria_live="polite")),
    ]


def _parse_day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def save(
    _clicks: int | None,
    happened: str | None,
    steps: str | None,
    due: str | None,
    public: list[str] | None,
    target: dict[str, str] | None,
) -> Any:
    """Write the objective's analysis as the signed-in account; say what happened."""
    account = require_role(*UPLOADERS)
    target = target or {}
    lang = target.get("lang")
    t = translator(lang)
    try:
        info = write_analysis(
            get_engine(current_settings().database_url),
            current_plan(),
            str(target.get("objective", "")),
            str(target.get("period", "")),
            what_happened=happened or "",
            next_steps=steps or "",
            due_by=_parse_day(due),
            public="1" in (public or []),
            by=account,
        )
    except AccountError as exc:
        return dbc.Alert(exc.message(lang), color="danger")
    return dbc.Alert(
        t(
            "Analysis of {objective} for {period} saved. Reload the page to see it.",
            objective=info.objective,
            period=text_label(info.period, lang),
        ),
        color="success",
    )


def lever_panel(ctx: c.PageContext, lever: LeverResult) -> html.Section:
    """The lever's objectives' analyses for the quarter, and the red or amber ones without."""
    t = ctx.t
    objectives = [o for a in lever.axes for o in a.objectives]
    found = level_analyses(ctx.data.engine, objectives, str(ctx.period))
    items = [
        html.Li(
            [
                dcc.Link(a.objective, href=ctx.href(f"/objectiu/{a.objective}")),
                ": ",
                a.what_happened,
                html.Br(),
                html.Small(
                    [
                        t("What will be done"),
                        ": ",
                        a.next_steps or "–",
                        f" ({format_date(a.due_by, ctx.lang)})" if a.due_by else "",
                    ]
                ),
            ],
            **c.attrs(data_objective=a.objective),
        )
        for a in found.analyses
    ]
    body: list[Any] = [html.H2(t("Analyses of the quarter"), id="valoracions-title")]
    body.append(
        html.Ul(items, className="analysis-list")
        if items
        else c.no_data_note(t("No analysis has been written for this quarter."))
    )
    if found.missing:
        links: list[Any] = []
        for code in found.missing:
            links += [", "] if links else []
            links.append(dcc.Link(code, href=ctx.href(f"/objectiu/{code}")))
        body.append(
            html.P(
                [t("Off track without an analysis:"), " ", *links],
                className="analysis-missing",
                id="valoracions-missing",
            )
        )
    return html.Section(
        body, className="panel analysis-rollup", **c.attrs(aria_labelledby="valoracions-title")
    )


def register_callbacks(app: Dash) -> None:
    """Register this panel's callback on ``app`` (each app its own: a module's
    ``dash.callback`` would go to the first app built in the process only)."""
    app.callback(
        Output("valoracio-message", "children"),
        Input("valoracio-save", "n_clicks"),
        State("valoracio-happened", "value"),
        State("valoracio-steps", "value"),
        State("valoracio-due", "value"),
        State("valoracio-public", "value"),
        State("valoracio-target", "data"),
        prevent_initial_call=True,
    )(save)
