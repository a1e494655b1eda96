"""The print view (issue 16), in Chromium as a director: on every page of the app (the list of
tests/e2e/test_responsive.py) in print media the header, menus and buttons are gone and the
charts stay; the lever and objective pages' "PDF" button opens the print dialog (a Dash
clientside callback: the CSP allows no inline handler). The public view's print test is in
tests/e2e/test_public_e2e.py."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import LiveServer

from tests.e2e.test_responsive import PAGES

DRAWN = (
    "() => !!document.querySelector('#main-content h1, #session-deck')"
    " && !document.querySelector('[data-dash-is-loading=\"true\"]')"
    " && Array.from(document.querySelectorAll('figure.chart'))"
    "    .every(el => el.querySelector('.main-svg'))"
)
HIDDEN_IN_PRINT = ("#app-header", "nav.main-nav", "#auth-bar", ".quarter-selector", "button")
NO_MENU = ("/sessio",)  # the board session: full-screen slides, no menu even on screen


def _open(page: Any, server: LiveServer, path: str) -> None:
    page.goto(server.url(path))
    page.wait_for_function(DRAWN, timeout=30_000)


@pytest.mark.parametrize("path", PAGES)
def test_print_media_hides_the_navigation_and_keeps_the_charts(
    director_page: Any, live_server: LiveServer, path: str
) -> None:
    _open(director_page, live_server, path)
    charts = director_page.locator("figure.chart").count()
    if path not in NO_MENU:
        assert director_page.locator("nav.main-nav").is_visible()  # on screen: there
    director_page.emulate_media(media="print")
    try:
        for selector in HIDDEN_IN_PRINT:
            shown = director_page.locator(selector).evaluate_all(
                "els => els.filter(el => el.getBoundingClientRect().height > 0).length"
            )
            assert shown == 0, f"{selector} printed on {path}"
        if path not in NO_MENU:
            assert director_page.locator("#main-content h1").is_visible()
        visible_charts = director_page.locator("figure.chart").evaluate_all(
            "els => els.filter(el => el.getBoundingClientRect().height > 0).length"
        )
        assert visible_charts == charts
    finally:
        director_page.emulate_media(media="screen")


def test_plan_prints_one_lever_per_page(director_page: Any, live_server: LiveServer) -> None:
    _open(director_page, live_server, "/pla")
    director_page.emulate_media(media="print")
    try:
        breaks = director_page.locator(".plan-tree > .panel").evaluate_all(
            "els => els.map(el => getComputedStyle(el).breakBefore)"
        )
    finally:
        director_page.emulate_media(media="screen")
    assert len(breaks) == 5 and breaks[0] != "page" and set(breaks[1:]) == {"page"}, breaks


@pytest.mark.parametrize("path", ["/palanca/3", "/objectiu/P3.07"])
def test_pdf_button_opens_the_print_dialog(
    director_page: Any, live_server: LiveServer, path: str
) -> None:
    _open(director_page, live_server, path)
    director_page.evaluate(
        "() => { window.__printed = 0; window.print = () => window.__printed++; }"
    )
    button = director_page.locator("#print-button")
    assert button.inner_text() == "PDF"
    button.click()
    director_page.wait_for_function("() => window.__printed === 1", timeout=10_000)
