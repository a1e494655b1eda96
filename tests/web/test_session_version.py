"""Sessions end server-side: logout, a password change and disabling bump the user's session
version, so a copy of an older session cookie is refused (issue 13)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash

from accounts import users
from indicators.storage.engine import get_engine
from tests.helpers.web_login import PASSWORD
from web.session import SESSION_COOKIE


def _replay(web_app: dash.Dash, cookie: str) -> Any:
    """A fresh client carrying only the copied session cookie."""
    other = web_app.server.test_client()
    other.set_cookie(SESSION_COOKIE, cookie)
    return other.get("/_dash-layout")


def _copied_cookie(client: Any) -> str:
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    return str(cookie.value)


def test_a_cookie_copied_before_logout_stops_working(
    web_app: dash.Dash, client_for: Callable[[str | None], Any]
) -> None:
    client = client_for("tec")
    copied = _copied_cookie(client)
    assert _replay(web_app, copied).status_code == 200  # the copy works while logged in
    assert client.post("/logout").status_code == 302
    assert _replay(web_app, copied).status_code != 200


def test_logout_ends_the_users_other_sessions_too(
    web_app: dash.Dash, client_for: Callable[[str | None], Any]
) -> None:
    first, second = client_for("tec"), client_for("tec")
    copied = _copied_cookie(second)
    first.post("/logout")
    assert _replay(web_app, copied).status_code != 200


def test_password_change_and_disable_bump_the_session_version(db_url: str) -> None:
    engine = get_engine(db_url)
    users.create_user(engine, "ana", PASSWORD, "tecnic", ["SIS"])
    tokens = [users.get_user(engine, "ana").session_token]  # type: ignore[union-attr]
    users.set_password(engine, "ana", PASSWORD)  # same password: the session still ends
    tokens.append(users.get_user(engine, "ana").session_token)  # type: ignore[union-attr]
    users.disable_user(engine, "ana")
    users.enable_user(engine, "ana")
    tokens.append(users.get_user(engine, "ana").session_token)  # type: ignore[union-attr]
    info = users.get_user(engine, "ana")
    assert info is not None
    users.end_sessions(engine, info.id)
    tokens.append(users.get_user(engine, "ana").session_token)  # type: ignore[union-attr]
    assert len(set(tokens)) == 4
