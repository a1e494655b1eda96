"""The read API ``/api/v1`` (issue 19): the plan, indicators, values, status, completeness
and the open-data catalogue, in JSON (and CSV where tabular), described by the OpenAPI 3.1
document of ``web.openapi`` from whose registry its routes are registered.

Who sees what: without a token, exactly what the public view shows
(:class:`~indicators.reporting.public.PublicData`: published quarters, accepted values,
small counts suppressed; a quarter that is not published is 404); with a valid token
(``web.api_auth.token_principal``), what its user may see in the app (the internal
``DashboardData``: any quarter of the plan); a refused token is 401, never anonymous.

Every answer: JSON errors (``{"error", "message"}``), an ``ETag`` (304 on ``If-None-Match``),
``Cache-Control: public, max-age=300`` (anonymous) or ``private, no-store`` (a token), and a
rate limit per client (the token, else the address) of ``API_RATE_LIMIT_PER_MINUTE`` counted
in the shared cache (``indicators.storage.cache``: the database's ``cache_entries`` table, or
Redis with ``CACHE_URL``), so it holds across gunicorn workers; over it, 429 with
``Retry-After``. See docs/api.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, request
from pydantic import BaseModel

from i18n import gettext
from indicators.reporting import api_models as m
from indicators.reporting import dashboard_data, public
from indicators.reporting.dashboard_data import DashboardData
from indicators.reporting.public import NotPublished, PublicData
from indicators.storage.cache import Cache, get_cache
from indicators.storage.engine import get_engine
from plan_model.periods import Period, label_quarters
from settings import Settings
from web.api_auth import Principal, TokenRefused, token_principal
from web.context import current_plan, current_settings, request_language
from web.openapi import (
    API_PREFIX,
    Operation,
    Parameter,
    openapi_document,
    register_operation,
    render_docs,
)
from web.responses import json_error

PUBLIC_CACHE = "public, max-age=300"
PRIVATE_CACHE = "private, no-store"
WINDOW_SECONDS = 60
MAX_OFFSET = 10**9
CSV_MEDIA = "text/csv"
PERIOD_TEXT = re.compile(m.PERIOD_PATTERN.strip("^$"), re.ASCII)
clock = time.time  # the rate limit's clock (tests fix it)


class ApiProblem(Exception):
    """An error answer (status, stable code, message in the request's language)."""

    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


def _problem(status: int, code: str, msgid: str, **values: Any) -> ApiProblem:
    lang = request_language()
    return ApiProblem(status, code, gettext(msgid, lang, **label_quarters(values, lang)))


def _answer_problem(problem: ApiProblem) -> Response:
    response = json_error(problem.status, problem.code, problem.message)
    if problem.retry_after is not None:
        response.headers["Retry-After"] = str(problem.retry_after)
    return response


# ---- the request ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiRequest:
    """What one API request works with: its settings, its audience and its read model."""

    settings: Settings
    principal: Principal | None
    links: m.Links

    @property
    def audience(self) -> m.Audience:
        return "public" if self.principal is None else "internal"

    @cached_property
    def _internal(self) -> DashboardData:
        settings, plan = self.settings, current_plan()
        return dashboard_data.load(
            get_engine(settings.database_url),
            plan,
            deadline_days=settings.submission_deadline_days,
            thresholds=dashboard_data.settings_thresholds(settings, plan),
        )

    def internal(self) -> DashboardData:
        """The app's read model (a token holder's), read once per request."""
        return self._internal

    def public(self) -> PublicData:
        """The public read model, read once per request."""
        return self._public

    @cached_property
    def _public(self) -> PublicData:
        settings, plan = self.settings, current_plan()
        return public.load(
            get_engine(settings.database_url),
            plan,
            deadline_days=settings.submission_deadline_days,
            thresholds=dashboard_data.settings_thresholds(settings, plan),
            small_count=settings.small_count,
        )

    def data(self) -> DashboardData:
        """The read model of this audience (the public one holds an accepted-only one)."""
        return self.internal() if self.principal is not None else self.public().data


def _principal() -> Principal | None:
    try:
        return token_principal()
    except TokenRefused as refused:
        _rate_limit(f"addr:{request.remote_addr or '-'}")
        raise _problem(
            401, "invalid_token", "The API token is not valid: {reason}.", reason=refused.reason
        ) from None


def _plan_id() -> str | None:
    asked = request.args.get("plan")
    plan = current_plan()
    if asked is not None and asked != plan.info.id:
        raise _problem(404, "unknown_plan", "There is no plan {plan}.", plan=asked[:64])
    return asked


def api_request() -> ApiRequest:
    """This request's context: the token checked, the rate limit counted, the plan known."""
    principal = _principal()
    key = f"token:{principal.token_id}" if principal else f"addr:{request.remote_addr or '-'}"
    _rate_limit(key)
    return ApiRequest(current_settings(), principal, m.Links(API_PREFIX, _plan_id()))


# ---- the rate limit -------------------------------------------------------------------------


class RateCounter:
    """The requests of each client in the current minute, shared by every worker.

    The shared cache holds, per client and minute, a mapping worker → that worker's count.
    Each worker counts its own requests exactly (in memory, under a lock) and writes its own
    entry back with every request, so the total is the sum of the entries: two workers
    writing at once may drop each other's entry for a moment, but the next request of that
    worker puts its whole count back (a count is never lost for good, only late)."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name  # None: this process (host and process id)
        self._lock = threading.Lock()
        self._own: dict[tuple[int, str, str], int] = {}

    def count(self, cache: Cache, window: int, digest: str, scope: str = "") -> int:
        """Add this request; the client's total in ``window`` over every worker. ``scope``
        names the installation (its database): one process serving two apps (the tests)
        counts each apart."""
        worker = self.name or f"{socket.gethostname()}-{os.getpid()}"
        key = f"api-rate:{window}:{digest}"
        own = (window, scope, digest)
        with self._lock:
            for old in [k for k in self._own if k[0] < window]:
                del self._own[old]
            mine = self._own[own] = self._own.get(own, 0) + 1
            generation = cache.generation()
            seen = cache.get(key, generation)
            counts = dict(seen) if isinstance(seen, dict) else {}
            counts[worker] = mine
            cache.set(key, counts, generation)
        return sum(int(v) for v in counts.values())


_counter = RateCounter()


def _rate_limit(client: str) -> None:
    """Count this request for ``client`` (a fixed window of a minute, shared by every
    worker: :class:`RateCounter`); 429 with ``Retry-After`` over
    ``API_RATE_LIMIT_PER_MINUTE``."""
    settings = current_settings()
    now = clock()
    window = int(now // WINDOW_SECONDS)
    digest = hashlib.sha256(client.encode("utf-8")).hexdigest()[:32]
    cache = get_cache(settings, get_engine(settings.database_url))
    scope = settings.database_url
    if _counter.count(cache, window, digest, scope) > settings.api_rate_limit_per_minute:
        retry = max(1, int((window + 1) * WINDOW_SECONDS - now) + 1)
        problem = _problem(
            429, "rate_limited", "Too many requests: try again in {seconds} s.", seconds=retry
        )
        problem.retry_after = retry
        raise problem


# ---- query parameters ------------------------------------------------------------------------


def _period_text() -> str | None:
    """The ``period`` asked for (None: the latest); 400 when it is not YYYY-Tn."""
    text = request.args.get("period")
    if text is None or text == "":
        return None
    if PERIOD_TEXT.fullmatch(text) is None:
        raise _problem(400, "bad_period", "The period must be a quarter, as 2025-T3.")
    return text


def _page_args() -> tuple[int, int]:
    def number(name: str, default: int, low: int, high: int) -> int:
        raw = request.args.get(name)
        if raw is None or raw == "":
            return default
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise _problem(
                400,
                "bad_parameter",
                "{name} must be a whole number from {low} to {high}.",
                name=name,
                low=low,
                high=high,
            )
        return int(raw)

    return number("limit", m.DEFAULT_LIMIT, 1, m.MAX_LIMIT), number("offset", 0, 0, MAX_OFFSET)


def _wants_csv() -> bool:
    fmt = (request.args.get("format") or "json").lower()
    if fmt not in ("json", "csv"):
        raise _problem(400, "bad_format", "The format must be json or csv.")
    return fmt == "csv"


def page_info(total: int, limit: int, offset: int) -> m.PageInfo:
    """The pagination of a list: the next page's address while there is one."""
    following = None
    if offset + limit < total:
        query = {k: v for k, v in request.args.items() if k not in ("limit", "offset")}
        query.update(limit=str(limit), offset=str(offset + limit))
        following = f"{request.path}?{urlencode(query)}"
    return m.PageInfo(total=total, limit=limit, offset=offset, next=following)


# ---- answers --------------------------------------------------------------------------------


def _finish(body: bytes, mimetype: str, ctx: ApiRequest, filename: str | None = None) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = PUBLIC_CACHE if ctx.principal is None else PRIVATE_CACHE
    response.headers["Vary"] = (
        "Authorization, Cookie" if mimetype == "text/html" else "Authorization"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.set_etag(hashlib.sha256(body).hexdigest())
    response.make_conditional(request)  # 304 when If-None-Match matches (in place)
    return response


def json_answer(model: BaseModel, ctx: ApiRequest, mimetype: str = "application/json") -> Response:
    """``model`` as JSON, with its ETag and cache headers."""
    return _finish(model.model_dump_json().encode("utf-8"), mimetype, ctx)


def csv_answer(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], ctx: ApiRequest, name: str
) -> Response:
    """A CSV file: UTF-8, a header of ``columns``, comma-separated, ``\\r\\n`` lines."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(_safe_cell(row) for row in rows)
    return _finish(out.getvalue().encode("utf-8"), CSV_MEDIA, ctx, filename=f"{name}.csv")


def _safe_cell(row: Sequence[Any]) -> list[Any]:
    """A row whose text cells cannot start a spreadsheet formula."""
    return [
        "'" + cell if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@") else cell
        for cell in row
    ]


def _resolve(ctx: ApiRequest) -> tuple[DashboardData, Period, PublicData | None]:
    """The quarter asked for (the latest served when none) and the read model."""
    text = _period_text()
    if ctx.principal is None:
        model = ctx.public()
        try:
            return model.data, model.period(text), model
        except NotPublished:
            if text is None:
                raise _problem(404, "not_published", "No quarter is published yet.") from None
            raise _problem(
                404, "not_published", "The {period} is not published.", period=text[:16]
            ) from None
    data = ctx.internal()
    period = Period.try_parse(text) if text else data.latest_period()
    plan = data.plan
    if period is None or not plan.first_period <= period <= plan.last_period:
        raise _problem(
            404, "unknown_period", "The {period} is not in the plan.", period=text or "-"
        )
    return data, period, None


def _served_periods(ctx: ApiRequest) -> list[Period]:
    if ctx.principal is None:
        return ctx.public().periods()
    return ctx.internal().periods_with_data()


# ---- the endpoints ---------------------------------------------------------------------------


def _memo_json(data: DashboardData, key: tuple[str, ...], build: Callable[[], BaseModel]) -> bytes:
    """The JSON of ``build()``, computed once per data generation (and ``key``)."""
    return data.memo(("api-json", *key), lambda: build().model_dump_json().encode("utf-8"))


def get_plan() -> Response:
    ctx = api_request()
    data, periods = ctx.data(), _served_periods(ctx)
    key = ("plan", ctx.audience, *(str(p) for p in periods))
    body = _memo_json(data, key, lambda: m.plan_out(data, periods))
    return _finish(body, "application/json", ctx)


def get_indicators() -> Response:
    ctx = api_request()
    csv_wanted = _wants_csv()
    limit, offset = _page_args()
    plan = current_plan()
    sheets = m.indicators_out(plan)
    code = request.args.get("code")
    if code is not None:
        sheets = [s for s in sheets if s.code == code]
    if csv_wanted:
        rows = [m.indicator_csv_row(s) for s in sheets]
        return csv_answer(m.INDICATOR_CSV_COLUMNS, rows, ctx, "indicadors")
    page = m.IndicatorPage(
        plan_id=plan.info.id,
        page=page_info(len(sheets), limit, offset),
        items=sheets[offset : offset + limit],
    )
    return json_answer(page, ctx)


def _values(ctx: ApiRequest) -> tuple[list[m.ValueOut], str | None]:
    if request.args.get("period"):
        data, period, model = _resolve(ctx)
    else:  # every quarter served
        period, model = None, ctx.public() if ctx.principal is None else None
        data = model.data if model is not None else ctx.internal()
    key = ("api-values", ctx.audience, str(period), *(str(p) for p in _served(model)))
    rows = data.memo(
        key,
        lambda: m.public_values(model, period) if model else m.internal_values(data, period),
    )
    indicator = request.args.get("indicator")
    if indicator is not None:
        rows = [r for r in rows if r.indicator == indicator]
    return rows, str(period) if period else None


def get_values() -> Response:
    ctx = api_request()
    csv_wanted = _wants_csv()
    limit, offset = _page_args()
    rows, period = _values(ctx)
    if csv_wanted:
        table = [m.csv_row(r, m.VALUE_CSV_COLUMNS) for r in rows]
        return csv_answer(m.VALUE_CSV_COLUMNS, table, ctx, f"valors-{period or 'tots'}")
    page = m.ValuePage(
        plan_id=current_plan().info.id,
        period=period,
        audience=ctx.audience,
        page=page_info(len(rows), limit, offset),
        items=rows[offset : offset + limit],
    )
    return json_answer(page, ctx)


def _served(model: PublicData | None) -> list[Period]:
    return model.periods() if model is not None else []


def _status(
    ctx: ApiRequest, data: DashboardData, period: Period, model: PublicData | None
) -> m.StatusOut:
    if model is not None:
        used = [p for p in model.periods() if p <= period]
        return m.status_out(
            data,
            model.status(period),
            audience="public",
            value_periods=used,
            links=ctx.links,
            shown=model.progress_shown,
            published_at=model.published_at(period),
        )
    used = [p for p in data.periods_with_data() if p <= period]
    return m.status_out(
        data, data.status(period), audience="internal", value_periods=used, links=ctx.links
    )


def status_answer(ctx: ApiRequest) -> tuple[DashboardData, tuple[str, ...], m.StatusOut]:
    """The status of the quarter asked for, for this request's audience (computed once per
    data generation): the read model, the answer's memo key and the answer."""
    data, period, model = _resolve(ctx)
    key = (
        "status",
        ctx.audience,
        str(period),
        ctx.links.plan or "",
        *(str(p) for p in _served(model)),
    )
    answer = data.memo(("api", *key), lambda: _status(ctx, data, period, model))
    return data, key, answer


def get_status() -> Response:
    ctx = api_request()
    csv_wanted = _wants_csv()
    data, key, answer = status_answer(ctx)
    if csv_wanted:
        rows = [m.status_csv_row(answer.period, e) for e in answer.entries]
        return csv_answer(m.STATUS_CSV_COLUMNS, rows, ctx, f"estat-{answer.period}")
    return _finish(_memo_json(data, key, lambda: answer), "application/json", ctx)


def get_completeness() -> Response:
    ctx = api_request()
    csv_wanted = _wants_csv()
    limit, offset = _page_args()
    data, period, _model = _resolve(ctx)
    rows = m.completeness_out(data.plan, data.completeness_of(period))
    if csv_wanted:
        table = [m.csv_row(r, m.COMPLETENESS_CSV_COLUMNS) for r in rows]
        return csv_answer(m.COMPLETENESS_CSV_COLUMNS, table, ctx, f"lliuraments-{period}")
    page = m.CompletenessPage(
        plan_id=data.plan.info.id,
        period=str(period),
        audience=ctx.audience,
        page=page_info(len(rows), limit, offset),
        items=rows[offset : offset + limit],
    )
    return json_answer(page, ctx)


def get_catalog() -> Response:
    ctx = api_request()
    document = m.catalog_document(ctx.public(), request.host_url, ctx.settings.open_data_license)
    body = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    return _finish(body, "application/ld+json", ctx)


def get_openapi() -> Response:
    ctx = api_request()
    body = json.dumps(openapi_document(), ensure_ascii=False).encode("utf-8")
    return _finish(body, "application/json", ctx)


def get_docs() -> Response:
    ctx = api_request()
    body = render_docs(
        openapi_document(), request_language(), ctx.settings.open_data_license
    ).encode("utf-8")
    return _finish(body, "text/html", ctx)


def unknown_address(rest: str = "") -> Response:
    """Any other address under ``/api/v1``: a JSON 404 (never Dash's index page)."""
    raise _problem(404, "not_found", "There is no API address {path}.", path=request.path[:200])


# ---- the registry ----------------------------------------------------------------------------

PERIOD = Parameter(
    "period",
    {"type": "string", "pattern": m.PERIOD_PATTERN},
    "A quarter, as 2025-T3 (default: the latest served)",
)
PLAN = Parameter("plan", {"type": "string"}, "The plan's id (default: the default plan)")
FORMAT = Parameter("format", {"type": "string", "enum": ["json", "csv"]}, "json or csv")
LIMIT = Parameter(
    "limit", {"type": "integer", "minimum": 1, "maximum": m.MAX_LIMIT}, "Items per page"
)
OFFSET = Parameter(
    "offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}, "Items to skip"
)
INDICATOR = Parameter("indicator", {"type": "string"}, "Only this indicator's values")
CODE = Parameter("code", {"type": "string"}, "Only this indicator")
ERRORS = (304, 400, 401, 404)
Endpoint = tuple[str, Callable[..., Response], dict[str, Any]]
ENDPOINTS: list[Endpoint] = [
    (
        "/plan",
        get_plan,
        {
            "operation_id": "getPlan",
            "summary": "The plan's structure",
            "response_model": m.PlanOut,
            "parameters": [PLAN],
        },
    ),
    (
        "/indicators",
        get_indicators,
        {
            "operation_id": "listIndicators",
            "summary": "The indicators' sheets",
            "response_model": m.IndicatorPage,
            "csv_columns": m.INDICATOR_CSV_COLUMNS,
            "parameters": [PLAN, CODE, FORMAT, LIMIT, OFFSET],
        },
    ),
    (
        "/values",
        get_values,
        {
            "operation_id": "listValues",
            "summary": "The values of a quarter",
            "response_model": m.ValuePage,
            "csv_columns": m.VALUE_CSV_COLUMNS,
            "parameters": [PERIOD, PLAN, INDICATOR, FORMAT, LIMIT, OFFSET],
        },
    ),
    (
        "/status",
        get_status,
        {
            "operation_id": "getStatus",
            "summary": "The status of every level at a quarter",
            "response_model": m.StatusOut,
            "csv_columns": m.STATUS_CSV_COLUMNS,
            "parameters": [PERIOD, PLAN, FORMAT],
        },
    ),
    (
        "/completeness",
        get_completeness,
        {
            "operation_id": "listCompleteness",
            "summary": "The services' deliveries of a quarter",
            "response_model": m.CompletenessPage,
            "csv_columns": m.COMPLETENESS_CSV_COLUMNS,
            "parameters": [PERIOD, PLAN, FORMAT, LIMIT, OFFSET],
        },
    ),
    (
        "/catalog",
        get_catalog,
        {
            "operation_id": "getCatalog",
            "summary": "The open-data catalogue (DCAT-AP)",
            "response_model": m.CatalogOut,
            "media_type": "application/ld+json",
            "tag": "meta",
        },
    ),
    (
        "/openapi.json",
        get_openapi,
        {
            "operation_id": "getOpenApi",
            "summary": "This document",
            "response_model": None,
            "tag": "meta",
        },
    ),
    (
        "/docs",
        get_docs,
        {
            "operation_id": "getDocs",
            "summary": "The API's documentation page",
            "response_model": None,
            "media_type": "text/html",
            "tag": "meta",
        },
    ),
]


def register_api(server: Flask) -> None:
    """Register every operation (the contract) and its route, then the catch-all (a
    blueprint per app: tests build several apps in one process)."""
    blueprint = Blueprint("api_v1", __name__)
    blueprint.register_error_handler(ApiProblem, _answer_problem)
    for path, view, spec in ENDPOINTS:
        operation: Operation = register_operation(
            "get", API_PREFIX + path, error_statuses=ERRORS, **spec
        )
        blueprint.add_url_rule(operation.flask_rule, operation.operation_id, view)
    blueprint.add_url_rule(API_PREFIX, "unknown", unknown_address)
    blueprint.add_url_rule(API_PREFIX + "/", "unknown_slash", unknown_address)
    blueprint.add_url_rule(
        API_PREFIX + "/<path:rest>",
        "unknown_rest",
        unknown_address,
    )
    server.register_blueprint(blueprint)
