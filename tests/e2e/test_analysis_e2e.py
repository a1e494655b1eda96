"""Issue 17 in Chromium on the demo data: a director writes the quarter's analysis
(valoració) of an objective off track on its page; after a reload the page shows it instead
of the "needed" notice, and the lever page rolls it up. axe-core clean on both parts."""

from __future__ import annotations

from typing import Any

from conftest import LiveServer

from indicators.reporting import dashboard_data
from indicators.storage import locks
from indicators.storage.engine import make_engine
from plan_model.analyses import needs_analysis
from plan_model.periods import Period

DRAWN = "() => !document.querySelector('[data-dash-is-loading=\"true\"]')"
TEXT = "Hi ha hagut baixes a l'equip durant l'estiu"


def _open(page: Any, server: LiveServer, path: str) -> None:
    page.goto(server.url(path))
    page.wait_for_selector("#main-content h1", timeout=30_000)
    page.wait_for_function(DRAWN, timeout=30_000)


def _serious_violations(page: Any, *selectors: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    context = {"include": [[s] for s in selectors]}
    results = Axe().run(
        page, context=context, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _off_track(server: LiveServer) -> tuple[str, Period]:
    """An objective that needs an analysis in the latest open quarter with data."""
    engine = make_engine(server.db_url)
    try:
        data = dashboard_data.load(engine, server.plan, deadline_days=30)
        locked = locks.locked_periods(engine)
        for period in reversed(data.periods_with_data()):
            if str(period) in locked:
                continue
            for objective in data.status(period).objectives:
                if needs_analysis(objective):
                    return objective.code, period
    finally:
        engine.dispose()
    raise AssertionError("the demo data has an objective off track in an open quarter")


def test_a_director_writes_the_analysis_and_the_lever_rolls_it_up(
    director_page: Any, live_server: LiveServer
) -> None:
    code, period = _off_track(live_server)
    page = director_page
    _open(page, live_server, f"/objectiu/{code}?t={period}")
    panel = page.locator("section.analysis-panel")
    assert "cal la valoració del trimestre" in panel.inner_text()
    assert not _serious_violations(page, "section.analysis-panel")
    page.fill("#valoracio-happened", TEXT)
    page.fill("#valoracio-steps", "Reforçar l'equip amb una substitució")
    page.click("#valoracio-save")
    page.wait_for_selector("#valoracio-message .alert-success", timeout=30_000)
    assert "S'ha desat la valoració" in page.inner_text("#valoracio-message")

    _open(page, live_server, f"/objectiu/{code}?t={period}")
    panel = page.locator("section.analysis-panel")
    assert TEXT in panel.inner_text()
    assert "cal la valoració del trimestre" not in panel.inner_text()
    assert page.input_value("#valoracio-happened") == TEXT  # the form offers a rewrite

    _open(page, live_server, f"/palanca/{code[1]}?t={period}")
    rollup = page.locator("section.analysis-rollup")
    assert TEXT in rollup.locator(f'[data-objective="{code}"]').inner_text()
    assert not _serious_violations(page, "section.analysis-rollup")
