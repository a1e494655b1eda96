"""Picking the same file again through the file chooser re-checks it (issues 13 and 16).

A technician drops a file with an error, fixes it in place (same path, same name) and picks
it again: the check runs again, the panel names the file and the time it was checked, the
preview shows Catalan numbers and stage names, and the "only checked" banner goes away once
the file is sent.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest

from indicators.intake.template import build_template, stage_names
from plan_model.models import Plan
from tests.e2e.conftest import LiveServer
from tests.helpers.browser_login import create_account, login

SERVICE = "SIS"
# «a la 1:05» but «a les 10:42»: the article follows the hour the check ran at
CHECKED = r"full_T3\.xlsx, comprovat a (?:la|les) \d\d:\d\d"
pytestmark = pytest.mark.e2e


def _write_template(plan: Plan, period: str, path: Path, *, bad: bool) -> None:
    """The service's template filled in: 1234 in the first numeric row ("molts" if bad),
    the third stage in the milestone rows."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(build_template(plan, SERVICE, period)))
    sheet = workbook["Dades"]
    stage = stage_names(plan)[2]
    first = True
    for row in sheet.iter_rows(min_row=1):
        code = row[0].value
        if not isinstance(code, str) or code not in plan.indicator_by_code:
            continue
        if plan.indicator_by_code[code].is_milestone:
            row[6].value = stage
        else:
            row[6].value = ("molts" if bad else 1234) if first else 12
            first = False
    workbook.save(path)


def _open_period(page: Any, base_url: str) -> str:
    """Open /enviar for the service and pick the newest quarter that is not locked."""
    page.goto(base_url + "/enviar")
    page.wait_for_selector("#enviar-service", timeout=30_000)
    page.select_option("#enviar-service", SERVICE)
    options = page.eval_on_selector_all(
        "#enviar-period option", "els => els.map(o => [o.value, o.textContent])"
    )
    period = next(value for value, label in options if value and "(" not in label)
    page.select_option("#enviar-period", period)
    page.wait_for_function(
        "p => (document.querySelector('#enviar-template-link').getAttribute('href') || '')"
        ".includes('period=' + p)",
        arg=period,
        timeout=15_000,
    )
    return str(period)


def _pick(page: Any, path: Path) -> str:
    """Choose ``path`` through the file chooser (a click on the zone) and wait for a new
    check result; return the panel's text."""
    page.evaluate(
        "() => { const el = document.querySelector('#enviar-summary');"
        " if (el) { el.id = 'enviar-summary-old'; } }"
    )
    with page.expect_file_chooser() as chooser:
        page.click("#enviar-upload")
    chooser.value.set_files(str(path))
    page.wait_for_selector("#enviar-summary", timeout=30_000)
    text: str = page.inner_text("#enviar-check-result")
    return text


def test_picking_the_fixed_file_again_checks_it_again(
    browser: Any, live_server: LiveServer, plan: Plan, tmp_path: Path
) -> None:
    username, password = create_account(live_server.db_url, "e2e-repick", "tecnic", [SERVICE])
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ca-ES")
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        login(page, live_server.base_url, username, password)
        period = _open_period(page, live_server.base_url)
        path = tmp_path / "full_T3.xlsx"
        _write_template(plan, period, path, bad=True)
        text = _pick(page, path)
        assert "El fitxer té errors" in text
        assert re.search(CHECKED, text), text
        assert page.get_attribute("#enviar-check-result", "aria-live") == "polite"

        _write_template(plan, period, path, bad=False)  # fixed in place, same name
        text = _pick(page, path)
        assert "Fitxer vàlid" in text, text
        assert "El fitxer té errors" not in text
        assert re.search(CHECKED, text), text
        page.wait_for_selector("#enviar-values-grid .ag-row", timeout=15_000)
        values = page.inner_text("#enviar-values-grid")
        assert "1.234" in values and "1234" not in values
        changes = page.inner_text("#enviar-changes")
        assert "1.234" in changes and not re.search(r"\d\.0\b", changes), changes

        page.wait_for_selector("#enviar-confirm:not([disabled])", timeout=15_000)
        page.click("#enviar-confirm")
        page.wait_for_selector("#enviar-done", timeout=30_000)
        # the check's "nothing stored" banner belongs to the check, not to the submission
        assert "només validació" not in page.inner_text("#enviar-check-result")
        assert page.locator("#enviar-summary").count() == 0

        # the very same bytes picked again after sending: a new check, the "Sent" answer goes
        text = _pick(page, path)
        assert re.search(CHECKED, text), text
        assert page.locator("#enviar-done").count() == 0
        assert errors == []
    finally:
        context.close()
