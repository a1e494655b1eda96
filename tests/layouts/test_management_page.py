"""/gestio: the reviews of the quarter, the lock that needs acceptance or a reason, reopen
disabled on an open quarter, no emoji lock sign, and the values in force with their
submission (Flask test client, SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import dash

from accounts import approvals, audit, roles
from indicators.storage import locks
from indicators.storage.engine import get_engine
from indicators.storage.records import ParsedValue
from indicators.storage.store import store
from tests.helpers.web_login import make_user
from tests.layouts.test_security import app, call, callback_key, client_for  # noqa: F401

PERIOD = "2025-T2"


def _deliver(db_url: str, value: float, n: int) -> None:
    store(
        get_engine(db_url),
        service="SIS",
        period=PERIOD,
        filename=f"sis_{n}.xlsx",
        content=f"sis-{n}".encode(),
        user="tec",
        source="web",
        values=[ParsedValue("SIS01", PERIOD, value, None, "Dades", 2)],
        warnings=[],
        uploaded_at=dt.datetime(2025, 7, 1 + n, tzinfo=dt.UTC),
    )


def _show(dash_app: dash.Dash, client: Any) -> dict[str, Any]:
    key = callback_key(dash_app, "gestio-provenance")
    values = {
        "gestio-period.value": PERIOD,
        "gestio-service.value": "SIS",
        "gestio-version.data": 0,
        "gestio-lang.data": "ca",
    }
    response = call(client, dash_app, key, values, changed="gestio-period.value")
    assert response.status_code == 200, response.data[:300]
    return dict(json.loads(response.data)["response"])


def _lock(dash_app: dash.Dash, client: Any, reason: str | None) -> str:
    key = callback_key(dash_app, "gestio-message")
    values = {
        "gestio-lock.submit_n_clicks": 1,
        "gestio-period.value": PERIOD,
        "gestio-reason.value": reason,
        "gestio-lang.data": "ca",
    }
    response = call(client, dash_app, key, values, changed="gestio-lock.submit_n_clicks")
    assert response.status_code == 200, response.data[:300]
    return json.dumps(json.loads(response.data)["response"], ensure_ascii=False)


def test_reviews_provenance_and_the_lock_rule(app: dash.Dash, db_url: str) -> None:  # noqa: F811
    engine = get_engine(db_url)
    make_user(db_url, "cap", roles.HEAD, ["SIS"])
    _deliver(db_url, 10.0, 1)
    boss = client_for(app, "boss")
    shown = _show(app, boss)
    text = json.dumps(shown, ensure_ascii=False)
    assert "Pendent de validar pel responsable" in text
    assert shown["gestio-reopen"]["disabled"] is True  # open quarter: reopen disabled
    assert "🔒" not in text and "🔓" not in text and "lock-sign is-open" in text
    provenance = json.dumps(shown["gestio-provenance"], ensure_ascii=False)
    assert "sis_1.xlsx" in provenance and "tec" in provenance and '"10"' in provenance
    # not accepted: the lock is refused without a reason
    assert "doneu un motiu" in _lock(app, boss, None)
    assert not locks.is_locked(engine, PERIOD)
    approvals.validate(engine, "SIS", PERIOD, by="cap")
    assert "Validat per cap: pendent d'acceptar" in json.dumps(_show(app, boss), ensure_ascii=False)
    approvals.approve(engine, "SIS", PERIOD, by="boss")
    assert "Acceptat per boss" in json.dumps(_show(app, boss), ensure_ascii=False)
    _deliver(db_url, 12.0, 2)
    text = json.dumps(_show(app, boss), ensure_ascii=False)
    assert "Canviat des de l'acceptació (1 valors)" in text and "SIS01: 10 → 12" in text
    assert "està tancat" in _lock(app, boss, "tancament")
    shown = _show(app, boss)
    assert shown["gestio-reopen"]["disabled"] is False
    assert "lock-sign is-locked" in json.dumps(shown)
    assert "ja estava tancat" in _lock(app, boss, None)
    assert len(audit.audit_frame(engine, action="period_lock")) == 1
