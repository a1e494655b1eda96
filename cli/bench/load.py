"""``seguiment bench load [--json]``: the app under load, in production shape.

For each data scale (the real plan, 10x and 100x services x indicators x quarters), in a
fresh PostgreSQL schema (dropped afterwards):

1. generate one CSV per service and quarter (2022-T1..2025-T4) and load it through the real
   import (``import_file``): import throughput in rows per second;
2. start gunicorn with several workers on loopback (``gunicorn.conf.py``, the production app
   plus one trivial callback), log a bench user in (the accounts API; a real session cookie
   and CSRF token, like a browser);
3. with N simulated viewers (1, 10, 50 threads, each with its own keep-alive connection),
   request the page (Dash's page-routing callback, which builds the whole page) a bounded
   number of times, and the same number of times the trivial callback (the floor) under the
   same load: p50/p95 of both and the ratio page p95 / floor p95.

4. (issue 19) the public side: every quarter but the last accepted, locked and published
   through the real functions, then N anonymous clients at once (200 by default) ask for the
   public overview ``/public`` and the API's ``GET /api/v1/status``, and the floor
   ``/healthz`` under the same load: p50/p95 of each and the ratio p95 / floor p95.

Targets (issue 8): at 10x and 50 viewers the page's p95 stays under 10x the floor; cost grows
no worse than linearly with the data (``growth``: p50 at 10x and 100x over p50 at 1x, to
compare with 10 and 100). A benchmark, not a test: it reports, it never fails on a figure.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from i18n import _
from plan_model.models import Indicator, IndicatorKind, Plan

if TYPE_CHECKING:
    from sqlalchemy import Engine

REPO_ROOT = Path(__file__).resolve().parents[2]
SCALES = {"1x": 1, "10x": 10, "100x": 100}
SCALE_ENV = "SEGUIMENT_BENCH_SCALE"
PAGES_OUTPUT = ".._pages_content.children..._pages_store.data.."
FLOOR_IN, FLOOR_OUT = "bench-floor-in", "bench-floor-out"
BENCH_USER = "bench-load"
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/test"


# --- data at scale ------------------------------------------------------------------------------


def scaled_plan(base: Plan, factor: int) -> Plan:
    """The real plan (1x), or ``factor`` times its indicators spread over its services."""
    if factor == 1:
        return base
    from indicators.demo.synthetic import synthetic_indicators, with_indicators

    numeric = sum(1 for i in base.indicators if i.kind == IndicatorKind.NUMERIC)
    milestones = len(base.indicators) - numeric
    services = [s.code for s in base.services]
    generated = synthetic_indicators(
        base, services[0], numeric=numeric * factor, milestones=milestones * factor
    )
    spread = [
        ind.model_copy(update={"responsible_service": services[k % len(services)]})
        for k, ind in enumerate(generated)
    ]
    return with_indicators(base, spread)


def _number(indicator: Indicator, year_index: int, quarter: int, rng: random.Random) -> str:
    base = indicator.baseline.value if indicator.baseline is not None else 50.0
    targets = [indicator.targets[y] for y in sorted(indicator.targets)] if indicator.targets else []
    target = targets[min(year_index, len(targets) - 1)] if targets else base * 1.1
    value = base + (target - base) * (year_index * 4 + quarter) / 16 * rng.uniform(0.85, 1.05)
    if indicator.bounds is not None:
        if indicator.bounds.min is not None:
            value = max(value, indicator.bounds.min)
        if indicator.bounds.max is not None:
            value = min(value, indicator.bounds.max)
    if indicator.integer:  # a count of persons, cases...: whole numbers only
        return str(round(value))
    return f"{value:.1f}".replace(".", ",")


def data_files(plan: Plan, seed: int = 8) -> list[tuple[str, str, bytes, int]]:
    """(service, period, CSV bytes, rows): one file per service and quarter, in time order."""
    from plan_model.periods import period_range

    rng = random.Random(seed)
    periods = period_range(plan.first_period, plan.last_period)
    stages = [s.name for s in plan.catalog.stages]
    by_service: dict[str, list[Indicator]] = {}
    for indicator in plan.indicators:
        by_service.setdefault(indicator.responsible_service, []).append(indicator)
    files = []
    for k, period in enumerate(periods):
        year_index = period.year - periods[0].year
        for service, indicators in sorted(by_service.items()):
            lines = ["Codi;Període;Valor;Comentari"]
            for indicator in indicators:
                if indicator.kind == IndicatorKind.MILESTONE:
                    value = stages[min(len(stages) - 1, k * len(stages) // len(periods))]
                else:
                    value = _number(indicator, year_index, period.quarter, rng)
                comment = "Dada revisada" if rng.random() < 0.05 else ""
                lines.append(f"{indicator.code};{period};{value};{comment}")
            content = ("\n".join(lines) + "\n").encode("utf-8")
            files.append((service, str(period), content, len(indicators)))
    return files


# --- the app as gunicorn runs it in the benchmark ----------------------------------------------


def bench_application() -> Any:
    """gunicorn entry (``cli.bench.load:bench_application()``): the production app with the
    plan at the scale named by ``SEGUIMENT_BENCH_SCALE`` and one trivial callback (the floor)."""
    from dash import Input, Output

    from app import create_app

    app = create_app()
    factor = int(os.environ.get(SCALE_ENV, "1"))
    if factor != 1:
        app.server.config["SEGUIMENT_PLAN"] = scaled_plan(
            app.server.config["SEGUIMENT_PLAN"], factor
        )

    @app.callback(Output(FLOOR_OUT, "children"), Input(FLOOR_IN, "value"))
    def _floor(value: Any) -> Any:
        return value

    return app.server


# --- HTTP load -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_server(database_url: str, factor: int, workers: int, log_dir: Path) -> Server:
    import requests

    port = _free_port()
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "ENVIRONMENT": "production",
            "SECRET_KEY": secrets.token_hex(32),
            SCALE_ENV: str(factor),
            "GUNICORN_ACCESS_LOG": "",
            "LOG_LEVEL": "warning",
            "WORKERS": str(workers),
            # as behind the production proxy: the client's address from X-Forwarded-For (the
            # public clients each send their own, so the API's rate limit counts each apart)
            "PROXY_FIX_HOPS": "1",
        }
    )
    log_path = log_dir / f"gunicorn-{factor}x.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(REPO_ROOT / "gunicorn.conf.py"),
                "--chdir",
                str(REPO_ROOT),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "cli.bench.load:bench_application()",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: see {log_path}")
        try:
            if requests.get(server.base_url + "/healthz", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer in time: see {log_path}")


def login(server: Server, username: str, password: str) -> None:
    """Log in like a browser: the login form's CSRF token, then the session and CSRF cookies.
    Without a login page (accounts not installed) requests go unauthenticated."""
    import re

    import requests

    session = requests.Session()
    origin = {"Origin": server.base_url}
    page = session.get(server.base_url + "/login", timeout=30)
    if page.status_code == 404:
        server.headers = origin
        return
    match = re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text) or re.search(
        r'value="([^"]+)"\s+name="csrf_token"', page.text
    )
    form = {
        "username": username,
        "password": password,
        "csrf_token": match.group(1) if match else "",
    }
    response = session.post(
        server.base_url + "/login", data=form, headers=origin, timeout=60, allow_redirects=True
    )
    if response.status_code >= 400:
        raise RuntimeError(f"bench login failed: HTTP {response.status_code}")
    server.cookies = {k: v for k, v in session.cookies.get_dict().items() if v is not None}
    token = server.cookies.get("_csrf_token", "")
    server.headers = {**origin, "X-CSRFToken": token} if token else origin


def page_payload(path: str) -> dict[str, Any]:
    return {
        "output": PAGES_OUTPUT,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


def floor_payload() -> dict[str, Any]:
    return {
        "output": f"{FLOOR_OUT}.children",
        "outputs": {"id": FLOOR_OUT, "property": "children"},
        "inputs": [{"id": FLOOR_IN, "property": "value", "value": "hola"}],
        "changedPropIds": [f"{FLOOR_IN}.value"],
        "state": [],
    }


def check_page(server: Server, payload: dict[str, Any]) -> int:
    """One request before measuring: the page must really be built (its size is reported)."""
    import requests

    response = requests.post(
        server.base_url + "/_dash-update-component",
        json=payload,
        headers=server.headers,
        cookies=server.cookies,
        timeout=300,
    )
    if response.status_code != 200 or "_pages_content" not in response.text:
        raise RuntimeError(
            f"the page does not answer: HTTP {response.status_code} {response.text[:300]}"
        )
    return len(response.content)


def cold_samples(
    server: Server, database_url: str, payload: dict[str, Any], count: int
) -> list[float]:
    """The page right after an import: bump the data generation (what every import does, so
    every worker's caches are stale), then time one request; ``count`` times."""
    import requests
    from sqlalchemy import text

    from indicators.storage.engine import make_engine

    engine = make_engine(database_url)
    times = []
    try:
        for _round in range(count):
            with engine.begin() as conn:
                conn.execute(text("UPDATE data_generation SET generation = generation + 1"))
            started = time.perf_counter()
            response = requests.post(
                server.base_url + "/_dash-update-component",
                json=payload,
                headers=server.headers,
                cookies=server.cookies,
                timeout=300,
            )
            if response.status_code == 200:
                times.append(time.perf_counter() - started)
    finally:
        engine.dispose()
    return times


@dataclass
class LoadResult:
    times: list[float]
    errors: int

    def quantile(self, q: float) -> float:
        if not self.times:
            return math.nan
        ordered = sorted(self.times)
        index = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
        return ordered[index]


def run_viewers(
    viewers: int, per_viewer: int, time_cap: float, send: Callable[[Any], bool], warm: bool = True
) -> LoadResult:
    """``viewers`` threads, each its own keep-alive session, ``per_viewer`` requests each
    (fewer if ``time_cap`` seconds pass), all starting together; ``send(session)`` makes one
    request and says whether it succeeded."""
    import requests

    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(viewers)
    deadline = [0.0]

    def viewer() -> None:
        session = requests.Session()
        try:
            barrier.wait(timeout=120)
        except threading.BrokenBarrierError:
            return
        with lock:
            if not deadline[0]:
                deadline[0] = time.perf_counter() + time_cap
        for _request in range(per_viewer):
            if time.perf_counter() > deadline[0]:
                break
            started = time.perf_counter()
            try:
                ok = send(session)
            except requests.RequestException:
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    times.append(elapsed)
                else:
                    errors[0] += 1
        session.close()

    threads = [threading.Thread(target=viewer, daemon=True) for _ in range(viewers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return LoadResult(times, errors[0])


def load(
    server: Server, payload: dict[str, Any], viewers: int, per_viewer: int, time_cap: float
) -> LoadResult:
    """The Dash callback ``payload`` (the page, or the floor) under ``viewers``: a logged-in
    session each (see :func:`run_viewers`)."""
    body = json.dumps(payload)
    headers = {**server.headers, "Content-Type": "application/json"}
    url = server.base_url + "/_dash-update-component"

    def send(session: Any) -> bool:
        session.cookies.update(server.cookies)
        return bool(session.post(url, data=body, headers=headers, timeout=120).status_code == 200)

    return run_viewers(viewers, per_viewer, time_cap, send)


def load_get(
    server: Server, path: str, viewers: int, per_viewer: int, time_cap: float
) -> LoadResult:
    """Anonymous ``GET path`` under ``viewers`` (the public side: no session, no cookie), each
    viewer from an address of its own (``X-Forwarded-For``, read as behind the proxy)."""
    url = server.base_url + path
    addresses = itertools.count(1)

    def send(session: Any) -> bool:
        if "X-Forwarded-For" not in session.headers:
            n = next(addresses)
            session.headers["X-Forwarded-For"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        return bool(session.get(url, timeout=120).status_code == 200)

    return run_viewers(viewers, per_viewer, time_cap, send)


# --- the public side (issue 19) ----------------------------------------------------------------

PUBLIC_TARGETS = ("/public", "/api/v1/status")
FLOOR_PATH = "/healthz"


def publish_all_but_last(engine: Engine, plan: Plan) -> list[str]:
    """Accept every delivery, then lock and publish every quarter but the last, through the
    real approval and publication functions: the published quarters."""
    from accounts import approvals, publications
    from accounts.roles import Actor
    from indicators.storage.queries import submissions_frame

    operator = Actor.operator("bench")
    subs = submissions_frame(engine)
    current = subs[subs["status"] == "current"]
    periods = sorted(set(current["period"].astype(str)))[:-1]
    for period in periods:
        for service in sorted(set(current[current["period"] == period]["service"].astype(str))):
            approvals.validate(engine, service, period, by=operator)
            approvals.approve(engine, service, period, by=operator)
        approvals.lock_period(engine, period, by=operator, reason="bench")
        publications.publish_period(engine, period, by=operator)
    return periods


def _public_row(
    label: str, viewers: int, path: str, result: LoadResult, floor: LoadResult
) -> dict[str, Any]:
    p95, floor_p95 = result.quantile(0.95), floor.quantile(0.95)
    return {
        "scale": label,
        "viewers": viewers,
        "path": path,
        "requests": len(result.times),
        "errors": result.errors,
        "p50_s": round(result.quantile(0.5), 5),
        "p95_s": round(p95, 5),
        "floor_p50_s": round(floor.quantile(0.5), 5),
        "floor_p95_s": round(floor_p95, 5),
        "ratio": round(p95 / floor_p95, 2) if floor_p95 > 0 else None,
    }


def measure_public(
    server: Server, label: str, args: argparse.Namespace, say: Callable[[str], None]
) -> tuple[list[dict[str, Any]], int]:
    """For each number of anonymous clients: the floor (``/healthz``), then each public
    target under the same load (after one warm-up round per worker)."""
    rows_out: list[dict[str, Any]] = []
    errors = 0
    for path in PUBLIC_TARGETS:  # warm: every worker computes the published figures once
        load_get(server, path, args.workers * 2, 2, max(args.time_cap, 300.0))
    for viewers in args.public_viewers:
        per_viewer = max(2, math.ceil(args.public_requests / viewers))
        say(_("{scale}: {viewers} public clients...", scale=label, viewers=viewers))
        floor = load_get(server, FLOOR_PATH, viewers, per_viewer, args.time_cap)
        errors += floor.errors
        for path in PUBLIC_TARGETS:
            result = load_get(server, path, viewers, per_viewer, args.time_cap)
            errors += result.errors
            rows_out.append(_public_row(label, viewers, path, result, floor))
    return rows_out, errors


# --- one scale ---------------------------------------------------------------------------------


def _schema_url(base: str, schema: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(base)
    query = dict(parsed.query)
    query["options"] = f"-csearch_path={schema}"
    return parsed.set(query=query).render_as_string(hide_password=False)


@contextmanager
def _bench_schema(database_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema, dropped afterwards: yields the URL that works inside it."""
    from sqlalchemy import text

    from indicators.storage.engine import make_engine

    schema = f"bench_load_{uuid.uuid4().hex[:10]}"
    admin = make_engine(database_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _schema_url(database_url, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _import_all(
    engine: Engine, plan: Plan, label: str, say: Callable[[str], None]
) -> dict[str, Any]:
    """Import every generated file through the real import: the import throughput."""
    from indicators.intake.importer import import_file

    files = data_files(plan)
    say(
        _(
            "{scale}: importing {files} files, {rows} rows...",
            scale=label,
            files=len(files),
            rows=sum(f[3] for f in files),
        )
    )
    started = time.perf_counter()
    rows = 0
    for service, period, content, _count in files:
        result = import_file(
            engine,
            plan,
            filename=f"{service}_{period}.csv",
            content=content,
            user="bench",
            service=service,
            period=period,
            source="cli",
        )
        if result.status != "ok":
            raise RuntimeError(
                f"bench import rejected {service} {period}: "
                f"{[e.message for e in result.errors][:3]}"
            )
        rows += len(result.values)
    seconds = time.perf_counter() - started
    return {
        "scale": label,
        "files": len(files),
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds, 1),
    }


def _cold_and_warm_up(
    server: Server,
    url: str,
    page: dict[str, Any],
    floor: dict[str, Any],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """The page right after an import (first, as it leaves most workers' caches stale) and the
    floor cold, then a warm-up: more concurrent requests than workers, so every worker (a busy
    sync worker accepts nothing else) builds the page for the current data generation once."""
    cold = cold_samples(server, url, page, args.cold)
    cold_floor = load(server, floor, 1, max(3, args.cold), args.time_cap)
    load(server, page, args.workers * 2, 2, max(args.time_cap, 300.0))
    load(server, floor, args.workers * 2, 2, args.time_cap)
    return {
        "cold_page_p50_s": round(statistics.median(cold), 4) if cold else None,
        "cold_page_max_s": round(max(cold), 4) if cold else None,
        "floor_p50_s": round(cold_floor.quantile(0.5), 5),
    }


def _viewer_row(
    label: str, viewers: int, page_bytes: int, page_result: LoadResult, floor_result: LoadResult
) -> dict[str, Any]:
    """One line of the table: the page's and the floor's p50/p95 under ``viewers``."""
    p95, floor_p95 = page_result.quantile(0.95), floor_result.quantile(0.95)
    return {
        "scale": label,
        "viewers": viewers,
        "requests": len(page_result.times),
        "page_bytes": page_bytes,
        "errors": page_result.errors + floor_result.errors,
        "p50_s": round(page_result.quantile(0.5), 5),
        "p95_s": round(p95, 5),
        "floor_p50_s": round(floor_result.quantile(0.5), 5),
        "floor_p95_s": round(floor_p95, 5),
        "ratio": round(p95 / floor_p95, 2) if floor_p95 > 0 else None,
    }


def _measure_viewers(
    server: Server,
    label: str,
    args: argparse.Namespace,
    payloads: tuple[dict[str, Any], dict[str, Any], int],
    say: Callable[[str], None],
) -> tuple[list[dict[str, Any]], int]:
    """For each number of viewers, the floor then the page under the same load: the rows and
    the failed requests."""
    page, floor, page_bytes = payloads
    rows_out = []
    errors = 0
    for viewers in args.viewers:
        per_viewer = max(2, math.ceil(args.requests / viewers))
        say(_("{scale}: {viewers} viewers...", scale=label, viewers=viewers))
        floor_result = load(server, floor, viewers, per_viewer, args.time_cap)
        page_result = load(server, page, viewers, per_viewer, args.time_cap)
        errors += floor_result.errors + page_result.errors
        rows_out.append(_viewer_row(label, viewers, page_bytes, page_result, floor_result))
    return rows_out, errors


def run_scale(
    label: str,
    factor: int,
    args: argparse.Namespace,
    base_plan: Plan,
    log_dir: Path,
    say: Callable[[str], None],
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], int]:
    """One data scale in its own schema: the imports, then the served page cold and under load,
    then the public side. Returns (import and cold figures, one row per number of viewers,
    one row per public target and number of clients, failed requests)."""
    from accounts.users import create_user
    from indicators.storage.engine import make_engine
    from indicators.storage.migrate import upgrade

    plan = scaled_plan(base_plan, factor)
    with _bench_schema(args.database_url) as url:
        upgrade(url)
        engine = make_engine(url)
        imports = _import_all(engine, plan, label, say)
        password = secrets.token_urlsafe(16)
        create_user(engine, BENCH_USER, password, "consulta")
        imports["published"] = len(publish_all_but_last(engine, plan))
        engine.dispose()
        server = start_server(url, factor, args.workers, log_dir)
        try:
            login(server, BENCH_USER, password)
            page, floor = page_payload(args.page), floor_payload()
            page_bytes = check_page(server, page)
            imports.update(_cold_and_warm_up(server, url, page, floor, args))
            rows_out, errors = _measure_viewers(server, label, args, (page, floor, page_bytes), say)
            public_rows, public_errors = measure_public(server, label, args, say)
            return imports, rows_out, public_rows, errors + public_errors
        finally:
            server.stop()


# --- the command -------------------------------------------------------------------------------


def _machine() -> dict[str, Any]:
    memory = None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "memory_gib": memory, "python": sys.version.split()[0]}


def _csv_ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("Print one JSON object."))
    parser.add_argument("--workers", type=int, default=4, help=_("gunicorn workers."))
    parser.add_argument(
        "--scales", default="1x,10x,100x", help=_("Data scales to measure (default: 1x,10x,100x).")
    )
    parser.add_argument(
        "--viewers",
        type=_csv_ints,
        default=[1, 10, 50],
        help=_("Simulated viewers (default: 1,10,50)."),
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=150,
        help=_("Requests per measurement (shared by the viewers)."),
    )
    parser.add_argument(
        "--time-cap", type=float, default=45.0, help=_("Seconds at most per measurement.")
    )
    parser.add_argument(
        "--cold",
        type=int,
        default=5,
        help=_("Page requests right after an import (caches stale), per scale."),
    )
    parser.add_argument(
        "--public-viewers",
        type=_csv_ints,
        default=[200],
        help=_("Anonymous clients at once on /public and /api/v1/status (default: 200)."),
    )
    parser.add_argument(
        "--public-requests",
        type=int,
        default=600,
        help=_("Requests per public measurement (shared by the clients)."),
    )
    parser.add_argument("--page", default="/", help=_("The page measured (default: the overview)."))
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL")
        or os.environ.get("TEST_DATABASE_URL")
        or DEFAULT_DB,
        help=_("PostgreSQL server for the benchmark schemas (dropped afterwards)."),
    )


def run(args: argparse.Namespace) -> int:
    from plan_model.loader import load_plan
    from settings import get_settings

    scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    unknown = [s for s in scales if s not in SCALES]
    if unknown or not args.database_url.startswith("postgresql"):
        print(_("Scales are 1x, 10x, 100x and the database must be PostgreSQL."), file=sys.stderr)
        return 2

    def say(message: str) -> None:
        if not args.json:
            print(message, file=sys.stderr, flush=True)

    base_plan = load_plan(get_settings().plan_path)
    imports: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    public_rows: list[dict[str, Any]] = []
    errors = 0
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        for label in scales:
            scale_imports, scale_rows, scale_public, scale_errors = run_scale(
                label, SCALES[label], args, base_plan, Path(tmp), say
            )
            imports.append(scale_imports)
            rows.extend(scale_rows)
            public_rows.extend(scale_public)
            errors += scale_errors
    result = summarise(args, imports, rows, errors)
    result["public"] = public_rows
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_table(result)
    return 0 if errors == 0 else 1


def summarise(
    args: argparse.Namespace, imports: list[dict[str, Any]], rows: list[dict[str, Any]], errors: int
) -> dict[str, Any]:
    total_rows = sum(i["rows"] for i in imports)
    total_seconds = sum(i["seconds"] for i in imports)
    by = {(r["scale"], r["viewers"]): r for r in rows}
    most = max(args.viewers)
    growth: dict[str, float] = {}
    base = by.get(("1x", most))
    for label in ("10x", "100x"):
        row = by.get((label, most))
        if base and row and base["p50_s"] > 0:
            growth[label] = round(row["p50_s"] / base["p50_s"], 2)
    cold: dict[str, float] = {
        i["scale"]: i["cold_page_p50_s"] for i in imports if i.get("cold_page_p50_s")
    }
    cold_growth: dict[str, float] = {
        label: round(cold[label] / cold["1x"], 2)
        for label in ("10x", "100x")
        if label in cold and "1x" in cold
    }
    target_row = by.get(("10x", 50))
    return {
        "workers": args.workers,
        "page": args.page,
        "database": "postgresql",
        "machine": _machine(),
        "rows": rows,
        "imports": imports,
        "import_rows_per_s": round(total_rows / total_seconds, 1) if total_seconds else None,
        "growth_p50_vs_1x": growth,
        "growth_cold_vs_1x": cold_growth,
        "errors": errors,
        "targets": {
            "p95_under_10x_floor_at_10x_50_viewers": target_row["ratio"] < 10
            if target_row and target_row["ratio"]
            else None,
            "growth_no_worse_than_linear": all(
                g[k] <= SCALES[k] for g in (growth, cold_growth) for k in g
            )
            if growth or cold_growth
            else None,
        },
    }


def print_table(result: dict[str, Any]) -> None:
    print(
        _(
            "Load benchmark: {workers} gunicorn workers, PostgreSQL, page {page}",
            workers=result["workers"],
            page=result["page"],
        )
    )
    print(f"{'scale':>6} {'viewers':>8} {'p50 s':>9} {'p95 s':>9} {'floor p95':>10} {'ratio':>7}")
    for r in result["rows"]:
        print(
            f"{r['scale']:>6} {r['viewers']:>8} {r['p50_s']:>9.4f} {r['p95_s']:>9.4f} "
            f"{r['floor_p95_s']:>10.4f} {r['ratio']!s:>7}"
        )
    print_public(result.get("public", []))
    for i in result["imports"]:
        print(
            _(
                "import {scale}: {rows} rows in {seconds} s ({rate} rows/s)",
                scale=i["scale"],
                rows=i["rows"],
                seconds=i["seconds"],
                rate=i["rows_per_s"],
            )
        )
        print(
            _(
                "page right after an import, {scale}: p50 {cold} s (floor {floor} s)",
                scale=i["scale"],
                cold=i.get("cold_page_p50_s"),
                floor=i.get("floor_p50_s"),
            )
        )
    print(
        _(
            "growth of p50 against 1x: {growth}; targets: {targets}",
            growth={"warm": result["growth_p50_vs_1x"], "cold": result["growth_cold_vs_1x"]},
            targets=result["targets"],
        )
    )


def print_public(rows: list[dict[str, Any]]) -> None:
    """The public side's table: each target's p50/p95 against the same run's floor."""
    if not rows:
        return
    print(_("Public side (anonymous clients; floor: /healthz under the same load)"))
    print(
        f"{'scale':>6} {'clients':>8} {'path':<16} {'p50 s':>9} {'p95 s':>9} "
        f"{'floor p95':>10} {'ratio':>7} {'errors':>7}"
    )
    for r in rows:
        print(
            f"{r['scale']:>6} {r['viewers']:>8} {r['path']:<16} {r['p50_s']:>9.4f} "
            f"{r['p95_s']:>9.4f} {r['floor_p95_s']:>10.4f} {r['ratio']!s:>7} {r['errors']:>7}"
        )
