"""Lliurar dades (``/enviar``): a technician checks and sends a service's quarterly spreadsheet.

1. pick one of *their* services and a quarter, download the template;
2. drop the filled file: it is checked at once with the same import function as the command
   line (``import_file(..., dry_run=True)``), showing the parsed values and every error and
   warning (sheet, row, column) in a grid;
3. only a valid file can be confirmed; confirming stores it (``source="web"``).

Or, under the steps, the values are typed in a form (:mod:`layouts.upload_form`,
issue 17) that goes through the same import.

Nothing is trusted from the browser: the server checks the user's services again at every
step. Between the check and the confirmation the file travels in the page (a ``dcc.Store``,
base64) with an HMAC of the user, service, quarter and file digest made with the app's secret
key, so no worker keeps per-user state and a forged or altered store is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from accounts import roles
from accounts.approvals import approvals_frame
from i18n import format_date, format_number, translator
from indicators.storage import locks
from indicators.storage.engine import get_engine
from layouts import components as c
from layouts import upload_form
from layouts.upload_workflow import (
    PanelView,
    decode_upload,
    default_period,
    local_clock,
    sign_pending,
    upload_periods,
)
from plan_model.periods import text_label
from web.context import current_plan, current_settings
from web.session import signing_key
from web.users import UPLOADERS, require_role

dash.register_page(  # type: ignore[no-untyped-call]
    __name__, path="/enviar", title=c.page_title("Submit data"), name="Lliurar dades", order=20
)

GRID_STYLE = {"height": "320px", "width": "100%"}
LIVE: dict[str, Any] = {"aria-live": "polite"}
HIDDEN: dict[str, Any] = {"aria-hidden": "true"}  # a sign beside the words that say it


def _issues_rows(result: Any) -> list[dict[str, Any]]:
    rows = []
    for kind, issues in (("error", result.errors), ("warning", result.warnings)):
        for issue in issues:
            rows.append(
                {
                    "kind": kind,
                    "sheet": issue.sheet,
                    "row": issue.row,
                    "column": issue.column,
                    "value": issue.value,
                    "message": issue.message,
                }
            )
    return rows


def _values_rows(result: Any, view: PanelView) -> list[dict[str, Any]]:
    names = {i.code: i.name for i in current_plan().indicators}
    return [
        {
            "indicator": v.indicator,
            "name": names.get(v.indicator, ""),
            "period": v.period,
            "value": view.t("Cleared") if v.cleared else view.value(v.value),
            "comment": v.comment,
            "sheet": v.sheet,
            "row": v.row,
        }
        for v in result.values
    ]


# --- layout ---------------------------------------------------------------------------------


def layout(**query: str) -> Any:
    lang = c.request_language(query)
    info = require_role(*UPLOADERS)  # 403 for other roles (web.guard protects the page too)
    t = translator(lang)
    plan = current_plan()
    settings = current_settings()
    services = sorted(roles.allowed_services(info, plan.service_by_code))
    service_options = [
        {"label": f"{code} · {plan.service_by_code[code].name}", "value": code} for code in services
    ]
    periods = upload_periods(plan)
    period_default = str(query.get("periode") or default_period(plan))
    service_default = (
        query.get("servei")
        if query.get("servei") in services
        else (services[0] if services else None)
    )
    locked = locks.refused_periods(get_engine(settings.database_url), [str(p) for p in periods])
    period_options = [
        {"label": f"{p} ({t('locked')})" if str(p) in locked else str(p), "value": str(p)}
        for p in periods
    ]
    if not services:
        body: list[Any] = [
            dbc.Alert(t("You have no services assigned: ask a director."), color="warning")
        ]  # (dbc.Alert is role="alert" itself)
    else:
        check, send, *rest = [
            _check_section(t, settings.max_upload_bytes),
            *_send_sections(t, lang),
        ]
        body = [
            _choose_section(t, service_options, service_default, period_options, period_default),
            check,
            send,
            upload_form.form_panel(t),  # or the values typed in a form (issue 17)
            *rest,
        ]
    intro = t(
        "Choose one of your services and the quarter, download the template, fill it in "
        "and drop it below: it is checked at once, and you can send it only when it has "
        "no errors."
    )
    return _in_frame(query, lang, t("Submit data"), [html.P(intro), *body])


def _choose_section(
    t: Callable[..., str],
    service_options: list[dict[str, str]],
    service_default: str | None,
    period_options: list[dict[str, str]],
    period_default: str,
) -> html.Section:
    """Step 1: the service and the quarter, and the template to download."""
    return html.Section(
        [
            html.H2(t("1. Service and quarter"), className="h4"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.Label(t("Service"), htmlFor="enviar-service"),
                            dbc.Select(
                                id="enviar-service", options=service_options, value=service_default
                            ),
                        ],
                        md=6,
                    ),
                    dbc.Col(
                        [
                            html.Label(t("Quarter"), htmlFor="enviar-period"),
                            dbc.Select(
                                id="enviar-period", options=period_options, value=period_default
                            ),
                        ],
                        md=3,
                    ),
                ],
                className="g-3",
            ),
            html.Div(id="enviar-lock-note", role="status"),
            html.P(
                html.A(
                    t("Download the template"),
                    id="enviar-template-link",
                    href="#",
                    className="btn btn-primary mt-3",
                    download="",
                    style={"backgroundColor": "#0b5394", "borderColor": "#0b5394", "color": "#fff"},
                )
            ),
        ],
        className="mb-4",
    )


def _check_section(t: Callable[..., str], max_upload_bytes: int) -> html.Section:
    """Step 2: drop the filled file; it is checked at once."""
    max_mb = max_upload_bytes / (1024 * 1024)
    return html.Section(
        [
            html.H2(t("2. Check the filled file"), className="h4"),
            html.P(t("Filled file"), id="enviar-upload-label", className="fw-semibold"),
            dcc.Upload(
                id="enviar-upload",
                children=html.Div(
                    [
                        t("Drag and drop the file here, or "),
                        html.Span(t("choose it"), className="link-primary"),
                        html.Br(),
                        html.Small(
                            t("xlsx, xlsm, xls, ods or csv; at most {mb} MB", mb=f"{max_mb:g}")
                        ),
                    ]
                ),
                max_size=max_upload_bytes,
                accept=".xlsx,.xlsm,.xls,.ods,.csv",
                className="upload-zone",
                style={
                    "border": "2px dashed #6c757d",
                    "borderRadius": "8px",
                    "padding": "1.5rem",
                    "textAlign": "center",
                    "cursor": "pointer",
                },
            ),
            dcc.Loading(html.Div(id="enviar-check-result", role="status", **LIVE)),
        ],
        className="mb-4",
    )


def _send_sections(t: Callable[..., str], lang: str) -> list[Any]:
    """Step 3 (send), the service's history and the page's stores."""
    return [
        html.Section(
            [
                html.H2(t("3. Send"), className="h4"),
                dbc.Button(
                    t("Confirm and send"), id="enviar-confirm", color="success", disabled=True
                ),
                dcc.Loading(html.Div(id="enviar-confirm-result", role="status", **LIVE)),
            ],
            className="mb-4",
        ),
        html.Section(
            [
                html.H2(t("History of the service"), className="h4"),
                html.Div(id="enviar-history"),
            ]
        ),
        dcc.Store(id="enviar-pending"),
        dcc.Store(id="enviar-file"),  # the file picked last (see check_upload)
        dcc.Store(id="enviar-version", data=0),
        dcc.Store(id="enviar-lang", data=lang),
        dcc.Store(id="enviar-a11y"),
    ]


def _in_frame(query: dict[str, str], lang: str, title: str, children: list[Any]) -> Any:
    try:
        ctx = c.PageContext.from_query(query, path="/enviar")
    except Exception:  # noqa: BLE001 - no frame without dashboard data: the page still works
        return html.Div([html.H1(title), *children], className="app-main", lang=lang)
    return c.frame(ctx, active="/enviar", title=title, children=children)


# --- callbacks --------------------------------------------------------------------------------

# dcc.Upload's file input has no label of its own: name it after the visible label
dash.clientside_callback(
    """
    function(lang) {
        let tries = 0;
        const name = () => {
            const input = document.querySelector('#enviar-upload input[type=file]');
            const label = document.getElementById('enviar-upload-label');
            if (input && label) {
                input.setAttribute('aria-labelledby', 'enviar-upload-label');
                input.id = 'enviar-file';
            } else if (tries++ < 50) {
                setTimeout(name, 100);
            }
        };
        name();
        return window.dash_clientside.no_update;
    }
    """,
    Output("enviar-a11y", "data"),
    Input("enviar-lang", "data"),
)


@callback(
    Output("enviar-template-link", "href"),
    Output("enviar-lock-note", "children"),
    Input("enviar-service", "value"),
    Input("enviar-period", "value"),
    State("enviar-lang", "data"),
)
def _template_link(service: str | None, period: str | None, lang: str | None) -> Any:
    require_role(*UPLOADERS)
    t = translator(lang)
    if not service or not period:
        return "#", None
    note = None
    if locks.refused_periods(get_engine(current_settings().database_url), [period]):
        note = dbc.Alert(
            t(
                "The {period} is locked by the management: uploads are "
                "refused until a director reopens it.",
                period=text_label(period, lang),
            ),
            color="warning",
            className="mt-3",
        )
    return f"/descarrega/plantilla?service={service}&period={period}&lang={lang or 'ca'}", note


def _result_panel(result: Any, t: Any, lang: str | None = "ca") -> list[Any]:
    """The check's answer: the summary, the errors and warnings, what changes, the values read
    (numbers and stages written in the page's language)."""
    view = PanelView.of(t, lang, current_plan())
    return [
        _summary_alert(result, t),
        *_issues_section(result, t),
        *_changes_section(result, view),
        *_values_section(result, view),
    ]


def _checked_line(filename: str, t: Any) -> html.P:
    """Which file this panel is about and when it was checked: «full_T3.xlsx, comprovat a les
    10:42», so that a new check of the same file is visibly new."""
    clock, hour = local_clock()
    msgid = "{file}, checked at {time} (one o'clock)" if hour == 1 else "{file}, checked at {time}"
    return html.P(t(msgid, file=filename, time=clock), id="enviar-checked", className="mb-1 mt-3")


_SUMMARY_SIGNS = {"ok": "✔", "duplicate": "=", "rejected": "✖"}  # beside the words, not instead


def _summary_alert(result: Any, t: Any) -> Any:
    ok = result.status == "ok"
    colour = "success" if ok else ("info" if result.status == "duplicate" else "danger")
    if ok:
        title = t("Valid file")
    elif result.status == "duplicate":
        title = t("Already sent")
    else:
        title = t("The file has errors")
    # a locked quarter is not the file's fault: say so in the summary itself
    locked = list(dict.fromkeys(e.message for e in result.errors if e.code == "locked_period"))
    sign = _SUMMARY_SIGNS.get(result.status, "")
    return dbc.Alert(
        [
            html.Span(f"{sign} ", **HIDDEN),
            html.Strong(title),
            html.Br(),
            result.message,
            *[html.P(m, className="mb-0 mt-2 fw-bold", id="enviar-locked") for m in locked[:1]],
        ],
        color=colour,
        id="enviar-summary",
        className=f"mt-2 import-{result.status}",
    )


def _issues_section(result: Any, t: Any) -> list[Any]:
    section: list[Any] = []
    issues = _issues_rows(result)
    if issues:
        label = {"error": "✖ " + t("Error"), "warning": "! " + t("Warning")}
        for row in issues:
            row["kind"] = label[row["kind"]]
        section += [
            html.H3(t("Errors and warnings ({count})", count=len(issues)), className="h5"),
            dag.AgGrid(
                id="enviar-issues-grid",
                rowData=issues,
                columnDefs=[
                    {"field": "kind", "headerName": t("Type"), "width": 130},
                    {"field": "sheet", "headerName": t("Sheet"), "width": 130},
                    {"field": "row", "headerName": t("Row"), "width": 90},
                    {"field": "column", "headerName": t("Column"), "width": 100},
                    {"field": "value", "headerName": t("Value"), "width": 130},
                    {
                        "field": "message",
                        "headerName": t("Message"),
                        "flex": 1,
                        "wrapText": True,
                        "autoHeight": True,
                    },
                ],
                defaultColDef={"sortable": True, "resizable": True, "filter": True},
                style=GRID_STYLE,
            ),
        ]
    if result.error_count > len(result.errors):
        section.append(
            html.P(
                t(
                    "(the first {shown} of {total} errors)",
                    shown=len(result.errors),
                    total=result.error_count,
                ),
                id="enviar-issues-total",
            )
        )
    return section


def _values_section(result: Any, view: PanelView) -> list[Any]:
    if not result.values:
        return []
    t = view.t
    return [
        html.H3(t("Values read ({count})", count=len(result.values)), className="h5 mt-3"),
        dag.AgGrid(
            id="enviar-values-grid",
            rowData=_values_rows(result, view),
            columnDefs=[
                {"field": "indicator", "headerName": t("Indicator"), "width": 120},
                {"field": "name", "headerName": t("Name"), "flex": 1},
                {"field": "period", "headerName": t("Quarter"), "width": 110},
                {"field": "value", "headerName": t("Value"), "width": 150},
                {"field": "comment", "headerName": t("Comment"), "flex": 1},
                {"field": "sheet", "headerName": t("Sheet"), "width": 110},
                {"field": "row", "headerName": t("Row"), "width": 80},
            ],
            defaultColDef={"sortable": True, "resizable": True, "filter": True},
            style=GRID_STYLE,
        ),
    ]


_CHANGE_KINDS = {
    "new": "New value",
    "changed": "Changed",
    "same": "Unchanged",
    "cleared": "Cleared",
    "kept": "Kept (blank)",
}


def _changes_section(result: Any, view: PanelView) -> list[Any]:
    """What storing the file changes, per indicator (``indicators.intake.changes``), with the
    values as the page writes them (``1.234,5``, stage names)."""
    if not result.changes:
        return []
    t = view.t
    intro = (
        t("It replaces submission number {id}.", id=result.replaces_id)
        if result.replaces_id is not None
        else t("It is the first submission of this service and quarter.")
    )
    header = [t("Indicator"), t("Quarter"), t("Value in force"), t("New value"), t("Change")]
    rows = [
        html.Tr(
            [
                html.Td(change.indicator),
                html.Td(change.period),
                html.Td(view.value(change.before), className="change-value"),
                html.Td(view.value(change.after), className="change-value"),
                html.Td(t(_CHANGE_KINDS[change.kind]), className=f"change-{change.kind}"),
            ]
        )
        for change in result.changes
    ]
    return [
        html.H3(t("What changes ({count})", count=len(result.changes)), className="h5 mt-3"),
        html.P(intro, id="enviar-replaces"),
        html.Div(
            html.Table(
                [
                    html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
                    html.Tbody(rows),
                ],
                id="enviar-changes",
                className="table table-sm",
            ),
            className="table-responsive",
        ),
    ]


# the file picked last, kept in the page (never sent back by the server) so that a change of
# service or quarter checks it again although the chooser has been emptied
dash.clientside_callback(
    """
    function(contents, filename) {
        if (!contents) { return window.dash_clientside.no_update; }
        return {contents: contents, filename: filename};
    }
    """,
    Output("enviar-file", "data"),
    Input("enviar-upload", "contents"),
    State("enviar-upload", "filename"),
)


@callback(
    Output("enviar-check-result", "children"),
    Output("enviar-pending", "data"),
    Output("enviar-confirm", "disabled"),
    Output("enviar-confirm-result", "children", allow_duplicate=True),
    Output("enviar-upload", "contents"),
    Input("enviar-upload", "contents"),
    Input("enviar-service", "value"),
    Input("enviar-period", "value"),
    State("enviar-upload", "filename"),
    State("enviar-lang", "data"),
    State("enviar-file", "data"),
    prevent_initial_call=True,
)
def check_upload(
    contents: str | None,
    service: str | None,
    period: str | None,
    filename: str | None,
    lang: str | None,
    picked: Any = None,
) -> Any:
    """Check the file just picked (or, when the service or quarter changes, the one picked
    last) and empty the chooser: picking the same file again always checks it again. A new
    check ends the previous one and its answer to a confirmation."""
    info = require_role(*UPLOADERS)
    if not contents and isinstance(picked, dict):
        contents, filename = picked.get("contents"), picked.get("filename")
    if not isinstance(contents, str) or not contents or not filename:
        return None, None, True, None, None
    t = translator(lang)
    panel, pending = _check(info, contents, str(filename), service, period, lang)
    return [_checked_line(str(filename), t), *panel], pending, pending is None, None, None


def _check(
    info: Any, contents: str, filename: str, service: str | None, period: str | None, lang: Any
) -> tuple[list[Any], dict[str, Any] | None]:
    """The dry run of one file for the page: the panel, and the signed pending submission
    when the file can be confirmed (None otherwise)."""
    from indicators.intake.importer import import_file

    t = translator(lang)
    plan = current_plan()
    settings = current_settings()
    allowed = roles.allowed_services(info, plan.service_by_code)
    if service not in allowed:
        message = t("You cannot submit data for the service {service}.", service=service or "–")
        return [_refusal(message)], None
    try:
        content = decode_upload(contents)
    except ValueError:
        return [_refusal(t("The file did not arrive complete. Please try again."))], None
    if len(content) > settings.max_upload_bytes:
        mb = format_number(settings.max_upload_bytes / (1024 * 1024), lang, 2)
        return [_refusal(t("The file is too large (maximum {mb} MB).", mb=mb))], None
    result = import_file(
        get_engine(settings.database_url),
        plan,
        filename=filename,
        content=content,
        user=info.username,
        service=service,
        period=period,
        dry_run=True,
        source="web",
        lang=lang or "ca",
        settings=settings,
        allowed_services=allowed,
    )
    panel = _result_panel(result, t, lang)
    if result.status != "ok":
        return panel, None
    return panel, _pending(
        info.username,
        filename,
        content,
        result.service or service or "",
        result.period or period or "",
    )


def _refusal(message: str) -> Any:
    """A check refused before the file is read (a service not assigned, a broken upload)."""
    return dbc.Alert(
        [html.Span("✖ ", **HIDDEN), message],
        color="danger",
        id="enviar-summary",
        className="mt-2 import-refused",
    )


def _pending(
    username: str, filename: str, content: bytes, service: str, period: str
) -> dict[str, Any]:
    """The checked file as the page keeps it until confirmed, signed with the app's key."""
    digest = hashlib.sha256(content).hexdigest()
    return {
        "filename": filename,
        "service": service,
        "period": period,
        "sha256": digest,
        "content": base64.b64encode(content).decode(),
        "sig": sign_pending(signing_key(), username, service, period, digest),
    }


@callback(
    Output("enviar-confirm-result", "children"),
    Output("enviar-pending", "data", allow_duplicate=True),
    Output("enviar-confirm", "disabled", allow_duplicate=True),
    Output("enviar-version", "data"),
    Output("enviar-check-result", "children", allow_duplicate=True),
    Output("enviar-file", "data", allow_duplicate=True),
    Input("enviar-confirm", "n_clicks"),
    State("enviar-pending", "data"),
    State("enviar-version", "data"),
    State("enviar-lang", "data"),
    prevent_initial_call=True,
)
def confirm_upload(
    n_clicks: int | None, pending: dict[str, Any] | None, version: int | None, lang: str | None
) -> Any:
    """Store the checked file. Its check ends here: the check panel (with its «nothing stored:
    dry run») is emptied and the file forgotten, whatever the answer."""
    info = require_role(*UPLOADERS)
    if not n_clicks or not isinstance(pending, dict):
        return no_update, no_update, True, no_update, no_update, no_update
    answer, stored = _confirm(info, pending, translator(lang), lang)
    new_version = (version or 0) + 1 if stored else no_update
    return answer, None, True, new_version, None, None


def _confirm(info: Any, pending: dict[str, Any], t: Any, lang: str | None) -> tuple[Any, bool]:
    """The answer to a confirmation, and whether the import ran (the history changes)."""
    from indicators.intake.importer import import_file

    plan = current_plan()
    settings = current_settings()
    refused = dbc.Alert(
        t("This submission cannot be accepted: check the file again."),
        color="danger",
        id="enviar-refused",
    )
    try:
        filename = str(pending["filename"])
        service = str(pending["service"])
        period = str(pending["period"])
        content = base64.b64decode(str(pending["content"]), validate=True)
        signature = str(pending["sig"])
    except (KeyError, TypeError, ValueError, binascii.Error):
        return refused, False
    digest = hashlib.sha256(content).hexdigest()
    expected = sign_pending(signing_key(), info.username, service, period, digest)
    if not hmac.compare_digest(signature, expected) or len(content) > settings.max_upload_bytes:
        return refused, False
    allowed = roles.allowed_services(info, plan.service_by_code)
    if service not in allowed:  # the user's services, from the database, again
        message = t("You cannot submit data for the service {service}.", service=service)
        return dbc.Alert(message, color="danger", id="enviar-refused"), False
    result = import_file(
        get_engine(settings.database_url),
        plan,
        filename=filename,
        content=content,
        user=info.username,
        service=service,
        period=period,
        dry_run=False,
        source="web",
        lang=lang or "ca",
        settings=settings,
        allowed_services=allowed,
    )
    if result.status == "rejected":
        return [_checked_line(filename, t), *_result_panel(result, t, lang)], True
    done = dbc.Alert(
        [
            html.Span("✔ ", **HIDDEN),
            html.Strong(t("Sent")),
            html.Br(),
            result.message,
        ],
        color="success",
        id="enviar-done",
        className=f"import-{result.status}",
    )
    return done, True


def history_table(service: str, lang: str) -> Any:
    """Every submission of a service (newest first), with downloads and supersessions."""
    from indicators.storage.queries import submissions_frame

    t = translator(lang)
    engine = get_engine(current_settings().database_url)
    frame = submissions_frame(engine)
    frame = frame[frame["service"] == service].sort_values(["uploaded_at", "id"], ascending=False)
    if frame.empty:
        return html.P(t("No submissions yet for this service."), className="no-data-note")
    approvals = approvals_frame(engine)
    approved: dict[int, str] = {}
    for record in approvals.to_dict("records"):
        approved[int(record["submission_id"])] = t("approved by {user}", user=record["approved_by"])
    header = html.Thead(
        html.Tr(
            [
                html.Th(t(h), scope="col")
                for h in (
                    "Number",
                    "Quarter",
                    "File",
                    "Sent by",
                    "When",
                    "Source",
                    "Status",
                    "Replaces",
                    "Replaced by",
                )
            ]
        )
    )
    body = []
    records: list[dict[str, Any]] = frame.to_dict("records")  # type: ignore[assignment]
    for row in records:
        sub_id = int(row["id"])
        status = t("current") if row["status"] == "current" else t("superseded")
        if sub_id in approved:
            status = f"{status} · {approved[sub_id]}"
        moment = row["uploaded_at"]
        if hasattr(moment, "to_pydatetime"):
            moment = moment.to_pydatetime()
        body.append(
            html.Tr(
                [
                    html.Td(str(sub_id)),
                    html.Td(str(row["period"])),
                    html.Td(
                        html.A(
                            str(row["filename"]),
                            href=f"/descarrega/lliurament/{sub_id}",
                            download="",
                        )
                    ),
                    html.Td(str(row["uploaded_by"])),
                    html.Td(format_date(moment, lang, "short")),
                    html.Td(str(row["source"])),
                    html.Td(status, className=f"submission-{row['status']}"),
                    html.Td(_ref(row["supersedes_id"])),
                    html.Td(_ref(row["superseded_by_id"])),
                ]
            )
        )
    return dbc.Table(
        [header, html.Tbody(body)],
        bordered=True,
        hover=True,
        size="sm",
        responsive=True,
        id="enviar-history-table",
    )


def _ref(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return "–"
    return f"#{int(value)}"


@callback(
    Output("enviar-history", "children"),
    Input("enviar-service", "value"),
    Input("enviar-version", "data"),
    State("enviar-lang", "data"),
)
def _history(service: str | None, _version: int | None, lang: str | None) -> Any:
    info = require_role(*UPLOADERS)
    if not service or service not in roles.allowed_services(info, current_plan().service_by_code):
        return None
    return history_table(service, lang or "ca")
