"""The download routes: files, not pages, each answered by :func:`attachment`.

- ``/descarrega/informe?t=2025-T4&since=2025-T3&lang=ca&format=pdf|pptx``: the board pack;
- ``/descarrega/valors?format=xlsx|csv[&t=2025-T4]``: every value with provenance and status;
- ``/descarrega/plantilla?service=SIS&period=2025-T2``: a service's template (uploaders, for
  their own services);
- ``/descarrega/lliurament/<id>``: the original file of a submission (uploaders, for their own
  services).

Plain Flask routes protected like every other route by the guard (login required, and the
roles of ``web.guard.ROLE_PAGES``); the last two check the account's services too. Every
file is an attachment with the same headers: ``Content-Disposition`` with a safe ASCII
``filename`` and the real name in RFC 5987's ``filename*``, ``X-Content-Type-Options:
nosniff`` and ``Cache-Control: no-store``.
"""

from __future__ import annotations

import html
import logging
import re
from urllib.parse import quote

from flask import Flask, Response, abort, request
from werkzeug.utils import secure_filename

from accounts.roles import allowed_services
from i18n import translator
from indicators.intake.template import (
    TemplateError,
    build_template,
    last_values_from_frame,
    template_filename,
)
from indicators.reporting import dashboard_data
from indicators.reporting.export import FORMATS as EXPORT_FORMATS
from indicators.reporting.export import export_values
from indicators.reporting.pack import FORMATS as PACK_FORMATS
from indicators.reporting.pack import ChartRenderError, build_pack
from indicators.storage.engine import get_engine
from indicators.storage.queries import submission_content, submissions_frame, values_frame
from plan_model.periods import Period
from web.context import current_plan, current_settings, request_language
from web.responses import forbidden, not_found, page
from web.users import UPLOADERS, require_role

log = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_UNSAFE_IN_NAMES = re.compile(r"[\x00-\x1f\x7f]")


def attachment(filename: str, content: bytes, mimetype: str) -> Response:
    """``content`` as a file to save, named ``filename`` (folders and control characters
    dropped; an ASCII fallback for old clients, the real name in ``filename*``)."""
    name = _UNSAFE_IN_NAMES.sub("", filename.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    fallback = secure_filename(name) or "fitxer"
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name or fallback, safe='')}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def download_pack() -> Response:
    settings, plan = current_settings(), current_plan()
    lang = request_language()
    t = translator(lang)
    fmt = (request.args.get("format") or "pdf").lower()
    if fmt not in PACK_FORMATS:
        abort(400, t("Unknown format: use pdf or pptx."))
    engine = get_engine(settings.database_url)
    thresholds = dashboard_data.settings_thresholds(settings, plan)
    data = dashboard_data.load(
        engine, plan, deadline_days=settings.submission_deadline_days, thresholds=thresholds
    )
    period = data.resolve_period(request.args.get("t"))
    since = Period.try_parse(request.args.get("since") or "")
    try:
        pack = build_pack(
            engine,
            plan,
            period,
            fmt,
            since=since,
            lang=lang,
            deadline_days=settings.submission_deadline_days,
            browser=settings.chromium_path,
            thresholds=thresholds,
        )
    except ChartRenderError:
        log.exception("board pack: charts could not be rendered")
        abort(503, t("The board pack cannot be made now: the charts could not be drawn."))
    return attachment(pack.filename, pack.content, pack.mimetype)


def download_values() -> Response:
    settings, plan = current_settings(), current_plan()
    lang = request_language()
    t = translator(lang)
    fmt = (request.args.get("format") or "xlsx").lower()
    if fmt not in EXPORT_FORMATS:
        abort(400, t("Unknown format: use xlsx or csv."))
    period = request.args.get("t")
    if period and Period.try_parse(period) is None:
        abort(400, t("Unknown quarter: write it like 2025-T4."))
    engine = get_engine(settings.database_url)
    export = export_values(
        engine,
        plan,
        fmt,
        period=period or None,
        lang=lang,
        thresholds=dashboard_data.settings_thresholds(settings, plan),
    )
    return attachment(export.filename, export.content, export.mimetype)


def download_template() -> Response:
    info = require_role(*UPLOADERS)
    settings, plan = current_settings(), current_plan()
    lang = request_language()
    service = request.args.get("service", "")
    period = request.args.get("period", "")
    if service not in allowed_services(info, plan.service_by_code):
        return forbidden()
    last_values: dict[str, float | str | None] = {}
    try:
        last_values = last_values_from_frame(
            values_frame(get_engine(settings.database_url)), service, period
        )
    except Exception:  # last values are a help, not a requirement
        log.warning("no last values for the template of %s %s", service, period)
    try:
        content = build_template(
            plan, service, period, last_values=last_values, settings=settings, lang=lang
        )
    except TemplateError as exc:
        return page(str(exc), f'<p role="alert">{html.escape(str(exc))}</p>', lang, 400)
    return attachment(template_filename(service, period), content, XLSX)


def download_submission(submission_id: int) -> Response:
    info = require_role(*UPLOADERS)
    engine = get_engine(current_settings().database_url)
    frame = submissions_frame(engine)
    row = frame[frame["id"] == submission_id]
    if row.empty:
        return not_found()
    if str(row.iloc[0]["service"]) not in allowed_services(info, current_plan().service_by_code):
        return forbidden()
    filename, content = submission_content(engine, submission_id)
    return attachment(filename, content, "application/octet-stream")


def register_downloads(server: Flask) -> None:
    """Add the download routes to the app's Flask server."""
    server.add_url_rule("/descarrega/informe", "download_pack", download_pack)
    server.add_url_rule("/descarrega/valors", "download_values", download_values)
    server.add_url_rule("/descarrega/plantilla", "auth_template", download_template)
    server.add_url_rule(
        "/descarrega/lliurament/<int:submission_id>", "auth_submission", download_submission
    )
