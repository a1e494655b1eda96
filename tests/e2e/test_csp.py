"""The pages work under their Content-Security-Policy (web/headers.py): in Chromium, logged in
as a director, every main page carries the policy and the browser reports no violation of it
(no blocked script, style, image or connection) in events or in the console."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import LiveServer

from tests.helpers.browser_login import create_account, login

PAGES = (
    "/",
    "/palanca/1",
    "/objectiu/P1.01",
    "/lliuraments",
    "/canvis",
    "/pla",
    "/sessio",
    "/enviar",
    "/gestio",
    "/usuaris",
    "/auditoria",
    "/?lang=es",
    "/canvis?lang=en",
)
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile);
});
"""


@pytest.fixture(scope="module")
def csp_context(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ca-ES")
    context.add_init_script(RECORD_VIOLATIONS)
    yield context
    context.close()


def _csp_console(messages: list[Any]) -> list[str]:
    return [
        m.text
        for m in messages
        if "Content Security Policy" in m.text or "Content-Security-Policy" in m.text
    ]


def test_main_pages_report_no_csp_violation(csp_context: Any, live_server: LiveServer) -> None:
    username, password = create_account(live_server.db_url, "e2e-csp-director", "director")
    page = csp_context.new_page()
    page.set_default_timeout(30_000)
    console: list[Any] = []
    page.on("console", lambda message: console.append(message))
    response = page.goto(live_server.url("/login"))
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert page.evaluate("window.__cspViolations") == [] and not _csp_console(console)
    login(page, live_server.base_url, username, password)
    for path in PAGES:
        console.clear()
        response = page.goto(live_server.url(path))
        assert response.status == 200, path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self' 'sha256-" in policy and "unsafe-eval" not in policy, path
        page.wait_for_selector("#auth-bar", state="attached")
        page.wait_for_selector("#main-content, #session-counter", state="attached")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)  # late styles of the grids and charts
        assert page.evaluate("window.__cspViolations") == [], path
        assert _csp_console(console) == [], path
    # a client-side navigation draws the next page under the same policy
    page.goto(live_server.url("/"))
    page.click("a[href='/gestio']")
    page.wait_for_selector("#gestio-period")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__cspViolations") == []
    page.close()
