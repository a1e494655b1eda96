"""The dashboard in headless Chromium on the demo data: every page renders without console or
callback errors, shows the expected numbers and labels, passes axe-core (no serious or
critical violations), and the drill-down, quarter selector and language switch work."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import LiveServer

from i18n import format_percent
from indicators.reporting import dashboard_data
from indicators.storage.engine import make_engine
from plan_model.periods import period_label

PAGES = [
    ("/", "Resum"),
    ("/palanca/3", "Palanca 3: "),
    ("/objectiu/P3.07", "Objectiu P3.07"),
    ("/lliuraments", "Lliuraments"),
    ("/canvis", "Canvis"),
    ("/pla", "El pla"),
    ("/el-meu-trimestre", "El meu trimestre: "),
    ("/no-existeix", "Pàgina no trobada"),
]
RENDER_TIMEOUT_MS = 30_000


class PageWatch:
    """Console errors and failed responses of one tab."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on(
            "console",
            lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None,
        )
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on(
            "response",
            lambda r: self.errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None,
        )


def open_page(page: Any, server: LiveServer, path: str) -> None:
    """Open ``path``: a full load the first time, then client-side like a dcc.Link click."""
    if not page.url.startswith(server.base_url) or page.locator("#main-content").count() == 0:
        page.goto(server.url(path))
    else:
        page.evaluate(
            """path => { document.title = '';
            window.history.pushState({}, '', path);
            window.dispatchEvent(new CustomEvent('_dashprivate_pushstate')); }""",
            path,
        )
        page.wait_for_function(
            "() => document.title.endsWith('Seguiment del Pla')", timeout=RENDER_TIMEOUT_MS
        )
    page.wait_for_selector("#main-content h1", timeout=RENDER_TIMEOUT_MS)
    # every chart drawn, no pending callback
    page.wait_for_function(
        "() => !document.querySelector('[data-dash-is-loading=\"true\"]')"
        " && Array.from(document.querySelectorAll('figure.chart'))"
        "    .every(el => el.querySelector('.main-svg'))",
        timeout=RENDER_TIMEOUT_MS,
    )


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_every_page_renders_cleanly_and_passes_axe(
    director_page: Any, live_server: LiveServer
) -> None:
    watch = PageWatch(director_page)
    problems: list[str] = []
    for path, heading in PAGES:
        open_page(director_page, live_server, path)
        h1 = director_page.inner_text("#main-content h1")
        if heading not in h1:
            problems.append(f"{path}: heading {h1!r}, expected {heading!r}")
        if not director_page.title().endswith("· Seguiment del Pla"):
            problems.append(f"{path}: title {director_page.title()!r}")
        if director_page.locator(".dash-fe-error").count():
            problems.append(f"{path}: Dash callback error shown")
        if director_page.get_attribute("html", "lang") != "ca":
            problems.append(f"{path}: html lang is not ca")
        wide = director_page.evaluate(
            "() => document.documentElement.scrollWidth - window.innerWidth"
        )
        if wide > 1:
            problems.append(f"{path}: {wide}px of horizontal scroll at 1366 px")
        problems += [f"{path}: {v}" for v in serious_violations(director_page)]
        problems += [f"{path}: {e}" for e in watch.errors]
        watch.errors.clear()
    assert not problems, "\n".join(problems)


def test_overview_numbers_match_the_status_engine(
    director_page: Any, live_server: LiveServer
) -> None:
    engine = make_engine(live_server.db_url)
    try:
        data = dashboard_data.load(engine, live_server.plan, deadline_days=30)
        period = data.latest_period()
        result = data.status(period)
    finally:
        engine.dispose()
    open_page(director_page, live_server, "/")
    text = director_page.inner_text("#main-content")
    assert f"es mostra el {period_label(period, 'ca')}" in text
    assert format_percent(result.plan.achievement, "ca") in text
    cards = director_page.locator(".lever-card")
    assert cards.count() == 5
    for i, lever in enumerate(result.levers):
        card = cards.nth(i).inner_text()
        assert lever.name in card
        assert format_percent(lever.achievement, "ca") in card
        # status by label and icon, never colour alone
        badge = cards.nth(i).locator(".status-badge").inner_text()
        assert re.match(r"^[✔⚠✖–]\s+\S", badge), badge


def test_lever_cards_hold_their_text_in_every_language(
    director_page: Any, live_server: LiveServer
) -> None:
    """At 1366 px the five lever cards stand in one row: in Catalan, Spanish and English no
    badge, count or line of a card reaches past the card's edge."""
    problems: list[str] = []
    for lang in ("es", "en", "ca"):  # Catalan last: the language is remembered in a cookie
        open_page(director_page, live_server, f"/?lang={lang}")
        director_page.wait_for_function(
            f"() => document.documentElement.lang === '{lang}'", timeout=RENDER_TIMEOUT_MS
        )
        spills = director_page.evaluate("""() => {
            const out = [];
            document.querySelectorAll('.lever-card').forEach((card, i) => {
                const edge = card.getBoundingClientRect().right;
                card.querySelectorAll('*').forEach(el => {
                    const right = el.getBoundingClientRect().right;
                    if (right > edge + 0.5) out.push(`card ${i + 1}: ${el.className ||
                        el.tagName} '${(el.textContent || '').trim().slice(0, 40)}' by ${
                        Math.round(right - edge)} px`);
                });
            });
            return out;
        }""")
        problems += [f"{lang}: {spill}" for spill in spills]
    assert not problems, "\n".join(problems)


def test_lever_pages_keep_their_tables_inside_the_panels(
    director_page: Any, live_server: LiveServer
) -> None:
    """At 1366 px no table cell of a lever page reaches past its panel (the axes' long names
    wrap; lever 1's used to push the table 91 px out)."""
    problems: list[str] = []
    for number in range(1, 6):
        open_page(director_page, live_server, f"/palanca/{number}")
        spill = director_page.evaluate("""() => Math.max(0, ...Array.from(
            document.querySelectorAll('#main-content .panel')).map(panel => {
                const edge = panel.getBoundingClientRect().right;
                return Math.max(0, ...Array.from(panel.querySelectorAll('table, th, td'))
                    .map(el => el.getBoundingClientRect().right - edge)); }))""")
        if spill > 0.5:
            problems.append(f"/palanca/{number}: {spill:.0f} px past the panel")
    assert not problems, "\n".join(problems)


def test_keyboard_reaches_the_skip_link_first(director_page: Any, live_server: LiveServer) -> None:
    """The first Tab on a page shows «Salta al contingut principal» (before the account
    bar's links); Enter moves the focus to the page's main content."""
    director_page.goto(live_server.url("/palanca/2?lang=ca"))
    director_page.wait_for_selector("#main-content h1", timeout=RENDER_TIMEOUT_MS)
    director_page.keyboard.press("Tab")
    focused = director_page.evaluate("""() => { const el = document.activeElement;
        return [el.id, el.textContent.trim(), el.getBoundingClientRect().top]; }""")
    assert focused[:2] == ["skip-link", "Salta al contingut principal"], focused
    assert focused[2] >= 0  # shown on screen while focused
    director_page.keyboard.press("Enter")
    director_page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'main-content'",
        timeout=RENDER_TIMEOUT_MS,
    )


def test_drill_down_overview_lever_objective(director_page: Any, live_server: LiveServer) -> None:
    open_page(director_page, live_server, "/")
    director_page.click(".lever-card >> nth=2 >> .lever-title a")
    director_page.wait_for_url(re.compile(r"/palanca/3\?"))
    director_page.wait_for_selector("#lever-grid .grid-link", timeout=RENDER_TIMEOUT_MS)
    first = director_page.locator("#lever-grid .grid-link").first
    code = first.inner_text().strip()
    assert re.fullmatch(r"P3\.\d{2}", code)
    first.click()
    director_page.wait_for_url(re.compile(rf"/objectiu/{re.escape(code)}\?"))
    director_page.wait_for_selector(f"#main-content h1:has-text('Objectiu {code}')")
    assert director_page.locator("figure.chart").count() >= 1
    assert "Valors trimestrals" in director_page.inner_text("#main-content")


def test_chart_ticks_use_the_language_separators(
    director_page: Any, live_server: LiveServer
) -> None:
    """The value axis of an indicator in the thousands (P2.05-I1, hours of home help)
    reads 150.000 in Catalan and 150,000 in English, as plotly.js draws it."""

    def ticks(lang: str) -> list[str]:
        open_page(director_page, live_server, f"/objectiu/P2.05?lang={lang}")
        director_page.wait_for_function(
            f"() => document.documentElement.lang === '{lang}'", timeout=RENDER_TIMEOUT_MS
        )
        found: list[str] = director_page.locator(
            "figure.chart >> nth=0 >> .ytick text"
        ).all_text_contents()
        return found

    catalan, english = ticks("ca"), ticks("en")
    ticks("ca")  # the language is remembered in a cookie: leave Catalan for the other tests
    assert any(re.fullmatch(r"\d{1,3}(\.\d{3})+", t) for t in catalan), catalan
    assert not any(re.fullmatch(r"\d{4,}", t) for t in catalan), catalan
    assert any(re.fullmatch(r"\d{1,3}(,\d{3})+", t) for t in english), english


def test_quarter_selector_and_language_switch(director_page: Any, live_server: LiveServer) -> None:
    open_page(director_page, live_server, "/palanca/2")
    director_page.select_option("#quarter-select", "2024-T2")
    director_page.wait_for_url(re.compile(r"t=2024-T2"))
    director_page.wait_for_selector(
        "#main-content footer, .app-footer:has-text('2n trimestre de 2024')"
    )
    director_page.click(".lang-link[lang=es]")
    director_page.wait_for_url(re.compile(r"lang=es"))
    director_page.wait_for_selector("#main-content h1:has-text('Palanca 2')")
    director_page.wait_for_function("() => document.documentElement.lang === 'es'")
    assert "Ejes" in director_page.inner_text("#main-content")
    # the account bar too, from the first paint (the cookie still said Catalan)
    assert director_page.inner_text("#auth-logout").strip() == "Cerrar sesión"
    assert "t=2024-T2" in director_page.url  # the quarter survives the language change
    # the choice is remembered (cookie) on a link without ?lang
    open_page(director_page, live_server, "/lliuraments")
    assert director_page.inner_text("#main-content h1") == "Entregas"
    director_page.click(".lang-link[lang=ca]")
    director_page.wait_for_selector("#main-content h1:has-text('Lliuraments')")


def test_submissions_copy_reminder(director_page: Any, live_server: LiveServer) -> None:
    open_page(director_page, live_server, "/lliuraments?any=2024")
    matrix = director_page.inner_text(".matrix")
    assert "2024-T3" in matrix
    pending = director_page.locator(".pending-item")
    if pending.count() == 0:
        pytest.fail("the demo data has a service that never sends 2024-T3: it must be pending")
    item = pending.first
    assert "@example.org" in item.inner_text()
    assert item.locator(".copy-button").count() == 1
    item.locator("summary").click()
    # the first pending quarter of the year (a service may miss several)
    assert re.search(
        r"del [1-4][rnt] trimestre de 2024", item.locator(".reminder-text").inner_text()
    )
    assert "El termini era" in item.locator(".reminder-text").inner_text()  # long passed
    label = item.locator(".copy-label")
    assert label.inner_text() == "Copia el recordatori"
    director_page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    item.locator(".copy-button").click()
    director_page.wait_for_function(
        "() => document.querySelector('.pending-item .copy-label').textContent === 'Copiat'"
    )
