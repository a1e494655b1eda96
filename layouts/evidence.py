"""Evidence on the objective page (issue 17): each value's attachments in the provenance
table, the warning of a milestone completed or postponed without one, and the form to attach
a file or a link (and remove one) for whoever may (:func:`accounts.evidence.can_attach`).

The provenance table's cell (:func:`attachment_cell`) lists the value's attachments in force:
a document links to its download (``/descarrega/evidencia/<id>``) for the staff who may see
it, a link opens its address; a value that needs evidence and has none says «Cal una
evidència: acord, protocol o informe». The panel (:func:`evidence_panel`) repeats the quarter's
missing ones and holds the form, for the values of the page's quarter the viewer may attach
to. The callbacks (:func:`register_callbacks`) attach through
:func:`indicators.intake.evidence_intake.attach_file` / ``attach_link`` (the content check,
then the role, the lock and the audit) and remove through :func:`accounts.evidence.remove`.
The data come from :func:`indicators.reporting.evidence.objective_evidence`.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html, no_update

from accounts.errors import AccountError
from accounts.evidence import can_attach, can_see_evidence, remove
from i18n import translator
from indicators.intake.evidence_check import refusal_message
from indicators.intake.evidence_intake import attach_file, attach_link
from indicators.intake.safety import UnsafeFile, megabytes
from indicators.reporting.evidence import ObjectiveEvidence, objective_evidence
from indicators.storage.engine import get_engine
from indicators.storage.evidence import KIND_FILE, TITLE_LIMIT, EvidenceInfo
from layouts import components as c
from layouts.light import el
from layouts.upload_workflow import decode_upload
from plan_model.evidence import EVIDENCE_NEEDED, EvidenceKey
from plan_model.periods import text_label
from web.context import current_plan, current_settings
from web.evidence import evidence_href
from web.users import UPLOADERS, current_account, require_role

TITLE = "Evidence"  # ca: Evidències
HEADER = "Attachments"  # the provenance table's column
_SEP = "|"


def viewer_key(code: str) -> tuple[bool, tuple[str, ...]]:
    """What the signed-in account may do with ``code``'s evidence (part of the page's cache
    key): download the documents, and the services whose values it may attach to."""
    account = current_account()
    if account is None:
        return False, ()
    services = {i.responsible_service for i in current_plan().indicators_of(code)}
    services |= set(account.services)
    return can_see_evidence(account), tuple(sorted(s for s in services if can_attach(account, s)))


def _evidence(ctx: c.PageContext, code: str) -> ObjectiveEvidence:
    return ctx.data.memo(
        ("evidence", code, str(ctx.period)),
        lambda: objective_evidence(
            ctx.data.engine, ctx.data.objective_values(code), str(ctx.period)
        ),
    )


def _item(ctx: c.PageContext, item: EvidenceInfo, downloads: bool) -> Any:
    if item.kind == KIND_FILE:
        if not downloads:
            return el("Span", item.title, className="evidence-item")
        return el(
            "A",
            item.title,
            href=evidence_href(item.id),
            className="evidence-item",
            **{"data-attachment": str(item.id)},
        )
    return el(
        "A",
        [item.title, " ", el("Small", ctx.t("(link)"))],
        href=item.url,
        target="_blank",
        rel="noopener noreferrer nofollow",
        className="evidence-item evidence-link",
        **{"data-attachment": str(item.id)},
    )


def attachment_cell(ctx: c.PageContext, indicator: str, period: str, service: str) -> list[Any]:
    """The provenance table's cell of one stored value: its attachments, and the warning
    when it needs evidence and has none."""
    found = _evidence(ctx, indicator.split("-I", 1)[0])
    key = EvidenceKey(indicator, period, service)
    account = current_account()
    downloads = account is not None and can_see_evidence(account)
    lines: list[Any] = []
    for item in found.of(key):
        lines += [_item(ctx, item, downloads), el("Br")]
    if found.needs(key):
        lines.append(el("Span", ctx.t(EVIDENCE_NEEDED), className="evidence-missing"))
    return lines or ["–"]


def _missing_note(ctx: c.PageContext, found: ObjectiveEvidence) -> list[Any]:
    quarter = [k for k in found.missing if k.period == str(ctx.period)]
    if not quarter:
        return []
    items = [html.Li(f"{k.indicator} ({k.service})") for k in quarter]
    return [
        html.Div(
            [html.P(ctx.t(EVIDENCE_NEEDED)), html.Ul(items)],
            className="evidence-missing",
            id="evidencia-missing",
            role="note",
        )
    ]


def evidence_panel(ctx: c.PageContext, code: str) -> list[Any]:
    """The quarter's values without their evidence, and the form for who may attach."""
    found = _evidence(ctx, code)
    missing = _missing_note(ctx, found)
    services = set(viewer_key(code)[1])
    choices = _choices(ctx, code, services)
    if not missing and not choices:
        return []
    children: list[Any] = [html.H2(ctx.t(TITLE), id="evidencia-title"), *missing]
    if choices:
        if str(ctx.period) in ctx.data.locked_quarters():
            children.append(
                html.P(ctx.t("The quarter is locked: its evidence cannot change."), role="note")
            )
        else:
            children += _form(ctx, choices, _removable(ctx, found, services))
    return [
        html.Section(
            children,
            className="panel evidence-panel",
            id="evidencia",
            **c.attrs(aria_labelledby="evidencia-title"),
        )
    ]


def _choices(ctx: c.PageContext, code: str, services: set[str]) -> list[dict[str, str]]:
    """The values of the page's quarter the viewer may attach to, as dropdown options."""
    options = []
    for indicator, rows in ctx.data.objective_values(code).items():
        if rows.empty:
            continue
        for period, service in zip(
            rows["period"].astype(str), rows["service"].astype(str), strict=True
        ):
            if period == str(ctx.period) and service in services:
                options.append(
                    {"label": f"{indicator} · {service}", "value": f"{indicator}{_SEP}{service}"}
                )
    return options


def _removable(
    ctx: c.PageContext, found: ObjectiveEvidence, services: set[str]
) -> list[dict[str, str]]:
    return [
        {"label": f"{item.indicator} · {item.title}", "value": str(item.id)}
        for key, items in found.by_key.items()
        if key.period == str(ctx.period) and key.service in services
        for item in items
    ]


def _field(label: str, control: Any, control_id: str) -> html.Div:
    return html.Div([html.Label(label, htmlFor=control_id), control], className="mb-2")


def _form(
    ctx: c.PageContext, choices: list[dict[str, str]], removable: list[dict[str, str]]
) -> list[Any]:
    t = ctx.t
    settings = current_settings()  # a file travels in a request: its limit applies too
    limit = min(settings.evidence_max_bytes, settings.max_upload_bytes)
    form: list[Any] = [
        html.H3(t("Attach a document or a link")),
        _field(
            t("Value"),
            dbc.Select(id="evidencia-value", options=choices, value=choices[0]["value"]),
            "evidencia-value",
        ),
        _field(
            t("Title"),
            dbc.Input(
                id="evidencia-title-text",
                maxLength=TITLE_LIMIT,
                placeholder=t("e.g. Agreement of the board"),
            ),
            "evidencia-title-text",
        ),
        _field(
            t("Link"),
            dbc.Input(id="evidencia-url", type="url", placeholder="https://…"),
            "evidencia-url",
        ),
        html.P(t("or a file:"), id="evidencia-file-label", className="mb-1"),
        dcc.Upload(
            id="evidencia-file",
            children=html.Div(
                [
                    t("Drag and drop the file here, or "),
                    html.Span(t("choose it"), className="link-primary"),
                    html.Br(),
                    html.Small(
                        t(
                            "PDF, PNG, JPEG or an office document; at most {mb} MB",
                            mb=megabytes(limit),
                        )
                    ),
                ]
            ),
            max_size=limit,
            className="upload-drop mb-2",
        ),
        html.P(id="evidencia-file-chosen", className="small", **c.attrs(aria_live="polite")),
        html.Button(t("Attach"), id="evidencia-attach", className="btn btn-primary"),
        dcc.Store(id="evidencia-target", data={"period": str(ctx.period), "lang": ctx.lang}),
        dcc.Store(id="evidencia-a11y"),
        html.Div(id="evidencia-message", **c.attrs(aria_live="polite")),
    ]
    if removable:
        form += [
            html.H3(t("Remove an attachment")),
            _field(
                t("Attachment"),
                dbc.Select(id="evidencia-remove-choice", options=removable),
                "evidencia-remove-choice",
            ),
            html.Button(t("Remove"), id="evidencia-remove", className="btn btn-outline-danger"),
            html.Div(id="evidencia-remove-message", **c.attrs(aria_live="polite")),
        ]
    return form


def _key(choice: str | None, target: dict[str, str]) -> EvidenceKey | None:
    indicator, sep, service = str(choice or "").partition(_SEP)
    if not sep or not indicator or not service:
        return None
    return EvidenceKey(indicator, str(target.get("period", "")), service)


def attach_evidence(
    _clicks: int | None,
    choice: str | None,
    title: str | None,
    url: str | None,
    contents: str | None,
    filename: str | None,
    target: dict[str, str] | None,
) -> Any:
    """Attach the chosen file or link to the chosen value as the signed-in account."""
    account = require_role(*UPLOADERS)
    target = target or {}
    lang = target.get("lang")
    t = translator(lang)
    key = _key(choice, target)
    if key is None:
        return dbc.Alert(t("Choose the value the evidence belongs to."), color="danger")
    if bool(contents) == bool((url or "").strip()):
        return dbc.Alert(t("Attach either a file or a link (one of them)."), color="danger")
    engine = get_engine(current_settings().database_url)
    try:
        if contents:
            info = attach_file(
                engine,
                current_plan(),
                current_settings(),
                key,
                title=title or "",
                filename=filename or "",
                content=decode_upload(contents),
                by=account,
            )
        else:
            info = attach_link(
                engine, current_plan(), key, title=title or "", url=url or "", by=account
            )
    except UnsafeFile as exc:
        return dbc.Alert(refusal_message(exc, lang), color="danger")
    except AccountError as exc:
        return dbc.Alert(exc.message(lang), color="danger")
    except ValueError:  # not a data URL: the browser sent no readable file
        message = t("The file could not be read: choose it again.")
        return dbc.Alert(message, color="danger")
    return dbc.Alert(
        t(
            "«{title}» attached to {indicator} ({period}). Reload the page to see it.",
            title=info.title,
            indicator=info.indicator,
            period=text_label(info.period, lang),
        ),
        color="success",
    )


def remove_evidence(_clicks: int | None, choice: str | None, target: dict[str, str] | None) -> Any:
    """Remove the chosen attachment (it is marked, not destroyed) as the signed-in account."""
    account = require_role(*UPLOADERS)
    lang = (target or {}).get("lang")
    t = translator(lang)
    if not str(choice or "").isdigit():
        return dbc.Alert(t("Choose the attachment to remove."), color="danger")
    try:
        info = remove(get_engine(current_settings().database_url), int(str(choice)), by=account)
    except AccountError as exc:
        return dbc.Alert(exc.message(lang), color="danger")
    return dbc.Alert(
        t("«{title}» removed. Reload the page to see it.", title=info.title), color="success"
    )


# dcc.Upload's file input has no label of its own: name it after the visible text before it
LABEL_FILE_INPUT = """
function(_target) {
    let tries = 0;
    const name = () => {
        const input = document.querySelector('#evidencia-file input[type=file]');
        if (input && document.getElementById('evidencia-file-label')) {
            input.setAttribute('aria-labelledby', 'evidencia-file-label');
            input.id = 'evidencia-file-input';
        } else if (tries++ < 50) {
            setTimeout(name, 100);
        }
    };
    name();
    return window.dash_clientside.no_update;
}
"""


def attach_and_clear(
    clicks: int | None,
    choice: str | None,
    title: str | None,
    url: str | None,
    contents: str | None,
    filename: str | None,
    target: dict[str, str] | None,
) -> tuple[Any, Any, Any]:
    """:func:`attach_evidence`, then empty the file field once the file was tried (attached or
    refused): a file read by the browser is sent once, never again with the next attachment
    (choosing the next file while the browser still reads it cannot send the previous one)."""
    answer = attach_evidence(clicks, choice, title, url, contents, filename, target)
    tried = bool(contents) and not (url or "").strip() and _key(choice, target or {}) is not None
    return (answer, None, None) if tried else (answer, no_update, no_update)


def chosen_file(filename: str | None, target: dict[str, str] | None) -> str:
    """The name of the file the browser holds for the next attachment, or nothing."""
    if not filename:
        return ""
    return translator((target or {}).get("lang"))("Chosen file: {name}", name=filename)


def register_callbacks(app: Dash) -> None:
    """Register the evidence form's callbacks on ``app`` (each app its own: a module's
    ``dash.callback`` would go to the first app built in the process only)."""
    app.callback(
        Output("evidencia-message", "children"),
        Output("evidencia-file", "contents"),
        Output("evidencia-file", "filename"),
        Input("evidencia-attach", "n_clicks"),
        State("evidencia-value", "value"),
        State("evidencia-title-text", "value"),
        State("evidencia-url", "value"),
        State("evidencia-file", "contents"),
        State("evidencia-file", "filename"),
        State("evidencia-target", "data"),
        prevent_initial_call=True,
    )(attach_and_clear)
    app.callback(
        Output("evidencia-file-chosen", "children"),
        Input("evidencia-file", "filename"),
        State("evidencia-target", "data"),
    )(chosen_file)
    app.callback(
        Output("evidencia-remove-message", "children"),
        Input("evidencia-remove", "n_clicks"),
        State("evidencia-remove-choice", "value"),
        State("evidencia-target", "data"),
        prevent_initial_call=True,
    )(remove_evidence)
    app.clientside_callback(  # type: ignore[no-untyped-call]
        LABEL_FILE_INPUT, Output("evidencia-a11y", "data"), Input("evidencia-target", "data")
    )
