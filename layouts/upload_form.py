"""The browser form of ``/enviar`` (issue 17): the quarter's values typed instead of uploaded.

Beside the spreadsheet (folded under its steps: :func:`form_panel`), one row per indicator
the chosen service reports: its last value and target (the template's row), a field for the value in Catalan
number format (``1.234,5``) or, for a milestone, the stage list, and a comment. The rules are
the import's, through one code path: the entries become the cells of a file
(:func:`indicators.intake.form.form_file`) that ``import_file`` checks (a dry run: the same
errors, located by indicator; the page's own "what changes" panel) and, on confirmation,
stores with ``source="formulari"`` (who, when, which field: the values keep their row and
column), refusing a locked quarter; a blank field changes nothing, like a blank cell.

A draft is saved per service and quarter (:mod:`indicators.storage.drafts`) and put back
when the form is opened again; it is dropped once the values are sent. Nothing is trusted
from the browser: every callback checks the role and the user's services again, a field the
form does not have is refused (:class:`~indicators.intake.form.FormRefused`), and the checked
entries travel in the page signed with the app's key, like the upload's file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, dcc, html, no_update

from accounts import roles
from accounts.users import UserInfo
from i18n import format_date, translator
from indicators.intake.cells import clear_marker
from indicators.intake.form import (
    FORM_SOURCE,
    MAX_COMMENT_LENGTH,
    MAX_VALUE_LENGTH,
    FormEntry,
    FormFile,
    FormRefused,
    FormRow,
    entries_from_json,
    entries_json,
    form_entries,
    form_file,
    form_row_ids,
    form_rows,
)
from indicators.intake.importer import ImportResult, import_file
from indicators.intake.template import TemplateError, check_request, last_values_from_frame
from indicators.reporting.audit_text import LOCAL_TIME
from indicators.storage import drafts, locks
from indicators.storage.engine import get_engine
from indicators.storage.queries import values_frame
from layouts import components as c
from layouts.upload_workflow import PanelView, sign_pending
from plan_model.models import Plan
from plan_model.periods import text_label
from web.context import current_plan, current_settings
from web.session import signing_key
from web.users import UPLOADERS, require_role

VALUE = "enviar-form-value"  # the pattern-matching ids of the fields: {"type", "code"}
COMMENT = "enviar-form-comment"
LIVE: dict[str, Any] = {"aria-live": "polite"}
HIDDEN: dict[str, Any] = {"aria-hidden": "true"}
PERIOD_LENGTH = 16  # more than any way of writing a quarter
BAD_CONFIRMATION = "This submission cannot be accepted: check the form again."


class Refusal(Exception):
    """A request of the form refused before anything is checked, with its message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- layout -----------------------------------------------------------------------------------


def form_panel(t: Callable[..., str]) -> html.Details:
    """The other way of sending, beside the spreadsheet: the form, folded until opened."""
    return html.Details(
        [
            html.Summary(t("Or type the values in a form"), className="h4 my-2"),
            form_section(t),
        ],
        id="enviar-form-panel",
        className="mb-4",
    )


def form_section(t: Callable[..., str]) -> html.Section:
    """The form's part of the page; its rows come with the service and quarter chosen."""
    return html.Section(
        [
            html.P(
                t(
                    "Write each number as in Catalan (1.234,5) and choose a milestone's stage. "
                    "A blank field changes nothing; to clear a value, write «esborrar». Check the "
                    "form: it follows the same rules as the spreadsheet."
                )
            ),
            dcc.Loading(html.Div(id="enviar-form-rows")),
            html.Div(id="enviar-form-draft-note", role="status", **LIVE),
            html.Div(
                [
                    dbc.Button(t("Save draft"), id="enviar-form-save", color="secondary"),
                    dbc.Button(t("Check the form"), id="enviar-form-check", color="primary"),
                    dbc.Button(
                        t("Confirm and send"),
                        id="enviar-form-confirm",
                        color="success",
                        disabled=True,
                    ),
                ],
                className="d-flex flex-wrap gap-2 my-3",
            ),
            dcc.Loading(html.Div(id="enviar-form-result", role="status", **LIVE)),
            html.Div(id="enviar-form-confirm-result", role="status", **LIVE),
            dcc.Store(id="enviar-form-pending"),
        ],
        id="enviar-form",
        className="mb-4",
    )


def dom_id(kind: str, code: str) -> str:
    """The HTML id Dash gives the field ``{"type": kind, "code": code}`` (for its label)."""
    return json.dumps({"code": code, "type": kind}, sort_keys=True, separators=(",", ":"))


def _labelled(kind: str, code: str, text: str, field: Any) -> list[Any]:
    """A field with its label (read by screen readers; the table's header shows it)."""
    return [html.Label(text, htmlFor=dom_id(kind, code), className="visually-hidden"), field]


def _value_field(row: FormRow, value: str, t: Callable[..., str], view: PanelView) -> Any:
    """A number's text field, or a milestone's stage list (with «esborrar» to clear)."""
    field_id = {"type": VALUE, "code": row.code}
    if not row.milestone:
        return dbc.Input(
            id=field_id,
            type="text",
            inputMode="decimal",
            value=value,
            maxLength=MAX_VALUE_LENGTH,
            # a ratio's member: its two counts, «90 / 100» (issue 14)
            placeholder=t("numerator / denominator") if row.ratio else None,
        )
    word = clear_marker(view.lang)
    options = [{"label": "–", "value": ""}]
    options += [{"label": name, "value": key} for key, name in view.stages.items()]
    options.append({"label": t("Clear the value ({word})", word=word), "value": word})
    known = {str(option["value"]) for option in options}
    return dbc.Select(id=field_id, options=options, value=value if value in known else "")


def _row_heading(row: FormRow) -> list[Any]:
    """The row's indicator code and name, and its members (issue 14) when it has them."""
    shown = [
        html.Span(row.indicator or row.code, className="fw-semibold"),
        html.Br(),
        html.Small(row.name),
    ]
    if row.members:
        shown += [html.Br(), html.Small(row.members, className="form-members fw-semibold")]
    return shown


def _row_label(row: FormRow) -> str:
    """How a field's label names its row: the code, and its members when it has them."""
    code = row.indicator or row.code
    return f"{code} ({row.members})" if row.members else code


def _row(row: FormRow, entry: FormEntry | None, t: Callable[..., str], view: PanelView) -> Any:
    value, comment = (entry.value, entry.comment) if entry else ("", "")
    return html.Tr(
        [
            html.Th(_row_heading(row), scope="row"),
            html.Td(row.unit),
            html.Td(view.value(row.last) or "–", className="form-last"),
            html.Td(view.value(row.target) or "–", className="form-target"),
            html.Td(
                _labelled(
                    VALUE,
                    row.code,
                    t("Value of {code}", code=_row_label(row)),
                    _value_field(row, value, t, view),
                )
            ),
            html.Td(
                _labelled(
                    COMMENT,
                    row.code,
                    t("Comment on {code}", code=_row_label(row)),
                    dbc.Input(
                        id={"type": COMMENT, "code": row.code},
                        type="text",
                        value=comment,
                        maxLength=MAX_COMMENT_LENGTH,
                    ),
                )
            ),
        ],
        **c.attrs(data_indicator=row.indicator or row.code),
    )


def _table(rows: list[FormRow], draft: drafts.Draft | None, lang: str | None, year: int) -> Any:
    t = translator(lang)
    view = PanelView.of(t, lang, current_plan())
    entries = (
        {e.code: FormEntry(e.code, e.value, e.comment) for e in draft.entries} if draft else {}
    )
    header = [
        t("Indicator"),
        t("Unit"),
        t("Last value"),
        t("Target {year}", year=year),
        t("Value"),
        t("Comment"),
    ]
    return html.Div(
        html.Table(
            [
                html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
                html.Tbody([_row(r, entries.get(r.code), t, view) for r in rows]),
            ],
            id="enviar-form-table",
            className="table table-sm align-middle",
        ),
        className="table-responsive",
    )


def _draft_note(draft: drafts.Draft | None, t: Callable[..., str], lang: str | None) -> Any:
    if draft is None:
        return None
    when = format_date(draft.saved_at.astimezone(LOCAL_TIME), lang, "short")
    return html.P(
        t("Draft saved by {user} ({when}).", user=draft.saved_by, when=when),
        id="enviar-form-draft",
        className="text-body-secondary mb-0",
    )


# --- what every callback checks ------------------------------------------------------------


def _service_and_period(
    info: UserInfo, plan: Plan, service: object, period: object, lang: str | None
) -> tuple[str, str, set[str]]:
    """The service (one of the user's) and the quarter (of the plan) a request names, and the
    user's services; a :class:`Refusal` otherwise."""
    t = translator(lang)
    allowed = roles.allowed_services(info, plan.service_by_code)
    if not isinstance(service, str) or service not in allowed:
        shown = service[:40] if isinstance(service, str) and service else "–"
        raise Refusal(t("You cannot submit data for the service {service}.", service=shown))
    if not isinstance(period, str) or len(period) > PERIOD_LENGTH:
        raise Refusal(t("Malformed period {period}: write it as 2025-T4.", period="–"))
    try:
        request = check_request(plan, service, period, lang or "ca")
    except TemplateError as exc:  # not a quarter, or outside the plan
        raise Refusal(str(exc)) from None
    return service, str(request.period), allowed


def _pairs(items: object) -> list[tuple[object, object]]:
    """``(indicator code, text)`` of each field of one kind, as the request sent them."""
    if not isinstance(items, list):
        return [(None, None)]  # refused by form_entries: not the form's fields
    pairs: list[tuple[object, object]] = []
    for item in items:
        ident = item.get("id") if isinstance(item, dict) else None
        code = ident.get("code") if isinstance(ident, dict) else None
        pairs.append((code, item.get("value") if isinstance(item, dict) else None))
    return pairs


def _sent_entries(plan: Plan, service: str, lang: str | None) -> list[FormEntry]:
    """The form's entries from the fields of this request (ids and values as sent)."""
    states = dash.callback_context.states_list
    codes = form_row_ids(plan, service)
    try:
        return form_entries(
            _pairs(states[2] if len(states) > 2 else None),
            _pairs(states[3] if len(states) > 3 else None),
            service=service,
            codes=codes,
        )
    except FormRefused as exc:
        raise Refusal(exc.message(lang)) from None


def _refused(message: str, component_id: str = "enviar-form-summary") -> Any:
    return dbc.Alert(
        [html.Span("✖ ", **HIDDEN), message],
        color="danger",
        id=component_id,
        className="mt-2 import-refused",
    )


# --- callbacks -----------------------------------------------------------------------------


def show_form(service: str | None, period: str | None, lang: str | None) -> Any:
    """The form's rows for the chosen service and quarter, with the draft saved for them."""
    info = require_role(*UPLOADERS)
    t = translator(lang)
    plan = current_plan()
    reset = (None, True, None, None)
    if not service or not period:
        return None, None, *reset
    try:
        service, period, _allowed = _service_and_period(info, plan, service, period, lang)
    except Refusal as exc:
        return _refused(exc.message, "enviar-form-rows-refused"), None, *reset
    engine = get_engine(current_settings().database_url)
    last_values = last_values_from_frame(values_frame(engine), service, period)
    rows = form_rows(plan, service, period, last_values, lang or "ca")
    draft = drafts.load_draft(engine, service, period)
    year = int(period[:4])
    return _table(rows, draft, lang, year), _draft_note(draft, t, lang), *reset


def save_draft(
    n_clicks: int | None,
    service: str | None,
    period: str | None,
    _values: Any,
    _comments: Any,
    lang: str | None,
) -> Any:
    """Save the form as the service's draft for the quarter (a locked quarter refuses)."""
    info = require_role(*UPLOADERS)
    if not n_clicks:
        return no_update
    t, plan = translator(lang), current_plan()
    engine = get_engine(current_settings().database_url)
    try:
        service, period, _allowed = _service_and_period(info, plan, service, period, lang)
        if locks.refused_periods(engine, [period]):
            raise Refusal(
                t(
                    "The {period} is locked by the management: uploads are "
                    "refused until a director reopens it.",
                    period=text_label(period, lang),
                )
            )
        entries = _sent_entries(plan, service, lang)
    except Refusal as exc:
        return _refused(exc.message, "enviar-form-draft-refused")
    rows = [drafts.DraftEntry(e.code, e.value, e.comment) for e in entries]
    draft = drafts.save_draft(engine, service, period, rows, user=info.username)
    return _draft_note(draft, t, lang)


def _import(
    info: UserInfo,
    form: FormFile,
    service: str,
    period: str,
    allowed: set[str],
    lang: str | None,
    *,
    dry_run: bool,
) -> ImportResult:
    """The import of the form's file: the same function, rules and storing as a spreadsheet."""
    settings = current_settings()
    return import_file(
        get_engine(settings.database_url),
        current_plan(),
        filename=form.filename,
        content=form.content,
        user=info.username,
        service=service,
        period=period,
        dry_run=dry_run,
        source=FORM_SOURCE,
        lang=lang or "ca",
        settings=settings,
        allowed_services=allowed,
        sheets=form.sheets,
    )


def check_form(
    n_clicks: int | None,
    service: str | None,
    period: str | None,
    _values: Any,
    _comments: Any,
    lang: str | None,
) -> Any:
    """Check the form as a file (a dry run of the import): its errors, located by indicator,
    and what it changes; a valid form can be confirmed (its entries kept signed)."""
    info = require_role(*UPLOADERS)
    if not n_clicks:
        return no_update, no_update, no_update, no_update
    t, plan = translator(lang), current_plan()
    try:
        service, period, allowed = _service_and_period(info, plan, service, period, lang)
        entries = _sent_entries(plan, service, lang)
    except Refusal as exc:
        return _refused(exc.message), None, True, None
    form = form_file(plan, service, period, entries, lang or "ca")
    result = _import(info, form, service, period, allowed, lang, dry_run=True)
    panel = _panel(result, form, t, lang)
    if result.status != "ok":
        return panel, None, True, None
    return panel, _pending(info.username, service, period, entries, form), False, None


def _pending(
    username: str, service: str, period: str, entries: Sequence[FormEntry], form: FormFile
) -> dict[str, Any]:
    """The checked entries as the page keeps them until confirmed, signed with the app's key."""
    digest = hashlib.sha256(form.content).hexdigest()
    return {
        "service": service,
        "period": period,
        "entries": entries_json(entries),
        "sig": sign_pending(signing_key(), username, service, period, digest),
    }


def confirm_form(n_clicks: int | None, pending: Any, version: int | None, lang: str | None) -> Any:
    """Store the checked entries (exactly those: signed), drop the draft, say what happened."""
    info = require_role(*UPLOADERS)
    if not n_clicks or not isinstance(pending, dict):
        return no_update, no_update, True, no_update, no_update, no_update
    t = translator(lang)
    try:
        form, service, period, allowed = _checked_form(info, pending, t, lang)
    except Refusal as exc:
        return _refused(exc.message, "enviar-form-refused"), None, True, None, no_update, no_update
    result = _import(info, form, service, period, allowed, lang, dry_run=False)
    if result.status == "rejected":  # e.g. the quarter was locked since the check
        return _panel(result, form, t, lang), None, True, None, no_update, no_update
    drafts.discard_draft(get_engine(current_settings().database_url), service, period)
    return _done(result, t, lang), None, True, None, (version or 0) + 1, None


def _checked_form(
    info: UserInfo, pending: dict[str, Any], t: Callable[..., str], lang: str | None
) -> tuple[FormFile, str, str, set[str]]:
    """The form that was checked, rebuilt from the page's signed copy (a :class:`Refusal` for
    a copy altered or not made for this user, service and quarter)."""
    plan = current_plan()
    service, period, allowed = _service_and_period(
        info, plan, pending.get("service"), pending.get("period"), lang
    )
    codes = form_row_ids(plan, service)
    try:
        entries = entries_from_json(pending.get("entries"), service=service, codes=codes)
    except FormRefused:
        raise Refusal(t(BAD_CONFIRMATION)) from None
    form = form_file(plan, service, period, entries, lang or "ca")
    digest = hashlib.sha256(form.content).hexdigest()
    expected = sign_pending(signing_key(), info.username, service, period, digest)
    signature = pending.get("sig")
    if not isinstance(signature, str) or not hmac.compare_digest(signature, expected):
        raise Refusal(t(BAD_CONFIRMATION))
    return form, service, period, allowed


def _done(result: ImportResult, t: Callable[..., str], lang: str | None) -> Any:
    if result.status == "duplicate":
        message = t(
            "These same values are already the current submission for {service}, {period} "
            "(number {id}): nothing has changed.",
            service=result.service,
            period=text_label(result.period, lang),
            id=result.submission_id,
        )
    else:
        message = result.message
    return dbc.Alert(
        [html.Span("✔ ", **HIDDEN), html.Strong(t("Sent")), html.Br(), message],
        color="success",
        id="enviar-form-done",
        className=f"import-{result.status}",
    )


# --- the check's answer -----------------------------------------------------------------------


def _panel(result: ImportResult, form: FormFile, t: Callable[..., str], lang: str | None) -> Any:
    """The summary, the errors and warnings by indicator, and what changes (the page's)."""
    view = PanelView.of(t, lang, current_plan())
    return [_summary(result, t, lang), *_issues(result, form, t), *_changes(result, view)]


def _summary(result: ImportResult, t: Callable[..., str], lang: str | None) -> Any:
    ok = result.ok
    if ok:
        title = t("The form is valid")
        text = t(
            "{count} values for {service}, {period}: see what changes, then confirm.",
            count=len(result.values),
            service=result.service,
            period=text_label(result.period, lang),
        )
    else:
        title = t("The form has errors")
        text = t("Errors: {count}. Nothing has been stored.", count=result.error_count)
    locked = [e.message for e in result.errors if e.code == "locked_period"][:1]
    return dbc.Alert(
        [
            html.Span("✔ " if ok else "✖ ", **HIDDEN),
            html.Strong(title),
            html.Br(),
            text,
            *[html.P(m, className="mb-0 mt-2 fw-bold", id="enviar-form-locked") for m in locked],
        ],
        color="success" if ok else "danger",
        id="enviar-form-summary",
        className=f"mt-2 import-{result.status}",
    )


def _issues(result: ImportResult, form: FormFile, t: Callable[..., str]) -> list[Any]:
    """The check's errors and warnings, each at its indicator (not a row of a sheet)."""
    kinds = (("✖ " + t("Error"), result.errors), ("! " + t("Warning"), result.warnings))
    rows = [
        html.Tr(
            [
                html.Td(label),
                html.Td(form.indicator_of(issue) or "–"),
                html.Td(issue.value or ""),
                html.Td(issue.message),
            ],
            className=f"form-issue issue-{issue.code}",
            **c.attrs(data_indicator=form.indicator_of(issue) or ""),
        )
        for label, issues in kinds
        for issue in issues
    ]
    if not rows:
        return []
    header = [t("Type"), t("Indicator"), t("Value"), t("Message")]
    return [
        html.H3(t("Errors and warnings ({count})", count=len(rows)), className="h5 mt-3"),
        html.Div(
            html.Table(
                [
                    html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
                    html.Tbody(rows),
                ],
                id="enviar-form-issues",
                className="table table-sm",
            ),
            className="table-responsive",
        ),
    ]


def _changes(result: ImportResult, view: PanelView) -> list[Any]:
    """The upload page's "what changes" panel, its ids made the form's."""
    from layouts.pages.upload import _changes_section  # the page imports this module

    return [_with_ids_of_the_form(part) for part in _changes_section(result, view)]


def _with_ids_of_the_form(component: Any) -> Any:
    """``enviar-…`` ids → ``enviar-form-…`` (both panels may be on the page at once)."""
    ident = getattr(component, "id", None)
    if isinstance(ident, str) and ident.startswith("enviar-"):
        component.id = "enviar-form-" + ident.removeprefix("enviar-")
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            _with_ids_of_the_form(child)
    return component


def register_callbacks(app: Dash) -> None:
    """Register the form's callbacks on ``app`` (each app its own: a module's
    ``dash.callback`` would go to the first app built in the process only)."""
    fields = (
        State({"type": VALUE, "code": ALL}, "value"),
        State({"type": COMMENT, "code": ALL}, "value"),
    )
    chosen = (State("enviar-service", "value"), State("enviar-period", "value"))
    app.callback(
        Output("enviar-form-rows", "children"),
        Output("enviar-form-draft-note", "children"),
        Output("enviar-form-pending", "data"),
        Output("enviar-form-confirm", "disabled"),
        Output("enviar-form-result", "children"),
        Output("enviar-form-confirm-result", "children"),
        Input("enviar-service", "value"),
        Input("enviar-period", "value"),
        State("enviar-lang", "data"),
    )(show_form)
    app.callback(
        Output("enviar-form-draft-note", "children", allow_duplicate=True),
        Input("enviar-form-save", "n_clicks"),
        *chosen,
        *fields,
        State("enviar-lang", "data"),
        prevent_initial_call=True,
    )(save_draft)
    app.callback(
        Output("enviar-form-result", "children", allow_duplicate=True),
        Output("enviar-form-pending", "data", allow_duplicate=True),
        Output("enviar-form-confirm", "disabled", allow_duplicate=True),
        Output("enviar-form-confirm-result", "children", allow_duplicate=True),
        Input("enviar-form-check", "n_clicks"),
        *chosen,
        *fields,
        State("enviar-lang", "data"),
        prevent_initial_call=True,
    )(check_form)
    app.callback(
        Output("enviar-form-confirm-result", "children", allow_duplicate=True),
        Output("enviar-form-pending", "data", allow_duplicate=True),
        Output("enviar-form-confirm", "disabled", allow_duplicate=True),
        Output("enviar-form-result", "children", allow_duplicate=True),
        Output("enviar-version", "data", allow_duplicate=True),
        Output("enviar-form-draft-note", "children", allow_duplicate=True),
        Input("enviar-form-confirm", "n_clicks"),
        State("enviar-form-pending", "data"),
        State("enviar-version", "data"),
        State("enviar-lang", "data"),
        prevent_initial_call=True,
    )(confirm_form)
    # an edit after the check ends it: what is confirmed is always what was checked
    app.clientside_callback(  # type: ignore[no-untyped-call]
        "function() { return [null, true]; }",
        Output("enviar-form-pending", "data", allow_duplicate=True),
        Output("enviar-form-confirm", "disabled", allow_duplicate=True),
        Input({"type": VALUE, "code": ALL}, "value"),
        Input({"type": COMMENT, "code": ALL}, "value"),
        prevent_initial_call=True,
    )
