"""The download routes: files, not pages, each answered by :func:`attachment`.

- ``/descarrega/informe?t=2025-T4&since=2025-T3&lang=ca&format=pdf|pptx``: the board pack;
- ``/descarrega/valors?format=xlsx|csv[&t=2025-T4]``: every value with provenance and status;
- ``/descarrega/objectius?format=csv|xlsx&t=…&palanca=…``: the plan-wide list as filtered;
- ``/descarrega/canvis?format=csv|xlsx&t=…&des_de=…``: what ``/canvis`` shows;
- ``/descarrega/palanca/<n>?format=csv|xlsx&t=…&eix=…&estat=…``: a lever's grid;
- ``/descarrega/objectiu/<code>?format=csv|xlsx&t=…``: an objective's provenance tables;
- ``/descarrega/territori?format=csv|xlsx&t=…``: what ``/territori`` shows (issue 14);
- ``/descarrega/avaluacio?format=pdf|pptx|xlsx|md&lang=ca``: the final evaluation of the plan;
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
from collections.abc import Callable
from urllib.parse import quote

import pandas as pd
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
from indicators.reporting import dashboard_data, plan_list
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
            accepted_only=settings.board_accepted_only,
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
    except Exception:  # noqa: BLE001 - last values are a help, not a requirement
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


def _table_format(t: Callable[..., str]) -> str:
    fmt = (request.args.get("format") or "csv").lower()
    if fmt not in plan_list.FORMATS:
        abort(400, t("Unknown format: use xlsx or csv."))
    return fmt


def _request_data() -> dashboard_data.DashboardData:
    settings, plan = current_settings(), current_plan()
    return dashboard_data.load(
        get_engine(settings.database_url),
        plan,
        deadline_days=settings.submission_deadline_days,
        thresholds=dashboard_data.settings_thresholds(settings, plan),
    )


def download_objectives() -> Response:
    """``/descarrega/objectius?format=csv|xlsx&t=…&<filters of /objectius>``: the rows of the
    plan-wide list that the same filters show."""
    plan, lang = current_plan(), request_language()
    fmt = _table_format(translator(lang))
    data = _request_data()
    period = data.resolve_period(request.args.get("t"))
    filters = plan_list.ListFilters.from_query(request.args.to_dict())
    rows = plan_list.plan_rows(plan, data.status(period), filters)
    content = plan_list.write_table(plan_list.list_table(rows, lang), fmt)
    return attachment(f"objectius-{period}.{fmt}", content, plan_list.MIMETYPES[fmt])


def download_changes() -> Response:
    """``/descarrega/canvis?format=csv|xlsx&t=…&des_de=…&nivell=…``: what ``/canvis`` shows."""
    plan, lang = current_plan(), request_language()
    fmt = _table_format(translator(lang))
    data = _request_data()
    period = data.resolve_period(request.args.get("t"))
    since = Period.try_parse(request.args.get("des_de") or "") or period.prev()
    if not plan.first_period <= since < period:
        since = period.prev()
    frame = data.changes(since, period) if plan.first_period < period else pd.DataFrame()
    level = request.args.get("nivell") or ""
    table = plan_list.changes_table(
        plan, frame, lang, level if level in ("objective", "indicator") else ""
    )
    content = plan_list.write_table(table, fmt)
    return attachment(f"canvis-{since}-{period}.{fmt}", content, plan_list.MIMETYPES[fmt])


def download_lever(number: int) -> Response:
    """``/descarrega/palanca/<n>?format=csv|xlsx&t=…&eix=…&estat=…``: the lever grid."""
    plan, lang = current_plan(), request_language()
    fmt = _table_format(translator(lang))
    if number not in {lever.number for lever in plan.levers}:
        return not_found()
    data = _request_data()
    period = data.resolve_period(request.args.get("t"))
    table = plan_list.lever_table(
        plan,
        data.status(period),
        number,
        lang,
        axis=request.args.get("eix") or "",
        light=request.args.get("estat") or "",
    )
    content = plan_list.write_table(table, fmt)
    return attachment(f"palanca-{number}-{period}.{fmt}", content, plan_list.MIMETYPES[fmt])


def download_objective(code: str) -> Response:
    """``/descarrega/objectiu/<code>?format=csv|xlsx&t=…``: the provenance tables of the
    objective's page (every indicator's values up to the quarter, with their origin)."""
    plan, lang = current_plan(), request_language()
    fmt = _table_format(translator(lang))
    code = code.upper()
    if code not in plan.objective_by_code:
        return not_found()
    data = _request_data()
    period = data.resolve_period(request.args.get("t"))
    table = plan_list.provenance_table(data.objective_values(code), str(period), lang)
    content = plan_list.write_table(table, fmt)
    return attachment(f"objectiu-{code}-{period}.{fmt}", content, plan_list.MIMETYPES[fmt])


def download_territory() -> Response:
    """``/descarrega/territori?format=csv|xlsx&t=…``: the ABSS side by side, as ``/territori``
    shows them to this viewer (small counts «< 5» for the read-only role)."""
    from indicators.reporting import territory
    from web.users import current_account

    plan, lang = current_plan(), request_language()
    fmt = _table_format(translator(lang))
    data = _request_data()
    period = data.resolve_period(request.args.get("t"))
    account = current_account()
    small = territory.small_count_for(
        account.role if account is not None else None, current_settings().small_count
    )
    rows = territory.territory_rows(data, period, small)
    content = plan_list.write_table(territory.territory_table(plan, rows, period, lang), fmt)
    return attachment(f"territori-{period}.{fmt}", content, plan_list.MIMETYPES[fmt])


def download_evaluation() -> Response:
    """``/descarrega/avaluacio?format=pdf|pptx|xlsx|md&lang=…``: the plan's final evaluation
    (issue 18), «provisional» while the plan is not closed."""
    from indicators.reporting import evaluation

    settings, plan, lang = current_settings(), current_plan(), request_language()
    t = translator(lang)
    fmt = (request.args.get("format") or "pdf").lower()
    if fmt not in evaluation.FORMATS:
        abort(400, t("Unknown format: use pdf, pptx, xlsx or md."))
    engine = get_engine(settings.database_url)
    found = evaluation.load_evaluation(
        engine,
        plan,
        deadline_days=settings.submission_deadline_days,
        thresholds=dashboard_data.settings_thresholds(settings, plan),
    )
    try:
        written = evaluation.write_evaluation(found, fmt, lang, browser=settings.chromium_path)
    except ChartRenderError:
        log.exception("final evaluation: charts could not be rendered")
        abort(503, t("The evaluation cannot be made now: the charts could not be drawn."))
    return attachment(written.filename, written.content, written.mimetype)


def register_downloads(server: Flask) -> None:
    """Add the download routes to the app's Flask server."""
    server.add_url_rule("/descarrega/informe", "download_pack", download_pack)
    server.add_url_rule("/descarrega/valors", "download_values", download_values)
    server.add_url_rule("/descarrega/objectius", "download_objectives", download_objectives)
    server.add_url_rule("/descarrega/canvis", "download_changes", download_changes)
    server.add_url_rule("/descarrega/palanca/<int:number>", "download_lever", download_lever)
    server.add_url_rule("/descarrega/objectiu/<code>", "download_objective", download_objective)
    server.add_url_rule("/descarrega/territori", "download_territory", download_territory)
    server.add_url_rule("/descarrega/avaluacio", "download_evaluation", download_evaluation)
    server.add_url_rule("/descarrega/plantilla", "auth_template", download_template)
    server.add_url_rule(
        "/descarrega/lliurament/<int:submission_id>", "auth_submission", download_submission
    )
