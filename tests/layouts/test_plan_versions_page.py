"""The objective page with an amended plan (issue 18): «meta revisada el … (abans …)» next to
a target the amendment changed, from its effective quarter on; the list of the plan's
amendments (date, effective quarter, reason, approver); ``?versio=aprovada`` shows the plan as
approved (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dash import Dash

from accounts import plan_versions
from accounts.roles import Actor
from app import create_app
from indicators.reporting import dashboard_data
from indicators.storage.engine import get_engine
from settings import Settings
from tests.helpers.evaluation_data import PLAN_FILE, load_known_data, tiny_plan
from tests.helpers.plan_versions import amended
from tests.helpers.web_login import login, make_user

ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."
REASON = "Revisió de meitat de període"
APPROVER = "Consell de govern del 3 de novembre de 2025"


@pytest.fixture
def web(db_url: str, tmp_path: Path) -> Iterator[Dash]:
    engine = get_engine(db_url)
    plan = tiny_plan()
    load_known_data(engine, plan)
    plan_versions.amend_plan(
        engine,
        plan,
        amended(tmp_path / "amended"),
        effective="2025-T3",
        reason=REASON,
        approved_by=APPROVER,
        by=Actor.operator("maria"),
    )
    dashboard_data.clear_caches()
    settings = Settings(
        database_url=db_url, plan_path=PLAN_FILE, environment="test", secret_key="v" * 32
    )
    yield create_app(settings)
    dashboard_data.clear_caches()


@pytest.fixture
def reader(web: Dash, db_url: str) -> Any:
    client = web.server.test_client()
    login(client, *make_user(db_url, "lectora", role="consulta"))
    return client


def _page(client: Any, path: str, search: str = "") -> str:
    body = {
        "output": ROUTER_OUTPUT,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "state": [],
        "changedPropIds": ["_pages_location.pathname"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json(), ensure_ascii=False)


def test_the_objective_page_marks_the_revised_target_and_lists_the_amendments(
    reader: Any,
) -> None:
    text = _page(reader, "/objectiu/P1.01", "?t=2025-T3")
    assert "2025: 100" in text and "meta revisada el" in text and "(abans 80)" in text
    assert "Modificacions del pla" in text
    assert REASON in text and APPROVER in text and "3r trimestre de 2025" in text
    assert "versio=aprovada" in text  # the link to the figures as approved


def test_before_the_effective_quarter_the_page_shows_the_original_target(reader: Any) -> None:
    text = _page(reader, "/objectiu/P1.01", "?t=2025-T2")
    assert "2025: 80" in text and "meta revisada" not in text
    assert "Modificacions del pla" in text  # the history is listed at every quarter


def test_versio_aprovada_shows_the_plan_as_approved(reader: Any) -> None:
    text = _page(reader, "/objectiu/P1.01", "?t=2025-T3&versio=aprovada")
    assert "2025: 80" in text and "meta revisada" not in text
    assert "fan servir el pla tal com es va aprovar" in text
