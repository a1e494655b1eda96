"""Fixtures of the Flask-side tests: the app on a migrated database (SQLite and PostgreSQL),
three accounts (``boss`` director, ``tec`` technician of SIS, ``guest`` consulta) and logged-in
test clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dash
import pytest

from app import create_app
from indicators.storage.engine import get_engine
from tests.helpers.web_login import PASSWORD, login, make_user
from tests.web.web_app import web_settings


@pytest.fixture
def web_app(db_url: str, tmp_path: Path) -> Iterator[dash.Dash]:
    application = create_app(web_settings(db_url, tmp_path))
    make_user(db_url, "boss", "director")
    make_user(db_url, "tec", "tecnic", ["SIS"])
    make_user(db_url, "guest", "consulta")
    yield application
    get_engine(db_url).dispose()


@pytest.fixture
def client_for(web_app: dash.Dash) -> Callable[[str | None], Any]:
    """A test client of ``web_app``, logged in as the given account (None: anonymous)."""

    def make(username: str | None) -> Any:
        client = web_app.server.test_client()
        if username:
            login(client, username, PASSWORD)
        return client

    return make
