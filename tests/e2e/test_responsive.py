"""Phones and the first screen (issue 16), in Chromium as a director on the demo data:

- no page is wider than the viewport at 360, 390 and 768 px (tables scroll inside their box,
  pills wrap, charts resize), and on a phone the menu folds behind a button;
- at 1366x768 the overview's "Objectius més en risc" and "Lliuraments pendents" start in the
  first screen, and the cut at-risk table says how many more there are, linked to the list;
- the lever grid's achievement bar is scaled to the target (100 % fills it).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import LiveServer

from tests.e2e.test_public_e2e import MORE_PAGES as MORE_PUBLIC
from tests.e2e.test_public_e2e import PAGES as PUBLIC_VIEW

PAGES = (
    "/",
    "/palanca/3",
    "/objectiu/P3.07",
    "/objectiu/P1.10",
    "/canvis",
    "/pla",
    "/objectius",
    "/el-meu-trimestre",
    "/lliuraments",
    "/enviar",
    "/gestio",
    "/auditoria",
    "/usuaris",
    "/avaluacio",
    "/claus",
    "/sessio",
    "/territori",
    "/no-existeix",
)
# pages outside Dash: the login form, the API's documentation and the public view (here as
# it is before anything is published: tests/e2e/test_public_e2e.py covers it published)
OWN_PAGES = ("/login", "/api/v1/docs", "/public/no-existeix", "/public/embed/palanca/3")
PUBLIC_PAGES = (*PUBLIC_VIEW, *MORE_PUBLIC)
WIDTHS = (360, 390, 768)
# a page's title; the board session's (its slides' canvas) is for screen readers only
TITLE = "#main-content h1, #session-deck"
PHONE = {"width": 390, "height": 844}
DRAWN = (
    "() => !document.querySelector('[data-dash-is-loading=\"true\"]')"
    " && Array.from(document.querySelectorAll('figure.chart'))"
    "    .every(el => el.querySelector('.main-svg'))"
)
WIDEST = """() => {
  const limit = window.innerWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > limit + 1) {
      wide.push(el.tagName.toLowerCase() + '.' + String(el.className).slice(0, 40));
    }
  }
  return wide.slice(0, 5);
}"""


def _open(page: Any, server: LiveServer, path: str) -> None:
    page.goto(server.url(path))
    page.wait_for_selector(TITLE, timeout=30_000)
    page.wait_for_function(DRAWN, timeout=30_000)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_no_page_is_wider_than_the_viewport(
    director_page: Any, live_server: LiveServer, path: str, width: int
) -> None:
    director_page.set_viewport_size({"width": width, "height": 844})
    _open(director_page, live_server, path)
    director_page.wait_for_timeout(200)  # charts resize after their first draw
    scroll_width = director_page.evaluate("document.documentElement.scrollWidth")
    inner_width = director_page.evaluate("window.innerWidth")
    assert scroll_width <= inner_width, (
        f"{path} at {width} px is {scroll_width} px wide: "
        f"{director_page.evaluate(WIDEST)} (the first boxes past the right edge)"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_outside_dash_is_wider_than_the_viewport(
    director_page: Any, live_server: LiveServer, width: int
) -> None:
    director_page.set_viewport_size({"width": width, "height": 844})
    for path in (*OWN_PAGES, *PUBLIC_PAGES):
        director_page.goto(live_server.url(path))
        director_page.wait_for_selector("h1")
        scroll_width = director_page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, (
            f"{path} at {width} px is {scroll_width} px wide: {director_page.evaluate(WIDEST)}"
        )


def _registered_pages() -> tuple[set[str], set[str]]:
    """Every page the app answers with HTML: the Dash pages' paths (templates as given) and
    the Flask routes that are pages, not files, JSON or Dash's own endpoints."""
    import tempfile
    from pathlib import Path

    import dash

    from app import create_app
    from indicators.storage.migrate import upgrade
    from tests.web.web_app import web_settings

    folder = Path(tempfile.mkdtemp(prefix="pages-"))
    url = f"sqlite:///{folder / 'pages.db'}"
    upgrade(url)
    app = create_app(web_settings(url, folder))
    dash_pages = {str(p.get("path_template") or p["path"]) for p in dash.page_registry.values()}
    not_pages = ("/_", "/assets/", "/static/", "/descarrega/", "/healthz", "/public/static/")
    routes = {
        rule.rule
        for rule in app.server.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and not rule.rule.startswith(not_pages)
        and not (rule.rule.startswith("/api/v1") and rule.endpoint != "api_v1.getDocs")
        and rule.rule not in ("/", "/<path:path>")  # Dash's index: the Dash pages
    }
    return dash_pages, routes


def _covers(template: str, paths: tuple[str, ...]) -> bool:
    pattern = re.sub(r"<[^>]+>", "[^/]+", re.escape(template))  # <n>, <code>: one segment
    return any(re.fullmatch(pattern, path) for path in paths)


def test_every_page_is_measured_on_phones() -> None:
    """A page added to the app without being added here (or to the public view's test)
    fails: every page must fit 360, 390 and 768 px."""
    dash_pages, routes = _registered_pages()
    measured = (*PAGES, *OWN_PAGES, *PUBLIC_PAGES)
    # /404: Dash's not-found page, measured as /no-existeix
    missing = sorted(p for p in (dash_pages - {"/404"}) | routes if not _covers(p, measured))
    assert not missing, f"pages without a phone test: {missing}"


def test_login_page_fits_a_phone(browser: Any, live_server: LiveServer) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ca-ES")
    try:
        page = context.new_page()
        page.goto(live_server.url("/login"))
        page.wait_for_selector("#username")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


def test_phone_menu_folds_behind_a_button(director_page: Any, live_server: LiveServer) -> None:
    director_page.set_viewport_size(PHONE)
    _open(director_page, live_server, "/palanca/3")
    nav = director_page.locator("nav.main-nav")
    toggle = director_page.locator("#nav-toggle")
    assert toggle.is_visible() and not nav.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    # the page's title is in the top quarter of the phone's screen, not under the menu
    title_top = director_page.locator("#main-content h1").bounding_box()["y"]
    assert title_top < PHONE["height"] / 4, title_top

    toggle.click()
    director_page.wait_for_function(
        "() => document.querySelector('#nav-toggle').getAttribute('aria-expanded') === 'true'"
    )
    assert nav.is_visible()
    assert director_page.locator("nav.main-nav a", has_text="Lliuraments").is_visible()
    assert director_page.locator(".auth-nav").is_visible()  # the account links too
    toggle.click()
    director_page.wait_for_function("() => !document.querySelector('#app-header.nav-open')")
    assert not nav.is_visible()


def test_desktop_shows_the_menu_without_a_button(
    director_page: Any, live_server: LiveServer
) -> None:
    director_page.set_viewport_size({"width": 1366, "height": 768})
    _open(director_page, live_server, "/")
    assert director_page.locator("nav.main-nav").is_visible()
    assert not director_page.locator("#nav-toggle").is_visible()


def test_overview_answers_the_director_in_the_first_screen(
    director_page: Any, live_server: LiveServer
) -> None:
    director_page.set_viewport_size({"width": 1366, "height": 768})
    _open(director_page, live_server, "/")
    for title in ("#at-risk-title", "#missing-title"):
        box = director_page.locator(title).bounding_box()
        assert box is not None and box["y"] + box["height"] < 768, (title, box)
    # the counts are on the first screen too
    count = director_page.locator("section[aria-labelledby=at-risk-title] .list-count")
    assert count.bounding_box()["y"] < 768
    assert director_page.locator("section[aria-labelledby=missing-title] p").first.is_visible()


def test_cut_at_risk_table_says_how_many_more(director_page: Any, live_server: LiveServer) -> None:
    _open(director_page, live_server, "/")
    section = director_page.locator("section[aria-labelledby=at-risk-title]")
    match = re.search(r"(\d+)", section.locator(".list-count").inner_text())
    assert match, section.inner_text()
    total = int(match.group(1))
    rows = section.locator("tbody tr").count()
    assert rows == min(total, 8)
    assert total > 8, "the demo data has more than eight objectives at risk"
    more = section.locator("#at-risk-more")
    assert more.inner_text() == f"i {total - 8} més"
    href = more.get_attribute("href")
    assert href is not None and href.startswith("/objectius?risc=1&")
    assert "t=" in href  # the quarter shown goes along


def _percent(text: str) -> float:
    return float(text.replace("\u00a0", " ").replace("%", "").replace(".", "").replace(",", "."))


def test_lever_grid_bar_is_scaled_to_the_target(
    director_page: Any, live_server: LiveServer
) -> None:
    director_page.set_viewport_size({"width": 1366, "height": 768})
    _open(director_page, live_server, "/palanca/3")
    director_page.wait_for_selector(".objective-grid .achievement-bar .bar-fill")
    bars = director_page.evaluate(
        """() => Array.from(document.querySelectorAll('.objective-grid .achievement-bar'))
          .map(bar => ({text: bar.querySelector('.bar-text').textContent,
                        track: bar.querySelector('.bar-track').clientWidth,
                        fill: bar.querySelector('.bar-fill').getBoundingClientRect().width,
                        over: !!bar.querySelector('.bar-over')}))"""
    )
    measured = [b for b in bars if re.search(r"\d", b["text"])]
    assert measured, bars
    for bar in measured:
        value = _percent(bar["text"])
        expected = min(value, 100) / 100 * bar["track"]
        assert abs(bar["fill"] - expected) <= 2, bar
        if abs(value - 100) > 0.5:  # a shown "100 %" may be 100.4: over or not
            assert bar["over"] == (value > 100), bar
    assert any(_percent(b["text"]) >= 50 for b in measured)  # the scale shows on a long bar
