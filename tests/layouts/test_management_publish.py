"""/gestio publishes and unpublishes a locked quarter (issue 19): refused with the reason when
the quarter is not locked, idempotent, a published quarter not reopened, the quarters list
showing obert / tancat / publicat, a technician refused (Flask test client, SQLite and
PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

import dash

from accounts import approvals, audit, publications
from accounts.roles import Actor
from indicators.storage import locks
from indicators.storage.engine import get_engine
from tests.layouts.test_security import app, call, callback_key, client_for  # noqa: F401

PERIOD = "2025-T2"


def _act(dash_app: dash.Dash, client: Any, trigger: str) -> Any:
    key = callback_key(dash_app, "gestio-message")
    prop = "n_clicks" if trigger == "gestio-reopen" else "submit_n_clicks"
    values = {
        f"{trigger}.{prop}": 1,
        "gestio-period.value": PERIOD,
        "gestio-reason.value": "Comissió de direcció",
        "gestio-version.data": 3,
        "gestio-lang.data": "ca",
    }
    return call(client, dash_app, key, values, changed=f"{trigger}.{prop}")


def _said(dash_app: dash.Dash, client: Any, trigger: str) -> str:
    response = _act(dash_app, client, trigger)
    assert response.status_code == 200, response.data[:300]
    return json.dumps(json.loads(response.data)["response"], ensure_ascii=False)


def _quarters(dash_app: dash.Dash, client: Any) -> dict[str, str]:
    """The quarters list: quarter → the state shown."""
    key = callback_key(dash_app, "gestio-quarters")
    values = {"gestio-version.data": 0, "gestio-lang.data": "ca"}
    response = call(client, dash_app, key, values, changed="gestio-version.data")
    assert response.status_code == 200, response.data[:300]
    table = json.loads(response.data)["response"]["gestio-quarters"]["children"]
    body = table["props"]["children"][1]["props"]["children"]
    shown: dict[str, str] = {}
    for row in body:
        header, state, _since = row["props"]["children"]
        shown[header["props"]["children"]] = state["props"]["children"]
    return shown


def _lock_state(dash_app: dash.Dash, client: Any) -> str:
    key = callback_key(dash_app, "gestio-provenance")
    values = {
        "gestio-period.value": PERIOD,
        "gestio-service.value": "SIS",
        "gestio-version.data": 0,
        "gestio-lang.data": "ca",
    }
    response = call(client, dash_app, key, values, changed="gestio-period.value")
    assert response.status_code == 200, response.data[:300]
    shown = json.loads(response.data)["response"]["gestio-lock-state"]
    return json.dumps(shown, ensure_ascii=False)


def test_publish_a_locked_quarter_from_gestio(app: dash.Dash, db_url: str) -> None:  # noqa: F811
    engine = get_engine(db_url)
    boss = client_for(app, "boss")
    refused = _said(app, boss, "gestio-publish")
    assert "gestio-error" in refused and "no està tancat" in refused
    assert "Primer cal tancar-lo" in refused
    assert _quarters(app, boss)[PERIOD] == "obert"
    approvals.lock_period(engine, PERIOD, by=Actor.operator("op"))
    assert _quarters(app, boss)[PERIOD] == "tancat"
    done = _said(app, boss, "gestio-publish")
    assert "gestio-done" in done and "està publicat" in done
    assert '"gestio-version": {"data": 4}' in done  # the page's lists refresh
    assert _quarters(app, boss)[PERIOD] == "publicat"
    assert "Publicat el" in _lock_state(app, boss) and "per boss" in _lock_state(app, boss)
    assert "ja estava publicat" in _said(app, boss, "gestio-publish")
    reopen = _said(app, boss, "gestio-reopen")
    assert "gestio-error" in reopen and "Primer cal despublicar-lo" in reopen
    assert locks.is_locked(engine, PERIOD)
    assert "ja no està publicat" in _said(app, boss, "gestio-unpublish")
    assert "no estava publicat" in _said(app, boss, "gestio-unpublish")
    assert _quarters(app, boss)[PERIOD] == "tancat"
    assert publications.published_periods(engine) == {}
    frame = audit.audit_frame(engine, action=[audit.ACTION_PUBLISH, audit.ACTION_UNPUBLISH])
    assert sorted(zip(frame["username"], frame["action"], strict=True)) == [
        ("boss", "period_publish"),
        ("boss", "period_unpublish"),
    ]
    assert frame["details"].iloc[0]["reason"] == "Comissió de direcció"


def test_a_technician_cannot_publish(app: dash.Dash, db_url: str) -> None:  # noqa: F811
    engine = get_engine(db_url)
    approvals.lock_period(engine, PERIOD, by=Actor.operator("op"))
    tec = client_for(app, "tec")
    assert _act(app, tec, "gestio-publish").status_code == 403
    assert publications.published_periods(engine) == {}
    assert audit.audit_frame(engine, action=audit.ACTION_PUBLISH).empty
