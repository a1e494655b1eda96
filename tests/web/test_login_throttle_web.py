"""The login page's answer to refused logins (issue 13): the same status, body and message
whether or not the name exists; 429 with ``Retry-After`` and the Catalan wait while
throttled; a correct password from another address is never refused (SQLite and
PostgreSQL)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import pytest

from app import create_app
from indicators.storage.engine import get_engine
from tests.helpers.web_login import PASSWORD, csrf_from_login_page, make_user
from tests.web.web_app import web_settings

WAIT = re.compile(r"Massa intents\. Torneu-ho a provar d'aquí a (\d+) segons\.")


@pytest.fixture
def throttled_app(db_url: str, tmp_path: Path) -> Iterator[dash.Dash]:
    settings = web_settings(db_url, tmp_path, login_max_failures=2, login_delay_seconds=60)
    application = create_app(settings)
    make_user(db_url, "boss", "director")
    yield application
    get_engine(db_url).dispose()


def _client(app: dash.Dash, address: str) -> Any:
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _attempt(client: Any, username: str, password: str) -> tuple[int, str, str | None]:
    """POST one login: its status, its page (token, name and wait blanked) and Retry-After.
    The wait is checked against the header here: it may tick down between two attempts."""
    token = csrf_from_login_page(client)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    body = html.unescape(response.get_data(as_text=True))
    retry_after = response.headers.get("Retry-After")
    match = WAIT.search(body)
    assert (match.group(1) if match else None) == retry_after
    body = WAIT.sub("WAIT", body.replace(token, "TOKEN").replace(username, "NAME"))
    return response.status_code, body, retry_after


def test_existing_and_unknown_names_get_the_same_answers(throttled_app: dash.Dash) -> None:
    answers = {}
    for name in ("boss", "ghost"):
        client = _client(throttled_app, "10.6.6.6")
        answers[name] = [_attempt(client, name, "wrong") for _ in range(3)]
    assert [a[0] for a in answers["boss"]] == [401, 401, 429]
    for known, unknown in zip(answers["boss"], answers["ghost"], strict=True):
        assert known[0] == unknown[0] and known[1] == unknown[1]
    _status, body, retry_after = answers["ghost"][2]
    assert "WAIT" in body and retry_after is not None and 50 < int(retry_after) <= 60
    assert "WAIT" not in answers["ghost"][1][1]


def test_the_right_password_while_throttled_waits_but_not_from_elsewhere(
    throttled_app: dash.Dash,
) -> None:
    attacker = _client(throttled_app, "10.6.6.6")
    for _ in range(2):
        assert _attempt(attacker, "boss", "guess")[0] == 401
    assert _attempt(attacker, "boss", PASSWORD)[0] == 429
    office = _client(throttled_app, "10.1.1.1")
    status, _body, _retry = _attempt(office, "boss", PASSWORD)
    assert status == 302
    assert office.get("/_dash-layout").status_code == 200


def test_the_wait_is_worded_in_spanish_and_english(throttled_app: dash.Dash) -> None:
    for lang, expected in (
        ("es", "Demasiados intentos. Vuelva a probarlo dentro de"),
        ("en", "Too many attempts. Try again in"),
    ):
        client = _client(throttled_app, f"10.7.7.{len(lang)}{ord(lang[0])}")
        for _ in range(2):
            _attempt(client, "ghost", "x")
        token = csrf_from_login_page(client)
        response = client.post(
            f"/login?lang={lang}", data={"username": "ghost", "password": "x", "csrf_token": token}
        )
        assert response.status_code == 429 and expected in response.get_data(as_text=True)
