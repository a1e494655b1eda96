"""The edge without a session (web/guard.py, web/errors.py): unknown addresses are 404 and
never Dash's index page, unknown component files and malformed callbacks answer 4xx, and
none of them writes a traceback to the log."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers.web_login import csrf_from_login_page

DASH_INDEX_MARKERS = (b"_dash-config", b"DashRenderer", b"_dash-renderer")


def assert_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert "Traceback" not in caplog.text
    for record in caplog.records:
        assert record.exc_info is None, record.getMessage()
        assert record.levelno < logging.ERROR, record.getMessage()


def test_unknown_addresses_without_a_session_are_404(
    client_for: Callable[[str | None], Any], caplog: pytest.LogCaptureFixture
) -> None:
    anonymous = client_for(None)
    for path in (
        "/nonexistent",
        "/wp-admin/setup.php",
        "/cgi-bin/../../etc/passwd",
        "/assets-not-really/x",
        "/.env",
    ):
        response = anonymous.get(path)
        assert response.status_code == 404, path
        assert not any(marker in response.data for marker in DASH_INDEX_MARKERS), path
        assert len(response.data) < 4000, path
        json_response = anonymous.get(path, headers={"Accept": "application/json"})
        assert json_response.status_code == 404
        assert json_response.get_json()["error"] == "not_found"
    # the app's own pages still send a visitor to the login form, and come back after it
    for path in ("/", "/palanca/1", "/objectiu/P1.01", "/gestio"):
        response = anonymous.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next="), path
    assert_no_traceback(caplog)


def test_unknown_addresses_with_a_session_say_404_too(
    client_for: Callable[[str | None], Any],
) -> None:
    guest = client_for("guest")
    response = guest.get("/nonexistent")
    assert response.status_code == 404  # the app draws its own 404 page there
    assert guest.get("/palanca/1").status_code == 200
    assert guest.get("/objectiu/P1.01").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/nonexistent/x.js",
        "/_dash-component-suites/dash/nonexistent.js",
        "/_dash-component-suites/dash/../../settings.py",
        "/_dash-component-suites/plotly/package_data/../../../app.py",
    ],
)
def test_unknown_component_files_are_404_without_a_traceback(
    client_for: Callable[[str | None], Any], caplog: pytest.LogCaptureFixture, path: str
) -> None:
    for client in (client_for(None), client_for("guest")):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"Traceback" not in response.data and b"DependencyException" not in response.data
    assert_no_traceback(caplog)


JUNK_BODIES: list[tuple[str, str]] = [
    ("application/json", "{not json"),
    ("application/json", "[1, 2, 3]"),
    ("application/json", json.dumps({"output": "x"})),
    ("application/json", json.dumps({"output": "_pages_content.children"})),
    (
        "application/json",
        json.dumps({"output": ".._pages_content.children..._pages_store.data..", "inputs": "x"}),
    ),
    (
        "application/json",
        json.dumps(
            {
                "output": ".._pages_content.children..._pages_store.data..",
                "inputs": [
                    {"id": "_pages_location", "property": "pathname", "value": ["/gestio"]},
                    {"id": "_pages_location", "property": "search", "value": ""},
                ],
            }
        ),
    ),
    (
        "application/json",
        json.dumps(
            {
                "output": ".._pages_content.children..._pages_store.data..",
                "inputs": [
                    {"id": "_pages_location", "property": "pathname", "value": "/"},
                    {"id": "_pages_location", "property": "search", "value": ""},
                ],
                "changedPropIds": [{"x": 1}],
            }
        ),
    ),
    ("text/plain", "hello"),
]


def test_malformed_callbacks_without_a_session_are_refused_quietly(
    client_for: Callable[[str | None], Any], caplog: pytest.LogCaptureFixture
) -> None:
    anonymous = client_for(None)
    token = csrf_from_login_page(anonymous)  # a visitor's session, not logged in
    for content_type, body in JUNK_BODIES:
        for headers in ({}, {"X-CSRFToken": token}):
            response = anonymous.post(
                "/_dash-update-component", data=body, content_type=content_type, headers=headers
            )
            assert 400 <= response.status_code < 500, (body, headers)
            assert b"Traceback" not in response.data
    assert_no_traceback(caplog)


def test_malformed_callbacks_of_a_logged_in_user_are_400_without_a_traceback(
    client_for: Callable[[str | None], Any], caplog: pytest.LogCaptureFixture
) -> None:
    guest = client_for("guest")
    for content_type, body in JUNK_BODIES:
        response = guest.post("/_dash-update-component", data=body, content_type=content_type)
        assert response.status_code == 400, body
        assert response.get_json()["error"] in ("bad_request", "http_error"), body
    assert_no_traceback(caplog)


def test_head_of_the_login_page_is_the_page(client_for: Callable[[str | None], Any]) -> None:
    response = client_for(None).head("/login")
    assert response.status_code == 200
