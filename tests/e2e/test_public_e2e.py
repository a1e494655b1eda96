"""The public view (issue 19, item 2) in headless Chromium, without logging in, on the demo
data (every quarter but the latest published): axe-core clean (WCAG 2.1 AA) and no console
error (the strict CSP refuses nothing the pages need); no page wider than the viewport at
360, 390 and 768 px; print media hides the navigation and keeps the charts; the quarter
selector works without JavaScript; the 404 page answers 404."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import LiveServer

from accounts import approvals, publications
from accounts.roles import Actor
from indicators.storage import locks
from indicators.storage.engine import make_engine
from plan_model.periods import Period, period_range
from tests.e2e.test_workflow import serious_violations

PAGES = ("/public", "/public/palanca/3", "/public/objectiu/P3.07", "/public/metode")
MORE_PAGES = ("/public/eix/5", "/public/embed/objectiu/P3.07", "/public/objectiu/P1.10")
WIDTHS = (360, 390, 768)
HIDDEN_IN_PRINT = ("header.site", "nav", "form.quarter", ".skip", "summary")
WIDEST = """() => {
  const limit = window.innerWidth;
  return Array.from(document.querySelectorAll('body *'))
    .filter(el => { const b = el.getBoundingClientRect(); return b.width > 0 && b.right > limit + 1; })
    .slice(0, 5).map(el => el.tagName.toLowerCase() + '.' + String(el.className).slice(0, 40));
}"""


LATEST = Period(2025, 3)  # the demo's latest complete quarter: 2025-T4 stays unpublished


@pytest.fixture(scope="module", autouse=True)
def published(live_server: LiveServer) -> Iterator[list[str]]:
    """Every quarter up to ``LATEST`` locked and published (as a director would); the state
    the other browser tests expect is restored afterwards."""
    engine = make_engine(live_server.db_url)
    operator = Actor.operator("e2e-public")
    quarters = [str(p) for p in period_range(live_server.plan.first_period, LATEST)]
    were_published = set(publications.published_periods(engine))
    locked_here = [q for q in quarters if not locks.is_locked(engine, q)]
    for quarter in locked_here:
        approvals.lock_period(engine, quarter, by=operator, reason="e2e: the public view")
    published_here = [q for q in quarters if q not in were_published]
    for quarter in published_here:
        publications.publish_period(engine, quarter, by=operator)
    try:
        yield quarters
    finally:
        for quarter in published_here:
            publications.unpublish_period(engine, quarter, by=operator)
        for quarter in locked_here:
            approvals.reopen_period(engine, quarter, by=operator)
        engine.dispose()


@dataclass
class Visitor:
    """A tab without a session (the public) and the errors its pages raised."""

    page: Any
    errors: list[str] = field(default_factory=list)

    def console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"{self.page.url}: {message.text}")


@pytest.fixture
def visitor_tab(browser: Any) -> Iterator[Visitor]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ca-ES")
    found = Visitor(context.new_page())
    found.page.set_default_timeout(30_000)
    found.page.on("pageerror", lambda exc: found.errors.append(str(exc)))
    found.page.on("console", found.console)
    yield found
    context.close()


@pytest.fixture
def visitor(visitor_tab: Visitor) -> Any:
    return visitor_tab.page


def _visible(page: Any, selector: str) -> int:
    count: int = page.locator(selector).evaluate_all(
        "els => els.filter(el => el.getBoundingClientRect().height > 0).length"
    )
    return count


def test_public_pages_are_accessible(visitor_tab: Visitor, live_server: LiveServer) -> None:
    visitor = visitor_tab.page
    violations: list[str] = []
    for path in PAGES:
        response = visitor.goto(live_server.url(path))
        assert response is not None and response.status == 200, path
        assert visitor.locator("h1").count() == 1
        assert visitor.evaluate("document.documentElement.lang") == "ca"
        violations.extend(serious_violations(visitor))
    assert not violations, violations
    missing = visitor.goto(live_server.url("/public/no-existeix"))
    assert missing is not None and missing.status == 404
    assert visitor.locator("h1").inner_text() == "Pàgina no trobada"
    assert not serious_violations(visitor)
    errors = [e for e in visitor_tab.errors if "favicon" not in e and "404" not in e]
    assert not errors, errors


@pytest.mark.parametrize("width", WIDTHS)
def test_no_public_page_is_wider_than_the_viewport(
    visitor: Any, live_server: LiveServer, width: int
) -> None:
    visitor.set_viewport_size({"width": width, "height": 844})
    for path in (*PAGES, *MORE_PAGES):
        visitor.goto(live_server.url(path))
        scroll_width = visitor.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{path} at {width} px: {visitor.evaluate(WIDEST)}"
        charts = visitor.locator("svg.trend")
        for index in range(charts.count()):
            box = charts.nth(index).bounding_box()
            assert box is not None and box["x"] + box["width"] <= width, path


@pytest.mark.parametrize("path", PAGES)
def test_print_media_hides_the_navigation_and_keeps_the_charts(
    visitor: Any, live_server: LiveServer, path: str
) -> None:
    visitor.goto(live_server.url(path))
    charts = _visible(visitor, "svg.trend")
    assert _visible(visitor, "header.site nav") > 0  # on screen: there
    visitor.emulate_media(media="print")
    for selector in HIDDEN_IN_PRINT:
        assert _visible(visitor, selector) == 0, f"{selector} printed on {path}"
    assert visitor.locator("h1").is_visible()
    assert _visible(visitor, "svg.trend") == charts


def test_the_quarter_selector_works_without_javascript(
    browser: Any, live_server: LiveServer
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="ca-ES")
    try:
        page = context.new_page()
        page.goto(live_server.url("/public/palanca/3?lang=es"))
        assert "3.er trimestre de 2025" in page.locator("p.asof").inner_text()
        page.select_option("#quarter-t", "2024-T2")
        page.click("form.quarter button")
        page.wait_for_url("**t=2024-T2**")
        assert "lang=es" in page.url
        assert "2.º trimestre de 2024" in page.locator("p.asof").inner_text()
        page.click("nav.crumbs a")  # the links keep the language and the quarter
        page.wait_for_url("**/public?lang=es&t=2024-T2")
        options = page.locator("#quarter-t option").all_inner_texts()
        assert "4.º trimestre de 2025" not in options  # 2025-T4 is not published
    finally:
        context.close()
