"""Log a Flask test client into the app (every page needs a login since issue 6).

Usage in a test module under ``tests/layouts/`` (this directory is on ``sys.path``)::

    from tests.helpers.web_login import make_user, login

    app = create_app(Settings(database_url=db_url, environment="test", secret_key="x" * 32))
    client = app.server.test_client()
    login(client, *make_user(db_url, role="director"))
    client.get("/_dash-layout")          # now answers
    client.post("/_dash-update-component", json=...)  # the CSRF header is sent for you
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from accounts import users
from indicators.storage.engine import get_engine

PASSWORD = "correct horse battery"


def make_user(
    db_url: str,
    username: str | None = None,
    role: str = "director",
    services: Iterable[str] = (),
    password: str = PASSWORD,
) -> tuple[str, str]:
    """Create an account (if missing) and return ``(username, password)``."""
    username = username or f"test-{role}"
    engine = get_engine(db_url)
    if users.get_user(engine, username) is None:
        users.create_user(engine, username, password, role, services)
    return username, password


def csrf_from_login_page(client: Any) -> str:
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the login page has no CSRF token"
    return match.group(1)


def login(client: Any, username: str, password: str = PASSWORD) -> str:
    """Log in through the real login form; afterwards the client sends the X-CSRFToken
    header on every request (as Dash's renderer does). Returns the session's CSRF token."""
    token = csrf_from_login_page(client)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    cookie = client.get_cookie("_csrf_token")
    assert cookie is not None, "no CSRF cookie after login"
    client.environ_base["HTTP_X_CSRFTOKEN"] = cookie.value
    return str(cookie.value)
