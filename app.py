"""Seguiment del Pla: the web app factory.

``create_app(settings)`` builds a Dash app (with its Flask server) for the given settings,
in the spirit of the Flask tutorial's factory: no global app, so tests build their own.
"""

from __future__ import annotations

from pathlib import Path

from dash import Dash

from i18n import _
from plan_model.loader import load_plan
from settings import Settings, get_settings

ASSETS = Path(__file__).resolve().parent / "layouts" / "assets"
# plotly.js for dcc.Graph: the basic bundle (scatter, bar: what the figures use; 0.36 MB
# compressed, not 4.8 MB), an asset (it sets window.Plotly, which dcc.Graph then uses: loaded
# with the page, in parallel, it draws the first chart sooner than when fetched by the first
# chart) and the answer to Dash's URL of the full bundle (web/headers.py: serve_plotly_bundle)
PLOTLY_BUNDLE = ASSETS / "plotly-basic-4.1.1.min.js"
PAGES = Path(__file__).resolve().parent / "layouts" / "pages"


def create_app(settings: Settings | None = None) -> Dash:
    settings = settings or get_settings()
    settings.check()
    plan = load_plan(settings.plan_path)

    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PAGES),
        assets_folder=str(ASSETS),
        # Bootstrap 5.3.6 is served from layouts/assets (no CDN: works offline)
        title=_("Plan follow-up"),
        suppress_callback_exceptions=True,
        update_title=None,  # type: ignore[arg-type]  # None disables "Updating..."
    )
    server = app.server
    server.config["SEGUIMENT_SETTINGS"] = settings
    server.config["SEGUIMENT_PLAN"] = plan
    server.config["SECRET_KEY"] = settings.secret_key
    server.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes
    server.config["DEBUG"] = False
    server.config["PROPAGATE_EXCEPTIONS"] = False

    from layouts.shell import build_shell, configure_app

    app.layout = build_shell  # the account bar, then the page (layouts.account_bar)
    configure_app(app)  # index page, URL-query selectors, page language

    from web.setup import init_web

    init_web(app, settings)  # login, roles, CSRF, headers, errors, downloads (web/)
    from web.headers import enable_compression, serve_plotly_bundle

    enable_compression(server)  # brotli/gzip for scripts, styles, JSON (web/headers.py)
    serve_plotly_bundle(server, PLOTLY_BUNDLE)
    return app


def main() -> None:  # pragma: no cover - convenience for `python app.py`
    from web.devserver import QuietRequestHandler

    app = create_app()
    app.run(host="127.0.0.1", port=8050, debug=False, request_handler=QuietRequestHandler)


if __name__ == "__main__":  # pragma: no cover
    main()
