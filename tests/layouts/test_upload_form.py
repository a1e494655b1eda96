"""The browser form of ``/enviar`` (issue 17) through Flask's test client, on SQLite and
PostgreSQL: its place beside the spreadsheet, one row per indicator with the last value and the
target, drafts saved and put back, the import's errors at each indicator, a confirmation that
stores a "formulari" submission and drops the draft, a locked quarter, and what a crafted
request (another service, unknown fields, forged confirmations, other roles) gets: a refusal."""

from __future__ import annotations

import json
from typing import Any

import dash
from sqlalchemy.orm import Session

from accounts import audit
from i18n import gettext
from indicators.intake.form import FORM_SOURCE, FormEntry, form_file
from indicators.intake.importer import import_file
from indicators.intake.issues import IssueMaker
from indicators.storage import drafts, locks
from indicators.storage.engine import get_engine
from indicators.storage.queries import submissions_frame
from indicators.storage.store import values_in_force
from layouts.upload_form import COMMENT, VALUE
from plan_model.models import Plan
from plan_model.periods import Period, period_label
from tests.layouts.test_security import (
    PERIOD,
    app,
    callback_key,
    client_for,
    pages_body,
)

__all__ = ["app"]  # the fixture

SERVICE = "SIS"
NOT_YOURS = gettext("You cannot submit data for the service {service}.", "ca", service="SAD")
LOCKED = gettext(
    "The {period} is locked by the management: uploads are refused until a director reopens it.",
    "ca",
    period=period_label(Period.parse(PERIOD), "ca"),
)
Fields = list[tuple[object, object]]


def _body(
    app: dash.Dash, key: str, values: dict[str, Any], fields: dict[str, Fields], changed: str
) -> dict[str, Any]:
    """A callback request as Dash's renderer sends it, the form's fields as pattern items."""
    spec = app.callback_map[key]
    parts = key.strip(".").split("...") if key.startswith("..") else [key]
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]

    def fill(items: list[dict[str, Any]]) -> list[Any]:
        filled: list[Any] = []
        for item in items:
            if str(item["id"]).startswith("{"):
                kind = json.loads(item["id"])["type"]
                filled.append(
                    [
                        {"id": {"code": code, "type": kind}, "property": "value", "value": value}
                        for code, value in fields.get(kind, [])
                    ]
                )
            else:
                filled.append({**item, "value": values.get(f"{item['id']}.{item['property']}")})
        return filled

    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": fill(spec["inputs"]),
        "state": fill(spec.get("state", [])),
        "changedPropIds": [changed],
    }


def _call(
    client: Any,
    app: dash.Dash,
    trigger: str,
    values: dict[str, Any],
    fields: dict[str, Fields] | None = None,
    status: int = 200,
) -> dict[str, Any]:
    key = callback_key(app, "enviar-form-", trigger)
    base = {
        "enviar-service.value": SERVICE,
        "enviar-period.value": PERIOD,
        "enviar-lang.data": "ca",
    }
    body = _body(app, key, base | values, fields or {}, trigger)
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == status, response.data[:500]
    if status != 200:
        return {}
    payload: dict[str, Any] = response.get_json()["response"]
    return payload


def _fields(plan: Plan, typed: dict[str, str], comments: dict[str, str] | None = None) -> Any:
    codes = [i.code for i in plan.indicators_of_service(SERVICE)]
    comments = comments or {}
    return {
        VALUE: [(code, typed.get(code, "")) for code in codes],
        COMMENT: [(code, comments.get(code, "")) for code in codes],
    }


def _text(payload: dict[str, Any], component: str, prop: str = "children") -> str:
    return json.dumps(payload[component][prop], ensure_ascii=False)


def _show(client: Any, app: dash.Dash, service: str = SERVICE) -> dict[str, Any]:
    return _call(client, app, "enviar-service.value", {"enviar-service.value": service})


def _check(client: Any, app: dash.Dash, fields: Any) -> dict[str, Any]:
    return _call(
        client, app, "enviar-form-check.n_clicks", {"enviar-form-check.n_clicks": 1}, fields
    )


def _save(client: Any, app: dash.Dash, fields: Any) -> dict[str, Any]:
    return _call(client, app, "enviar-form-save.n_clicks", {"enviar-form-save.n_clicks": 1}, fields)


def _confirm(client: Any, app: dash.Dash, pending: Any, version: int = 0) -> dict[str, Any]:
    values = {
        "enviar-form-confirm.n_clicks": 1,
        "enviar-form-pending.data": pending,
        "enviar-version.data": version,
    }
    return _call(client, app, "enviar-form-confirm.n_clicks", values)


def _codes(plan: Plan) -> list[str]:
    return [i.code for i in plan.indicators_of_service(SERVICE)]


def test_the_page_offers_the_form_beside_the_spreadsheet(app: dash.Dash) -> None:
    tec = client_for(app, "tec")
    response = tec.post("/_dash-update-component", json=pages_body("/enviar"))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    summary = json.dumps(gettext("Or type the values in a form", "ca"))[1:-1]
    assert summary in text or summary.encode().decode("unicode_escape") in text
    # after the spreadsheet's steps, before the history
    assert (
        text.index("enviar-upload") < text.index("enviar-form-panel") < text.index("enviar-history")
    )
    assert "enviar-form-rows" in text


def test_one_row_per_indicator_with_its_last_value_and_target(
    app: dash.Dash, plan: Plan, db_url: str
) -> None:
    first = _codes(plan)[0]
    earlier = form_file(plan, SERVICE, "2025-T1", [FormEntry(first, "1.215", "")])
    stored = import_file(
        get_engine(db_url),
        plan,
        filename=earlier.filename,
        content=earlier.content,
        user="tec",
        service=SERVICE,
        period="2025-T1",
        source=FORM_SOURCE,
        sheets=earlier.sheets,
    )
    assert stored.status == "ok"
    payload = _show(client_for(app, "tec"), app)
    rows = payload["enviar-form-rows"]["children"]
    text = json.dumps(rows, ensure_ascii=False)
    for code in _codes(plan):
        assert f'"data-indicator": "{code}"' in text
        assert json.dumps({"code": code, "type": VALUE}) in text or f'"code": "{code}"' in text
    assert "1.215" in text  # the last value, in Catalan
    assert gettext("Last value", "ca") in text and "350" in text
    assert gettext("Target {year}", "ca", year=2025) in text
    assert payload["enviar-form-confirm"]["disabled"] is True


def test_a_technician_gets_only_their_services(app: dash.Dash) -> None:
    payload = _show(client_for(app, "tec"), app, service="SAD")
    assert NOT_YOURS in _text(payload, "enviar-form-rows")


def test_the_check_shows_the_spreadsheets_errors_at_each_indicator(
    app: dash.Dash, plan: Plan
) -> None:
    first, second = _codes(plan)[:2]
    payload = _check(client_for(app, "tec"), app, _fields(plan, {first: "molts", second: "3"}))
    text = _text(payload, "enviar-form-result")
    assert "El formulari té errors" in text
    assert IssueMaker("ca")("not_a_number", value="molts").message in text
    assert f'"data-indicator": "{first}"' in text
    assert payload["enviar-form-pending"]["data"] is None
    assert payload["enviar-form-confirm"]["disabled"] is True


def test_draft_check_and_confirm_store_a_form_submission(
    app: dash.Dash, plan: Plan, db_url: str
) -> None:
    engine = get_engine(db_url)
    tec = client_for(app, "tec")
    first, second = _codes(plan)[:2]
    fields = _fields(plan, {first: "120", second: "4"}, {first: "grups de juny"})
    saved = _save(tec, app, fields)
    assert "Esborrany desat per tec" in _text(saved, "enviar-form-draft-note")
    reopened = _show(tec, app)  # the draft is put back
    assert '"value": "120"' in _text(reopened, "enviar-form-rows")
    assert "grups de juny" in _text(reopened, "enviar-form-rows")
    assert "Esborrany desat per tec" in _text(reopened, "enviar-form-draft-note")

    checked = _check(tec, app, fields)
    assert "El formulari és vàlid" in _text(checked, "enviar-form-result")
    assert "enviar-form-changes" in _text(checked, "enviar-form-result")  # the page's panel
    assert checked["enviar-form-confirm"]["disabled"] is False
    assert submissions_frame(engine).empty  # a check stores nothing

    done = _confirm(tec, app, checked["enviar-form-pending"]["data"], version=3)
    assert gettext("Sent", "ca") in _text(done, "enviar-form-confirm-result")
    assert done["enviar-version"]["data"] == 4  # the history follows
    frame = submissions_frame(engine)
    assert list(frame["source"]) == ["formulari"] and list(frame["uploaded_by"]) == ["tec"]
    held = values_in_force(engine, SERVICE, [PERIOD])
    assert held[(first, PERIOD)].value == 120.0 and held[(second, PERIOD)].value == 4.0
    assert drafts.load_draft(engine, SERVICE, PERIOD) is None  # sent: the draft goes
    again = _confirm(tec, app, checked["enviar-form-pending"]["data"])  # sent twice
    assert "Aquests mateixos valors ja són el lliurament vigent" in _text(
        again, "enviar-form-confirm-result"
    )
    assert len(submissions_frame(engine)) == 1
    events = audit.audit_frame(engine, username="tec")
    imports = events[events["action"] == "import"]
    assert [d["source"] for d in imports["details"]] == ["formulari"]


def test_forged_or_foreign_confirmations_are_refused(
    app: dash.Dash, plan: Plan, db_url: str
) -> None:
    tec = client_for(app, "tec")
    first = _codes(plan)[0]
    pending = _check(tec, app, _fields(plan, {first: "120"}))["enviar-form-pending"]["data"]
    altered = {**pending, "entries": [{"code": first, "value": "999", "comment": ""}]}
    for forged in (altered, {**pending, "sig": "0" * 64}, {**pending, "entries": "x"}):
        answer = _confirm(tec, app, forged)
        assert "Aquest lliurament no es pot acceptar" in _text(answer, "enviar-form-confirm-result")
    boss = client_for(app, "boss")  # signed for tec, not for boss
    answer = _confirm(boss, app, pending)
    assert "Aquest lliurament no es pot acceptar" in _text(answer, "enviar-form-confirm-result")
    other = _confirm(tec, app, {**pending, "service": "SAD"})
    assert NOT_YOURS in _text(other, "enviar-form-confirm-result")
    assert submissions_frame(get_engine(db_url)).empty


def test_crafted_fields_are_refused_clearly(app: dash.Dash, plan: Plan, db_url: str) -> None:
    tec = client_for(app, "tec")
    first = _codes(plan)[0]
    cases: list[tuple[Any, str]] = [
        ({VALUE: [("P9.99-I9", "1")], COMMENT: [("P9.99-I9", "")]}, "no informa («P9.99-I9»)"),
        ({VALUE: [(first, 12)], COMMENT: [(first, "")]}, f"El valor de «{first}» no és un text"),
        ({VALUE: [(first, "9" * 10_000)], COMMENT: [(first, "")]}, "és massa llarg"),
        ({VALUE: [(first, "1")], COMMENT: [(first, ["x"])]}, "El comentari de"),
        ({VALUE: [(first, "1")], COMMENT: []}, "no correspon als indicadors del servei SIS"),
    ]
    for fields, message in cases:
        checked = _check(tec, app, fields)
        assert message in _text(checked, "enviar-form-result"), message
        assert checked["enviar-form-pending"]["data"] is None
        saved = _save(tec, app, fields)
        assert message in _text(saved, "enviar-form-draft-note"), message
    other = _call(
        tec,
        app,
        "enviar-form-check.n_clicks",
        {"enviar-form-check.n_clicks": 1, "enviar-service.value": "SAD"},
        _fields(plan, {}),
    )
    assert NOT_YOURS in _text(other, "enviar-form-result")
    assert drafts.load_draft(get_engine(db_url), SERVICE, PERIOD) is None


def test_a_locked_quarter_refuses_drafts_checks_and_confirmations(
    app: dash.Dash, plan: Plan, db_url: str
) -> None:
    engine = get_engine(db_url)
    tec = client_for(app, "tec")
    fields = _fields(plan, {_codes(plan)[0]: "120"})
    pending = _check(tec, app, fields)["enviar-form-pending"]["data"]
    with Session(engine) as session:
        locks.set_lock(session, PERIOD, locked=True, by="boss")
        session.commit()
    saved = _save(tec, app, fields)
    assert LOCKED in _text(saved, "enviar-form-draft-note")
    checked = _check(tec, app, fields)
    closed = IssueMaker("ca")("locked_period", value=PERIOD, period=PERIOD).message
    assert closed in _text(checked, "enviar-form-result")  # the import's own error
    assert checked["enviar-form-pending"]["data"] is None
    late = _confirm(tec, app, pending)  # checked before the lock, confirmed after
    assert "El formulari té errors" in _text(late, "enviar-form-confirm-result")
    assert submissions_frame(engine).empty and drafts.load_draft(engine, SERVICE, PERIOD) is None


def test_other_roles_cannot_use_the_form(app: dash.Dash, plan: Plan) -> None:
    guest = client_for(app, "guest")
    fields = _fields(plan, {_codes(plan)[0]: "1"})
    for trigger in ("enviar-form-check.n_clicks", "enviar-form-save.n_clicks"):
        _call(guest, app, trigger, {trigger: 1}, fields, status=403)
    _call(guest, app, "enviar-service.value", {}, status=403)
