"""The breakdown pages in the browser (issue 14, item 6): ``seguiment serve`` on the tiny plan
with breakdowns (``tests/fixtures/breakdowns/plan``) and its sample values
(``tests.helpers.territory_data``). ``/territori`` shows the engine's figures (each ABSS,
the comarca: the ratio of the sums), highlights ``?abss=``, passes axe-core and fits a phone
(its table scrolls inside its box); the objective page draws its charts by ABSS and by sex;
the overview narrowed to one ABSS says so. Screenshots of ``/territori`` at 1366x768 and
390x844 go to ``/tmp/shots/territori_*.png``."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import BIN, REPO, LiveServer, _free_port
from conftest import _seguiment as seguiment
from test_dashboard_e2e import PageWatch, open_page, serious_violations
from test_responsive import DRAWN, WIDEST

from i18n import format_number
from indicators.reporting import dashboard_data, territory
from indicators.storage.engine import make_engine
from plan_model.periods import Period
from tests.helpers.breakdown_plan import PLAN_FILE, breakdown_plan
from tests.helpers.browser_login import create_account, login
from tests.helpers.territory_data import QUARTER, load_territory_sample

SHOTS = Path("/tmp/shots")


@pytest.fixture(scope="module")
def territory_server(
    browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """``seguiment serve`` on the plan with breakdowns and its sample values."""
    folder = tmp_path_factory.mktemp("territory-e2e")
    db_url = f"sqlite:///{folder / 'territory.db'}"
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "ENVIRONMENT": "test",
        "SECRET_KEY": "territory-e2e-" + "x" * 32,
        "PLAN_PATH": str(PLAN_FILE / "plan.yaml"),
    }
    seguiment(["db", "upgrade"], env)
    engine = make_engine(db_url)
    load_territory_sample(engine)
    engine.dispose()
    port = _free_port()
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [str(BIN / "seguiment"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(base_url + "/login", timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("the app did not start: " + (folder / "server.log").read_text()[-3000:])
        time.sleep(0.5)
    try:
        yield LiveServer(base_url, db_url, breakdown_plan())
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def staff_page(browser: Any, territory_server: LiveServer) -> Iterator[Any]:
    username, password = create_account(territory_server.db_url, "e2e-territori", "director")
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ca-ES")
    page = context.new_page()
    page.set_default_timeout(30_000)
    login(page, territory_server.base_url, username, password)
    yield page
    context.close()


def _engine_rows(server: LiveServer) -> list[territory.TerritoryRow]:
    engine = make_engine(server.db_url)
    try:
        data = dashboard_data.load(engine, server.plan, deadline_days=15)
        return territory.territory_rows(data, Period.parse(QUARTER))
    finally:
        engine.dispose()


def test_territory_shows_the_engines_figures_and_passes_axe(
    staff_page: Any, territory_server: LiveServer
) -> None:
    watch = PageWatch(staff_page)
    open_page(staff_page, territory_server, f"/territori?t={QUARTER}")
    assert "Territori" in staff_page.inner_text("#main-content h1")
    for row in _engine_rows(territory_server):
        line = staff_page.locator(f'#territory-table tr[data-indicator="{row.indicator.code}"]')
        for member in row.members:
            cell = line.locator(f'td[data-abss="{member.member}"] .abss-value')
            assert cell.inner_text() == territory.figure_text(member, "ca", row.indicator.unit)
        comarca = line.locator("td.comarca-cell").inner_text()
        assert comarca.startswith(format_number(row.comarca, "ca"))
        assert territory.coverage_text(row, "ca") in line.inner_text()
    assert not serious_violations(staff_page)
    assert not watch.errors, watch.errors
    SHOTS.mkdir(parents=True, exist_ok=True)
    staff_page.screenshot(path=str(SHOTS / "territori_1366x768.png"), full_page=False)


def test_territory_highlights_and_fits_a_phone(
    staff_page: Any, territory_server: LiveServer
) -> None:
    staff_page.set_viewport_size({"width": 390, "height": 844})
    try:
        staff_page.goto(territory_server.url(f"/territori?t={QUARTER}&abss=VIC"))
        staff_page.wait_for_selector("#territory-table", timeout=30_000)
        staff_page.wait_for_function(DRAWN, timeout=30_000)
        wide = staff_page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{wide}px too wide at 390 px: {staff_page.evaluate(WIDEST)}"
        assert staff_page.locator("th.abss-highlight").inner_text().startswith("✔ ABSS Vic")
        box = staff_page.locator(".table-scroll").first
        assert box.evaluate("el => el.scrollWidth > el.clientWidth")  # it scrolls inside its box
        assert not serious_violations(staff_page)
        staff_page.screenshot(path=str(SHOTS / "territori_390x844.png"), full_page=True)
    finally:
        staff_page.set_viewport_size({"width": 1366, "height": 768})


def test_objective_page_draws_the_breakdowns(staff_page: Any, territory_server: LiveServer) -> None:
    watch = PageWatch(staff_page)
    open_page(staff_page, territory_server, f"/objectiu/P2.01?t={QUARTER}")
    for chart in ("breakdown-abss-P2.01-I1", "breakdown-sex-P2.01-I1", "breakdown-lines-P2.01-I1"):
        assert staff_page.locator(f'[id="{chart}"] .main-svg').count() >= 1, chart
    table = staff_page.locator(".breakdown-table").first.inner_text()
    assert "ABSS Vic" in table and "50\u00a0persones" in table and "112\u00a0persones" in table
    assert not serious_violations(staff_page)
    assert not watch.errors, watch.errors


def test_overview_narrowed_to_one_abss(staff_page: Any, territory_server: LiveServer) -> None:
    open_page(staff_page, territory_server, f"/?t={QUARTER}&abss=VIC")
    notice = staff_page.locator("#abss-notice").inner_text()
    assert "ABSS Vic" in notice and "Vegeu tota la comarca" in notice
    assert not serious_violations(staff_page)
