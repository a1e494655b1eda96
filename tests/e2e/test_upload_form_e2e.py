"""Issue 17 in Chromium on the demo data: a technician opens the form of ``/enviar``, types
a wrong value and reads the import's error at its indicator, fixes it, saves a draft, reloads
the page and finds the draft, checks again and confirms; the submission is stored with the
source "formulari". axe-core clean on the form, with its errors and once sent."""

from __future__ import annotations

from typing import Any

from conftest import LiveServer

from indicators.intake.issues import IssueMaker
from indicators.storage import locks
from indicators.storage.engine import make_engine
from indicators.storage.queries import submissions_frame
from layouts.upload_workflow import upload_periods
from tests.helpers.browser_login import create_account, login

DRAWN = "() => !document.querySelector('[data-dash-is-loading=\"true\"]')"
SERVICE, NUMBER, MILESTONE = "SAD", "P2.05-I1", "P3.05-I1"


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


def _open_period(server: LiveServer) -> str:
    """A quarter the service can report now that is not locked."""
    engine = make_engine(server.db_url)
    try:
        locked = locks.locked_periods(engine)
    finally:
        engine.dispose()
    return next(str(p) for p in upload_periods(server.plan) if str(p) not in locked)


def _open_form(page: Any, server: LiveServer, period: str) -> None:
    page.goto(server.url(f"/enviar?servei={SERVICE}"))
    page.wait_for_selector("#main-content h1", timeout=30_000)
    page.select_option("#enviar-period", period)
    page.click("#enviar-form-panel > summary")
    page.wait_for_selector(f'#enviar-form-table tr[data-indicator="{NUMBER}"]', timeout=30_000)
    page.wait_for_function(DRAWN, timeout=30_000)


def _stored_sources(server: LiveServer, period: str) -> list[str]:
    engine = make_engine(server.db_url)
    try:
        frame = submissions_frame(engine)
    finally:
        engine.dispose()
    mine = frame[(frame["service"] == SERVICE) & (frame["period"] == period)]
    return [str(s) for s in mine.sort_values("id")["source"]]


def test_a_technician_fills_the_form_saves_a_draft_and_sends_it(
    browser: Any, live_server: LiveServer
) -> None:
    period = _open_period(live_server)
    before = _stored_sources(live_server, period)
    username, password = create_account(live_server.db_url, "e2e-form-tec", "tecnic", [SERVICE])
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ca-ES")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        login(page, live_server.base_url, username, password)
        _open_form(page, live_server, period)
        assert not _serious_violations(page, "#enviar-form-panel")

        page.get_by_label(f"Valor de {NUMBER}").fill("molts")
        page.click("#enviar-form-check")
        page.wait_for_selector("#enviar-form-summary.import-rejected")
        issue = page.locator(f'#enviar-form-issues tr[data-indicator="{NUMBER}"]').first
        assert IssueMaker("ca")("not_a_number", value="molts").message in issue.inner_text()
        assert page.is_disabled("#enviar-form-confirm")
        assert not _serious_violations(page, "#enviar-form")

        page.get_by_label(f"Valor de {NUMBER}").fill("1.234,5")
        page.get_by_label(f"Comentari sobre {NUMBER}").fill("hores de juny")
        page.get_by_label(f"Valor de {MILESTONE}").select_option("en_desenvolupament")
        page.click("#enviar-form-save")
        page.wait_for_selector("#enviar-form-draft")
        assert f"Esborrany desat per {username}" in page.inner_text("#enviar-form-draft")

        _open_form(page, live_server, period)  # the page again: the draft is put back
        assert page.get_by_label(f"Valor de {NUMBER}").input_value() == "1.234,5"
        assert page.get_by_label(f"Valor de {MILESTONE}").input_value() == "en_desenvolupament"
        assert f"Esborrany desat per {username}" in page.inner_text("#enviar-form-draft")

        page.click("#enviar-form-check")
        page.wait_for_selector("#enviar-form-summary.import-ok")
        assert "1.234,5" in page.inner_text("#enviar-form-changes")  # what changes
        page.wait_for_function(
            "() => !document.getElementById('enviar-form-confirm').disabled", timeout=30_000
        )
        page.click("#enviar-form-confirm")
        page.wait_for_selector("#enviar-form-done")
        assert not _serious_violations(page, "#enviar-form")
        page.wait_for_function(DRAWN, timeout=30_000)
        assert "formulari" in page.inner_text("#enviar-history")
    finally:
        context.close()
    assert _stored_sources(live_server, period) == [*before, "formulari"]
