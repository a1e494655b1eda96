"""The security headers of every response.

- ``Content-Security-Policy``, four of them:
  - Dash's pages: scripts only from this site plus Dash's own inline scripts (the
    renderer's start and the clientside callbacks), each allowed by its SHA-256 hash
    (``Dash.csp_hashes``); no ``eval`` (plotly.js and dash-renderer 4 need none). Styles
    from this site *and inline*: dash-renderer, the dcc components, dash-ag-grid's theme
    and plotly.js write ``<style>`` elements at run time, which no hash or nonce can list
    (see ``DASH_STYLE_SOURCES``); a style cannot run code. Images from this site and
    ``data:`` (Bootstrap draws its form controls' arrows and ticks with ``data:`` SVG).
  - our own pages (login, errors, outage): no script at all, only their one style block
    by its hash;
  - the public view (``PublicPage``, ``web.public``): no script, styles only from this
    site's stylesheet, images from this site and ``data:``; its embeds
    (``/public/embed/…``) may be framed by the origins of ``EMBED_ALLOWED_ORIGINS`` only
    (``frame-ancestors <origins>``, ``'none'`` when none is set; no ``X-Frame-Options`` then,
    which cannot name several origins), every other response keeps ``frame-ancestors 'none'``
    and ``X-Frame-Options: DENY``;
  - anything else (Dash's JSON, downloads): ``default-src 'none'``.
  All of them: no plugins, no framing (``frame-ancestors 'none'``, but for the embeds),
  ``<base>`` and forms only to this site.
- ``X-Frame-Options: DENY`` (for browsers older than ``frame-ancestors``),
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin`` (the app's
  addresses carry quarters and services: they never leave the site),
  ``Permissions-Policy`` denying the camera, the microphone, the location and the other
  device features the app never uses (full screen stays: the board session uses it).
- ``Strict-Transport-Security`` in production when the request came over HTTPS (behind a
  proxy: ``PROXY_FIX_HOPS`` makes its ``X-Forwarded-Proto`` count).
- Dash's layout and callbacks, and the downloads, are never cached (``no-store``).
- Versioned static files are cached for a year (``immutable``): Dash's component bundles
  (their URLs carry the package version and file time, ``…v4_4_1m1796214902.min.js``) and the
  app's assets (Dash adds ``?m=<file time>`` to every ``/assets/`` URL): a new release changes
  the URL. Anything else static is revalidated.
- Compression (``enable_compression``, flask-compress): brotli or gzip for scripts, styles,
  JSON and SVG, never for HTML (our pages carry the CSRF token: no BREACH-style guessing);
  the compressed versioned files are kept in memory, compressed once per process.
- plotly.js: Dash's URL of its full bundle answers with the basic one (``serve_plotly_bundle``).
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from flask import Flask, Response, request

from settings import Settings
from web.responses import PAGE_STYLE, OwnPage

HSTS = "max-age=31536000"  # a year; no includeSubDomains: other hosts of the domain are not ours
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
)
DASH_STYLE_SOURCES = ("'self'", "'unsafe-inline'")
NO_STORE_PREFIXES = (
    "/_dash-layout",
    "/_dash-update-component",
    "/_dash-dependencies",
    "/descarrega/",
)


IMMUTABLE = "public, max-age=31536000, immutable"
PLOTLY_BUNDLE_URL = "/_dash-component-suites/plotly/package_data/plotly.min.js"
VERSIONED_SUITE = re.compile(r"^/_dash-component-suites/.+\.v[\w]+m\d+\.[\w.]+$")
COMPRESSED_MIMETYPES = (
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
)
COMPRESSED_CACHE_SIZE = 256  # versioned files: a few dozen per release


def is_versioned_static() -> bool:
    """Whether this request is for a file whose URL changes with its content (cacheable)."""
    path = request.path
    if path.startswith("/assets/"):
        return bool(request.args.get("m"))
    return bool(VERSIONED_SUITE.match(path))


class PublicPage(Response):
    """A page of the public view (``web.public``): no script, only the public stylesheet;
    ``frame_origins``: the origins that may frame it (an embed), none for the other pages."""

    frame_origins: tuple[str, ...] = ()


ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def embed_origins(setting: str) -> tuple[str, ...]:
    """The origins named by ``EMBED_ALLOWED_ORIGINS`` (separated by spaces, commas or
    semicolons): only ``https://host[:port]`` (or ``http``), no path; anything else is
    dropped, so the setting can never add another directive to the policy."""
    words = (word.strip().rstrip("/") for word in re.split(r"[\s,;]+", setting))
    return tuple(dict.fromkeys(word for word in words if ORIGIN.match(word)))


class VersionedCompressionCache:
    """flask-compress's cache, kept only for versioned static files (``_compression_key``
    gives every other response an empty key, which is never stored): the bundles are
    compressed once per process, the pages' JSON every time (it changes)."""

    def __init__(self, size: int = COMPRESSED_CACHE_SIZE) -> None:
        self.size = size
        self._entries: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._entries.get(key)

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(";"):  # not a versioned file
            return
        with self._lock:
            if key not in self._entries and len(self._entries) >= self.size:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = value


def _compression_key(_request: object) -> str:
    if is_versioned_static() or request.path == PLOTLY_BUNDLE_URL:
        return request.full_path
    return ""


def enable_compression(server: Flask) -> None:
    """Compress responses (brotli, else gzip) with flask-compress: scripts, styles, JSON, SVG."""
    from flask_compress import Compress

    server.config.update(
        COMPRESS_MIMETYPES=list(COMPRESSED_MIMETYPES),
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_ALGORITHM_STREAMING=["br", "gzip"],  # Chromium over plain HTTP: gzip only
        COMPRESS_BR_LEVEL=5,
        COMPRESS_LEVEL=6,
        COMPRESS_MIN_SIZE=1024,
        COMPRESS_STREAMS=True,  # the assets (Flask's static files) stream; downloads: not listed
        COMPRESS_CACHE_KEY=_compression_key,
        COMPRESS_CACHE_BACKEND=VersionedCompressionCache,
    )
    Compress(server)


def serve_plotly_bundle(server: Flask, bundle: Path) -> None:
    """Answer Dash's URL of plotly.js (its full 4.8 MB bundle, which dcc.Graph fetches when
    ``window.Plotly`` is not there yet) with ``bundle``: a partial build with only the trace
    types the figures use (plotly.js-basic: scatter, bar; the plotly package's plotly.js
    version). The app also loads it as an asset, so this is the fallback that keeps the full
    bundle from ever being sent. Its URL has no version: revalidated (ETag)."""

    body = bundle.read_bytes()  # read once: compressed once too (VersionedCompressionCache)

    def partial_plotly() -> Response | None:
        if request.path != PLOTLY_BUNDLE_URL:
            return None
        response = Response(body, mimetype="application/javascript")
        response.cache_control.no_cache = True
        response.add_etag()
        response.make_conditional(request)  # 304 when the browser has it (in place)
        return response

    server.before_request(partial_plotly)


def source_hash(text: str) -> str:
    """A CSP source for one inline script or style: ``'sha256-…'``."""
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def _policy(directives: dict[str, Iterable[str]], frame_ancestors: Sequence[str] = ()) -> str:
    common = {"object-src": ["'none'"], "frame-ancestors": list(frame_ancestors) or ["'none'"]}
    return "; ".join(
        f"{name} {' '.join(dict.fromkeys(sources))}"
        for name, sources in {**directives, **common}.items()
    )


def dash_page_policy(script_hashes: Sequence[str]) -> str:
    """The Content-Security-Policy of a Dash page whose inline scripts have these hashes."""
    return _policy(
        {
            "default-src": ["'self'"],
            "script-src": ["'self'", *script_hashes],
            "style-src": DASH_STYLE_SOURCES,
            "img-src": ["'self'", "data:"],
            "connect-src": ["'self'"],
            "base-uri": ["'self'"],
            "form-action": ["'self'"],
        }
    )


OWN_PAGE_POLICY = _policy(
    {
        "default-src": ["'none'"],
        "style-src": [source_hash(PAGE_STYLE)],
        "img-src": ["'self'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
    }
)
NOT_A_PAGE_POLICY = _policy({"default-src": ["'none'"], "base-uri": ["'none'"]})
PUBLIC_PAGE_DIRECTIVES: dict[str, Iterable[str]] = {
    "default-src": ["'none'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
}


def public_page_policy(frame_origins: Sequence[str] = ()) -> str:
    """The policy of a public page: framed by ``frame_origins`` only (none: by nobody)."""
    return _policy(PUBLIC_PAGE_DIRECTIVES, frame_origins)


def _content_security_policy(response: Response, script_hashes: Callable[[], Sequence[str]]) -> str:
    if isinstance(response, OwnPage):
        return OWN_PAGE_POLICY
    if isinstance(response, PublicPage):
        return public_page_policy(response.frame_origins)
    if response.mimetype == "text/html":
        return dash_page_policy(script_hashes())
    return NOT_A_PAGE_POLICY


def security_headers(
    settings: Settings, inline_script_hashes: Callable[[], Sequence[str]]
) -> Callable[[Response], Response]:
    """An after-request hook adding the headers above (``inline_script_hashes``: the hashes
    of the inline scripts of the app's pages, asked for at each page)."""

    def add_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = _content_security_policy(
            response, inline_script_hashes
        )
        if not (isinstance(response, PublicPage) and response.frame_origins):
            headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["Permissions-Policy"] = PERMISSIONS_POLICY
        if settings.is_production and request.is_secure:
            headers["Strict-Transport-Security"] = HSTS
        if request.path.startswith(NO_STORE_PREFIXES):
            headers["Cache-Control"] = "no-store"
        elif response.status_code == 200 and is_versioned_static():
            headers["Cache-Control"] = IMMUTABLE
        return response

    return add_headers
