"""«Claus d'accés a l'API» (``/claus``, issue 19) in headless Chromium: a technician finds
the page in the account bar, makes a key to deliver values and sees it once (a copy button
and the warning), the key works against ``POST /api/v1/submissions``, it is listed without its
secret after a reload, and «Revoca» stops it; no console error, axe-core clean (WCAG 2.1 AA)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from conftest import LiveServer

from tests.e2e.test_workflow import serious_violations
from tests.helpers.browser_login import create_account, login

PERIOD = "2025-T4"  # the demo's open quarter


def _deliver(live_server: LiveServer, token: str) -> int:
    """A dry run of one SIS value with ``token``: the status the API answers."""
    body = {"service": "SIS", "period": PERIOD, "values": [{"indicator": "P3.03-I1", "value": 5}]}
    request = urllib.request.Request(
        live_server.url("/api/v1/submissions"),
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def test_make_see_once_use_and_revoke_a_key(browser: Any, live_server: LiveServer) -> None:
    username, password = create_account(live_server.db_url, "e2e-claus", "tecnic", ["SIS"])
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ca-ES")
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        login(page, live_server.base_url, username, password)
        page.click("#auth-bar >> text=Claus d'accés a l'API")
        page.wait_for_selector("h1 >> text=Claus d'accés a l'API")
        page.wait_for_selector("#claus-empty")
        page.fill("#claus-name", "Exportació del programa d'expedients")
        page.select_option("#claus-scope", "submit")
        page.fill("#claus-days", "30")
        page.click("#claus-create")
        page.wait_for_selector("#claus-created >> text=no es tornarà a mostrar")
        token = page.inner_text("#claus-secret").strip()
        assert token.startswith("sdp_")
        assert page.locator("#claus-created .claus-copy").count() == 1
        page.wait_for_selector("#claus-table >> text=Exportació del programa d'expedients")
        violations = serious_violations(page)
        assert _deliver(live_server, token) == 200
        page.reload()
        page.wait_for_selector("#claus-table")
        assert token not in page.content()  # shown once only
        page.click("#claus-table button >> text=Revoca")
        page.wait_for_selector("#claus-revoked >> text=ja no funciona")
        page.wait_for_selector("#claus-table .claus-state >> text=Revocada")
        violations += serious_violations(page)
        assert _deliver(live_server, token) == 401
    finally:
        page.close()
        context.close()
    assert not errors, errors
    assert not violations, violations
