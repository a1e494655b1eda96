"""The objective page's milestone proposals and the director's decision form (issue 15).

A milestone reported Ajornat or Desestimat takes effect only once the direction records the
decision. Until then the objective page marks it "Proposta: pendent de decisió de la
direcció" for everyone; a director also sees a small form (the quarter it applies from, the
date, the reason and the body that agreed it) that records the decision through
:func:`accounts.milestone_decisions.record_decision`, which checks the role and the lock
rule itself. The rule of what is a proposal is :func:`plan_model.decisions.pending_proposal`;
the decisions in force come from the read model (``DashboardData.milestone_decisions``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html

from accounts.errors import AccountError
from accounts.milestone_decisions import can_decide, latest_locked_quarter, record_decision
from i18n import translator
from indicators.storage.engine import get_engine
from layouts import components as c
from plan_model.decisions import POSTPONED_STAGE, Proposal, pending_proposal
from plan_model.models import Indicator
from plan_model.periods import Period, period_range, text_label
from plan_model.status_types import PROPOSAL_LABEL
from web.context import current_plan, current_settings
from web.users import DIRECTOR, current_account, require_role

PROPOSAL_ICON = "?"
STAGE_LABELS = {POSTPONED_STAGE: "Postponed"}  # any other decision stage: "Dropped"


def stage_label(stage: str) -> str:
    """The English msgid of a decision stage's name (Ajornat / Desestimat in Catalan)."""
    return STAGE_LABELS.get(stage, "Dropped")


def viewer_decides() -> bool:
    """Whether the signed-in account may record decisions (the page shows it the form)."""
    account = current_account()
    return account is not None and can_decide(account)


def proposal_of(ctx: c.PageContext, ind: Indicator) -> Proposal | None:
    """The milestone's pending proposal at the page's quarter, or None."""
    if not ind.is_milestone:
        return None
    rows = ctx.data.indicator_values(ind.code)
    if rows.empty:
        return None
    reported = zip(rows["period"].astype(str), rows["stage"], strict=True)
    return pending_proposal(ctx.data.milestone_decisions(), ind.code, reported, ctx.period)


def proposal_mark(ctx: c.PageContext, ind: Indicator) -> list[html.Span]:
    """The indicator's "Proposta: pendent de decisió de la direcció" mark (or nothing)."""
    proposal = proposal_of(ctx, ind)
    if proposal is None:
        return []
    t = ctx.t
    return [
        html.Span(
            [
                html.Span(PROPOSAL_ICON, **c.attrs(aria_hidden="true")),
                " ",
                t(PROPOSAL_LABEL),
                " (",
                t(stage_label(proposal.stage)),
                ")",
            ],
            className="mark proposal-mark",
            **c.attrs(data_proposal=proposal.stage),
        )
    ]


def decision_panel(ctx: c.PageContext, code: str) -> list[Any]:
    """The objective's pending proposals: for a director, the form to decide; else nothing
    (the marks on each indicator say it)."""
    proposals = [
        p for ind in ctx.plan.indicators_of(code) if (p := proposal_of(ctx, ind)) is not None
    ]
    if not proposals or not viewer_decides():
        return []
    t = ctx.t
    options = [
        {
            "label": t(
                "{indicator}: {stage} reported since {period}",
                indicator=p.indicator,
                stage=t(stage_label(p.stage)),
                period=text_label(p.since, ctx.lang),
            ),
            "value": f"{p.indicator}|{p.stage}",
        }
        for p in proposals
    ]
    first = min(Period.parse(p.since) for p in proposals)
    locked = latest_locked_quarter(ctx.data.engine)  # a locked quarter never moves
    quarters = [str(q) for q in period_range(first, ctx.period) if locked is None or q > locked]
    form = (
        _form(ctx, options, quarters)
        if quarters
        else [html.P(t("Every quarter since then is locked: reopen one to decide."))]
    )
    return [
        html.Section(
            [
                html.H2(t("Milestone proposals to decide"), id="decisio-title"),
                html.P(
                    t(
                        "Ajornat and Desestimat take effect only when the management records "
                        "the decision: the date, the reason and the body that agreed it."
                    )
                ),
                *form,
            ],
            className="panel decision-panel",
            **c.attrs(aria_labelledby="decisio-title"),
        )
    ]


def _field(label: str, control: Any, control_id: str) -> html.Div:
    return html.Div([html.Label(label, htmlFor=control_id), control], className="mb-2")


def _form(ctx: c.PageContext, options: list[dict[str, str]], quarters: list[str]) -> list[Any]:
    t = ctx.t
    return [
        _field(
            t("Milestone"),
            dbc.Select(id="decisio-proposal", options=options, value=options[0]["value"]),
            "decisio-proposal",
        ),
        _field(
            t("Effective from the quarter"),
            dbc.Select(
                id="decisio-effective",
                options=[{"label": q, "value": q} for q in quarters],
                value=quarters[0],
            ),
            "decisio-effective",
        ),
        _field(  # empty: today (a default date here would go stale in the cached page)
            t("Date of the decision"), dbc.Input(id="decisio-date", type="date"), "decisio-date"
        ),
        _field(t("Reason"), dbc.Textarea(id="decisio-reason", maxLength=2000), "decisio-reason"),
        _field(
            t("Body that agreed it"),
            dbc.Input(id="decisio-body", type="text", maxLength=255),
            "decisio-body",
        ),
        dbc.Button(t("Record the decision"), id="decisio-record", color="primary"),
        dcc.Store(id="decisio-lang", data=ctx.lang),
        html.Div(
            id="decisio-message", role="status", className="mt-3", **c.attrs(aria_live="polite")
        ),
    ]


def _parse_day(text: str | None) -> dt.date | None:
    """The decision's date from the form (empty: today), or None when it is not a date."""
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def record(
    _clicks: int | None,
    proposal: str | None,
    effective: str | None,
    day: str | None,
    reason: str | None,
    body: str | None,
    lang: str | None,
) -> Any:
    """Record the chosen proposal's decision as the signed-in director; say what happened."""
    account = require_role(*DIRECTOR)
    t = translator(lang)
    indicator, _sep, stage = (proposal or "").partition("|")
    decided_on = _parse_day(day)
    if not indicator or not stage or not effective or decided_on is None:
        return dbc.Alert(t("Choose the milestone, the quarter and the date."), color="danger")
    plan = current_plan()
    try:
        info = record_decision(
            get_engine(current_settings().database_url),
            indicator,
            stage,
            effective,
            reason=reason or "",
            body=body or "",
            by=account,
            decided_on=decided_on,
            milestones={i.code for i in plan.indicators if i.is_milestone},
        )
    except AccountError as exc:
        return dbc.Alert(exc.message(lang), color="danger")
    return dbc.Alert(
        t(
            "Decision recorded: {indicator} {stage} from {period}. Reload the page to see it.",
            indicator=indicator,
            stage=t(stage_label(info.decision.stage)),
            period=text_label(info.decision.effective, lang),
        ),
        color="success",
    )


def register_callbacks(app: Dash) -> None:
    """Register this panel's callback on ``app`` (each app its own: a module's
    ``dash.callback`` would go to the first app built in the process only)."""
    app.callback(
        Output("decisio-message", "children"),
        Input("decisio-record", "n_clicks"),
        State("decisio-proposal", "value"),
        State("decisio-effective", "value"),
        State("decisio-date", "value"),
        State("decisio-reason", "value"),
        State("decisio-body", "value"),
        State("decisio-lang", "data"),
        prevent_initial_call=True,
    )(record)
