"""Gestió (``/gestio``, directors): accept a service's quarter (after its head validated
it), lock, reopen, publish and unpublish quarters.

A quarter locks when every delivered submission is accepted, or with a reason (the
override). "Tanca el trimestre" asks for confirmation; "Torna a obrir" is disabled on an open
quarter. The table shows each service's review (validated, accepted, changed since) and, for
the chosen service, which submission holds each value in force (file, who, when).

A locked quarter refuses every new upload (web and command line) until a director reopens
it. A locked quarter may be published (issue 19: only published quarters leave the app);
"Publica el trimestre" and "Despublica el trimestre" ask for confirmation, and a refusal (a
quarter not locked) shows its reason. A published quarter is not reopened until it is
unpublished. The quarters list shows each quarter's state: obert, tancat or publicat.
Approvals, locks, reopenings and publications are recorded in the audit log.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from accounts import approvals as steps
from accounts.approvals import approve, lock_period, reopen_period
from accounts.errors import AccountError
from accounts.publications import publish_period, published_periods, unpublish_period
from i18n import format_date, format_number, translator
from indicators.reporting.audit_text import local_time
from indicators.storage import locks
from indicators.storage.engine import get_engine
from layouts import components as c
from layouts.reviews import lock_sign, review_text
from layouts.upload_workflow import default_period, upload_periods
from plan_model.periods import text_label
from web.context import current_plan, current_settings
from web.users import DIRECTOR, require_role

dash.register_page(  # type: ignore[no-untyped-call]
    __name__, path="/gestio", title=c.page_title("Approvals and locks"), name="Gestió", order=21
)

LIVE: dict[str, Any] = {"aria-live": "polite"}
# a quarter's state in the quarters list → English msgid of its label (obert, tancat, publicat)
QUARTER_STATES: dict[str, str] = {
    "open": "quarter state: open",
    "locked": "quarter state: locked",
    "published": "quarter state: published",
}


def layout(**query: str) -> Any:
    lang = c.request_language(query)
    t = translator(lang)
    require_role(*DIRECTOR)  # 403 for other roles (web.guard protects the page too)
    plan = current_plan()
    periods = [str(p) for p in upload_periods(plan)]
    chosen = query.get("periode") if query.get("periode") in periods else str(default_period(plan))
    services = [{"label": f"{s.code} · {s.name}", "value": s.code} for s in plan.services]
    children = [
        html.P(
            t(
                "Approve each service's submission for a quarter, and lock the quarter when "
                "its data are final: a locked quarter refuses new uploads until it is "
                "reopened. Everything is recorded in the audit log."
            )
        ),
        dbc.Row(
            [
                dbc.Col(
                    [
                        html.Label(t("Quarter"), htmlFor="gestio-period"),
                        dbc.Select(
                            id="gestio-period",
                            value=chosen,
                            options=[{"label": p, "value": p} for p in periods],
                        ),
                    ],
                    md=3,
                ),
                dbc.Col(
                    [
                        html.Label(t("Service"), htmlFor="gestio-service"),
                        dbc.Select(
                            id="gestio-service",
                            options=services,
                            value=services[0]["value"] if services else None,
                        ),
                    ],
                    md=5,
                ),
                dbc.Col(
                    dbc.Button(
                        t("Accept the submission"),
                        id="gestio-approve",
                        color="primary",
                        className="mt-4",
                    ),
                    md=4,
                ),
            ],
            className="g-3 mb-3",
        ),
        html.Div(id="gestio-lock-state", className="mb-3"),
        html.Label(
            t("Reason (required to lock with submissions not accepted)"), htmlFor="gestio-reason"
        ),
        dbc.Input(id="gestio-reason", type="text", maxLength=500, className="mb-2"),
        *_quarter_buttons(t),
        html.Div(id="gestio-message", role="status", className="mt-3", **LIVE),
        html.H2(t("Quarters"), className="h4 mt-4"),
        html.Div(id="gestio-quarters"),
        html.H2(t("Submissions of the quarter"), className="h4 mt-4"),
        html.Div(id="gestio-table"),
        html.H2(t("Values in force of the service"), className="h4 mt-4"),
        html.Div(id="gestio-provenance"),
        dcc.Store(id="gestio-version", data=0),
        dcc.Store(id="gestio-lang", data=lang),
    ]
    title = t("Approvals and locks")
    try:
        ctx = c.PageContext.from_query(query, path="/gestio")
    except Exception:  # noqa: BLE001 - no page context outside a full request: the bare page
        return html.Div([html.H1(title), *children], lang=lang)
    return c.frame(ctx, active="/gestio", title=title, children=children)


def _quarter_buttons(t: Any) -> list[Any]:
    """Lock, reopen, publish and unpublish the chosen quarter (all but reopening after a
    confirmation)."""
    return [
        dcc.ConfirmDialogProvider(
            dbc.Button(t("Lock the quarter"), color="warning", className="me-2"),
            id="gestio-lock",
            message=t("Lock the quarter? New uploads will be refused until it is reopened."),
        ),
        dbc.Button(
            t("Reopen the quarter"), id="gestio-reopen", color="secondary", className="me-2"
        ),
        dcc.ConfirmDialogProvider(
            dbc.Button(t("Publish the quarter"), color="success", className="me-2"),
            id="gestio-publish",
            message=t(
                "Publish the quarter? Its accepted figures will be public (the public view and "
                "the open data), and it cannot be reopened until it is unpublished."
            ),
        ),
        dcc.ConfirmDialogProvider(
            dbc.Button(t("Unpublish the quarter"), color="secondary"),
            id="gestio-unpublish",
            message=t("Unpublish the quarter? Its figures will stop being public."),
        ),
    ]


@callback(
    Output("gestio-message", "children"),
    Output("gestio-version", "data"),
    Input("gestio-approve", "n_clicks"),
    Input("gestio-lock", "submit_n_clicks"),
    Input("gestio-reopen", "n_clicks"),
    Input("gestio-publish", "submit_n_clicks"),
    Input("gestio-unpublish", "submit_n_clicks"),
    State("gestio-period", "value"),
    State("gestio-service", "value"),
    State("gestio-reason", "value"),
    State("gestio-version", "data"),
    State("gestio-lang", "data"),
    prevent_initial_call=True,
)
def act(
    _approve: int | None,
    _lock: int | None,
    _reopen: int | None,
    _publish: int | None,
    _unpublish: int | None,
    period: str | None,
    service: str | None,
    reason: str | None,
    version: int | None,
    lang: str | None,
) -> Any:
    """Accept, lock, reopen, publish or unpublish, as the signed-in director; say what
    happened (or why it was refused)."""
    info = require_role(*DIRECTOR)
    t = translator(lang)
    plan = current_plan()
    engine = get_engine(current_settings().database_url)
    valid_periods = {str(p) for p in upload_periods(plan)}
    if period not in valid_periods:
        return dbc.Alert(t("Choose a quarter."), color="danger"), dash.no_update
    try:
        message = _perform(dash.ctx.triggered_id, engine, period, service, reason, info, lang)
    except AccountError as exc:
        return dbc.Alert(exc.message(lang), color="danger", id="gestio-error"), dash.no_update
    if message is None:
        return dash.no_update, dash.no_update
    return dbc.Alert(message, color="success", id="gestio-done"), (version or 0) + 1


def _perform(
    trigger: Any,
    engine: Any,
    period: str,
    service: str | None,
    reason: str | None,
    info: Any,
    lang: str | None,
) -> str | None:
    t = translator(lang)
    if trigger == "gestio-approve":
        if service not in current_plan().service_by_code:
            raise AccountError("Choose a service.")
        approval = approve(engine, service, period, by=info)
        return str(
            t(
                "Submission number {id} of {service} for {period} accepted.",
                id=approval.submission_id,
                service=service,
                period=text_label(period, lang),
            )
        )
    if trigger == "gestio-lock":
        if not lock_period(engine, period, by=info, reason=reason):
            return str(
                t(
                    "The {period} was already locked: nothing has changed.",
                    period=text_label(period, lang),
                )
            )
        return str(
            t("The {period} is locked: new uploads are refused.", period=text_label(period, lang))
        )
    if trigger == "gestio-reopen":
        if not reopen_period(engine, period, by=info, reason=reason):
            return str(
                t(
                    "The {period} was not locked: nothing has changed.",
                    period=text_label(period, lang),
                )
            )
        return str(t("The {period} is open again for uploads.", period=text_label(period, lang)))
    if trigger in ("gestio-publish", "gestio-unpublish"):
        return _publication(trigger == "gestio-publish", engine, period, reason, info, lang)
    return None


def _publication(
    publish: bool, engine: Any, period: str, reason: str | None, info: Any, lang: str | None
) -> str:
    """Publish (or unpublish) ``period``; what happened, or that nothing changed."""
    t = translator(lang)
    if publish:
        if publish_period(engine, period, by=info, reason=reason) is None:
            return str(
                t(
                    "The {period} was already published: nothing has changed.",
                    period=text_label(period, lang),
                )
            )
        return str(
            t(
                "The {period} is published: its figures may be shown.",
                period=text_label(period, lang),
            )
        )
    if unpublish_period(engine, period, by=info, reason=reason) is None:
        return str(
            t(
                "The {period} was not published: nothing has changed.",
                period=text_label(period, lang),
            )
        )
    return str(t("The {period} is no longer published.", period=text_label(period, lang)))


def _changes(review: steps.Review, lang: str) -> Any:
    if not review.changes:
        return None
    return html.Ul(
        [
            html.Li(f"{c.indicator}: {_shown(c.before, lang)} → {_shown(c.after, lang)}")
            for c in review.changes
        ],
        className="review-changes small mb-0",
    )


def _shown(value: float | str | None, lang: str) -> str:
    if value is None:
        return "–"
    return format_number(value, lang) if isinstance(value, float) else value


def _submitted(sub: dict[str, Any] | None, lang: str, t: Any) -> Any:
    if sub is None:
        return t("Pending")
    moment = sub["uploaded_at"]
    moment = moment.to_pydatetime() if hasattr(moment, "to_pydatetime") else moment
    return (
        f"#{int(sub['id'])} · {sub['filename']} · {sub['uploaded_by']} · "
        f"{format_date(moment, lang, 'short')}"
    )


def _reviews_table(engine: Any, period: str, lang: str, t: Any) -> Any:
    from indicators.storage.queries import submissions_frame

    plan = current_plan()
    subs = submissions_frame(engine)
    subs = subs[(subs["period"] == period) & (subs["status"] == "current")]
    by_service = {
        str(r["service"]): {str(k): v for k, v in r.items()} for r in subs.to_dict("records")
    }
    reviews = steps.quarter_reviews(engine, period, [s.code for s in plan.services])
    rows = [
        html.Tr(
            [
                html.Th(f"{svc.code} · {svc.name}", scope="row"),
                html.Td(_submitted(by_service.get(svc.code), lang, t)),
                html.Td(
                    [review_text(reviews[svc.code], t), _changes(reviews[svc.code], lang)],
                    className=f"review-{reviews[svc.code].state}",
                ),
            ],
            id=f"gestio-row-{svc.code}",
        )
        for svc in plan.services
    ]
    header = html.Thead(
        html.Tr(
            [
                html.Th(t("Service"), scope="col"),
                html.Th(t("Current submission"), scope="col"),
                html.Th(t("Approval"), scope="col"),
            ]
        )
    )
    return dbc.Table([header, html.Tbody(rows)], bordered=True, size="sm", responsive=True)


def provenance_table(engine: Any, service: str, period: str, lang: str, t: Any) -> Any:
    """Which submission holds each value in force of ``service`` for ``period``."""
    from indicators.storage.queries import values_frame

    frame = values_frame(engine)
    frame = frame[(frame["service"] == service) & (frame["period"] == period)]
    if frame.empty:
        return html.P(t("No value in force."), id="gestio-provenance-empty")
    rows = []
    for r in frame.to_dict("records"):
        value = r["stage"] if r["value"] != r["value"] else format_number(r["value"], lang)
        moment = r["uploaded_at"]
        moment = moment.to_pydatetime() if hasattr(moment, "to_pydatetime") else moment
        rows.append(
            html.Tr(
                [
                    html.Th(str(r["indicator"]), scope="row"),
                    html.Td(str(value)),
                    html.Td(f"#{int(r['submission_id'])} · {r['filename']}"),
                    html.Td(str(r["uploaded_by"])),
                    html.Td(format_date(moment, lang, "short")),
                ]
            )
        )
    header = html.Thead(
        html.Tr(
            [
                html.Th(t(label), scope="col")
                for label in ("Indicator", "Value", "File", "Uploaded by", "Date")
            ]
        )
    )
    return dbc.Table(
        [header, html.Tbody(rows)],
        bordered=True,
        size="sm",
        responsive=True,
        id="gestio-provenance-table",
    )


@callback(
    Output("gestio-table", "children"),
    Output("gestio-lock-state", "children"),
    Output("gestio-reopen", "disabled"),
    Output("gestio-provenance", "children"),
    Input("gestio-period", "value"),
    Input("gestio-service", "value"),
    Input("gestio-version", "data"),
    State("gestio-lang", "data"),
)
def show(period: str | None, service: str | None, _version: int | None, lang: str | None) -> Any:
    """The quarter's reviews, its lock state and the chosen service's values in force."""
    require_role(*DIRECTOR)
    t = translator(lang)
    lang = lang or "ca"
    engine = get_engine(current_settings().database_url)
    if not period:
        return None, None, True, None
    locked = locks.is_locked(engine, period)
    publication = published_periods(engine).get(period)
    published = "" if publication is None else " " + _published_text(publication, lang, t)
    state = dbc.Alert(
        [
            lock_sign(locked),
            " ",
            t("The {period} is locked.", period=text_label(period, lang))
            if locked
            else t("The {period} is open for uploads.", period=text_label(period, lang)),
            published,
        ],
        color="warning" if locked else "light",
        id="gestio-lock-status",
        className="period-locked" if locked else "period-open",
    )
    provenance = (
        provenance_table(engine, service, period, lang, t)
        if service in current_plan().service_by_code
        else None
    )
    return _reviews_table(engine, period, lang, t), state, not locked, provenance


def _published_text(publication: Any, lang: str, t: Any) -> str:
    return str(
        t(
            "Published on {date} by {user}.",
            date=local_time(publication.published_at, lang),
            user=publication.published_by,
        )
    )


def quarters_table(engine: Any, periods: list[str], lang: str, t: Any) -> Any:
    """Every quarter open for reporting with its state (open, locked, published) and who
    changed it last and when."""
    published = published_periods(engine)
    lock_rows = {s.period: s for s in locks.lock_states(engine)}
    rows = []
    for period in periods:
        lock = lock_rows.get(period)
        if period in published:
            state, since = "published", _published_text(published[period], lang, t)
        elif lock is not None and lock.locked:
            when = local_time(lock.changed_at, lang)
            state, since = (
                "locked",
                t("Locked on {date} by {user}.", date=when, user=lock.changed_by),
            )
        else:
            state, since = "open", "–"
        rows.append(
            html.Tr(
                [
                    html.Th(period, scope="row"),
                    html.Td(t(QUARTER_STATES[state]), className=f"quarter-{state}"),
                    html.Td(since),
                ],
                id=f"gestio-quarter-{period}",
            )
        )
    header = html.Thead(
        html.Tr(
            [
                html.Th(t(label), scope="col")
                for label in ("Quarter", "State of the quarter", "Last change")
            ]
        )
    )
    return dbc.Table(
        [header, html.Tbody(rows)],
        bordered=True,
        size="sm",
        responsive=True,
        id="gestio-quarters-table",
    )


@callback(
    Output("gestio-quarters", "children"),
    Input("gestio-version", "data"),
    State("gestio-lang", "data"),
)
def show_quarters(_version: int | None, lang: str | None) -> Any:
    """The quarters list: each quarter's state, refreshed after every action."""
    require_role(*DIRECTOR)
    t = translator(lang)
    periods = [str(p) for p in upload_periods(current_plan())]
    engine = get_engine(current_settings().database_url)
    return quarters_table(engine, periods, lang or "ca", t)
