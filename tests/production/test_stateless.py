"""No per-process state: two app instances (as two gunicorn workers, or two machines) on the
same database and SECRET_KEY serve one user's consecutive requests interchangeably, an import
through one invalidates the other's caches, and a cached page is never served to another user.
"""

from __future__ import annotations

import re
from typing import Any

import dash
import pytest
from dash import Dash
from flask.testing import FlaskClient
from sqlalchemy import text

from accounts.users import create_user
from app import create_app
from cli.bench.load import page_payload
from indicators.intake.importer import import_file
from indicators.storage.engine import make_engine
from plan_model.models import Plan
from settings import Settings

PASSWORD = "una-contrasenya-llarga"
SESSION_COOKIES = ("seguiment_session", "_csrf_token")
ORIGIN = {"Origin": "http://localhost"}


def two_workers(db_url: str) -> tuple[Dash, Dash]:
    settings = Settings(database_url=db_url, secret_key="shared-secret-" + "k" * 32)
    return create_app(settings), create_app(settings)


def log_in(client: FlaskClient, username: str) -> dict[str, str]:
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"\s+value="([^"]+)"', form)
    assert token is not None
    response = client.post(
        "/login",
        headers=ORIGIN,
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.status_code == 302
    client.get("/")
    return csrf_headers(client)


def csrf_headers(client: FlaskClient) -> dict[str, str]:
    csrf = client.get_cookie("_csrf_token")
    assert csrf is not None
    return {**ORIGIN, "X-CSRFToken": csrf.value}


def move_cookies(source: FlaskClient, target: FlaskClient) -> None:
    """The browser's next request reaches another worker: same cookies, other process."""
    for name in SESSION_COOKIES:
        cookie = source.get_cookie(name)
        assert cookie is not None, name
        target.set_cookie(name, cookie.value)


def page(client: FlaskClient, headers: dict[str, str], path: str) -> Any:
    return client.post("/_dash-update-component", json=page_payload(path), headers=headers)


def add_users(db_url: str, *users: tuple[str, str, list[str]]) -> None:
    engine = make_engine(db_url)
    try:
        for username, role, services in users:
            create_user(engine, username, PASSWORD, role, services)
    finally:
        engine.dispose()


def test_a_session_started_on_one_worker_works_on_another(db_url: str) -> None:
    add_users(db_url, ("direccio", "director", []))
    first, second = two_workers(db_url)
    one, other = first.server.test_client(), second.server.test_client()
    headers = log_in(one, "direccio")
    move_cookies(one, other)
    response = page(other, headers, "/")
    assert response.status_code == 200
    assert "_pages_content" in response.get_data(as_text=True)
    assert other.get("/_dash-layout").status_code == 200
    # and a request with no session is refused by either worker
    assert second.server.test_client().get("/_dash-layout").status_code == 401


def test_an_import_through_one_worker_refreshes_the_pages_of_another(
    db_url: str, plan: Plan
) -> None:
    add_users(db_url, ("direccio", "director", []))
    second = two_workers(db_url)[1]
    client = second.server.test_client()
    headers = log_in(client, "direccio")
    before = page(client, headers, "/lliuraments?any=2025").get_data(as_text=True)
    assert page(client, headers, "/lliuraments?any=2025").get_data(as_text=True) == before  # cached

    service = "SAD"
    codes = [
        i.code for i in plan.indicators if i.responsible_service == service and i.kind == "numeric"
    ]
    content = ("Codi;Període;Valor\n" + "".join(f"{code};2025-T1;10\n" for code in codes)).encode()
    engine = make_engine(db_url)
    try:  # an upload handled by the other worker (or another machine)
        result = import_file(
            engine,
            plan,
            filename="sad.csv",
            content=content,
            user="t",
            service=service,
            period="2025-T1",
        )
        assert result.status == "ok", [e.message for e in result.errors]
    finally:
        engine.dispose()
    after = page(client, headers, "/lliuraments?any=2025").get_data(as_text=True)
    assert after != before  # the data generation moved: no stale page from the cache


def test_a_cached_page_is_never_served_to_another_user(db_url: str) -> None:
    add_users(db_url, ("tecnica-sad", "tecnic", ["SAD"]), ("tecnic-eaia", "tecnic", ["EAIA"]))
    app = two_workers(db_url)[0]
    seen = {}
    for username in ("tecnica-sad", "tecnic-eaia", "tecnica-sad"):
        client = app.server.test_client()
        headers = log_in(client, username)
        body = page(client, headers, "/enviar").get_data(as_text=True)
        seen[username] = ("SAD" in body, "EAIA" in body)
    assert seen == {"tecnica-sad": (True, False), "tecnic-eaia": (False, True)}


def test_with_the_shared_page_cache_a_page_is_computed_once_for_every_worker(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SHARED_PAGE_CACHE=true: a page one worker rendered is served by another worker from the
    shared cache (the database here), without computing it again; an import invalidates it."""
    add_users(db_url, ("direccio", "director", []))
    settings = Settings(
        database_url=db_url, secret_key="shared-secret-" + "k" * 32, shared_page_cache=True
    )
    first, second = create_app(settings), create_app(settings)
    one, other = first.server.test_client(), second.server.test_client()
    headers = log_in(one, "direccio")
    move_cookies(one, other)
    rendered = page(one, headers, "/")
    assert rendered.status_code == 200

    def not_again(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the page was computed a second time")

    overview = next(p for p in dash.page_registry.values() if p["path"] == "/")
    monkeypatch.setitem(overview, "layout", not_again)
    served = page(other, headers, "/")
    assert served.status_code == 200
    assert served.get_data() == rendered.get_data()

    bump_generation(db_url)  # an import: the shared entry is no longer served
    assert page(other, headers, "/").status_code == 500


def bump_generation(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE data_generation SET generation = generation + 1"))
            conn.execute(
                text(
                    "INSERT INTO data_generation (id, generation) SELECT 1, 1 "
                    "WHERE NOT EXISTS (SELECT 1 FROM data_generation)"
                )
            )
    finally:
        engine.dispose()
