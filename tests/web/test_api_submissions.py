"""``POST /api/v1/submissions`` (issue 19) through Flask's test client, on SQLite and
PostgreSQL: a JSON delivery and a spreadsheet give the same issues as the form's and the upload
page's import for the same values; a dry run (the default) stores nothing; a confirmation
stores with source ``api`` and the token's account; tokens refused (none, malformed, revoked,
expired, read-only, another service); hostile bodies get a clean 4xx JSON in Catalan, never a
5xx; a cookie session's POST without the CSRF token is refused."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import pytest
from sqlalchemy import Engine

from accounts import approvals, tokens, users
from accounts.roles import Actor
from app import create_app
from i18n import gettext
from indicators.intake.form import FormEntry, form_file, form_row_ids
from indicators.intake.importer import import_file
from indicators.intake.issues import IssueMaker
from indicators.storage.engine import get_engine
from indicators.storage.queries import submissions_frame
from plan_model.models import Plan
from tests.helpers.web_login import PASSWORD, login, make_user
from tests.layouts.test_security import filled_template
from tests.web.web_app import web_settings
from web.api_submissions import API_SOURCE, number_text

PERIOD = "2025-T2"
SERVICE = "SIS"
MAX_UPLOAD = 200_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
URL = "/api/v1/submissions"


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Iterator[dash.Dash]:
    application = create_app(web_settings(db_url, tmp_path, max_upload_bytes=MAX_UPLOAD))
    make_user(db_url, "boss", "director")
    make_user(db_url, "tec", "tecnic", [SERVICE, "EAIA"])
    make_user(db_url, "guest", "consulta")
    yield application
    get_engine(db_url).dispose()


def _token(db_url: str, user: str = "tec", scope: str = tokens.SUBMIT, days: int = 30) -> str:
    engine = get_engine(db_url)
    return tokens.create_token(
        engine, user=user, name="Sistema", scope=scope, days=days, by=user
    ).token


def _auth(token: str, lang: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if lang:
        headers["Accept-Language"] = lang
    return headers


def _post(app: dash.Dash, token: str | None, query: str = "", **kwargs: Any) -> Any:
    headers = kwargs.pop("headers", {})
    if token:
        headers = {**_auth(token), **headers}
    return app.server.test_client().post(URL + query, headers=headers, **kwargs)


def _codes(plan: Plan, service: str = SERVICE) -> list[str]:
    return form_row_ids(plan, service)  # the form's rows: what a delivery names


def _payload(values: list[dict[str, Any]], service: str = SERVICE) -> dict[str, Any]:
    return {"service": service, "period": PERIOD, "values": values}


def _issues(body: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(i["severity"], i["code"], i["message"]) for i in body["issues"]]


def _assert_json_error(response: Any, status: int, *, catalan: str | None = None) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body, dict) and body.get("error") and body.get("message")
    if catalan is not None:
        assert catalan in body["message"], body["message"]


# --- who may deliver ------------------------------------------------------------------------


def test_without_a_token_401_and_with_a_bad_one_401_with_its_reason(
    app: dash.Dash, db_url: str
) -> None:
    payload = _payload([])
    response = _post(app, None, json=payload)
    _assert_json_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer sdp_nope", "Token abc"):
        refused = _post(app, None, json=payload, headers={"Authorization": header})
        _assert_json_error(refused, 401, catalan="format incorrecte")
    assert submissions_frame(get_engine(db_url)).empty


def test_revoked_and_expired_tokens_are_refused_401(app: dash.Dash, db_url: str) -> None:
    engine = get_engine(db_url)
    revoked = tokens.create_token(engine, user="tec", name="a", scope="submit", days=5, by="tec")
    tokens.revoke_token(engine, revoked.info.id, by="tec")
    _assert_json_error(_post(app, revoked.token, json=_payload([])), 401, catalan="revocada")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    expired = tokens.create_token(
        engine, user="tec", name="b", scope="submit", days=1, by="tec", at=old
    )
    response = _post(app, expired.token, json=_payload([]))
    _assert_json_error(response, 401, catalan="caducat")
    assert response.get_json()["error"] == "token_expired"
    working = _token(db_url)
    users.disable_user(engine, "tec", by="boss")
    _assert_json_error(_post(app, working, json=_payload([])), 401, catalan="desactivat")


def test_a_read_token_cannot_submit(app: dash.Dash, db_url: str, plan: Plan) -> None:
    token = _token(db_url, scope=tokens.READ)
    values = [{"indicator": _codes(plan)[0], "value": 3}]
    response = _post(app, token, "?confirm=true", json=_payload(values))
    _assert_json_error(response, 403, catalan="«submit»")
    assert response.get_json()["error"] == "insufficient_scope"
    assert submissions_frame(get_engine(db_url)).empty


def test_another_services_data_is_refused(app: dash.Dash, db_url: str, plan: Plan) -> None:
    token = _token(db_url)
    values = [{"indicator": _codes(plan, "SAD")[0], "value": 3}]
    refused = gettext("You cannot submit data for the service {service}.", "ca", service="SAD")
    response = _post(app, token, "?confirm=true", json=_payload(values, service="SAD"))
    _assert_json_error(response, 403, catalan=refused)
    sad = filled_template(plan, "SAD", PERIOD)
    upload = {"file": (io.BytesIO(sad), "sad.xlsx"), "service": "SAD"}
    _assert_json_error(_post(app, token, "?confirm=true", data=upload), 403, catalan=refused)
    # the file says SAD in its own sheet: the import refuses it, as on the upload page
    response = _post(app, token, "?confirm=true", data={"file": (io.BytesIO(sad), "sad.xlsx")})
    assert response.status_code == 422
    assert response.get_json()["ok"] is False and response.get_json()["error_count"] >= 1
    assert submissions_frame(get_engine(db_url)).empty


# --- the same checks and storing as the form and the upload page ------------------------------


def test_a_json_delivery_gives_the_forms_issues_and_a_dry_run_stores_nothing(
    app: dash.Dash, db_url: str, plan: Plan
) -> None:
    first, second, third = _codes(plan)
    values: list[dict[str, Any]] = [
        {"indicator": first, "value": "molts", "comment": "escrit a mà"},
        {"indicator": second, "value": 12.0},
        {"indicator": third, "value": "3"},
    ]
    response = _post(app, _token(db_url), json=_payload(values))
    assert response.status_code == 422
    body = response.get_json()
    assert body["ok"] is False and body["dry_run"] is True and body["submission_id"] is None
    entries = [FormEntry(first, "molts", "escrit a mà"), FormEntry(second, "12,0", "")]
    entries.append(FormEntry(third, "3", ""))
    form = form_file(plan, SERVICE, PERIOD, entries)
    expected = import_file(
        get_engine(db_url),
        plan,
        filename=form.filename,
        content=form.content,
        user="tec",
        service=SERVICE,
        period=PERIOD,
        dry_run=True,
        source="formulari",
        allowed_services={SERVICE, "EAIA"},
        sheets=form.sheets,
    )
    assert _issues(body) == [("error", e.code, e.message) for e in expected.errors] + [
        ("warning", w.code, w.message) for w in expected.warnings
    ]
    not_a_number = IssueMaker("ca")("not_a_number", value="molts").message
    located = [i for i in body["issues"] if i["code"] == "not_a_number"]
    assert [(i["indicator"], i["message"]) for i in located] == [(first, not_a_number)]
    assert located[0]["sheet"] and located[0]["row"] and located[0]["column"]
    # the valid values: a dry run (the default) answers what changes and stores nothing
    values[0]["value"] = "7"
    checked = _post(app, _token(db_url), json=_payload(values))
    assert checked.status_code == 200, checked.get_data(as_text=True)[:800]
    result = checked.get_json()
    assert result["ok"] and result["dry_run"] and result["submission_id"] is None
    assert {c["indicator"]: c["after"] for c in result["changes"]} == {
        first: 7.0,
        second: 12.0,
        third: 3.0,
    }
    assert submissions_frame(get_engine(db_url)).empty


def test_confirm_stores_with_source_api_and_the_tokens_account(
    app: dash.Dash, db_url: str, plan: Plan
) -> None:
    first, second, _third = _codes(plan)
    values: list[dict[str, Any]] = [
        {"indicator": first, "value": 1234.0},
        {"indicator": second, "value": "8"},
    ]
    response = _post(app, _token(db_url), "?confirm=true", json=_payload(values))
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    body = response.get_json()
    assert body["ok"] and not body["dry_run"] and body["status"] == "ok"
    frame = submissions_frame(get_engine(db_url))
    assert list(frame["source"]) == [API_SOURCE] and list(frame["uploaded_by"]) == ["tec"]
    assert int(frame["id"].iloc[0]) == body["submission_id"]
    assert str(frame["filename"].iloc[0]) == f"api-{SERVICE}-{PERIOD}.csv"
    again = _post(app, _token(db_url), "?confirm=true", json=_payload(values)).get_json()
    assert again["status"] == "duplicate" and again["submission_id"] == body["submission_id"]


def test_a_milestones_stage_by_key_or_name(app: dash.Dash, db_url: str, plan: Plan) -> None:
    milestone = _codes(plan, "EAIA")
    code = next(c for c in milestone if plan.indicator_by_code[c].is_milestone)
    values = [{"indicator": code, "stage": "en_desenvolupament", "comment": "Protocol"}]
    response = _post(app, _token(db_url), json=_payload(values, service="EAIA"))
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    assert response.get_json()["changes"][0]["after"] == "en_desenvolupament"
    both = [{"indicator": code, "stage": "iniciat", "value": "3"}]
    refused = _post(app, _token(db_url), json=_payload(both, service="EAIA"))
    assert refused.status_code == 422
    issues = refused.get_json()["issues"]
    assert [(i["code"], i["indicator"]) for i in issues] == [("value_and_stage", code)]
    assert "no tots dos" in issues[0]["message"]


def test_a_spreadsheet_gives_the_upload_pages_issues(
    app: dash.Dash, db_url: str, plan: Plan
) -> None:
    bad = filled_template(plan, SERVICE, PERIOD, bad=True)
    expected = import_file(
        get_engine(db_url),
        plan,
        filename="sis.xlsx",
        content=bad,
        user="tec",
        service=SERVICE,
        period=PERIOD,
        dry_run=True,
        source="web",
        allowed_services={SERVICE, "EAIA"},
    )
    assert expected.errors
    wanted = [(e.sheet, e.row, e.column, e.code, e.message) for e in expected.errors]
    upload = {"file": (io.BytesIO(bad), "sis.xlsx"), "service": SERVICE, "period": PERIOD}
    multipart = _post(app, _token(db_url), data=upload)
    raw = _post(app, _token(db_url), f"?service={SERVICE}", data=bad, content_type=XLSX)
    for response in (multipart, raw):
        assert response.status_code == 422
        errors = [i for i in response.get_json()["issues"] if i["severity"] == "error"]
        assert [(i["sheet"], i["row"], i["column"], i["code"], i["message"]) for i in errors] == (
            wanted
        )
    # the same value typed in JSON is the same error, with the same message
    first = _codes(plan)[0]
    as_json = _post(app, _token(db_url), json=_payload([{"indicator": first, "value": "molts"}]))
    json_errors = {(i["code"], i["message"]) for i in as_json.get_json()["issues"]}
    assert {(e.code, e.message) for e in expected.errors} <= json_errors


def test_a_spreadsheet_confirmed_is_stored_with_source_api(
    app: dash.Dash, db_url: str, plan: Plan
) -> None:
    good = filled_template(plan, SERVICE, PERIOD)
    dry = _post(app, _token(db_url), data={"file": (io.BytesIO(good), "sis.xlsx")})
    assert dry.status_code == 200 and dry.get_json()["dry_run"] is True
    assert submissions_frame(get_engine(db_url)).empty
    stored = _post(
        app, _token(db_url, "boss"), "?confirm=true&filename=sis.xlsx", data=good, content_type=XLSX
    )
    assert stored.status_code == 200, stored.get_data(as_text=True)[:800]
    frame = submissions_frame(get_engine(db_url))
    assert list(frame["source"]) == ["api"] and list(frame["uploaded_by"]) == ["boss"]


def test_a_locked_quarter_is_refused(app: dash.Dash, db_url: str, plan: Plan) -> None:
    approvals.lock_period(get_engine(db_url), PERIOD, by=Actor.operator("op"))
    values = [{"indicator": _codes(plan)[0], "value": 3}]
    response = _post(app, _token(db_url), "?confirm=true", json=_payload(values))
    assert response.status_code == 422
    assert "locked_period" in {i["code"] for i in response.get_json()["issues"]}


def test_messages_follow_accept_language_or_lang(app: dash.Dash, db_url: str, plan: Plan) -> None:
    values = [{"indicator": _codes(plan)[0], "value": "molts"}]
    token = _token(db_url)
    for lang in ("es", "en"):
        response = _post(app, token, json=_payload(values), headers={"Accept-Language": lang})
        wanted = IssueMaker(lang)("not_a_number", value="molts").message
        assert wanted in {i["message"] for i in response.get_json()["issues"]}
    english = _post(app, token, "?lang=en", json=_payload(values))
    assert IssueMaker("en")("not_a_number", value="molts").message in json.dumps(
        english.get_json(), ensure_ascii=False
    )


# --- hostile requests: a clean 4xx JSON in Catalan, never a 5xx -------------------------------


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (8 * 1024 * 1024))
    return buffer.getvalue()


def test_a_zip_bomb_as_xlsx_is_refused_cleanly(app: dash.Dash, db_url: str) -> None:
    bomb = _zip_bomb()
    assert len(bomb) < MAX_UPLOAD
    for kwargs in (
        {"data": {"file": (io.BytesIO(bomb), "bomba.xlsx"), "service": SERVICE}},
        {"data": bomb, "content_type": XLSX},
    ):
        response = _post(app, _token(db_url), "?confirm=true", **kwargs)
        assert response.status_code == 422
        issues = response.get_json()["issues"]
        assert [i["code"] for i in issues] == ["zip_bomb"]
        assert "bomba de compressió" in issues[0]["message"]
    assert submissions_frame(get_engine(db_url)).empty


def test_an_oversized_body_is_refused_with_413(app: dash.Dash, db_url: str) -> None:
    token = _token(db_url)
    just_over = b"a;b\r\n" * (MAX_UPLOAD // 5 + 10)
    too_large = "El fitxer és massa gran"
    _assert_json_error(
        _post(app, token, data=just_over, content_type="text/csv"), 413, catalan=too_large
    )
    upload = {"file": (io.BytesIO(just_over), "gran.csv")}
    _assert_json_error(_post(app, token, data=upload), 413, catalan=too_large)
    far_over = b"0" * (MAX_UPLOAD * 2)  # beyond the request's own limit: refused unread
    _assert_json_error(_post(app, token, data=far_over, content_type=XLSX), 413)
    huge_json = b'{"service": "SIS", "period": "2025-T2", "values": [' + b"1," * 600_000 + b"1]}"
    _assert_json_error(_post(app, token, data=huge_json, content_type="application/json"), 413)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"hola", "text/plain", 415),
        (b"\x89PNG\r\n\x1a\n", "image/png", 415),
        (b"<xml/>", "application/xml", 415),
        (b"", "", 415),
        (b"{", "application/json", 400),
        (b"\xff\xfe\x00", "application/json", 400),
        (b"", "application/json", 400),
        (b'{"service": "SIS", "period": "2025-T2", "values": [NaN]}', "application/json", 400),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400),
        (b'{"a": ' * 50_000 + b"1" + b"}" * 50_000, "application/json", 400),
        (b'{"service": "SIS", "period": "2025-T2", "values": 7}', "application/json", 400),
        (b'{"service": "SIS", "period": "2025-T2"}', "application/json", 400),
        (b'["SIS", "2025-T2"]', "application/json", 400),
        (b'{"service": 5, "period": "2025-T2", "values": []}', "application/json", 400),
        (b'{"service": "SIS", "period": "2025-T2", "values": [], "x": 1}', "application/json", 400),
        (
            b'{"service": "SIS", "period": "2025-T2", "values": [{"indicator": "P3.03-I1", '
            b'"value": true}]}',
            "application/json",
            400,
        ),
        (
            b'{"service": "SIS", "period": "2025-T2", "values": [{"indicator": "P3.03-I1", '
            b'"value": [[[[1]]]]}]}',
            "application/json",
            400,
        ),
        (
            b'{"service": "SIS", "period": "2025-T2", "values": ['
            + b",".join([b'{"indicator": "P3.03-I1", "value": 1}'] * 5000)
            + b"]}",
            "application/json",
            400,
        ),
        (
            b'{"service": "SIS", "period": "2025-T2", "values": [{"indicator": "P3.03-I1"}, '
            b'{"indicator": "P3.03-I1"}]}',
            "application/json",
            422,
        ),
        (
            b'{"service": "SIS", "period": "2025-T2", "values": [{"indicator": "P9.99-I9", '
            b'"value": 1}]}',
            "application/json",
            422,
        ),
        (b'{"service": "SIS", "period": "2025-T9", "values": []}', "application/json", 422),
        (b'{"service": "SIS", "period": "1999-T1", "values": []}', "application/json", 422),
        (
            b'{"service": "SIS", "period": "2025-T2", "values": [{"indicator": "P3.03-I1", '
            b'"value": 1e400}]}',
            "application/json",
            400,
        ),
        (
            b'{"service": "SIS", "period": "2025-T2", "values": [{"indicator": "P3.03-I1", '
            b'"value": "' + b"9" * 500 + b'"}]}',
            "application/json",
            422,
        ),
    ],
)
def test_hostile_bodies_get_a_clean_4xx_json_in_catalan(
    app: dash.Dash, db_url: str, body: bytes, content_type: str, status: int
) -> None:
    response = _post(app, _token(db_url), "?confirm=true", data=body, content_type=content_type)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    payload = response.get_json()
    if status == 422:  # refused like a file: the delivery's answer, with its issue
        assert payload["ok"] is False and payload["issues"][0]["severity"] == "error"
        assert payload["error_count"] == 1 and payload["submission_id"] is None
        text = payload["issues"][0]["message"]
    else:  # the API's error answer, and nothing more
        assert set(payload) == {"error", "message"}
        text = payload["message"]
    english = _post(app, _token(db_url), "?lang=en", data=body, content_type=content_type)
    assert english.status_code == status
    assert text and text not in english.get_data(as_text=True)  # Catalan, not the msgid
    assert submissions_frame(get_engine(db_url)).empty


@pytest.mark.parametrize("query", ["?confirm=maybe", "?dry_run=2", "?confirm=true&dry_run=true"])
def test_bad_flags_are_refused(app: dash.Dash, db_url: str, query: str) -> None:
    _assert_json_error(_post(app, _token(db_url), query, json=_payload([])), 400)


def test_number_text_writes_json_numbers_as_the_form_would() -> None:
    assert [number_text(x) for x in (12.5, 3, -0.25, 1e-7, 1234567.0)] == [
        "12,5",
        "3",
        "-0,25",
        "0,0000001",
        "1234567,0",
    ]


# --- CSRF: a token is not a browser form; a cookie session still needs its token ------------


def test_a_cookie_session_post_without_the_csrf_token_is_refused(
    app: dash.Dash, db_url: str, plan: Plan
) -> None:
    browser = app.server.test_client()
    login(browser, "tec", PASSWORD)
    browser.environ_base.pop("HTTP_X_CSRFTOKEN")
    values = [{"indicator": _codes(plan)[0], "value": 3}]
    response = browser.post(URL + "?confirm=true", json=_payload(values))
    assert response.status_code == 403 and response.get_json()["error"] == "csrf"
    # even with a valid token: a request carrying the session cookie is checked like any other
    with_token = browser.post(
        URL + "?confirm=true", json=_payload(values), headers=_auth(_token(db_url))
    )
    assert with_token.status_code == 403 and with_token.get_json()["error"] == "csrf"
    # a forged cross-site form post with the cookie: refused too
    forged = browser.post(
        URL + "?confirm=true",
        data={"file": (io.BytesIO(b"a;b"), "x.csv")},
        headers={"Origin": "https://evil.example"},
    )
    assert forged.status_code == 403
    # the session itself never counts for the API: with the CSRF token, still 401
    session_only = app.server.test_client()
    login(session_only, "tec", PASSWORD)
    _assert_json_error(session_only.post(URL, json=_payload(values)), 401)
    assert submissions_frame(get_engine(db_url)).empty


def test_a_token_without_a_cookie_passes_the_csrf_check_for_this_endpoint_only(
    app: dash.Dash, db_url: str, plan: Plan
) -> None:
    token = _token(db_url)
    values = [{"indicator": _codes(plan)[0], "value": 3}]
    assert _post(app, token, json=_payload(values)).status_code == 200
    other = app.server.test_client().post("/logout", headers=_auth(token))
    assert other.status_code == 403  # nowhere else
    engine: Engine = get_engine(db_url)
    assert submissions_frame(engine).empty


def test_the_forms_refusals_are_said_of_a_delivery(app: dash.Dash, db_url: str, plan: Plan) -> None:
    first = _codes(plan)[0]
    cases: list[tuple[list[dict[str, Any]], str]] = [
        ([{"indicator": "P9.99-I9", "value": 1}], "un indicador que SIS no informa («P9.99-I9»)"),
        ([{"indicator": first, "value": 1}] * 2, f"dues vegades l'indicador «{first}»"),
        ([{"indicator": first, "value": 1}] * 40, "més valors que indicadors"),
        ([{"indicator": first, "value": "9" * 65}], "massa llarg"),
    ]
    token = _token(db_url)
    for values, wanted in cases:
        response = _post(app, token, "?confirm=true", json=_payload(values))
        assert response.status_code == 422
        (issue,) = response.get_json()["issues"]
        assert issue["code"] == "refused_values" and wanted in issue["message"], issue
        assert "pàgina" not in issue["message"]  # a program does not reload a page
    assert submissions_frame(get_engine(db_url)).empty
