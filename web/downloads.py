"""Download routes of the board: the pack and the values export.

- ``/descarrega/informe?t=2025-T4&since=2025-T3&lang=ca&format=pdf|pptx``: the board pack;
- ``/descarrega/valors?format=xlsx|csv[&t=2025-T4]``: every value with provenance and status.

Plain Flask routes (a file, not a page), protected like every other route by the accounts'
guard (login required). They call ``indicators.reporting.pack`` and ``indicators.reporting.export``; nothing
else happens here.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from flask import Flask, Response, abort, request

from i18n import normalise_language, translator
from indicators.reporting import dashboard_data
from indicators.reporting.export import FORMATS as EXPORT_FORMATS
from indicators.reporting.export import export_values
from indicators.reporting.pack import FORMATS as PACK_FORMATS
from indicators.reporting.pack import ChartRenderError, build_pack
from indicators.storage.engine import get_engine
from layouts.components import settings_thresholds
from plan_model.models import Plan
from plan_model.periods import Period
from settings import Settings

log = logging.getLogger(__name__)


def _attachment(filename: str, content: bytes, mimetype: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _lang() -> str:
    return normalise_language(request.args.get("lang") or request.cookies.get("lang"))


def register_downloads(server: Flask) -> None:
    """Add the board's download routes to the app's Flask server."""

    def _context() -> tuple[Settings, Plan]:
        return server.config["SEGUIMENT_SETTINGS"], server.config["SEGUIMENT_PLAN"]

    @server.get("/descarrega/informe")
    def download_pack() -> Response:
        settings, plan = _context()
        lang = _lang()
        t = translator(lang)
        fmt = (request.args.get("format") or "pdf").lower()
        if fmt not in PACK_FORMATS:
            abort(400, t("Unknown format: use pdf or pptx."))
        engine = get_engine(settings.database_url)
        thresholds = settings_thresholds(settings, plan)
        data = dashboard_data.load(engine, plan, deadline_days=settings.submission_deadline_days,
                                   thresholds=thresholds)
        period = data.resolve_period(request.args.get("t"))
        since = Period.try_parse(request.args.get("since") or "")
        try:
            pack = build_pack(engine, plan, period, fmt, since=since, lang=lang,
                              deadline_days=settings.submission_deadline_days,
                              browser=settings.chromium_path, thresholds=thresholds)
        except ChartRenderError:
            log.exception("board pack: charts could not be rendered")
            abort(503, t("The board pack cannot be made now: the charts could not be drawn."))
        return _attachment(pack.filename, pack.content, pack.mimetype)

    @server.get("/descarrega/valors")
    def download_values() -> Response:
        settings, plan = _context()
        lang = _lang()
        t = translator(lang)
        fmt = (request.args.get("format") or "xlsx").lower()
        if fmt not in EXPORT_FORMATS:
            abort(400, t("Unknown format: use xlsx or csv."))
        period = request.args.get("t")
        if period and Period.try_parse(period) is None:
            abort(400, t("Unknown quarter: write it like 2025-T4."))
        engine = get_engine(settings.database_url)
        export = export_values(engine, plan, fmt, period=period or None, lang=lang,
                               thresholds=settings_thresholds(settings, plan))
        return _attachment(export.filename, export.content, export.mimetype)
