"""The API's documentation page ``/api/v1/docs`` in headless Chromium (issue 19): it loads
the app's own stylesheet and nothing from elsewhere, runs no script, logs no console error,
and axe-core finds no serious or critical WCAG 2.1 A/AA violation, in Catalan and English."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from app import create_app
from indicators.storage.migrate import upgrade
from tests.web.web_app import web_settings


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("api_docs")
    url = f"sqlite:///{folder / 'docs.db'}"
    upgrade(url)
    app = create_app(web_settings(url, folder))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _serious(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} "
        + "; ".join(str(n["target"][0]) for n in v["nodes"][:4])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("lang", ["ca", "en"])
def test_the_docs_page_is_accessible_and_self_contained(
    docs_server: str, browser: Any, lang: str
) -> None:
    page = browser.new_page()  # the session's browser (tests/e2e/conftest.py)
    errors: list[str] = []
    requested: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("request", lambda request: requested.append(request.url))
    try:
        page.goto(f"{docs_server}/api/v1/docs?lang={lang}", timeout=120_000)
        page.wait_for_selector("h1", timeout=120_000)
        assert page.locator("html").get_attribute("lang") == lang
        assert page.evaluate("document.scripts.length") == 0
        assert page.evaluate("getComputedStyle(document.body).fontFamily") != "Times New Roman"
        violations = _serious(page)
    finally:
        page.close()
    assert all(url.startswith(docs_server) for url in requested), requested
    assert any("/assets/" in url for url in requested)  # the app's own stylesheet
    assert not errors, errors
    assert not violations, violations


@pytest.mark.parametrize("width", [360, 390, 768])
def test_the_docs_page_fits_a_phone(docs_server: str, browser: Any, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        page.goto(f"{docs_server}/api/v1/docs", timeout=120_000)
        page.wait_for_selector("h1", timeout=120_000)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        page.close()
