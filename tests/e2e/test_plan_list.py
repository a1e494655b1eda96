"""The plan-wide list ``/objectius`` in Chromium as a director: the filters go into the URL,
a shared link reproduces the view, the CSV download holds the rows shown; an unknown
``?t=`` says so (issue 16, part 2)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from conftest import LiveServer

READY = "() => !!document.querySelector('#objectius-count')"


def test_filters_go_into_the_url_and_the_download(
    director_page: Any, live_server: LiveServer
) -> None:
    page = director_page
    page.goto(live_server.url("/objectius"))
    page.wait_for_function(READY, timeout=30_000)
    everything = page.locator("#objectius-table tbody tr").count()
    page.select_option("#objectius-palanca", "3")
    page.click("#objectius-filters button[type=submit]")
    page.wait_for_url("**/objectius?**palanca=3**", timeout=30_000)
    page.wait_for_function(READY, timeout=30_000)
    codes = page.locator("#objectius-table tbody tr td:first-child a.code").all_inner_texts()
    assert codes and len(codes) < everything and all(code.startswith("P3.") for code in codes)
    shared = page.url
    page.goto(shared)  # a shared link: the same view
    page.wait_for_function(READY, timeout=30_000)
    assert page.locator("#objectius-palanca").input_value() == "3"
    with page.expect_download() as info:
        page.click("#main-content a.download-csv")
    path = info.value.path()
    rows = list(csv.reader(io.StringIO(Path(path).read_text("utf-8-sig")), delimiter=";"))
    assert len(rows) - 1 == len(codes)
    assert {row[2] for row in rows[1:]} == set(codes)


def test_an_unknown_quarter_is_announced(director_page: Any, live_server: LiveServer) -> None:
    director_page.goto(live_server.url("/pla?t=2030-T1"))
    notice = director_page.locator("#unknown-period-notice")
    notice.wait_for(timeout=30_000)
    assert "2030-T1" in notice.inner_text()


@pytest.mark.parametrize("width", (360, 390, 768))
@pytest.mark.parametrize("path", ("/objectius", "/objectius?palanca=3&risc=1", "/pla?t=2030-T1"))
def test_the_new_views_fit_a_phone(
    director_page: Any, live_server: LiveServer, path: str, width: int
) -> None:
    director_page.set_viewport_size({"width": width, "height": 844})
    director_page.goto(live_server.url(path))
    director_page.wait_for_selector("#main-content h1", timeout=30_000)
    scroll_width = director_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= director_page.evaluate("window.innerWidth"), (path, width)
