"""/lliuraments and reminders (issues 16 and 17): the director sends the quarter's reminders
by e-mail from the page (a real SMTP server in the test process), the page then says
"Recordat el …", the copy text speaks of a passed deadline in the past, and no one else may
send (Flask test client, SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import pytest

from app import create_app
from indicators.storage.engine import get_engine
from indicators.storage.records import ParsedValue
from indicators.storage.store import store
from tests.helpers.smtp_server import smtp_server
from tests.helpers.web_login import make_user
from tests.layouts.test_security import call, callback_key, client_for, make_settings, pages_body

PERIOD = "2025-T4"


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
    make_user(db_url, "tec", "tecnic", ["SIS"])
    store(
        get_engine(db_url),
        service="SIS",
        period=PERIOD,
        filename="sis.xlsx",
        content=b"sis",
        user="tec",
        source="web",
        values=[ParsedValue("SIS01", PERIOD, 12.0, None, "Dades", 2)],
        warnings=[],
        uploaded_at=dt.datetime(2026, 1, 10, tzinfo=dt.UTC),
    )
    yield application
    get_engine(db_url).dispose()


def _page(client: Any) -> str:
    response = client.post("/_dash-update-component", json=pages_body("/lliuraments"))
    assert response.status_code == 200, response.data[:300]
    return json.dumps(json.loads(response.data)["response"], ensure_ascii=False)


def _send(app: dash.Dash, client: Any) -> Any:
    key = callback_key(app, "lliuraments-remind-result")
    values = {
        "lliuraments-remind.n_clicks": 1,
        "lliuraments-remind-period.data": PERIOD,
        "page-lang.data": "ca",
    }
    return call(client, app, key, values)


def test_the_director_sends_the_reminders_from_the_page(mailing_app: dash.Dash, mail: Any) -> None:
    boss = client_for(mailing_app, "boss")
    before = _page(boss)
    assert "lliuraments-remind" in before
    assert "El termini era" in before  # the deadline of 2025-T4 passed long ago
    assert "Recordat el" not in before

    response = _send(mailing_app, boss)
    assert response.status_code == 200, response.data[:300]
    assert "missatges enviats i registrats" in response.get_data(as_text=True)
    reminded = [m for m in mail.messages if "SIS" not in str(m.message["Subject"])]
    assert reminded, "the pending services got their reminder"
    assert all("seguiment@coss.test" in str(m.message["From"]) for m in mail.messages)

    after = _page(boss)  # the send bumped the generation: the cached page says so
    assert "Recordat el" in after

    # the same reminders are never sent twice
    count = len(mail.messages)
    _send(mailing_app, boss)
    assert len(mail.messages) == count


def test_only_a_director_sends(mailing_app: dash.Dash, mail: Any) -> None:
    tec = client_for(mailing_app, "tec")
    assert "lliuraments-remind" not in _page(tec)
    assert _send(mailing_app, tec).status_code == 403
    assert mail.messages == []
