"""The upload page's check follows the file picked (issues 13 and 16): every check empties the
chooser so that the same file picked again is checked again, names the file and the time, and a
confirmation ends the check (its «nothing stored: dry run» banner goes)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import dash

from layouts.upload_workflow import local_clock
from plan_model.models import Plan
from tests.layouts.test_security import (
    PERIOD,
    app,
    call,
    callback_key,
    client_for,
    data_url,
    filled_template,
)

__all__ = ["app"]  # the fixture

# «a la 1:05» but «a les 10:42»: the article follows the hour the check ran at
CHECKED = r"{file}, comprovat a (?:la|les) \d\d:\d\d"


def _check(client: Any, app: dash.Dash, values: dict[str, Any], changed: str) -> dict[str, Any]:
    base = {"enviar-service.value": "SIS", "enviar-period.value": PERIOD, "enviar-lang.data": "ca"}
    response = call(client, app, callback_key(app, "enviar-check-result"), base | values, changed)
    assert response.status_code == 200, response.data[:500]
    payload: dict[str, Any] = response.get_json()["response"]
    return payload


def test_a_check_empties_the_chooser_and_names_the_file_and_time(
    app: dash.Dash, plan: Plan
) -> None:
    tec = client_for(app, "tec")
    contents = data_url(filled_template(plan, "SIS", PERIOD))
    payload = _check(
        tec,
        app,
        {"enviar-upload.contents": contents, "enviar-upload.filename": "full_T3.xlsx"},
        "enviar-upload.contents",
    )
    # the chooser is emptied: the same file picked again is a change, so it is checked again
    assert payload["enviar-upload"]["contents"] is None
    text = json.dumps(payload["enviar-check-result"], ensure_ascii=False)
    assert re.search(CHECKED.format(file=r"full_T3\.xlsx"), text) and "Fitxer vàlid" in text
    assert payload["enviar-pending"]["data"]


def test_a_new_quarter_checks_the_file_picked_last_again(app: dash.Dash, plan: Plan) -> None:
    tec = client_for(app, "tec")
    picked = {"contents": data_url(filled_template(plan, "SIS", PERIOD)), "filename": "a.xlsx"}
    payload = _check(
        tec,
        app,
        {"enviar-upload.contents": None, "enviar-file.data": picked},
        "enviar-period.value",
    )
    text = json.dumps(payload["enviar-check-result"], ensure_ascii=False)
    assert re.search(CHECKED.format(file=r"a\.xlsx"), text)
    assert payload["enviar-pending"]["data"]["filename"] == "a.xlsx"
    # nothing picked yet: nothing to check
    empty = _check(tec, app, {"enviar-upload.contents": None}, "enviar-period.value")
    assert empty["enviar-check-result"]["children"] is None


def test_confirming_ends_the_check_and_forgets_the_file(app: dash.Dash, plan: Plan) -> None:
    tec = client_for(app, "tec")
    contents = data_url(filled_template(plan, "SIS", PERIOD))
    checked = _check(
        tec,
        app,
        {"enviar-upload.contents": contents, "enviar-upload.filename": "full_T3.xlsx"},
        "enviar-upload.contents",
    )
    assert "només validació" in json.dumps(checked, ensure_ascii=False)
    key = callback_key(app, "enviar-version.data", trigger="enviar-confirm.n_clicks")
    values = {
        "enviar-confirm.n_clicks": 1,
        "enviar-pending.data": checked["enviar-pending"]["data"],
        "enviar-version.data": 0,
        "enviar-lang.data": "ca",
    }
    response = call(tec, app, key, values, changed="enviar-confirm.n_clicks")
    payload = response.get_json()["response"]
    assert "enviar-done" in json.dumps(payload["enviar-confirm-result"])
    assert payload["enviar-check-result"]["children"] is None  # the dry-run banner goes
    assert payload["enviar-file"]["data"] is None  # a new service does not re-check a sent file
    assert "només validació" not in json.dumps(payload, ensure_ascii=False)


def test_the_check_time_is_local_and_says_la_at_one_o_clock() -> None:
    summer = dt.datetime(2025, 7, 1, 8, 42, tzinfo=dt.UTC)
    assert local_clock(summer) == ("10:42", 10)  # Europe/Madrid, summer time
    assert local_clock(dt.datetime(2025, 1, 10, 0, 5, tzinfo=dt.UTC)) == ("01:05", 1)
