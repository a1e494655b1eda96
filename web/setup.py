"""``init_web(app, settings)``: the Flask side of the app, installed once by ``create_app``.

In order: the production behaviour (outage page, ``/healthz``, ProxyFix), the download
routes, the session and its key, Flask-Login, the guard that runs before every request
(CSRF, login, roles), the response hooks (CSRF cookie, security headers, 404 status), the
error pages, the login and logout routes, and the role check inside restricted pages.
"""

from __future__ import annotations

from collections.abc import Sequence

from dash import Dash
from flask import Response

from settings import Settings
from web.api_submissions import register_submissions
from web.csrf import set_csrf_cookie
from web.downloads import register_downloads
from web.errors import register_error_pages, register_production
from web.evidence import register_evidence_download
from web.guard import DASH_APP_KEY, guard, mark_unknown_pages, protect_pages
from web.headers import security_headers
from web.login import register_login
from web.public import register_public
from web.session import configure_session
from web.users import current_account, install_login_manager


def init_web(app: Dash, settings: Settings) -> None:
    """Protect and serve ``app`` (see the module docstring)."""
    server = app.server
    server.extensions[DASH_APP_KEY] = app
    register_production(server, settings)  # outage page, /healthz, ProxyFix (PROXY_FIX_HOPS)
    register_downloads(server)  # board pack, values export, templates, original files
    register_evidence_download(server)  # evidence attachments (issue 17)
    register_public(server, settings)  # the public view, /public (issue 19)
    register_submissions(server)  # POST /api/v1/submissions, with a token (issue 19)
    __import__("web.api").api.register_api(server)  # the read API /api/v1 (issue 19)
    configure_session(server, settings)
    install_login_manager(server)
    server.before_request(guard)
    add_security_headers = security_headers(settings, lambda: inline_script_hashes(app))

    def after_request(response: Response) -> Response:
        set_csrf_cookie(response, logged_in=current_account() is not None)
        return mark_unknown_pages(add_security_headers(response))

    server.after_request(after_request)
    register_error_pages(server)
    register_login(server)
    protect_pages()


def inline_script_hashes(app: Dash) -> Sequence[str]:
    """The CSP hashes of the inline scripts Dash writes into its index page."""
    return list(app.csp_hashes())
