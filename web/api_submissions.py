"""``POST /api/v1/submissions`` (issue 19): another system delivers a service's values.

With a personal token of scope ``submit`` (:mod:`accounts.tokens`) in ``Authorization: Bearer
…``, the body is either

- a spreadsheet, as the upload page takes it: a multipart form with a ``file`` (and, if the
  file does not say them, ``service`` and ``period`` fields), or the raw file as the body with
  its content type (``?service=&period=&filename=`` in the query); or
- JSON: ``{"service": "SBAS", "period": "2025-T4", "values": [{"indicator": "P1.01-I1",
  "value": "12,5" | 12.5, "stage": "…", "comment": "…"}]}``, turned into the very cells the
  browser form gives (:func:`indicators.intake.form.form_entries`, :func:`form_file`).

Both go through ``import_file``: the same safety checks and limits, validation, errors
(sheet, row, column, message in ``?lang=`` or ``Accept-Language``, Catalan by default),
changes and storing as the upload page and the form, with source ``api`` and the token's
account as who sent it. Like the upload page it checks first: a dry run unless
``?confirm=true``. The answer: ``{"ok", "status", "dry_run", "submission_id", "issues",
"changes", …}``, 200, or 422 for content refused by validation; every other refusal is a
JSON error (``{"ok": false, "error", "message"}``), never a 5xx for a hostile body.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from decimal import Decimal
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accounts import roles
from i18n import DEFAULT_LANGUAGE, LANGUAGES, format_number, gettext
from indicators.intake.form import (
    NOT_REPORTED,
    NOT_THE_FORM,
    TWICE,
    FormFile,
    FormRefused,
    form_entries,
    form_file,
    form_row_ids,
)
from indicators.intake.importer import ImportResult, import_file
from indicators.intake.issues import Issue
from indicators.intake.template import TemplateError, check_request
from indicators.storage.engine import get_engine
from web.api_auth import Principal, TokenRefused, refused_response, token_principal
from web.context import current_plan, current_settings
from web.openapi import Parameter, register_operation

PATH = "/api/v1/submissions"
API_SOURCE = "api"  # the submission's ``source`` (String(16)), as the form's "formulari"
MAX_JSON_BYTES = 1024 * 1024  # a service's quarter is a few kilobytes
MAX_VALUES = 2000  # entries of one JSON delivery, at most (a service reports far fewer)
FIELD_LENGTH = 64  # a service's code or a quarter as sent, at most
SPREADSHEET_TYPES: dict[str, str] = {  # content type of a raw body → the file's extension
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.12": "xlsm",
    "application/vnd.ms-excel": "xls",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "text/csv": "csv",
    "application/octet-stream": "",  # the name (``?filename=``) or the content says
}
# the form's refusals, said of a delivery (a program cannot "reload the page")
DELIVERY_REFUSALS = {
    NOT_THE_FORM: "The delivery has more values than {service} has indicators.",
    NOT_REPORTED: "The delivery names an indicator that {service} does not report («{code}»).",
    TWICE: "The delivery names the indicator «{code}» twice.",
}
TRUE = frozenset({"true", "1", "yes"})
FALSE = frozenset({"false", "0", "no"})


# --- the contract (pydantic: the OpenAPI document is generated from these) ------------------


class SubmissionValue(BaseModel):
    """One indicator's value in a JSON delivery: a number (``12.5``, or as in Catalan,
    ``"12,5"``), a milestone's stage (key or name), or «esborrar» to clear it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    indicator: str = Field(
        max_length=FIELD_LENGTH * 4,
        description="The indicator's code; a breakdown's member as the form's row: "
        "P2.01-I7@abss=VIC;sex=D",
    )
    value: str | int | float | None = None
    stage: str | None = None
    comment: str | None = None


class SubmissionPayload(BaseModel):
    """A JSON delivery: a service's values for one quarter."""

    model_config = ConfigDict(extra="forbid", strict=True)

    service: str = Field(max_length=FIELD_LENGTH)
    period: str = Field(max_length=FIELD_LENGTH, description="A quarter, as 2025-T4")
    values: list[SubmissionValue] = Field(max_length=MAX_VALUES)


class SubmissionIssue(BaseModel):
    """An error or warning of the check, where it is (as the upload page shows it)."""

    model_config = ConfigDict(extra="forbid")

    sheet: str | None
    row: int | None
    column: str | None
    severity: str = Field(description="error or warning")
    code: str = Field(description="A stable machine code, e.g. not_a_number")
    indicator: str | None = Field(description="The indicator (a JSON delivery's issues)")
    value: str | None
    message: str


class SubmissionResult(BaseModel):
    """What the delivery did: checked only (a dry run), stored, or refused with its issues."""

    model_config = ConfigDict(extra="forbid")

    ok: bool
    status: str = Field(description="ok, rejected, or duplicate (the same values again)")
    dry_run: bool
    submission_id: int | None
    superseded_id: int | None
    service: str | None
    period: str | None
    message: str
    error_count: int
    warning_count: int
    issues: list[SubmissionIssue]
    changes: list[dict[str, Any]]


# --- refusals -------------------------------------------------------------------------------


class Refused(Exception):
    """A request refused before (or instead of) the import: status, code, English msgid."""

    def __init__(self, status: int, code: str, msgid: str, /, **params: object) -> None:
        super().__init__(msgid)
        self.status, self.code, self.msgid, self.params = status, code, msgid, params

    def response(self, lang: str) -> Response:
        """The refusal as JSON, in ``lang``."""
        message = gettext(self.msgid, lang, **self.params)
        answer = jsonify({"error": self.code, "message": message})
        answer.status_code = self.status
        answer.headers["Cache-Control"] = "no-store"
        return answer


class Rejected(Exception):
    """JSON content read but refused before the import (an indicator the service does not
    report, one twice, a quarter outside the plan): answered like a refused file (422)."""

    def __init__(
        self, code: str, msgid: str, indicator: str | None = None, /, **params: object
    ) -> None:
        super().__init__(msgid)
        self.code, self.msgid, self.indicator, self.params = code, msgid, indicator, params

    def result(self, lang: str, dry_run: bool) -> SubmissionResult:
        """The refusal as the answer of a refused delivery, with its one issue."""
        message = gettext(self.msgid, lang, **self.params)
        issue = SubmissionIssue(
            sheet=None,
            row=None,
            column=None,
            severity="error",
            code=self.code,
            indicator=self.indicator,
            value=None,
            message=message,
        )
        return SubmissionResult(
            ok=False,
            status="rejected",
            dry_run=dry_run,
            submission_id=None,
            superseded_id=None,
            service=None,
            period=None,
            message=message,
            error_count=1,
            warning_count=0,
            issues=[issue],
            changes=[],
        )


def api_language() -> str:
    """``?lang=``, else the best of ``Accept-Language``, else Catalan."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return str(asked)
    best = request.accept_languages.best_match(list(LANGUAGES))
    return best or DEFAULT_LANGUAGE


def _flag(name: str) -> bool | None:
    text = request.args.get(name)
    if text is None:
        return None
    if text.lower() in TRUE:
        return True
    if text.lower() in FALSE:
        return False
    raise Refused(400, "bad_request", "«{name}» takes true or false.", name=name)


def dry_run_asked() -> bool:
    """A dry run unless ``?confirm=true`` (and not ``?dry_run=true`` too)."""
    confirm, dry_run = _flag("confirm"), _flag("dry_run")
    if confirm and dry_run:
        raise Refused(400, "bad_request", "Ask for a dry run or a confirmation, not both.")
    return not confirm


def _submitter() -> Principal:
    principal = token_principal()  # TokenRefused: answered 401 by the view
    if principal is None:
        raise TokenRefused("missing")
    if not principal.may_submit:
        raise Refused(
            403,
            "insufficient_scope",
            "This token cannot deliver values: that needs a token with the scope «submit» "
            "of an account that may upload.",
        )
    return principal


def _allowed(principal: Principal, service: object) -> set[str]:
    """The principal's services; 403 when the service named is not one of them."""
    allowed = roles.allowed_services(principal, current_plan().service_by_code)
    if service is not None and service not in allowed:
        shown = service[:40] if isinstance(service, str) and service else "–"
        raise Refused(
            403,
            "service_refused",
            "You cannot submit data for the service {service}.",
            service=shown,
        )
    return allowed


# --- the import: the upload page's and the form's ---------------------------------------


def _import(
    principal: Principal,
    allowed: set[str],
    *,
    filename: str,
    content: bytes,
    service: str | None,
    period: str | None,
    dry_run: bool,
    lang: str,
    form: FormFile | None = None,
) -> ImportResult:
    settings = current_settings()
    return import_file(
        get_engine(settings.database_url),
        current_plan(),
        filename=filename,
        content=content,
        user=principal.username,
        service=service,
        period=period,
        dry_run=dry_run,
        source=API_SOURCE,
        lang=lang,
        settings=settings,
        allowed_services=allowed,
        sheets=form.sheets if form is not None else None,
    )


def _check_size(size: int, lang: str) -> None:
    limit = current_settings().max_upload_bytes
    if size > limit:
        mb = format_number(limit / (1024 * 1024), lang, 2)
        raise Refused(413, "too_large", "The file is too large (maximum {mb} MB).", mb=mb)


def _text_field(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if len(value) > FIELD_LENGTH:
        raise Refused(400, "bad_request", "A field of the request is too long.")
    return value


def _spreadsheet(
    principal: Principal, dry_run: bool, lang: str
) -> tuple[ImportResult, FormFile | None]:
    """A spreadsheet: a multipart ``file``, or the raw body with its content type."""
    fields = request.form if request.mimetype == "multipart/form-data" else request.args
    service = _text_field(fields.get("service") or request.args.get("service"))
    period = _text_field(fields.get("period") or request.args.get("period"))
    allowed = _allowed(principal, service)
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise Refused(400, "no_file", "Send the spreadsheet in the form field «file».")
        filename = upload.filename or "lliurament"
        content = upload.stream.read(current_settings().max_upload_bytes + 1)
    else:
        extension = SPREADSHEET_TYPES[request.mimetype]
        filename = request.args.get("filename") or f"lliurament.{extension or 'xlsx'}"
        content = request.get_data(cache=False)
    _check_size(len(content), lang)
    result = _import(
        principal,
        allowed,
        filename=filename[:255],
        content=content,
        service=service,
        period=period,
        dry_run=dry_run,
        lang=lang,
    )
    return result, None


# --- JSON: the form's entries -----------------------------------------------------------------


def _refuse_constant(name: str) -> float:
    raise ValueError(name)  # NaN, Infinity: not numbers of the plan


def _payload() -> SubmissionPayload:
    """The JSON body, read defensively (size, nesting, constants, shape)."""
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise Refused(413, "too_large", "The JSON body is too large.")
    raw = request.get_data(cache=False)
    if len(raw) > MAX_JSON_BYTES:
        raise Refused(413, "too_large", "The JSON body is too large.")
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # (UnicodeDecodeError is a ValueError)
        raise Refused(400, "malformed_json", "The body is not valid JSON.") from None
    try:
        return SubmissionPayload.model_validate(data)
    except (ValidationError, RecursionError) as exc:
        where = _first_location(exc)
        raise Refused(
            400,
            "bad_payload",
            "The JSON body does not have the expected shape (at «{where}»): see the API's "
            "documentation.",
            where=where,
        ) from None


def _first_location(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and exc.errors():
        return ".".join(str(part) for part in exc.errors()[0]["loc"])[:80] or "–"
    return "–"


def number_text(number: int | float) -> str:
    """A JSON number as the form's field would have it typed: ``12.5`` → ``12,5``."""
    if isinstance(number, float) and not math.isfinite(number):
        raise Refused(400, "malformed_json", "The body is not valid JSON.")
    text = format(Decimal(repr(number)) if isinstance(number, float) else Decimal(number), "f")
    return text.replace(".", ",")


def _typed(item: SubmissionValue) -> str | None:
    """What the form's value field would hold: the stage, or the value (a number as typed)."""
    given = [x for x in (item.value, item.stage) if x is not None and x != ""]
    if len(given) > 1:
        raise Rejected(
            "value_and_stage",
            "Give «value» or «stage» for {indicator}, not both.",
            item.indicator,
            indicator=item.indicator,
        )
    if item.stage is not None:
        return item.stage
    if isinstance(item.value, int | float):
        return number_text(item.value)
    return item.value


def _delivery_refusal(exc: FormRefused, codes: list[str], lang: str) -> Rejected:
    """The form's refusal of the entries, said of a delivery."""
    code = exc.params.get("code")
    indicator = code if isinstance(code, str) and code in codes else None
    if exc.msgid in DELIVERY_REFUSALS:
        return Rejected("refused_values", DELIVERY_REFUSALS[exc.msgid], indicator, **exc.params)
    return Rejected("refused_values", "{message}", indicator, message=exc.message(lang))


def _from_json(
    principal: Principal, dry_run: bool, lang: str
) -> tuple[ImportResult, FormFile | None]:
    """A JSON delivery: the form's entries and file, then the form's import."""
    payload = _payload()
    allowed = _allowed(principal, payload.service)
    plan = current_plan()
    try:
        period = str(check_request(plan, payload.service, payload.period, lang).period)
    except TemplateError as exc:  # not a quarter, or outside the plan
        raise Rejected("bad_period", "{message}", message=str(exc)) from None
    codes = form_row_ids(plan, payload.service)  # the form's rows (a breakdown's members too)
    try:
        entries = form_entries(
            [(item.indicator, _typed(item)) for item in payload.values],
            [(item.indicator, item.comment) for item in payload.values],
            service=payload.service,
            codes=codes,
        )
    except FormRefused as exc:
        raise _delivery_refusal(exc, codes, lang) from None
    form = form_file(plan, payload.service, period, entries, lang)
    form = replace(form, filename=f"{API_SOURCE}-{payload.service}-{period}.csv")
    result = _import(
        principal,
        allowed,
        filename=form.filename,
        content=form.content,
        service=payload.service,
        period=period,
        dry_run=dry_run,
        lang=lang,
        form=form,
    )
    return result, form


# --- the answer -------------------------------------------------------------------------------


def _issue(issue: Issue, severity: str, form: FormFile | None) -> SubmissionIssue:
    return SubmissionIssue(
        sheet=issue.sheet,
        row=issue.row,
        column=issue.column,
        severity=severity,
        code=issue.code,
        indicator=form.indicator_of(issue) if form is not None else None,
        value=issue.value,
        message=issue.message,
    )


def result_model(result: ImportResult, form: FormFile | None, dry_run: bool) -> SubmissionResult:
    """The import's result as the API answers it (``dry_run``: as asked)."""
    issues = [_issue(e, "error", form) for e in result.errors]
    issues += [_issue(w, "warning", form) for w in result.warnings]
    return SubmissionResult(
        ok=result.ok,
        status=result.status,
        dry_run=dry_run,
        submission_id=result.submission_id,
        superseded_id=result.superseded_id,
        service=result.service,
        period=result.period,
        message=result.message,
        error_count=result.error_count,
        warning_count=result.warning_count,
        issues=issues,
        changes=[c.to_json() for c in result.changes],
    )


def _deliver(principal: Principal, dry_run: bool, lang: str) -> tuple[ImportResult, Any]:
    mimetype = request.mimetype
    if mimetype == "application/json":
        return _from_json(principal, dry_run, lang)
    if mimetype == "multipart/form-data" or mimetype in SPREADSHEET_TYPES:
        return _spreadsheet(principal, dry_run, lang)
    raise Refused(
        415,
        "unsupported_media_type",
        "Send JSON (application/json), a form with a «file» (multipart/form-data) or a "
        "spreadsheet with its content type.",
    )


def submit() -> Response:
    """The endpoint (see the module docstring)."""
    lang, dry_run = api_language(), True
    try:
        principal = _submitter()
        dry_run = dry_run_asked()
        result, form = _deliver(principal, dry_run, lang)
    except TokenRefused as exc:
        return refused_response(None if exc.reason == "missing" else exc, lang)
    except Refused as exc:
        return exc.response(lang)
    except Rejected as exc:
        return _answer(exc.result(lang, dry_run))
    return _answer(result_model(result, form, dry_run))


def _answer(result: SubmissionResult) -> Response:
    answer = jsonify(result.model_dump(mode="json"))
    answer.status_code = 200 if result.ok else 422
    answer.headers["Cache-Control"] = "no-store"
    return answer


def _flag_parameter(name: str, description: str) -> Parameter:
    return Parameter(name, {"type": "string", "enum": ["true", "false"]}, description)


PARAMETERS = (
    _flag_parameter("confirm", "true: store the delivery (default: a dry run, nothing stored)"),
    _flag_parameter("dry_run", "true: only check (the default)"),
    Parameter("service", {"type": "string"}, "A spreadsheet's service, if the file does not say"),
    Parameter("period", {"type": "string"}, "A spreadsheet's quarter, if the file does not say"),
    Parameter("filename", {"type": "string"}, "The name of a raw spreadsheet body"),
    Parameter("lang", {"type": "string", "enum": list(LANGUAGES)}, "The messages' language"),
)
_FILE = {"type": "string", "contentMediaType": "application/octet-stream"}
REQUEST_BODY: dict[str, Any] = {
    "application/json": SubmissionPayload,
    "multipart/form-data": {
        "type": "object",
        "properties": {"file": _FILE, "service": {"type": "string"}, "period": {"type": "string"}},
        "required": ["file"],
    },
    **{media: _FILE for media in SPREADSHEET_TYPES},
}


def register_submissions(server: Flask) -> None:
    """Add ``POST /api/v1/submissions`` to ``server`` (a blueprint per app) and to the API's
    OpenAPI contract (:mod:`web.openapi`)."""
    operation = register_operation(
        "post",
        PATH,
        operation_id="submitValues",
        summary="Deliver a service's values: a spreadsheet or JSON (a dry run unless confirmed)",
        tag="submissions",
        description=(
            "Needs a token of scope submit. The same checks and storing as the upload page. "
            "200: accepted (checked, or stored with ?confirm=true); 422: refused by validation, "
            "with the same SubmissionResult (ok false) and its issues."
        ),
        response_model=SubmissionResult,
        parameters=PARAMETERS,
        request_body=REQUEST_BODY,
        error_statuses=(400, 401, 403, 413, 415),
        requires_token=True,
    )
    blueprint = Blueprint("api_submissions", __name__)
    blueprint.add_url_rule(operation.flask_rule, "submit", submit, methods=["POST"])
    server.register_blueprint(blueprint)
