"""The security headers of every response.

- ``Content-Security-Policy``, three of them:
  - Dash's pages: scripts only from this site plus Dash's own inline scripts (the
    renderer's start and the clientside callbacks), each allowed by its SHA-256 hash
    (``Dash.csp_hashes``); no ``eval`` (plotly.js and dash-renderer 4 need none). Styles
    from this site *and inline*: dash-renderer, the dcc components, dash-ag-grid's theme
    and plotly.js write ``<style>`` elements at run time, which no hash or nonce can list
    (see ``DASH_STYLE_SOURCES``); a style cannot run code. Images from this site and
    ``data:`` (Bootstrap draws its form controls' arrows and ticks with ``data:`` SVG).
  - our own pages (login, errors, outage): no script at all, only their one style block
    by its hash;
  - anything else (Dash's JSON, downloads): ``default-src 'none'``.
  All three: no plugins, no framing (``frame-ancestors 'none'``), ``<base>`` and forms
  only to this site.
- ``X-Frame-Options: DENY`` (for browsers older than ``frame-ancestors``),
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin`` (the app's
  addresses carry quarters and services: they never leave the site),
  ``Permissions-Policy`` denying the camera, the microphone, the location and the other
  device features the app never uses (full screen stays: the board session uses it).
- ``Strict-Transport-Security`` in production when the request came over HTTPS (behind a
  proxy: ``PROXY_FIX_HOPS`` makes its ``X-Forwarded-Proto`` count).
- Dash's layout and callbacks, and the downloads, are never cached (``no-store``).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable, Sequence

from flask import Response, request

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


def source_hash(text: str) -> str:
    """A CSP source for one inline script or style: ``'sha256-…'``."""
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def _policy(directives: dict[str, Iterable[str]]) -> str:
    common = {"object-src": ["'none'"], "frame-ancestors": ["'none'"]}
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


def _content_security_policy(response: Response, script_hashes: Callable[[], Sequence[str]]) -> str:
    if isinstance(response, OwnPage):
        return OWN_PAGE_POLICY
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
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["Permissions-Policy"] = PERMISSIONS_POLICY
        if settings.is_production and request.is_secure:
            headers["Strict-Transport-Security"] = HSTS
        if request.path.startswith(NO_STORE_PREFIXES):
            headers["Cache-Control"] = "no-store"
        return response

    return add_headers
