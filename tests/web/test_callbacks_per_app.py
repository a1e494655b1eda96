"""Every app built in a process answers every callback of the app (the tests, the
benchmark and a reloading server build several): a callback registered with a module's
``dash.callback`` outside the pages folder would go to the first app only, and the guard
would refuse its requests on any later one as malformed."""

from __future__ import annotations

from pathlib import Path

import dash

from app import create_app
from tests.web.web_app import web_settings


def _served_callbacks(application: dash.Dash) -> set[str]:
    application.server.test_client().get("/login")  # Dash copies its callbacks on a first request
    return set(application.callback_map)


def test_a_second_app_in_the_process_knows_every_callback(db_url: str, tmp_path: Path) -> None:
    first = _served_callbacks(create_app(web_settings(db_url, tmp_path / "a")))
    second = _served_callbacks(create_app(web_settings(db_url, tmp_path / "b")))
    assert "decisio-message.children" in first and "valoracio-message.children" in first
    assert second == first
