"""El meu trimestre (/el-meu-trimestre): a technician sees their services' quarter (due,
deadline, delivery, approval, reminders), a head validates there and the domain refuses anyone
else (Flask test client, SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import dash

from accounts import approvals
from indicators.storage.engine import get_engine
from indicators.storage.records import ParsedValue
from indicators.storage.store import store
from layouts.upload_workflow import default_period
from plan_model.loader import load_plan
from tests.conftest import PLAN_PATH
from tests.helpers.web_login import make_user
from tests.layouts.test_security import app, callback_key, client_for, pages_body  # noqa: F401

PERIOD = str(default_period(load_plan(PLAN_PATH)))


def _deliver(db_url: str) -> int:
    stored = store(
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
    assert stored.submission_id is not None
    return stored.submission_id


def _page(client: Any) -> str:
    response = client.post("/_dash-update-component", json=pages_body("/el-meu-trimestre"))
    assert response.status_code == 200, response.data[:300]
    return json.dumps(json.loads(response.data)["response"], ensure_ascii=False)


def test_a_technician_sees_their_services_quarter(app: dash.Dash, db_url: str) -> None:  # noqa: F811
    make_user(db_url, "cap-sis", "responsable", ["SIS"])  # SIS has a head: it validates first
    _deliver(db_url)
    text = _page(client_for(app, "tec"))
    assert "SIS · " in text and "SBAS-VIC · " in text
    assert "SAD · " not in text  # not theirs
    assert "Pendent de validar pel responsable" in text  # SIS waits for its head
    assert "Cap recordatori enviat" in text
    assert "Termini" in text and "Cal lliurar" in text
    assert "meu-validate" not in text  # a technician does not validate


def test_a_head_validates_from_the_page(app: dash.Dash, db_url: str) -> None:  # noqa: F811
    submission = _deliver(db_url)
    make_user(db_url, "cap-sis", "responsable", ["SIS"])
    client = client_for(app, "cap-sis")
    assert "meu-validate" in _page(client)
    key = callback_key(app, "meu-result")
    button = json.dumps({"period": PERIOD, "service": "SIS", "type": "meu-validate"})
    spec = app.callback_map[key]
    body = {
        "output": key,
        "outputs": {"id": "meu-result", "property": "children"},
        "inputs": [
            [
                {
                    "id": {"period": PERIOD, "service": "SIS", "type": "meu-validate"},
                    "property": "n_clicks",
                    "value": 1,
                }
            ]
        ],
        "state": [{"id": "page-lang", "property": "data", "value": "ca"}],
        "changedPropIds": [f"{button}.n_clicks"],
    }
    assert len(spec["inputs"]) == 1
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.data[:300]
    assert "validat" in response.get_data(as_text=True)
    review = approvals.quarter_reviews(get_engine(db_url), PERIOD, ["SIS"])["SIS"]
    assert review.state == approvals.PENDING_ACCEPTANCE
    assert review.validated is not None and review.validated.submission_id == submission

    # a technician posting the same callback is refused: no validation recorded
    tec = client_for(app, "tec")
    refused = tec.post("/_dash-update-component", json=body)
    assert refused.status_code == 403


def test_a_reader_reports_for_no_service(app: dash.Dash) -> None:  # noqa: F811
    text = _page(client_for(app, "guest"))
    assert "No informeu de cap servei" in text
