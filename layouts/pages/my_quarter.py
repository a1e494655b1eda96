"""El meu trimestre (``/el-meu-trimestre``): a technician's or a head's quarter at a glance.

For each service the signed-in person reports for (a director: every service): what is due and
by when, what was delivered, where it stands in the two approval steps, whether the quarter is
locked, and the reminders received; a head validates a delivery here. The facts are the read
model's (``indicators.reporting.my_quarter``); validating is ``accounts.approvals.validate``,
which refuses anyone but the service's head.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html
from dash import ctx as dash_ctx

from accounts import approvals as steps
from accounts.errors import AccountError
from accounts.roles import DIRECTOR, HEAD, allowed_services, can_validate
from i18n import translator
from indicators.reporting.my_quarter import MyQuarter, ServiceQuarter, my_quarter
from indicators.reporting.reminders import long_date
from indicators.storage.engine import get_engine
from layouts import components as c
from layouts.reviews import lock_sign, review_text
from layouts.upload_workflow import default_period
from plan_model.completeness import COMPLETENESS_LABELS
from plan_model.periods import Period, period_label, text_label
from plan_model.status_types import COMPLETENESS_ICONS
from web.context import current_plan, current_settings
from web.users import current_account, require_role

PATH = "/el-meu-trimestre"
dash.register_page(  # type: ignore[no-untyped-call]
    __name__, path=PATH, title=c.page_title("My quarter"), name="El meu trimestre", order=8
)


def _deadline_text(item: ServiceQuarter, today: dt.date, t: Callable[..., str], lang: str) -> str:
    days = (item.deadline - today).days
    when = long_date(item.deadline, lang)
    if days > 0:
        return str(t("{date} (in {days} days)", date=when, days=days))
    if days == 0:
        return str(t("{date} (today)", date=when))
    return str(t("{date} (passed)", date=when))


def _delivery_text(item: ServiceQuarter, t: Callable[..., str], lang: str) -> str:
    label = f"{COMPLETENESS_ICONS[item.state]} {t(COMPLETENESS_LABELS[item.state])}"
    if item.submitted_at is None:
        return label
    return f"{label} · {c.short_datetime(item.submitted_at, lang)}"


def _facts(item: ServiceQuarter, today: dt.date, t: Callable[..., str], lang: str) -> html.Dl:
    review = review_text(item.review, t) if item.review else t("Not delivered")
    reminded = (
        t("Reminded on {date}", date=long_date(item.reminded_at.date(), lang))
        if item.reminded_at
        else t("No reminder sent")
    )
    pairs = [
        (t("To deliver"), t("{count} indicators", count=item.due)),
        (t("Deadline"), _deadline_text(item, today, t, lang)),
        (t("Delivery"), _delivery_text(item, t, lang)),
        (t("Approval"), review),
        (t("Reminders"), reminded),
    ]
    return html.Dl(
        [part for term, text in pairs for part in (html.Dt(term), html.Dd(text))],
        className="my-quarter-facts",
    )


def _actions(
    item: ServiceQuarter, period: Period, t: Callable[..., str], may_validate: bool
) -> html.Div:
    query = f"servei={item.code}&periode={period}"
    links: list[Any] = []
    if item.locked:
        links.append(html.Span([lock_sign(True), " ", t("Quarter locked")], className="locked"))
    else:
        links.append(dcc.Link(t("Deliver the data"), href=f"/enviar?{query}"))
    links.append(
        html.A(
            t("Template"),
            href=f"/descarrega/plantilla?service={item.code}&period={period}",
        )
    )
    pending = item.review is not None and item.review.state == steps.PENDING_VALIDATION
    if may_validate and pending and not item.locked:
        links.append(
            dbc.Button(
                t("Validate the delivery"),
                id={"type": "meu-validate", "service": item.code, "period": str(period)},
                color="primary",
                size="sm",
            )
        )
    return html.Div(links, className="my-quarter-actions")


def _card(
    item: ServiceQuarter, view: MyQuarter, today: dt.date, t: Callable[..., str], lang: str
) -> html.Article:
    account = current_account()
    may_validate = account is not None and can_validate(account, item.code)
    return html.Article(
        [
            html.H2(f"{item.code} · {item.name}", className="h5"),
            _facts(item, today, t, lang),
            _actions(item, view.period, t, may_validate),
        ],
        className=f"card my-quarter-card state-{item.state}",
        **c.attrs(aria_label=f"{item.code} · {item.name}"),
    )


def build(ctx: c.PageContext, view: MyQuarter, today: dt.date) -> html.Div:
    """The page for ``view`` (the quarter and the person's services)."""
    t = ctx.t
    if not view.services:
        body: list[Any] = [
            c.no_data_note(t("You report for no service. The direction assigns services in Users."))
        ]
    else:
        summary = t(
            "{delivered} of {total} services delivered; {pending} pending.",
            delivered=view.count("on_time") + view.count("late"),
            total=len(view.services),
            pending=view.count("pending"),
        )
        body = [
            html.P(summary, className="my-quarter-summary"),
            html.Div(
                [_card(item, view, today, t, ctx.lang) for item in view.services],
                className="my-quarter-cards",
            ),
        ]
    body.append(html.Div(id="meu-result", role="status", **c.attrs(aria_live="polite")))
    title = t("My quarter: {quarter}", quarter=period_label(view.period, ctx.lang))
    return c.frame(ctx, active=PATH, title=title, children=body)


def layout(**query: str) -> html.Div:
    """The layout of ``/el-meu-trimestre`` (``?t=`` a quarter, else the one being reported)."""
    account = require_role()
    if not query.get("t"):
        query = {**query, "t": str(default_period(current_plan()))}
    ctx = c.PageContext.from_query(query, PATH)
    services = sorted(allowed_services(account, [s.code for s in ctx.plan.services]))
    today = dt.datetime.now(dt.UTC).date()
    return build(ctx, my_quarter(ctx.data, services, ctx.period, today), today)


@callback(
    Output("meu-result", "children"),
    Input({"type": "meu-validate", "service": ALL, "period": ALL}, "n_clicks"),
    State("page-lang", "data"),
    prevent_initial_call=True,
)
def validate_delivery(clicks: list[int | None], lang: str | None) -> Any:
    """A head validates a service's current delivery (the domain refuses anyone else)."""
    t = translator(lang)
    trigger = dash_ctx.triggered_id
    if not any(clicks) or not isinstance(trigger, dict):
        return dash.no_update
    account = require_role(HEAD, DIRECTOR)
    service = str(trigger.get("service", ""))
    period = str(Period.parse(str(trigger.get("period", ""))))
    engine = get_engine(current_settings().database_url)
    try:
        info = steps.validate(engine, service, period, by=account)
    except AccountError as exc:
        return dbc.Alert(exc.message(lang), color="danger")
    return dbc.Alert(
        t(
            "Submission number {id} of {service} for {period} validated.",
            id=info.submission_id,
            service=service,
            period=text_label(period, lang),
        ),
        color="success",
    )
