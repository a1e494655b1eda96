"""The final evaluation page in Chromium on the demo data: renders without a console error,
says «Provisional» (the demo plan is not closed), passes axe-core (WCAG 2.1 AA, no serious
violation), fits 1366 px without horizontal scroll, and its Markdown download answers."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import LiveServer
from tests.e2e.test_dashboard_e2e import PageWatch, open_page, serious_violations


def test_the_evaluation_page_renders_cleanly_and_passes_axe(
    director_page: Any, live_server: LiveServer
) -> None:
    watch = PageWatch(director_page)
    open_page(director_page, live_server, "/avaluacio")
    h1 = director_page.inner_text("#main-content h1")
    assert h1 == "Avaluació final del pla · Provisional"
    text = director_page.inner_text("#main-content")
    assert "el pla encara no està tancat" in text
    assert "Palanca 5. Intersectorialitat" in text and "cap esmena" in text
    assert director_page.locator(".evaluation-mark").count() == 2
    badges = director_page.locator(".evaluation-table .status-badge")
    assert badges.count() > 50 and badges.first.locator(".status-icon").count() == 1
    wide = director_page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1, f"{wide}px of horizontal scroll at 1366 px"
    assert serious_violations(director_page) == []
    assert watch.errors == []
    href = director_page.get_attribute("a[data-download=md]", "href")
    assert href == "/descarrega/avaluacio?format=md&lang=ca"
    response = director_page.request.get(live_server.url(href))
    assert response.status == 200
    assert response.text().startswith("# Avaluació final del pla · Provisional")
