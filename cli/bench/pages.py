"""``seguiment bench pages [--json]``: how fast the dashboard's pages answer, against a floor.

For each scale — the real catalog ("1x": 16 quarters of values for every service) and the
catalog with services and indicators replicated ten times ("10x") — the benchmark builds a
temporary SQLite database, starts the real app (login, roles, CSRF included) on a loopback
port and times, over HTTP, the callback that renders each page (the Dash Pages router: one
round trip per page):

- warm: the same page again (caches filled);
- cold: caches cleared first (the status engine's results, the page cache), as in every
  worker right after an import;
- the floor: a trivial Dash callback (returns its input) on the same app, in the same run,
  interleaved with the page requests.

Ratios are p95 / floor p95. Then, in headless Chromium (Debian's, never downloaded), the time
until the overview has fully rendered (every chart drawn) against a one-graph hello-world Dash
page served the same way: ``render_ratio``. Targets (issue 5): warm < 3x, cold < 15x at 1x
and < 30x at 10x, render < 3x.

And the first visit (issue 16): the overview and a lever page opened with an empty browser
cache (logged in, then the cache cleared), the bytes over the wire (every response, headers
included, as compressed on the wire: Chromium's ``encodedDataLength``) and the time until the
page is fully drawn (charts and grid), with what it waited for (requests, the callbacks fired
until drawn and their server time): ``first_visit``. Targets: under 1.5 MB and 0.6 s on
loopback. The figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cli._common import load_configured_plan, print_json
from i18n import _, format_number

PAGES: list[tuple[str, str, str]] = [
    # page name, pathname, search
    ("overview", "/", ""),
    ("lever", "/palanca/3", ""),
    ("objective", "/objectiu/P3.07", ""),
    ("submissions", "/lliuraments", ""),
    ("changes", "/canvis", ""),
]
SCALES = (("1x", 1), ("10x", 10))
FIRST_VISIT_PAGES = (("overview", "/"), ("lever", "/palanca/3"))
FIRST_VISIT_TARGETS = {"bytes": 1_500_000, "drawn_s": 0.6}
FULLY_DRAWN = (
    "() => !!document.querySelector('#main-content h1')"
    " && !document.querySelector('[data-dash-is-loading=\"true\"]')"
    " && Array.from(document.querySelectorAll('figure.chart'))"
    "     .every(el => el.querySelector('.main-svg'))"
    " && Array.from(document.querySelectorAll('.objective-grid'))"
    "     .every(el => el.querySelector('.ag-row'))"
)
BENCH_USER = "bench-consulta"
BENCH_PASSWORD = "bench password 1234"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("print one JSON object"))
    parser.add_argument("--warm", type=int, default=40, help=_("warm samples per page"))
    parser.add_argument("--cold", type=int, default=8, help=_("cold samples per page"))
    parser.add_argument(
        "--renders",
        type=int,
        default=5,
        help=_("browser renders of each page (overview, hello world)"),
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help=_("skip the browser part (render_ratio is then null)"),
    )


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


# ---- data ---------------------------------------------------------------------------------


def _fill(url: str, plan: Any) -> int:
    """16 quarters of synthetic values for every indicator, stored per service and quarter
    through the import pipeline's store (one submission each, as an import would)."""
    from cli.bench.status import synthetic_values
    from indicators.intake.validate import ParsedValue
    from indicators.storage.engine import get_engine
    from indicators.storage.migrate import upgrade
    from indicators.storage.store import store
    from plan_model.periods import Period

    upgrade(url)
    engine = get_engine(url)
    frame = synthetic_values(plan)
    service_of = {i.code: i.responsible_service for i in plan.indicators}
    frame["service"] = frame["indicator"].map(service_of)
    count = 0
    for (service, period), rows in frame.groupby(["service", "period"], sort=True):
        values = [
            ParsedValue(
                str(r.indicator),
                str(period),
                str(r.stage) if isinstance(r.stage, str) else float(str(r.value)),
                None,
                "Dades",
                i + 2,
                "E",
            )
            for i, r in enumerate(rows.itertuples())
        ]
        quarter = Period.parse(str(period))
        uploaded = dt.datetime.combine(
            quarter.end + dt.timedelta(days=12), dt.time(10), tzinfo=dt.UTC
        )
        store(
            engine,
            service=str(service),
            period=str(period),
            filename=f"{service}_{period}.xlsx",
            content=f"{service}{period}".encode(),
            user="bench",
            source="cli",
            values=values,
            warnings=[],
            uploaded_at=uploaded,
        )
        count += len(values)
    return count


# ---- servers ------------------------------------------------------------------------------


@contextmanager
def serving(wsgi_app: Any) -> Iterator[str]:
    """Serve ``wsgi_app`` on a free loopback port in a thread; yields the base URL."""
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _make_app(url: str, plan: Any) -> Any:
    from dash import Input, Output

    from accounts.users import create_user
    from app import create_app
    from indicators.storage.engine import get_engine
    from settings import Settings

    app = create_app(Settings(database_url=url, environment="test", secret_key="bench-" + "k" * 40))
    app.server.config["SEGUIMENT_PLAN"] = plan
    app.callback(Output("bench-floor-out", "children"), Input("bench-floor-in", "value"))(
        lambda value: value
    )
    create_user(get_engine(url), BENCH_USER, BENCH_PASSWORD, "consulta", [])
    return app


def _session(base: str) -> Any:
    """A requests session logged in through the real login form (CSRF header set)."""
    import requests

    http = requests.Session()
    http.headers["Origin"] = base
    page = http.get(base + "/login", timeout=60).text
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    token = match.group(1) if match else ""
    answer = http.post(
        base + "/login",
        data={"username": BENCH_USER, "password": BENCH_PASSWORD, "csrf_token": token, "next": "/"},
        allow_redirects=False,
        timeout=60,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"bench login failed: {answer.status_code}")
    http.headers["X-CSRFToken"] = http.cookies.get("_csrf_token") or ""
    http.get(base + "/", timeout=60)  # first page load: Dash registers the pages router
    return http


def _bodies(app: Any) -> tuple[str, dict[str, Any]]:
    router = next(k for k in app.callback_map if "_pages_content.children" in k)
    floor = {
        "output": "bench-floor-out.children",
        "outputs": {"id": "bench-floor-out", "property": "children"},
        "inputs": [{"id": "bench-floor-in", "property": "value", "value": "x"}],
        "changedPropIds": ["bench-floor-in.value"],
        "state": [],
    }
    return router, floor


def _router_body(output: str, pathname: str, search: str) -> dict[str, Any]:
    return {
        "output": output,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


def _timed_post(http: Any, url: str, body: dict[str, Any]) -> float:
    started = time.perf_counter()
    answer = http.post(url, json=body, timeout=300)
    elapsed = time.perf_counter() - started
    if answer.status_code != 200:
        raise RuntimeError(f"{body.get('inputs')}: HTTP {answer.status_code} {answer.text[:300]}")
    return elapsed


def measure_scale(
    label: str, plan: Any, warm: int, cold: int, progress: Callable[[str], None]
) -> tuple[list[dict[str, Any]], list[float]]:
    from indicators.reporting import dashboard_data
    from layouts.shell import page_cache

    rows: list[dict[str, Any]] = []
    floor: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        values = _fill(url, plan)
        progress(
            _(
                "{scale}: {values} values stored",
                scale=label,
                values=format_number(values, decimals=0),
            )
        )
        app = _make_app(url, plan)
        cache = page_cache(app)

        def clear() -> None:
            dashboard_data.clear_caches()
            if cache is not None:
                cache.clear()

        with serving(app.server) as base:
            http = _session(base)
            endpoint = base + "/_dash-update-component"
            router, floor_body = _bodies(app)
            for _i in range(20):  # warm up the connection and the floor
                _timed_post(http, endpoint, floor_body)
            objective = _busiest_objective(plan)
            for name, pathname, search in PAGES:
                if name == "objective":
                    pathname = f"/objectiu/{objective}"
                body = _router_body(router, pathname, search)
                cold_s = []
                for _i in range(cold):
                    clear()
                    cold_s.append(_timed_post(http, endpoint, body))
                    floor.append(_timed_post(http, endpoint, floor_body))
                warm_s = []
                _timed_post(http, endpoint, body)
                for _i in range(warm):
                    warm_s.append(_timed_post(http, endpoint, body))
                    floor.append(_timed_post(http, endpoint, floor_body))
                rows.append(
                    {
                        "page": name,
                        "scale": label,
                        "path": pathname,
                        "warm_p95_s": p95(warm_s),
                        "cold_p95_s": p95(cold_s),
                        "warm_median_s": statistics.median(warm_s),
                        "cold_median_s": statistics.median(cold_s),
                    }
                )
                progress(
                    _(
                        "{scale} {page}: warm p95 {warm} ms, cold p95 {cold} ms",
                        scale=label,
                        page=name,
                        warm=format_number(p95(warm_s) * 1000, decimals=1),
                        cold=format_number(p95(cold_s) * 1000, decimals=1),
                    )
                )
            http.close()
    clear()
    floor_p95 = p95(floor)
    for row in rows:
        row["floor_p95_s"] = floor_p95
        row["warm_ratio"] = row["warm_p95_s"] / floor_p95
        row["cold_ratio"] = row["cold_p95_s"] / floor_p95
    return rows, floor


def _busiest_objective(plan: Any) -> str:
    counts: dict[str, int] = {}
    for ind in plan.indicators:
        if ind.objective_code.startswith("P3."):
            counts[ind.objective_code] = counts.get(ind.objective_code, 0) + 1
    return "P3.07" if counts.get("P3.07") else max(counts, key=lambda c: counts[c])


# ---- browser ------------------------------------------------------------------------------


def _hello_app() -> Any:
    from dash import Dash, dcc, html

    hello = Dash(__name__ + ".hello", assets_folder=tempfile.mkdtemp(prefix="hello-assets-"))
    hello.layout = html.Div(
        [
            html.H1("Hello"),
            dcc.Graph(
                id="hello-graph",
                figure={
                    "data": [{"type": "scatter", "x": [1, 2, 3], "y": [1, 3, 2]}],
                    "layout": {"height": 300},
                },
            ),
        ]
    )
    return hello


class _Waterfall:
    """What a first visit fetched, from Chromium's network events (DevTools protocol): the
    bytes of every response (``encodedDataLength``), the number of requests, and the Dash
    callbacks (``_dash-update-component``) with their server time (headers received minus
    request sent: on loopback, the time the app took)."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self.requests = 0
        self.callbacks: dict[str, float] = {}

    def sent(self, event: dict[str, Any]) -> None:
        self.requests += 1
        if "_dash-update-component" in event["request"]["url"]:
            self.callbacks[event["requestId"]] = 0.0

    def answered(self, event: dict[str, Any]) -> None:
        timing = event["response"].get("timing") or {}
        if event["requestId"] in self.callbacks and timing:
            waited = timing.get("receiveHeadersEnd", 0.0) - timing.get("sendEnd", 0.0)
            self.callbacks[event["requestId"]] = max(0.0, waited) / 1000

    def finished(self, event: dict[str, Any]) -> None:
        self.received.append(event["encodedDataLength"])


def first_visit(page: Any, target: str) -> dict[str, Any]:
    """Open ``target`` in ``page`` with the browser cache emptied: bytes over the wire,
    seconds until fully drawn, requests, and the callbacks fired until then (count, server
    time). Counted by Chromium's network events (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    cdp.send("Network.clearBrowserCache")
    waterfall = _Waterfall()
    cdp.on("Network.requestWillBeSent", waterfall.sent)
    cdp.on("Network.responseReceived", waterfall.answered)
    cdp.on("Network.loadingFinished", waterfall.finished)
    started = time.perf_counter()
    page.goto(target)
    page.wait_for_function(FULLY_DRAWN, timeout=120_000, polling=10)
    drawn = time.perf_counter() - started
    callbacks = dict(waterfall.callbacks)
    page.wait_for_load_state("networkidle")  # late requests (fonts, async chunks) count too
    cdp.detach()
    return {
        "bytes": int(sum(waterfall.received)),
        "drawn_s": drawn,
        "requests": waterfall.requests,
        "callbacks": len(callbacks),
        "callbacks_server_s": sum(callbacks.values()),
    }


def measure_first_visits(base: str, browser: Any, renders: int) -> list[dict[str, Any]]:
    """Each page of ``FIRST_VISIT_PAGES`` ``renders`` times, each time in a fresh browser
    context (logged in) whose cache is emptied first; medians per page."""
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name, _path in FIRST_VISIT_PAGES}
    for _i in range(max(1, renders)):
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.goto(base + "/login")
        page.fill("#username", BENCH_USER)
        page.fill("#password", BENCH_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_function(FULLY_DRAWN, timeout=120_000)
        page.goto("about:blank")
        for name, path in FIRST_VISIT_PAGES:
            samples[name].append(first_visit(page, base + path))
        context.close()
    return [
        {
            "page": name,
            "path": path,
            "bytes": int(statistics.median(v["bytes"] for v in samples[name])),
            "drawn_s": statistics.median(v["drawn_s"] for v in samples[name]),
            "requests": int(statistics.median(v["requests"] for v in samples[name])),
            "callbacks": int(statistics.median(v["callbacks"] for v in samples[name])),
            "callbacks_server_s": statistics.median(v["callbacks_server_s"] for v in samples[name]),
        }
        for name, path in FIRST_VISIT_PAGES
    ]


def measure_render(
    plan: Any, renders: int, progress: Callable[[str], None]
) -> dict[str, Any] | None:
    chromium = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        progress(_("Chromium not found at {path}: render ratio skipped", path=chromium))
        return None
    from playwright.sync_api import sync_playwright

    drawn = (
        "() => document.querySelectorAll('.lever-card').length >= 5"
        " && !document.querySelector('[data-dash-is-loading=\"true\"]')"
        " && Array.from(document.querySelectorAll('figure.chart'))"
        "     .every(el => el.querySelector('.main-svg'))"
    )
    hello_drawn = "() => !!document.querySelector('#hello-graph .main-svg')"
    with tempfile.TemporaryDirectory(prefix="bench-render-") as folder:
        url = f"sqlite:///{Path(folder) / 'render.db'}"
        _fill(url, plan)
        app = _make_app(url, plan)
        hello = _hello_app()
        with (
            serving(app.server) as base,
            serving(hello.server) as hello_base,
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            page = context.new_page()
            page.goto(base + "/login")
            page.fill("#username", BENCH_USER)
            page.fill("#password", BENCH_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_function(drawn, timeout=120_000)

            def load(target: str, condition: str) -> float:
                started = time.perf_counter()
                page.goto(target)
                page.wait_for_function(condition, timeout=120_000)
                return time.perf_counter() - started

            load(hello_base + "/", hello_drawn)  # warm both (browser cache, server caches)
            load(base + "/", drawn)
            overview, hello_s = [], []
            for _i in range(renders):
                hello_s.append(load(hello_base + "/", hello_drawn))
                overview.append(load(base + "/", drawn))
            visits = measure_first_visits(base, browser, renders)
            browser.close()
    result: dict[str, Any] = {
        "overview_render_s": statistics.median(overview),
        "hello_render_s": statistics.median(hello_s),
        "first_visit": visits,
    }
    result["render_ratio"] = result["overview_render_s"] / result["hello_render_s"]
    progress(
        _(
            "render: overview {overview} s, hello world {hello} s",
            overview=format_number(result["overview_render_s"], decimals=2),
            hello=format_number(result["hello_render_s"], decimals=2),
        )
    )
    for visit in visits:
        progress(_first_visit_line(visit))
    return result


def _first_visit_line(visit: dict[str, Any]) -> str:
    line = _(
        "first visit, empty cache: {page} {mb} MB over the wire, fully drawn in {seconds} s",
        page=visit["page"],
        mb=format_number(visit["bytes"] / 1_000_000, decimals=2),
        seconds=format_number(visit["drawn_s"], decimals=2),
    )
    waited = _(
        "{requests} requests, {callbacks} callbacks until drawn ({server} s in the server)",
        requests=visit["requests"],
        callbacks=visit["callbacks"],
        server=format_number(visit["callbacks_server_s"], decimals=2),
    )
    return f"{line}; {waited}"


def measure(
    warm: int, cold: int, renders: int, browser: bool, progress: Callable[[str], None]
) -> dict[str, Any]:
    from cli.bench.status import scaled_plan

    plan = load_configured_plan()
    pages: list[dict[str, Any]] = []
    floors: list[float] = []
    for label, factor in SCALES:
        rows, floor = measure_scale(label, scaled_plan(plan, factor), warm, cold, progress)
        pages += rows
        floors += floor
    render = measure_render(plan, renders, progress) if browser else None
    return {
        "floor_p95_s": p95(floors),
        "floor_median_s": statistics.median(floors),
        "pages": pages,
        "render_ratio": render["render_ratio"] if render else None,
        "render": render,
        "first_visit": render["first_visit"] if render else None,
        "samples": {"warm": warm, "cold": cold, "renders": renders},
        "targets": {"warm_ratio": 3, "cold_ratio_1x": 15, "cold_ratio_10x": 30, "render_ratio": 3},
        "first_visit_targets": FIRST_VISIT_TARGETS,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }


def run(args: argparse.Namespace) -> int:
    def progress(message: str) -> None:
        if not args.json:
            print(message, flush=True)

    result = measure(args.warm, args.cold, args.renders, not args.no_browser, progress)
    if args.json:
        print_json(result)
        return 0
    print(
        _(
            "Floor (trivial callback) p95: {ms} ms",
            ms=format_number(result["floor_p95_s"] * 1000, decimals=2),
        )
    )
    for row in result["pages"]:
        print(
            _(
                "  {page} {scale}: warm {warm}x, cold {cold}x the floor",
                page=row["page"],
                scale=row["scale"],
                warm=format_number(row["warm_ratio"], decimals=1),
                cold=format_number(row["cold_ratio"], decimals=1),
            )
        )
    if result["render_ratio"] is not None:
        print(
            _(
                "Overview render: {ratio}x the hello-world page",
                ratio=format_number(result["render_ratio"], decimals=2),
            )
        )
    for visit in result["first_visit"] or []:
        print("  " + _first_visit_line(visit))
    return 0
