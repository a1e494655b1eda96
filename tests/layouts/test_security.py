"""Security of the web app (issue 6), on SQLite and PostgreSQL, by calling the endpoints
directly with Flask's test client: authentication on every route, roles on pages and
callbacks, crafted callback requests, CSRF, cookies, throttling, errors, size limits."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import pytest

from accounts import approvals, audit, users
from app import create_app
from indicators.intake.template import build_template, stage_names
from indicators.storage import locks
from indicators.storage.engine import get_engine
from indicators.storage.queries import submissions_frame
from layouts.upload_workflow import sign_pending
from plan_model.models import Plan
from plan_model.periods import Period, period_label
from settings import Settings
from tests.helpers.web_login import PASSWORD, login, make_user
from web.guard import is_open_path

SECRET = "test-secret-key-0123456789abcdef-ghijklmnopqrstuv"  # strong enough for production
PERIOD = "2025-T2"


def make_settings(db_url: str, tmp_path: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "environment": "test",
        "secret_key": SECRET,
        "upload_dir": tmp_path / "uploads",
        "demo_dir": tmp_path / "demo",
    }
    values.update(extra)
    return Settings(**values)


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Iterator[dash.Dash]:
    application = create_app(make_settings(db_url, tmp_path))
    make_user(db_url, "boss", "director")
    make_user(db_url, "tec", "tecnic", ["SIS", "SBAS-VIC"])
    make_user(db_url, "guest", "consulta")
    yield application
    get_engine(db_url).dispose()


def client_for(app: dash.Dash, username: str | None) -> Any:
    client = app.server.test_client()
    if username:
        login(client, username, PASSWORD)
    return client


def filled_template(plan: Plan, service: str, period: str, *, bad: bool = False) -> bytes:
    """The real template of ``service`` with every value filled (``bad``: text in one)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(build_template(plan, service, period)))
    ws = wb["Dades"]
    stages = stage_names(plan)
    by_code = plan.indicator_by_code
    first = True
    for row in ws.iter_rows(min_row=1):
        code = row[0].value
        if not isinstance(code, str) or code not in by_code:
            continue
        indicator = by_code[code]
        if indicator.is_milestone:
            row[6].value = stages[2]
        else:
            value = indicator.baseline.value if indicator.baseline else 1
            row[6].value = "molts" if bad and first else value
            first = False
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def data_url(content: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(content).decode()


def callback_key(app: dash.Dash, must_contain: str, trigger: str | None = None) -> str:
    for key, spec in app.callback_map.items():
        inputs = {f"{i['id']}.{i['property']}" for i in spec["inputs"]}
        if must_contain in key and (trigger is None or trigger in inputs):
            return str(key)
    raise AssertionError(f"no callback with {must_contain}")


def callback_body(
    app: dash.Dash, key: str, values: dict[str, Any], changed: str | None = None
) -> dict[str, Any]:
    spec = app.callback_map[key]
    parts = key.strip(".").split("...") if key.startswith("..") else [key]
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]

    def fill(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in items]

    inputs = fill(spec["inputs"])
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": inputs,
        "state": fill(spec.get("state", [])),
        "changedPropIds": [changed or f"{inputs[0]['id']}.{inputs[0]['property']}"],
    }


def call(
    client: Any,
    app: dash.Dash,
    key: str,
    values: dict[str, Any],
    changed: str | None = None,
    **kwargs: Any,
) -> Any:
    return client.post(
        "/_dash-update-component", json=callback_body(app, key, values, changed), **kwargs
    )


def pages_body(pathname: str) -> dict[str, Any]:
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "state": [],
        "changedPropIds": ["_pages_location.pathname"],
    }


# --- authentication everywhere ----------------------------------------------------------


def _rule_urls(app: dash.Dash) -> list[str]:
    urls = []
    for rule in app.server.url_map.iter_rules():
        path = rule.rule
        if path.startswith(
            (
                "/_dash-component-suites",
                "/assets",
                "/login",
                "/healthz",
                "/_favicon",
                "/static",
                "/logout",
            )
        ) or is_open_path(path):  # the public view and the open-data API (tests/web)
            continue
        path = re.sub(r"<int:[^>]+>", "1", path)
        path = re.sub(r"<(?:path:)?[^>]+>", "enviar", path)
        urls.append(path)
    return sorted(set(urls))


def test_every_route_needs_a_login(app: dash.Dash) -> None:
    client = client_for(app, None)
    urls = _rule_urls(app) + [p["path"] for p in dash.page_registry.values()]
    assert "/descarrega/plantilla" in urls and "/_dash-layout" in urls
    for url in urls:
        response = client.get(url + ("?service=SIS&period=2025-T2" if "plantilla" in url else ""))
        assert response.status_code in (302, 401), url
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login?next="), url
        else:
            assert response.get_json()["error"] == "unauthenticated", url
        assert len(response.data) < 1000, url  # a redirect or an error, never a page of data
        assert b"Osona" not in response.data and b"PK" not in response.data[:2], url


def test_every_callback_needs_a_login(app: dash.Dash) -> None:
    client = client_for(app, None)
    keys = list(app.callback_map)
    assert len(keys) >= 5
    for key in keys:
        response = call(client, app, key, {})
        assert response.status_code in (401, 403), key
    # the pages router too
    response = client.post("/_dash-update-component", json=pages_body("/"))
    assert response.status_code in (401, 403)


def test_login_logout_roundtrip(app: dash.Dash, db_url: str) -> None:
    client = client_for(app, "guest")
    assert client.get("/_dash-layout").status_code == 200
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "guest" in layout and "auth-logout" in layout
    token = client.get_cookie("_csrf_token").value
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/_dash-layout").status_code == 401
    actions = list(audit.audit_frame(get_engine(db_url), username="guest")["action"])
    assert actions == ["logout", "login"]


def test_account_bar_follows_the_page_language(app: dash.Dash) -> None:
    """The layout (account bar) is fetched from /_dash-layout: the page's ?lang= comes in
    its Referer and wins over the cookie, which the page updates only once drawn."""
    client = client_for(app, "guest")
    client.set_cookie("lang", "es")

    def bar(referer: str | None = None) -> str:
        headers = {"Referer": referer} if referer else {}
        response = client.get("/_dash-layout", headers=headers)
        return json.dumps(response.get_json(), ensure_ascii=False)

    assert "Cerrar sesión" in bar()  # no page address: the cookie
    assert "Log out" in bar("http://localhost/canvis?t=2025-T1&lang=en")
    assert "Tanca la sessió" in bar("http://localhost/?lang=ca")
    assert "Cerrar sesión" in bar("http://localhost/palanca/2")  # no ?lang: the cookie
    assert "Cerrar sesión" in bar("http://elsewhere.example/?lang=en")  # another site


def test_layout_opens_with_the_skip_link(app: dash.Dash) -> None:
    """The skip link is the layout's first element (before the account bar), in the page's
    language, pointing at every page's ``main``."""
    client = client_for(app, "guest")
    first = client.get(
        "/_dash-layout", headers={"Referer": "http://localhost/?lang=es"}
    ).get_json()["props"]["children"][0]
    assert first["type"] == "A" and first["props"]["href"] == "#main-content"
    assert first["props"]["children"] == "Saltar al contenido principal"
    second = client.get("/_dash-layout").get_json()["props"]["children"][1]
    assert second["props"]["id"] == "auth-bar"


def test_open_redirect_refused(app: dash.Dash) -> None:
    client = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/login",
        data={
            "username": "guest",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"


# --- roles ------------------------------------------------------------------------------

RESTRICTED = {
    "/enviar": {"director", "tecnic"},
    "/gestio": {"director"},
    "/usuaris": {"director"},
    "/auditoria": {"director"},
}


@pytest.mark.parametrize(
    "username, role", [("boss", "director"), ("tec", "tecnic"), ("guest", "consulta")]
)
def test_pages_by_role(app: dash.Dash, username: str, role: str) -> None:
    client = client_for(app, username)
    for page in dash.page_registry.values():
        path = page["path"]
        if "<" in path:
            continue
        allowed = role in RESTRICTED.get(path, {role})
        html_response = client.get(path)
        routed = client.post("/_dash-update-component", json=pages_body(path))
        if allowed:  # (other pages' own errors are their tests' business)
            assert html_response.status_code not in (401, 403), path
            assert routed.status_code not in (401, 403), (path, routed.data[:300])
        else:
            assert html_response.status_code == 403, path
            assert routed.status_code == 403, path
            assert b"enviar-upload" not in routed.data and b"auditoria-grid" not in routed.data


def test_path_variants_do_not_bypass_roles(app: dash.Dash) -> None:
    guest = client_for(app, "guest")
    for path in ("/enviar/", "//enviar", "/enviar//", "/usuaris/x", "//auditoria/"):
        routed = guest.post("/_dash-update-component", json=pages_body(path))
        assert routed.status_code == 403, path
        raw = guest.get("/", environ_overrides={"PATH_INFO": path}, follow_redirects=True)
        assert raw.status_code == 403, path


def test_role_checked_on_callbacks(app: dash.Dash, db_url: str) -> None:
    engine = get_engine(db_url)
    guest = client_for(app, "guest")
    upload_key = callback_key(app, "enviar-check-result")
    assert call(guest, app, upload_key, {"enviar-service.value": "SIS"}).status_code == 403
    tec = client_for(app, "tec")
    lock_key = callback_key(app, "gestio-message")
    response = call(
        tec,
        app,
        lock_key,
        {"gestio-lock.submit_n_clicks": 1, "gestio-period.value": PERIOD},
        changed="gestio-lock.submit_n_clicks",
    )
    assert response.status_code == 403
    assert not locks.is_locked(engine, PERIOD)
    users_key = callback_key(app, "usuaris-message")
    response = call(
        tec,
        app,
        users_key,
        {
            "usuaris-create.n_clicks": 1,
            "usuaris-new-username.value": "intruder",
            "usuaris-new-password.value": "longenough",
            "usuaris-new-role.value": "director",
        },
        changed="usuaris-create.n_clicks",
    )
    assert response.status_code == 403
    assert users.get_user(engine, "intruder") is None
    audit_key = callback_key(app, "auditoria-grid-wrap")
    assert call(guest, app, audit_key, {}).status_code == 403


def test_director_manages_users_and_quarters(app: dash.Dash, db_url: str, plan: Plan) -> None:
    engine = get_engine(db_url)
    boss = client_for(app, "boss")
    users_key = callback_key(app, "usuaris-message")
    response = call(
        boss,
        app,
        users_key,
        {
            "usuaris-create.n_clicks": 1,
            "usuaris-new-username.value": "nova",
            "usuaris-new-password.value": "longenough",
            "usuaris-new-role.value": "tecnic",
            "usuaris-new-services.value": ["SAD"],
        },
        changed="usuaris-create.n_clicks",
    )
    assert response.status_code == 200, response.data[:300]
    created = users.get_user(engine, "nova")
    assert created is not None and created.services == ("SAD",)
    lock_key = callback_key(app, "gestio-message")
    response = call(
        boss,
        app,
        lock_key,
        {"gestio-lock.submit_n_clicks": 1, "gestio-period.value": PERIOD},
        changed="gestio-lock.submit_n_clicks",
    )
    assert response.status_code == 200
    assert locks.is_locked(engine, PERIOD)
    response = call(
        boss,
        app,
        users_key,
        {"usuaris-disable.n_clicks": 1, "usuaris-user.value": "nova"},
        changed="usuaris-disable.n_clicks",
    )
    assert response.status_code == 200
    disabled = users.get_user(engine, "nova")
    assert disabled is not None and not disabled.active
    response = call(
        boss,
        app,
        users_key,
        {
            "usuaris-reset.n_clicks": 1,
            "usuaris-user.value": "nova",
            "usuaris-password.value": "short",
        },
        changed="usuaris-reset.n_clicks",
    )
    assert "usuaris-error" in response.get_data(as_text=True)  # refused, in Catalan
    assert "almenys 8" in response.get_data(as_text=True)
    response = call(
        boss,
        app,
        users_key,
        {
            "usuaris-save-services.n_clicks": 1,
            "usuaris-user.value": "tec",
            "usuaris-services.value": ["SAD", "SIS"],
        },
        changed="usuaris-save-services.n_clicks",
    )
    assert "usuaris-done" in response.get_data(as_text=True)
    tec = users.get_user(engine, "tec")
    assert tec is not None and tec.services == ("SAD", "SIS")
    response = call(
        boss,
        app,
        users_key,
        {
            "usuaris-save-services.n_clicks": 1,
            "usuaris-user.value": "guest",
            "usuaris-services.value": ["SAD"],
        },
        changed="usuaris-save-services.n_clicks",
    )
    assert "usuaris-error" in response.get_data(as_text=True)
    actions = set(audit.audit_frame(engine, username="boss")["action"])
    assert {"user_create", "user_disable", "user_services", "period_lock", "login"} <= actions
    # the audit log page filters by action
    audit_key = callback_key(app, "auditoria-grid-wrap")
    response = call(
        boss, app, audit_key, {"auditoria-action.value": "period_lock", "auditoria-lang.data": "ca"}
    )
    rows = response.get_json()["response"]["auditoria-grid-wrap"]["children"][1]["props"]["rowData"]
    assert [r["action"] for r in rows] == ["Trimestre tancat"]
    assert rows[0]["username"] == "boss" and rows[0]["target"] == PERIOD


# --- the submission workflow cannot be crafted around -----------------------------------


def _check(
    client: Any, app: dash.Dash, service: str, content: bytes, filename: str = "dades.xlsx"
) -> dict[str, Any]:
    key = callback_key(app, "enviar-check-result")
    response = call(
        client,
        app,
        key,
        {
            "enviar-upload.contents": data_url(content),
            "enviar-upload.filename": filename,
            "enviar-service.value": service,
            "enviar-period.value": PERIOD,
            "enviar-lang.data": "ca",
        },
        changed="enviar-upload.contents",
    )
    assert response.status_code == 200, response.data[:500]
    payload: dict[str, Any] = response.get_json()["response"]
    return payload


def _confirm(client: Any, app: dash.Dash, pending: dict[str, Any]) -> Any:
    key = callback_key(app, "enviar-version.data", trigger="enviar-confirm.n_clicks")
    return call(
        client,
        app,
        key,
        {
            "enviar-confirm.n_clicks": 1,
            "enviar-pending.data": pending,
            "enviar-version.data": 0,
            "enviar-lang.data": "ca",
        },
        changed="enviar-confirm.n_clicks",
    )


def test_technician_submits_own_service(app: dash.Dash, db_url: str, plan: Plan) -> None:
    tec = client_for(app, "tec")
    payload = _check(tec, app, "SIS", filled_template(plan, "SIS", PERIOD))
    pending = payload["enviar-pending"]["data"]
    assert pending and pending["service"] == "SIS"
    assert payload["enviar-confirm"]["disabled"] is False
    assert submissions_frame(get_engine(db_url)).empty  # the check stores nothing
    response = _confirm(tec, app, pending)
    assert response.status_code == 200
    assert "enviar-done" in response.get_data(as_text=True)
    subs = submissions_frame(get_engine(db_url))
    assert list(subs["service"]) == ["SIS"] and list(subs["uploaded_by"]) == ["tec"]
    assert list(subs["source"]) == ["web"]
    assert {"login", "import"} <= set(
        audit.audit_frame(get_engine(db_url), username="tec")["action"]
    )
    # the original file is downloadable by the technician, not by a consulta account
    sub_id = int(subs["id"].iloc[0])
    download = tec.get(f"/descarrega/lliurament/{sub_id}")
    assert download.status_code == 200 and download.data.startswith(b"PK")
    assert "attachment" in download.headers["Content-Disposition"]
    assert client_for(app, "guest").get(f"/descarrega/lliurament/{sub_id}").status_code == 403


def test_bad_file_cannot_be_confirmed(app: dash.Dash, db_url: str, plan: Plan) -> None:
    tec = client_for(app, "tec")
    payload = _check(tec, app, "SIS", filled_template(plan, "SIS", PERIOD, bad=True))
    assert payload["enviar-pending"]["data"] is None
    assert payload["enviar-confirm"]["disabled"] is True
    text = json.dumps(payload, ensure_ascii=False)
    assert "molts" in text and "enviar-issues-grid" in text
    assert submissions_frame(get_engine(db_url)).empty


def test_crafted_requests_for_another_service_refused(
    app: dash.Dash, db_url: str, plan: Plan
) -> None:
    engine = get_engine(db_url)
    tec = client_for(app, "tec")
    sad_file = filled_template(plan, "SAD", PERIOD)
    # 1. the check callback with another service in the request
    payload = _check(tec, app, "SAD", sad_file)
    assert payload["enviar-pending"]["data"] is None
    # 2. a SAD file checked as if it were SIS: the importer sees the file's own service
    payload = _check(tec, app, "SIS", sad_file)
    assert payload["enviar-pending"]["data"] is None
    # 3. a crafted confirmation, even correctly signed (as if the secret had leaked)
    digest = hashlib.sha256(sad_file).hexdigest()
    pending = {
        "filename": "x.xlsx",
        "service": "SAD",
        "period": PERIOD,
        "sha256": digest,
        "content": base64.b64encode(sad_file).decode(),
        "sig": sign_pending(SECRET, "tec", "SAD", PERIOD, digest),
    }
    response = _confirm(tec, app, pending)
    assert response.status_code == 200 and "enviar-refused" in response.get_data(as_text=True)
    # 4. a forged signature for the technician's own service
    sis_file = filled_template(plan, "SIS", PERIOD)
    forged = {
        **pending,
        "service": "SIS",
        "content": base64.b64encode(sis_file).decode(),
        "sig": "0" * 64,
    }
    response = _confirm(tec, app, forged)
    assert "enviar-refused" in response.get_data(as_text=True)
    # 5. a valid pending store of another user replayed by this one
    boss_sig = sign_pending(SECRET, "boss", "SIS", PERIOD, hashlib.sha256(sis_file).hexdigest())
    response = _confirm(tec, app, {**forged, "sig": boss_sig})
    assert "enviar-refused" in response.get_data(as_text=True)
    assert submissions_frame(engine).empty
    # 6. the template of another service is not served either
    assert tec.get(f"/descarrega/plantilla?service=SAD&period={PERIOD}").status_code == 403
    assert tec.get(f"/descarrega/plantilla?service=SIS&period={PERIOD}").status_code == 200


def test_locked_quarter_refuses_uploads(app: dash.Dash, db_url: str, plan: Plan) -> None:
    engine = get_engine(db_url)
    tec = client_for(app, "tec")
    content = filled_template(plan, "SIS", PERIOD)
    pending = _check(tec, app, "SIS", content)["enviar-pending"]["data"]
    assert pending
    approvals.lock_period(engine, PERIOD, by="boss")
    payload = _check(tec, app, "SIS", content)
    assert payload["enviar-pending"]["data"] is None
    from i18n import _

    locked_message = _(
        "The {period} is closed by the management: it does not accept "
        "new data until it is reopened.",
        period=period_label(Period.parse(PERIOD), "ca"),
    )
    assert locked_message in json.dumps(payload, ensure_ascii=False)
    # a confirmation prepared before the lock is refused too
    response = _confirm(tec, app, pending)
    assert "enviar-done" not in response.get_data(as_text=True)
    assert submissions_frame(engine).empty
    approvals.reopen_period(engine, PERIOD, by="boss")
    assert "enviar-done" in _confirm(tec, app, pending).get_data(as_text=True)


# --- CSRF, cookies, throttling, errors, limits ------------------------------------------


def test_csrf_required_on_callbacks_and_forms(app: dash.Dash, db_url: str) -> None:
    tec = client_for(app, "tec")
    key = callback_key(app, "enviar-history.children")
    body = callback_body(app, key, {"enviar-service.value": "SIS"})
    assert tec.post("/_dash-update-component", json=body).status_code == 200
    del tec.environ_base["HTTP_X_CSRFTOKEN"]
    response = tec.post("/_dash-update-component", json=body)
    assert response.status_code == 403 and response.get_json()["error"] == "csrf"
    response = tec.post(
        "/_dash-update-component",
        json=body,
        headers={"X-CSRFToken": "forged-token-forged-token-forged-token"},
    )
    assert response.status_code == 403
    token = tec.get_cookie("_csrf_token").value
    response = tec.post(
        "/_dash-update-component",
        json=body,
        headers={"X-CSRFToken": token, "Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    # logout needs the token too
    assert tec.post("/logout").status_code == 403
    assert tec.get("/_dash-layout").status_code == 200
    # the login form without its token
    fresh = app.server.test_client()
    response = fresh.post("/login", data={"username": "tec", "password": PASSWORD})
    assert response.status_code == 400
    assert fresh.get("/_dash-layout").status_code == 401


def test_cookie_flags(db_url: str, tmp_path: Path) -> None:
    app = create_app(make_settings(db_url, tmp_path))
    make_user(db_url, "guest", "consulta")
    for base, secure in (("http://localhost", False), ("https://localhost", True)):
        client = app.server.test_client()
        page = client.get("/login", base_url=base).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        response = client.post(
            "/login",
            base_url=base,
            data={"username": "guest", "password": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302
        cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
        session_cookie = cookies["seguiment_session"]
        assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
        assert ("Secure" in session_cookie) is secure
        csrf_cookie = cookies["_csrf_token"]
        assert "SameSite=Strict" in csrf_cookie and "HttpOnly" not in csrf_cookie
        assert ("Secure" in csrf_cookie) is secure
    forced = create_app(make_settings(db_url, tmp_path, session_cookie_secure=True))
    client = forced.server.test_client()
    client.get("/login")
    assert "Secure" in client.get("/login").headers.get("Set-Cookie", "Secure")


def test_login_throttled_after_failures(db_url: str, tmp_path: Path) -> None:
    app = create_app(
        make_settings(
            db_url,
            tmp_path,
            login_max_failures=3,
            login_max_failures_per_ip=6,
            login_delay_seconds=60,
        )
    )
    make_user(db_url, "tec", "tecnic", ["SIS"])
    client = app.server.test_client()

    def attempt(username: str, password: str) -> int:
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        return int(
            client.post(
                "/login", data={"username": username, "password": password, "csrf_token": token}
            ).status_code
        )

    assert [attempt("tec", "wrong") for _ in range(3)] == [401, 401, 401]
    assert attempt("tec", PASSWORD) == 429  # the third failure makes the next one wait
    assert client.get("/_dash-layout").status_code == 401
    # per address: other names from the same address wait after 6 failures
    for name in ("a1", "a2", "a3"):
        attempt(name, "x")
    assert attempt("someone", "x") == 429
    engine = get_engine(db_url)
    failures = audit.audit_frame(engine, action="login_failed")
    assert len(failures) >= 6


def test_session_ends_when_password_reset_or_disabled(app: dash.Dash, db_url: str) -> None:
    engine = get_engine(db_url)
    tec = client_for(app, "tec")
    assert tec.get("/_dash-layout").status_code == 200
    users.set_password(engine, "tec", "another password", by="boss")
    assert tec.get("/_dash-layout").status_code == 401
    guest = client_for(app, "guest")
    users.disable_user(engine, "guest", by="boss")
    assert guest.get("/_dash-layout").status_code == 401


def test_no_traceback_in_production(db_url: str, tmp_path: Path) -> None:
    app = create_app(make_settings(db_url, tmp_path, environment="production"))

    def boom() -> str:
        raise RuntimeError("secret internal detail")

    app.server.add_url_rule("/boom", "boom", boom)
    make_user(db_url, "boss", "director")
    client = client_for(app, "boss")
    for headers in ({}, {"Accept": "application/json"}):
        response = client.get("/boom", headers=headers)
        assert response.status_code == 500
        body = response.get_data(as_text=True)
        assert "Traceback" not in body and "secret internal detail" not in body
        assert "RuntimeError" not in body and "werkzeug" not in body.lower()
    # a failing callback as well
    key = callback_key(app, "enviar-history.children")
    response = call(client, app, key, {"enviar-service.value": "SIS", "enviar-lang.data": "xx"})
    assert "Traceback" not in response.get_data(as_text=True)
    assert response.status_code in (200, 500)


def test_secret_key_required_in_production(db_url: str, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Settings(database_url=db_url, environment="production"))


def test_upload_size_limits(db_url: str, tmp_path: Path, plan: Plan) -> None:
    app = create_app(make_settings(db_url, tmp_path, max_upload_bytes=4096))
    make_user(db_url, "tec", "tecnic", ["SIS"])
    tec = client_for(app, "tec")
    # over the request limit: refused before any callback runs
    huge = {"output": "x", "inputs": [], "padding": "A" * (4096 * 2 + 300 * 1024)}
    response = tec.post("/_dash-update-component", json=huge)
    assert response.status_code == 413
    assert "Traceback" not in response.get_data(as_text=True)
    # under the request limit but over the file limit: refused by the callback
    payload = _check(tec, app, "SIS", b"PK" + b"\0" * 6000)
    assert payload["enviar-pending"]["data"] is None
    assert "massa gran" in json.dumps(payload, ensure_ascii=False)
    # nothing written to the upload folder
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())


def test_session_and_pending_upload_survive_another_worker(
    db_url: str, tmp_path: Path, plan: Plan
) -> None:
    """Two app instances (two workers) with the same settings: a login made on one and a
    file checked on one are accepted by the other (no per-process state)."""
    worker_a = create_app(make_settings(db_url, tmp_path))
    make_user(db_url, "tec", "tecnic", ["SIS"])
    client_a = client_for(worker_a, "tec")
    pending = _check(client_a, worker_a, "SIS", filled_template(plan, "SIS", PERIOD))[
        "enviar-pending"
    ]["data"]
    assert pending
    # (built after the first one has served: Dash hands page callbacks to one app per import)
    worker_b = create_app(make_settings(db_url, tmp_path))
    client_b = worker_b.server.test_client()
    for name in ("seguiment_session", "_csrf_token"):
        cookie = client_a.get_cookie(name)
        assert cookie is not None
        client_b.set_cookie(name, cookie.value)
    client_b.environ_base["HTTP_X_CSRFTOKEN"] = client_a.environ_base["HTTP_X_CSRFTOKEN"]
    assert client_b.get("/_dash-layout").status_code == 200
    response = _confirm(client_b, worker_b, pending)
    assert "enviar-done" in response.get_data(as_text=True)
    assert list(submissions_frame(get_engine(db_url))["uploaded_by"]) == ["tec"]


def test_development_never_signs_with_the_public_default_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import settings as settings_module
    from web.session import effective_secret_key

    monkeypatch.setattr(settings_module, "INSTANCE_DIR", tmp_path)
    dev = Settings(environment="development")
    assert dev.secret_key == settings_module.DEV_SECRET_KEY
    key = effective_secret_key(dev)
    assert key != settings_module.DEV_SECRET_KEY and len(key) >= 48
    assert effective_secret_key(dev) == key  # kept: every process of the install shares it
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert effective_secret_key(Settings(environment="development", secret_key=SECRET)) == SECRET
    assert effective_secret_key(Settings(environment="test")) == settings_module.DEV_SECRET_KEY


@pytest.mark.parametrize(
    "weak", ["a", "x" * 64, "correct horse battery staple", "0123456789abcdef" * 2]
)
def test_production_refuses_a_weak_secret_key(db_url: str, tmp_path: Path, weak: str) -> None:
    with pytest.raises(RuntimeError, match="32 random bytes"):
        create_app(make_settings(db_url, tmp_path, environment="production", secret_key=weak))


def test_production_accepts_a_generated_secret_key(db_url: str, tmp_path: Path) -> None:
    import secrets

    for key in (secrets.token_urlsafe(32), secrets.token_hex(32)):
        assert (
            create_app(
                make_settings(db_url, tmp_path, environment="production", secret_key=key)
            ).server.secret_key
            == key
        )
