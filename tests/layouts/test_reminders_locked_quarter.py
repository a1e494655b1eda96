"""The reminders button of /lliuraments on a locked quarter says the quarter is locked, as
``seguiment remind`` does, instead of "0 missatges enviats" (found by the cycle's end-to-end
test, tests/e2e/test_cycle_e2e.py). SQLite and PostgreSQL, a real SMTP server in the test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import pytest

from accounts.approvals import lock_period, reopen_period
from accounts.roles import Actor
from app import create_app
from indicators.storage.engine import get_engine
from tests.helpers.smtp_server import smtp_server
from tests.helpers.web_login import make_user
from tests.layouts.test_security import call, callback_key, client_for, make_settings

PERIOD = "2025-T4"
LOCKED = "El 4t trimestre de 2025 està tancat: no s'envia cap recordatori."


@pytest.fixture
def mail() -> Iterator[Any]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def mailing_app(db_url: str, tmp_path: Path, mail: Any) -> Iterator[dash.Dash]:
    application = create_app(
        make_settings(db_url, tmp_path, smtp_url=mail.url, mail_from="seguiment@coss.test")
    )
    make_user(db_url, "boss", "director")
    yield application
    get_engine(db_url).dispose()


def _send(app: dash.Dash, client: Any, lang: str = "ca") -> str:
    key = callback_key(app, "lliuraments-remind-result")
    values = {
        "lliuraments-remind.n_clicks": 1,
        "lliuraments-remind-period.data": PERIOD,
        "page-lang.data": lang,
    }
    response = call(client, app, key, values)
    assert response.status_code == 200, response.data[:300]
    alert = json.loads(response.data)["response"]["lliuraments-remind-result"]["children"]
    return str(alert["props"]["children"])


def test_a_locked_quarter_is_not_reminded_and_the_button_says_so(
    mailing_app: dash.Dash, mail: Any, db_url: str
) -> None:
    engine = get_engine(db_url)
    lock_period(engine, PERIOD, by=Actor.operator("test"), reason="final")
    boss = client_for(mailing_app, "boss")
    answer = _send(mailing_app, boss)
    assert LOCKED in answer
    assert "missatges enviats" not in answer
    assert "El 4.º trimestre de 2025 está cerrado: no se envía" in _send(mailing_app, boss, "es")
    assert mail.messages == []

    reopen_period(engine, PERIOD, by=Actor.operator("test"), reason="correcció")
    answer = _send(mailing_app, boss)  # open again: the pending services are reminded
    assert "missatges enviats i registrats" in answer and LOCKED not in answer
    assert mail.messages
