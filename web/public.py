"""The public transparency view (issue 19): ``/public``, no login, no script.

Flask routes and Jinja templates (``web/templates/public/``), light enough for a traffic
spike and usable without JavaScript:

- ``/public``: the plan's headline (objectives by status, the weighted figure) and each lever;
- ``/public/palanca/<n>``, ``/public/eix/<n>``, ``/public/objectiu/<code>``: a level with its
  light (icon and label), figure, trend (an inline SVG with its table) and what is under it;
- ``/public/metode``: «Com es calcula», the method, thresholds, weights and tolerances in force;
- ``/public/embed/palanca/<n>``, ``/public/embed/objectiu/<code>``: a minimal page to frame
  (only the origins of ``EMBED_ALLOWED_ORIGINS`` may: ``web.headers.PublicPage``);
- ``/public/static/public.css?v=<hash>``: the stylesheet (cached for a year, the hash changes
  with it);
- anything else under ``/public/``, an unknown code, or a quarter that is not published: the
  public area's own 404 page, in the page's language.

``?t=2025-T3`` picks a published quarter (the latest by default) and ``?lang=ca|es|en`` the
language (Catalan by default; never the cookie, so a shared cache serves the same page to
everyone); links keep both. Everything shown comes from
:class:`indicators.reporting.public.PublicData` (published quarters, accepted values, small
counts suppressed). Each page is rendered once per (data generation, published set,
language, quarter, path) and answered with ``Cache-Control: public, max-age=300`` and an
``ETag`` (304 for ``If-None-Match``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, render_template, request

from i18n import LANGUAGES, format_date, format_number, normalise_language, translator
from indicators.reporting import dashboard_data, public
from indicators.reporting.public import NotPublished, PublicData
from indicators.storage.engine import get_engine
from plan_model.periods import LOCAL_TIME
from plan_model.status_types import STATUS_COLORS, STATUS_TEXT_COLORS
from settings import Settings
from web.context import current_plan, current_settings
from web.headers import PublicPage, embed_origins
from web.public_method import method_page
from web.public_model import View, axis_page, home_page, lever_page, objective_page

STATIC_DIR = Path(__file__).parent / "public_static"
PUBLIC_KEY = "seguiment_public"
MAX_AGE = 300  # seconds a page may be reused (a published quarter changes seldom)
NOT_FOUND_MAX_AGE = 60
IMMUTABLE = "public, max-age=31536000, immutable"

bp = Blueprint("public", __name__, template_folder="templates")


@dataclass(frozen=True)
class Asset:
    """A file of the public area, read once: its bytes, type and version (its hash)."""

    body: bytes
    mimetype: str
    version: str


@dataclass(frozen=True)
class PublicSetup:
    """What the public area keeps per app: the embeds' origins and its assets."""

    frame_origins: tuple[str, ...]
    assets: dict[str, Asset]


def _stylesheet() -> bytes:
    """The stylesheet: its file, then each status's colours (from ``status_types``)."""
    text = (STATIC_DIR / "public.css").read_text(encoding="utf-8")
    rules = "".join(
        f".badge-{status}{{background:{colour};color:{STATUS_TEXT_COLORS[status]}}}"
        for status, colour in STATUS_COLORS.items()
    )
    return (text + "\n" + rules + "\n").encode()


def _assets() -> dict[str, Asset]:
    css = _stylesheet()
    return {"public.css": Asset(css, "text/css", hashlib.sha256(css).hexdigest()[:12])}


def register_public(server: Flask, settings: Settings) -> None:
    """Serve the public view on ``server`` (see the module docstring)."""
    server.extensions[PUBLIC_KEY] = PublicSetup(
        frame_origins=embed_origins(settings.embed_allowed_origins), assets=_assets()
    )
    server.register_blueprint(bp)


def _setup() -> PublicSetup:
    setup: PublicSetup = current_app.extensions[PUBLIC_KEY]
    return setup


# ---- the request ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Asked:
    """What the request asked for: the language and quarter (as given, for the links)."""

    lang: str
    lang_given: bool
    quarter: str | None  # None: the latest

    @classmethod
    def read(cls) -> Asked:
        lang = request.args.get("lang")
        quarter = request.args.get("t") or None
        return cls(normalise_language(lang), bool(lang), quarter)

    def query(self, lang: str | None = None, quarter: str | None = None) -> dict[str, str]:
        found = {}
        if lang is not None or self.lang_given:
            found["lang"] = lang or self.lang
        if quarter or self.quarter:
            found["t"] = quarter or str(self.quarter)
        return found

    def link(self, path: str, lang: str | None = None) -> str:
        query = self.query(lang)
        return path + ("?" + urlencode(query) if query else "")


def _public_data() -> PublicData:
    settings, plan = current_settings(), current_plan()
    return public.load(
        get_engine(settings.database_url),
        plan,
        deadline_days=settings.submission_deadline_days,
        thresholds=dashboard_data.settings_thresholds(settings, plan),
        small_count=settings.small_count,
    )


def _common(view: View, asked: Asked, title: str) -> dict[str, Any]:
    """What every public page's frame shows: title, languages, quarters, links."""
    data = view.data
    css = _setup().assets["public.css"]
    return {
        "lang": view.lang,
        "t": view.t,
        "title": title,
        "plan_name": data.plan.info.name,
        "organisation": data.plan.info.organisation,
        "css": f"/public/static/public.css?v={css.version}",
        "home": asked.link("/public"),
        "method_href": asked.link("/public/metode"),
        "path": request.path,
        "languages": [
            {"code": code, "name": name, "href": asked.link(request.path, code)}
            for code, name in LANGUAGES.items()
        ],
        "quarters": [
            {"value": str(p), "label": view.quarter(p), "selected": p == view.period}
            for p in reversed(data.periods())
        ],
        "lang_given": asked.lang_given,
        "quarter_label": view.quarter(view.period),
        "period": str(view.period),
        "published_on": format_date(
            data.published_at(view.period).astimezone(LOCAL_TIME).date(), view.lang, "long"
        ),
        "small_count_on": data.small_count > 0,
        "small_count_text": format_number(data.small_count, view.lang, 0),
    }


Builder = Callable[[View], tuple[str, str, dict[str, Any]]]  # → (template, title, context)


def _render(data: PublicData, asked: Asked, build: Builder) -> tuple[str, str]:
    period = data.period(asked.quarter)
    view = View(data=data, period=period, lang=asked.lang, link=asked.link)
    template, title, context = build(view)
    body = render_template(f"public/{template}", **_common(view, asked, title), **context)
    return body, '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def _answer(body: str, etag: str, status: int, lang: str, *, embed: bool = False) -> Response:
    response = PublicPage(body, status=status, mimetype="text/html")
    if embed:
        response.frame_origins = _setup().frame_origins
    response.headers["Content-Language"] = lang
    response.headers["Cache-Control"] = (
        f"public, max-age={MAX_AGE if status == 200 else NOT_FOUND_MAX_AGE}"
    )
    response.set_etag(etag.strip('"'))
    if status == 200:
        response.make_conditional(request)
    return response


def _plain(lang: str, heading: str, message: str, status: int, back: str | None) -> Response:
    t = translator(lang)
    body = render_template(
        "public/plain.html",
        lang=lang,
        t=t,
        heading=t(heading),
        message=t(message),
        back=t(back) if back else None,
        css=f"/public/static/public.css?v={_setup().assets['public.css'].version}",
        home="/public" + (f"?lang={lang}" if lang != "ca" else ""),
    )
    return _answer(body, hashlib.sha256(body.encode()).hexdigest()[:32], status, lang)


def not_found_page(lang: str) -> Response:
    """The public area's 404 page (HTTP 404), in ``lang``."""
    return _plain(
        lang,
        "Page not found",
        "This address is not part of the plan's public view, or the quarter it names has not "
        "been published.",
        404,
        "Go to the plan's public view",
    )


def _nothing_published(lang: str) -> Response:
    return _plain(
        lang,
        "Nothing published yet",
        "The management has not published the figures of any quarter yet. They will appear "
        "here once it does.",
        200,
        None,
    )


def serve(build: Builder, *, exists: Callable[[PublicData], bool] | None = None) -> Response:
    """A public page: the quarter asked for (404 if it is not published), rendered once per
    data generation, published set, language, quarter and path."""
    asked = Asked.read()
    data = _public_data()
    if exists is not None and not exists(data):
        return not_found_page(asked.lang)
    if data.latest() is None:
        return _nothing_published(asked.lang)
    try:
        period = data.period(asked.quarter)
    except NotPublished:
        return not_found_page(asked.lang)
    asked = Asked(asked.lang, asked.lang_given, str(period) if asked.quarter else None)
    published = tuple(str(p) for p in data.periods())
    key = ("public-page", published, asked.lang, asked.lang_given, asked.quarter, request.path)
    body, etag = data.data.memo(key, lambda: _render(data, asked, build))
    return _answer(body, etag, 200, asked.lang, embed=request.path.startswith("/public/embed/"))


# ---- pages ----------------------------------------------------------------------------------
def _number(text: str) -> int | None:
    """``text`` as a lever's or an axis' number, written as the links write it (``3``, not
    ``03`` or another script's digits)."""
    if not (text.isascii() and text.isdigit() and len(text) <= 3):
        return None
    number = int(text)
    return number if str(number) == text else None


def _has_lever(text: str) -> Callable[[PublicData], bool]:
    return lambda data: _number(text) in {lever.number for lever in data.plan.levers}


def _has_axis(text: str) -> Callable[[PublicData], bool]:
    return lambda data: _number(text) in {axis.number for axis in data.plan.axes}


def _has_objective(code: str) -> Callable[[PublicData], bool]:
    return lambda data: code in data.plan.objective_by_code


@bp.route("/public", strict_slashes=False)
def home() -> Response:
    def build(view: View) -> tuple[str, str, dict[str, Any]]:
        return "home.html", view.t("Public view of the plan"), home_page(view)

    return serve(build)


@bp.route("/public/palanca/<text>")
def lever(text: str) -> Response:
    def build(view: View) -> tuple[str, str, dict[str, Any]]:
        context = lever_page(view, int(text))
        return "lever.html", context["lever"]["name"], context

    return serve(build, exists=_has_lever(text))


@bp.route("/public/eix/<text>")
def axis(text: str) -> Response:
    def build(view: View) -> tuple[str, str, dict[str, Any]]:
        context = axis_page(view, int(text))
        return "axis.html", context["axis"]["name"], context

    return serve(build, exists=_has_axis(text))


@bp.route("/public/objectiu/<code>")
def objective(code: str) -> Response:
    def build(view: View) -> tuple[str, str, dict[str, Any]]:
        context = objective_page(view, code)
        return "objective.html", context["objective"]["name"], context

    return serve(build, exists=_has_objective(code))


@bp.route("/public/metode")
def method() -> Response:
    def build(view: View) -> tuple[str, str, dict[str, Any]]:
        return "method.html", view.t("How it is calculated"), method_page(view)

    return serve(build)


@bp.route("/public/embed/palanca/<text>")
def embed_lever(text: str) -> Response:
    def build(view: View) -> tuple[str, str, dict[str, Any]]:
        context = lever_page(view, int(text))
        summary = context["lever"]
        full = view.link(f"/public/palanca/{summary['number']}")
        return "embed.html", summary["name"], {"item": summary, "full": full, **context}

    return serve(build, exists=_has_lever(text))


@bp.route("/public/embed/objectiu/<code>")
def embed_objective(code: str) -> Response:
    def build(view: View) -> tuple[str, str, dict[str, Any]]:
        context = objective_page(view, code)
        summary = context["objective"]
        full = view.link(f"/public/objectiu/{code}")
        return "embed.html", summary["name"], {"item": summary, "full": full, **context}

    return serve(build, exists=_has_objective(code))


@bp.route("/public/static/<name>")
def asset(name: str) -> Response:
    found = _setup().assets.get(name)
    if found is None:
        return not_found_page(normalise_language(request.args.get("lang")))
    response = Response(found.body, mimetype=found.mimetype)
    if request.args.get("v") == found.version:
        response.headers["Cache-Control"] = IMMUTABLE
    else:
        response.headers["Cache-Control"] = "no-cache"
    response.set_etag(found.version)
    response.make_conditional(request)
    return response


@bp.route("/public/<path:rest>")
def anything_else(rest: str) -> Response:
    """Every other address under ``/public/``: the public 404 (never Dash's index page)."""
    return not_found_page(normalise_language(request.args.get("lang")))
