"""The app frame and the callbacks shared by every page.

Each page renders its own header (name, navigation, quarter selector, language switch), main
content and footer from its URL (see ``layouts.components.frame``), so a whole page is one
server round trip. The app layout is the skip link and the account bar
(``layouts.account_bar``), then the Dash Pages container, plus two helpers:
- the selectors (quarter, filters) write their value into the URL query (shareable links);
- the page language goes to ``<html lang>`` and to the ``lang`` cookie.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

import dash
from dash import Dash, Input, Output, State, html
from flask import Response, request, session

from indicators.storage import queries
from indicators.storage.engine import get_engine
from layouts import analysis, evidence, milestone_decision, upload_form
from layouts.account_bar import skip_link, user_bar
from web.context import current_settings

ALL_VALUE = "tots"  # a selector's "all" option: the parameter is left out of the URL
PAGES_OUTPUT = "_pages_content.children"
RESPONSE_CACHE_SIZE = 512

# the URL query parameter each selector writes (the page layouts read the same names)
URL_PARAMETERS: dict[str, str] = {
    "quarter-select": "t",
    "lever-axis-filter": "eix",
    "lever-status-filter": "estat",
    "submissions-year": "any",
    "changes-since": "des_de",
    "changes-level": "nivell",
}

INDEX_STRING = """<!DOCTYPE html>
<html lang="ca">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def with_parameter(search: str | None, name: str, value: str | None) -> str:
    """``search`` (``?a=1&b=2``) with ``name`` set to ``value`` (removed when empty)."""
    pairs = [
        (k, v)
        for k, v in parse_qsl((search or "").lstrip("?"), keep_blank_values=False)
        if k != name
    ]
    if value and value != ALL_VALUE:
        pairs.append((name, value))
    if name == "t":  # a new quarter: the "since" of the changes page must be before it
        pairs = [(k, v) for k, v in pairs if k != "des_de"]
    return "?" + urlencode(pairs) if pairs else ""


def build_shell() -> html.Div:
    """The app's layout (served at every page load, so the account bar is this request's)."""
    root = html.Div(
        [dash.page_container, html.Div(id="page-lang-sink", hidden=True)], id="app-root"
    )
    return html.Div([skip_link(), user_bar(), root], className="auth-wrapper")


def _register_url_parameter(app: Dash, component_id: str, name: str) -> None:
    @app.callback(
        Output("_pages_location", "search", allow_duplicate=True),
        Input(component_id, "value"),
        State("_pages_location", "search"),
        prevent_initial_call=True,
    )
    def update_search(value: str | None, search: str | None) -> str:
        new = with_parameter(search, name, value)
        if new == (search or ""):
            raise dash.exceptions.PreventUpdate
        return new

    update_search.__name__ = f"update_search_{name}"


class PageResponseCache:
    """Rendered pages (the Dash Pages router's JSON answer), keyed by the data generation.

    A page is a function of its URL, its language cookie and the stored data: the answer to
    the same router request is the same until the next import bumps the data generation.
    The cache wraps Dash's callback view, so it runs after every ``before_request`` guard
    (login, roles, CSRF) and only for the pages router; the after-request hooks still run.
    Per process; each worker reads the generation (one tiny query) on every request.
    """

    def __init__(self, size: int = RESPONSE_CACHE_SIZE) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._generation: tuple[str, int] | None = None
        self.enabled = True
        # second level, shared by every worker and machine (SHARED_PAGE_CACHE=true): after an
        # import each page is computed once for all of them (indicators.storage.cache, CACHE_URL)
        self._shared: Any = None
        self._shared_for: tuple[str, str | None] | None = None

    def shared(self) -> Any:
        """The shared cache (``indicators.storage.cache``) when the settings ask for it, else None."""
        settings = current_settings()
        if not settings.shared_page_cache:
            return None
        wanted = (settings.database_url, settings.cache_url)
        if self._shared_for != wanted:
            from indicators.storage.cache import get_cache

            self._shared = get_cache(settings, get_engine(settings.database_url))
            self._shared_for = wanted
        return self._shared

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation = None
        if self._shared is not None:
            self._shared.clear()

    def wrap(self, view: Callable[..., Any]) -> Callable[..., Any]:
        def cached_view(*args: Any, **kwargs: Any) -> Any:
            body = request.get_data(cache=True)
            if not self.enabled or PAGES_OUTPUT.encode() not in body:
                return view(*args, **kwargs)
            url = current_settings().database_url
            generation = (url, queries.data_generation(get_engine(url)))
            # per user: a page may depend on who asks (a technician's services, role links)
            key = (
                hashlib.sha256(body).digest(),
                request.cookies.get("lang", ""),
                str(session.get("_user_id", "")),
                dt.datetime.now(dt.UTC).date(),
            )  # deadlines make "pending" change daily
            with self._lock:
                if self._generation != generation:
                    self._entries.clear()
                    self._generation = generation
                cached = self._entries.get(key)
                if cached is not None:
                    self._entries.move_to_end(key)
            shared = self.shared() if cached is None else None
            shared_key = f"page:{key[0].hex()}:{key[1]}:{key[2]}"
            if shared is not None:
                cached = shared.get(shared_key, generation[1])
                if cached is not None:
                    with self._lock:
                        if self._generation == generation:
                            self._entries[key] = cached
            if cached is not None:
                return Response(cached, mimetype="application/json")
            response = view(*args, **kwargs)
            if isinstance(response, Response) and response.status_code == 200:
                data = response.get_data()
                with self._lock:
                    if self._generation == generation:
                        self._entries[key] = data
                        while len(self._entries) > self.size:
                            self._entries.popitem(last=False)
                if shared is not None:
                    shared.set(shared_key, data, generation[1])
            return response

        cached_view.__name__ = getattr(view, "__name__", "dispatch")
        return cached_view


def install_page_cache(app: Dash) -> PageResponseCache:
    cache = PageResponseCache()
    server = app.server
    for rule in server.url_map.iter_rules():
        if rule.rule.endswith("/_dash-update-component"):
            server.view_functions[rule.endpoint] = cache.wrap(server.view_functions[rule.endpoint])
    server.extensions["seguiment_page_cache"] = cache
    return cache


def page_cache(app: Dash) -> PageResponseCache | None:
    cache = app.server.extensions.get("seguiment_page_cache")
    return cache if isinstance(cache, PageResponseCache) else None


def install_heap_freeze(app: Dash) -> None:
    """After the app's first request, move everything then alive (the plan, the app, the
    modules: long-lived) out of the garbage collector's reach with ``gc.freeze()``.

    Why: a cold page (after an import) allocates many objects; every few such requests
    Python runs a full collection, which walks every object of the process — at 10x a
    plan of thousands of pydantic objects, about a tenth of a second each time. Frozen
    objects are skipped (and forked workers keep sharing their memory pages). Done once
    per app, after a ``gc.collect()`` so that no garbage gets frozen.
    """
    lock = threading.Lock()
    done: list[bool] = []

    def freeze(_error: BaseException | None) -> None:
        if done:
            return
        with lock:
            if not done:
                gc.collect()
                gc.freeze()
                done.append(True)

    app.server.teardown_request(freeze)


def configure_app(app: Dash) -> None:
    """Install the frame's index page, shared callbacks and the page cache on ``app``."""
    app.index_string = INDEX_STRING
    install_page_cache(app)
    install_heap_freeze(app)
    for component_id, name in URL_PARAMETERS.items():
        _register_url_parameter(app, component_id, name)
    app.clientside_callback(  # type: ignore[no-untyped-call]
        """
        function(lang) {
            if (lang) {
                document.documentElement.setAttribute('lang', lang);
                document.cookie = 'lang=' + lang + '; path=/; max-age=31536000; SameSite=Lax';
            }
            return lang || '';
        }
        """,
        Output("page-lang-sink", "children"),
        Input("page-lang", "data"),
    )
    register_page_buttons(app)
    analysis.register_callbacks(app)
    milestone_decision.register_callbacks(app)
    evidence.register_callbacks(app)  # issue 17: evidence attachments
    upload_form.register_callbacks(app)


def register_page_buttons(app: Dash) -> None:
    """The clientside callbacks of the frame's buttons (no inline handler: the CSP allows
    only Dash's hashed scripts): the phone menu toggle and the "PDF" (print) button."""
    app.clientside_callback(  # type: ignore[no-untyped-call]
        """
        function(clicks) {
            var open = (clicks || 0) % 2 === 1;
            return [open ? 'app-header nav-open' : 'app-header', open ? 'true' : 'false'];
        }
        """,
        Output("app-header", "className"),
        Output("nav-toggle", "aria-expanded"),
        Input("nav-toggle", "n_clicks"),
    )
    app.clientside_callback(  # type: ignore[no-untyped-call]
        """
        function(clicks) {
            if (clicks) { window.print(); }
            return '';
        }
        """,
        Output("print-sink", "children"),
        Input("print-button", "n_clicks"),
        prevent_initial_call=True,
    )
