"""Issue 15 in Chromium on the demo data (read only): the overview's headline is the
objectives by status, in words, on the first screen before the weighted figure; a milestone
reported Ajornat without a decision is marked as a proposal on its objective page, and the
director's panel says the locked quarters cannot move. axe-core clean on both pages."""

from __future__ import annotations

import re
from typing import Any

from conftest import LiveServer

from indicators.reporting import dashboard_data
from indicators.storage.engine import make_engine
from plan_model.periods import Period

DRAWN = "() => !document.querySelector('[data-dash-is-loading=\"true\"]')"


def _open(page: Any, server: LiveServer, path: str) -> None:
    page.goto(server.url(path))
    page.wait_for_selector("#main-content h1", timeout=30_000)
    page.wait_for_function(DRAWN, timeout=30_000)


def _serious_violations(page: Any, *selectors: str) -> list[str]:
    """axe-core's serious or critical WCAG 2.1 A/AA violations, in ``selectors`` only (the
    parts this issue adds) or on the whole page."""
    from axe_playwright_python.sync_playwright import Axe

    context = {"include": [[s] for s in selectors]} if selectors else None
    results = Axe().run(
        page, context=context, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_headline_is_the_objectives_by_status_first(
    director_page: Any, live_server: LiveServer
) -> None:
    director_page.set_viewport_size({"width": 1366, "height": 768})
    _open(director_page, live_server, "/")
    headline = director_page.locator("#plan-headline")
    box = headline.bounding_box()
    assert box is not None and box["y"] + box["height"] < 768
    text = headline.inner_text()
    assert re.search(r"\d+ \w", text), text  # "12 en bon camí · ...": counts in words
    kpis = director_page.locator(".kpi-row .kpi-label").all_inner_texts()
    assert kpis[:2] == ["Objectius per estat", "Grau d'assoliment ponderat"]
    assert not _serious_violations(director_page, ".kpi-row")


def _a_proposal(server: LiveServer) -> tuple[str, Period] | None:
    """An objective and quarter where the demo's postponed milestone is still a proposal."""
    engine = make_engine(server.db_url)
    try:
        data = dashboard_data.load(engine, server.plan, deadline_days=30)
        for period in data.periods_with_data():
            for ind in data.status(period).indicators:
                if ind.proposal:
                    return ind.code.split("-I", 1)[0], period
    finally:
        engine.dispose()
    return None


def test_a_reported_ajornat_is_marked_as_a_proposal(
    director_page: Any, live_server: LiveServer
) -> None:
    found = _a_proposal(live_server)
    assert found is not None, "the demo data postpones one milestone for a while"
    objective, period = found
    _open(director_page, live_server, f"/objectiu/{objective}?t={period}")
    mark = director_page.locator(".proposal-mark").first
    assert "Proposta: pendent de decisió de la direcció" in mark.inner_text()
    panel = director_page.locator("section.decision-panel")
    assert panel.count() == 1
    if director_page.locator("#decisio-record").count() == 0:  # the quarters are locked
        assert "tancats" in panel.inner_text()
    assert not _serious_violations(director_page, "section.decision-panel", ".proposal-mark")
