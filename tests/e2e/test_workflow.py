"""The quarterly submission workflow in headless Chromium (issue 6), logged in as each role:

technician submits a bad file, reads the errors, fixes it, submits, sees it in the history;
director approves and locks the quarter; the technician's upload to the locked quarter is
refused; a consulta account cannot reach the upload page.
"""

from __future__ import annotations

import io
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accounts import users
from indicators.intake.template import build_template, stage_names
from indicators.storage.engine import make_engine
from indicators.storage.migrate import upgrade
from plan_model.models import Plan
from tests.helpers.browser_login import create_account, login, logout

CHROMIUM = "/usr/bin/chromium"
PERIOD = "2025-T2"
pytestmark = pytest.mark.e2e


def _chromium() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must install chromium (apt-get install -y chromium)")
        pytest.skip("chromium is not installed")
    return CHROMIUM


def filled_template(
    plan: Plan, service: str, period: str, *, bad: bool = False, comment: str | None = None
) -> bytes:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(build_template(plan, service, period)))
    ws = wb["Dades"]
    stages = stage_names(plan)
    first = True
    for row in ws.iter_rows(min_row=1):
        code = row[0].value
        if not isinstance(code, str) or code not in plan.indicator_by_code:
            continue
        indicator = plan.indicator_by_code[code]
        if indicator.is_milestone:
            row[6].value = stages[2]
        else:
            value = indicator.baseline.value if indicator.baseline else 1
            row[6].value = "molts" if bad and first else value
            if comment and first:
                row[7].value = comment
            first = False
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    from werkzeug.serving import make_server

    from app import create_app
    from settings import Settings

    db_url = f"sqlite:///{tmp_path / 'e2e.db'}"
    upgrade(db_url)
    app = create_app(
        Settings(
            database_url=db_url,
            environment="test",
            secret_key="e2e-secret-key-0123456789abcdef",
            upload_dir=tmp_path / "uploads",
        )
    )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    httpd = make_server("127.0.0.1", port, app.server, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", db_url
    finally:
        httpd.shutdown()


# `browser` is the session-wide Chromium of tests/e2e/conftest.py: one Playwright per
# process (a second sync Playwright inside the first one's event loop is an error).


def _upload(page: Any, content: bytes, name: str) -> str:
    """Drop a file on the upload zone and wait for its check result (a new summary)."""
    page.evaluate(
        "() => { const el = document.querySelector('#enviar-summary');"
        " if (el) { el.id = 'enviar-summary-old'; } }"
    )
    page.set_input_files(
        "#enviar-upload input[type=file]",
        files=[
            {
                "name": name,
                "buffer": content,
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ],
    )
    page.wait_for_selector("#enviar-summary", timeout=30_000)
    text: str = page.inner_text("#enviar-check-result")
    return text


def serious_violations(page: Any) -> list[str]:
    """axe-core (WCAG 2.1 A/AA) violations of impact serious or critical on the page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(str(n["target"][0]) for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _open_upload(page: Any, base: str) -> None:
    page.goto(f"{base}/enviar")
    page.wait_for_selector("#enviar-service", timeout=30_000)
    page.select_option("#enviar-service", "SIS")
    page.select_option("#enviar-period", PERIOD)
    page.wait_for_function(
        "p => (document.querySelector('#enviar-template-link').getAttribute('href') || '')"
        ".includes('period=' + p)",
        arg=PERIOD,
        timeout=15_000,
    )


def test_quarterly_workflow_by_role(server: tuple[str, str], browser: Any, plan: Plan) -> None:
    base, db_url = server
    tec = create_account(db_url, "tec", "tecnic", ["SIS", "SBAS-VIC"])
    boss = create_account(db_url, "boss", "director")
    guest = create_account(db_url, "guest", "consulta")
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ca-ES")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    axe: list[str] = []
    page.goto(f"{base}/login")
    axe += serious_violations(page)

    # technician: a bad file, its errors, the fix, the submission, the history
    login(page, base, *tec)
    _open_upload(page, base)
    href = page.get_attribute("#enviar-template-link", "href")
    assert href and "service=SIS" in href and f"period={PERIOD}" in href
    text = _upload(page, filled_template(plan, "SIS", PERIOD, bad=True), "dades_SIS.xlsx")
    assert "El fitxer té errors" in text
    page.wait_for_selector("#enviar-issues-grid .ag-row", timeout=15_000)
    assert "molts" in page.inner_text("#enviar-issues-grid")
    assert page.is_disabled("#enviar-confirm")
    text = _upload(page, filled_template(plan, "SIS", PERIOD), "dades_SIS_corregit.xlsx")
    assert "Fitxer vàlid" in text
    page.wait_for_selector("#enviar-values-grid .ag-row", timeout=15_000)
    page.wait_for_selector("#enviar-confirm:not([disabled])", timeout=15_000)
    page.click("#enviar-confirm")
    page.wait_for_selector("#enviar-done", timeout=30_000)
    page.wait_for_selector("#enviar-history-table >> text=dades_SIS_corregit.xlsx", timeout=15_000)
    assert "tec" in page.inner_text("#enviar-history-table")
    axe += serious_violations(page)
    logout(page)

    # director: approve SIS for the quarter, then lock the quarter
    login(page, base, *boss)
    page.goto(f"{base}/gestio")
    page.wait_for_selector("#gestio-period", timeout=30_000)
    page.select_option("#gestio-period", PERIOD)
    page.select_option("#gestio-service", "SIS")
    page.wait_for_selector("#gestio-row-SIS >> text=dades_SIS_corregit.xlsx", timeout=15_000)
    page.click("#gestio-approve")
    page.wait_for_selector("#gestio-done", timeout=15_000)
    page.wait_for_selector("#gestio-row-SIS >> text=Acceptat per boss", timeout=15_000)
    assert page.is_disabled("#gestio-reopen")  # an open quarter: nothing to reopen
    page.once("dialog", lambda dialog: dialog.accept())  # "Tanca el trimestre" asks first
    page.click("#gestio-lock button")
    page.wait_for_selector("#gestio-lock-status.period-locked", timeout=15_000)
    axe += serious_violations(page)
    page.goto(f"{base}/usuaris")
    page.wait_for_selector("#usuaris-grid .ag-row", timeout=30_000)
    axe += serious_violations(page)
    page.goto(f"{base}/auditoria")
    page.wait_for_selector("#auditoria-grid .ag-row", timeout=30_000)
    page.wait_for_selector("#auditoria-grid >> text=Trimestre tancat", timeout=15_000)
    axe += serious_violations(page)
    logout(page)

    # technician again: the locked quarter refuses the upload, with a clear message
    login(page, base, *tec)
    _open_upload(page, base)
    page.wait_for_selector("#enviar-lock-note >> text=tancat", timeout=15_000)
    text = _upload(
        page, filled_template(plan, "SIS", PERIOD, comment="revisat"), "dades_SIS_v3.xlsx"
    )
    assert "tancat per la direcció" in page.inner_text("#enviar-locked")
    assert page.is_disabled("#enviar-confirm")
    # a password reset ends the open session: the next callback leads to the login page
    engine = make_engine(db_url)
    try:
        users.set_password(engine, "tec", "a brand new password", by="boss")
    finally:
        engine.dispose()
    page.select_option("#enviar-period", "2025-T1")
    page.wait_for_url("**/login?next=*", timeout=15_000)

    # consulta: no upload page, no link to it
    login(page, base, *guest)
    assert page.locator("#auth-bar a[href='/enviar']").count() == 0
    response = page.goto(f"{base}/enviar")
    assert response is not None and response.status == 403
    assert "Accés denegat" in page.inner_text("body")
    assert page.locator("#enviar-upload").count() == 0
    context.close()
    assert not errors, errors
    assert not axe, axe
