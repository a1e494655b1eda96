"""The indicator's fitxa on the objective page in Chromium (issue 15): a disclosure per
indicator that opens from the keyboard, passes axe-core and fits a phone."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import LiveServer
from test_dashboard_e2e import open_page, serious_violations


@pytest.mark.parametrize("width", (360, 1366))
def test_the_fitxa_opens_fits_and_passes_axe(
    director_page: Any, live_server: LiveServer, width: int
) -> None:
    director_page.set_viewport_size({"width": width, "height": 844})
    try:
        open_page(director_page, live_server, "/objectiu/P1.10")
        sheets = director_page.locator("details.fitxa")
        assert sheets.count() == 3  # P1.10-I1, I3 and I4
        first = director_page.locator("#fitxa-P1\\.10-I3")
        assert first.get_attribute("open") is None  # closed by default
        first.locator("summary").focus()
        director_page.keyboard.press("Enter")  # a summary opens from the keyboard
        assert first.get_attribute("open") is not None
        text = first.inner_text()
        for label in ("Definició", "Fórmula", "Periodicitat", "Font de verificació"):
            assert label in text
        assert "72 h" in text and "Trimestral" in text
        wide = director_page.evaluate(
            "() => document.documentElement.scrollWidth - window.innerWidth"
        )
        assert wide <= 1, f"{wide}px of horizontal scroll at {width} px"
        assert serious_violations(director_page) == []
    finally:
        director_page.set_viewport_size({"width": 1366, "height": 768})
