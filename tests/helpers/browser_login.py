"""Log a Playwright page into the app (every page needs a login since issue 6).

Usage in a browser test under ``tests/e2e/`` (this directory is on ``sys.path``)::

    from tests.helpers.browser_login import create_account, login

    username, password = create_account(db_url, role="consulta")
    login(page, base_url, username, password)
    page.goto(base_url + "/")
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from accounts import users
from indicators.storage.engine import make_engine

PASSWORD = "correct horse battery"


def create_account(
    db_url: str,
    username: str | None = None,
    role: str = "director",
    services: Iterable[str] = (),
    password: str = PASSWORD,
) -> tuple[str, str]:
    """Create an account (if missing) in the app's database; returns (username, password)."""
    username = username or f"e2e-{role}"
    engine = make_engine(db_url)
    try:
        if users.get_user(engine, username) is None:
            users.create_user(engine, username, password, role, services)
    finally:
        engine.dispose()
    return username, password


def login(page: Any, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Fill the login form and wait until the app has loaded."""
    page.goto(base_url.rstrip("/") + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("#auth-bar", timeout=20_000)


def logout(page: Any) -> None:
    page.click("#auth-logout")
    page.wait_for_url("**/login*")
